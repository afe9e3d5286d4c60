"""Application deployed from a Docker image (e.g. GHCR), with domains and a health check.

Coolify is told never to invent a domain (`autogenerate_domain: false`) and never to deploy on its
own (`instant_deploy: false`): deployments are the `Deployment` resource's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client.types import JsonObject
from ._check import DIGEST, IMAGE_NAME, IMAGE_TAG, PORTS, Checker, domain_problem
from ._diff import FieldRule, environment_name, identity, is_unknown, text_or_none
from ._placed import PlacedProvider, Rows
from ._resource import args_to_props, with_secret_outputs

PLACEMENT = ("project_uuid", "environment_name", "server_uuid", "destination_uuid")
DIGEST_SUFFIX = "@sha256"


def normalize_domain(url: str) -> str:
    """Coolify lowercases scheme and host; a trailing `/` carries no meaning."""
    parsed = urlparse(url.strip())
    rest = url.strip()[len(parsed.scheme) + 3 + len(parsed.netloc) :]
    return f"{parsed.scheme.lower()}://{parsed.netloc.lower()}{rest.rstrip('/')}"


def _domains(value: Any) -> Any:
    if isinstance(value, str):
        value = [item for item in value.split(",") if item.strip()]
    if isinstance(value, (list, tuple)):
        return sorted({normalize_domain(str(item)) for item in value})
    return value


def _text(value: Any) -> Any:
    return str(value).strip() if value is not None else None


def image_reference(image: str, tag: str) -> tuple[str, str]:
    """(docker_registry_image_name, docker_registry_image_tag) as Coolify stores them.

    A digest is stored as name `<image>@sha256` and tag `<hex>`.
    """
    if tag.startswith("sha256:"):
        return f"{image}{DIGEST_SUFFIX}", tag.removeprefix("sha256:")
    return image, tag


def user_image(name: str | None, tag: str | None) -> tuple[str | None, str | None]:
    """Inverse of image_reference: Coolify's stored name and tag back into our `image` and `tag`."""
    if name and name.endswith(DIGEST_SUFFIX):
        return name.removesuffix(DIGEST_SUFFIX), f"sha256:{tag}"
    return name, tag


@dataclass(frozen=True)
class ApplicationArgs:
    name: pulumi.Input[str]
    """Application name, unique in its environment; an existing one with this name is adopted."""
    project_uuid: pulumi.Input[str]
    environment_name: pulumi.Input[str]
    server_uuid: pulumi.Input[str]
    image: pulumi.Input[str]
    """Image name without tag, e.g. `ghcr.io/penpal-ai/api`."""
    tag: pulumi.Input[str]
    """Tag (`develop-latest`, `sha-1a2b3c4`, `1.4.2`) or digest (`sha256:<64 hex>`)."""
    ports_exposes: pulumi.Input[str]
    """Container port(s), e.g. `"3000"` or `"3000,9229"`."""
    domains: pulumi.Input[list[pulumi.Input[str]]] = field(default_factory=list)
    """Full URLs, e.g. `https://staging.api.penpal-ai.maksou.dev`; Coolify reports them as `fqdn`."""
    health_check_path: pulumi.Input[str] = "/health"
    health_check_port: pulumi.Input[int] | None = None
    description: pulumi.Input[str] | None = None
    destination_uuid: pulumi.Input[str] | None = None
    """Docker network on the server; needed only when the server has more than one."""


class ApplicationProvider(PlacedProvider):
    listing_kind = "applications"
    field_rules = (
        FieldRule("project_uuid", identity),
        FieldRule("environment_name", environment_name),
        FieldRule("server_uuid", identity),
        FieldRule("destination_uuid", identity),
        FieldRule("name", text_or_none),
        FieldRule("description", text_or_none),
        FieldRule("image", _text),
        FieldRule("tag", _text),
        FieldRule("ports_exposes", _text),
        FieldRule("domains", _domains),
        FieldRule("health_check_path", _text),
        FieldRule("health_check_port", lambda value: int(value) if value is not None else None),
    )
    replace_keys = frozenset(PLACEMENT)
    # The replacement would claim the same domains and Coolify answers 409 on a domain in use.
    delete_before_replace = True

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        checker.required_text("name")
        checker.required_text("project_uuid")
        checker.required_text("environment_name")
        checker.required_text("server_uuid")
        checker.optional_text("description")
        image = checker.required_text("image")
        if image is not None:
            if "@" in image or ":" in image.rsplit("/", 1)[-1]:
                checker.fail("image", f"must be the image name without tag or digest (put it in `tag`), got {image!r}")
            elif not IMAGE_NAME.match(image):
                checker.fail("image", f"must be a lowercase image name such as ghcr.io/owner/name, got {image!r}")
        tag = checker.required_text("tag", max_length=128 + 7)
        if tag is not None and not (DIGEST.match(tag) or (not tag.startswith("sha256:") and IMAGE_TAG.match(tag))):
            checker.fail("tag", f"must be a Docker tag or a digest `sha256:<64 hex>`, got {tag!r}")
        ports = checker.required_text("ports_exposes")
        if ports is not None:
            if not PORTS.match(ports):
                checker.fail("ports_exposes", f"must be port numbers separated by commas, e.g. '3000', got {ports!r}")
            elif any(not 1 <= int(port) <= 65535 for port in ports.split(",")):
                checker.fail("ports_exposes", f"every port must be between 1 and 65535, got {ports!r}")
        domains = checker.known("domains")
        if domains is not None:
            if not isinstance(domains, (list, tuple)):
                checker.fail("domains", "must be a list of URLs")
            else:
                for domain in domains:
                    problem = None if not isinstance(domain, str) or is_unknown(domain) else domain_problem(domain)
                    if problem:
                        checker.fail("domains", f"{domain!r} {problem}")
        path = checker.known("health_check_path")
        if path is not None and (not isinstance(path, str) or not path.startswith("/")):
            checker.fail("health_check_path", f"must start with '/', got {path!r}")
        checker.port("health_check_port", required=False)
        return CheckResult(news, checker.failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client
        with self.listed_again_on_error(props):
            existing = self.find_to_adopt(props)
            if existing is not None:
                uuid = str(existing["uuid"])
                self._apply(uuid, props, self._observed(existing, props))
            else:
                uuid = client.applications.create_dockerimage(_create_body(props))
                self.created(props, uuid)
        return CreateResult(uuid, self._outs(uuid, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return self.read_or_gone(id_, lambda: self._outs(id_, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self._apply(id_, news, olds)
        return UpdateResult(self._outs(id_, news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        # The row stays readable until Coolify's background teardown finishes; only then is the name free.
        self.delete_and_wait(id_, f"application {id_} to be torn down")

    def rows(self) -> Rows:
        return self.client.applications

    def _apply(self, uuid: str, desired: dict[str, Any], current: dict[str, Any]) -> None:
        changed = [key for key in self.changed_fields(current, desired) if key not in PLACEMENT]
        if changed:
            self.client.applications.update(uuid, _patch_body(desired, changed))

    def _observed(self, app: JsonObject, props: dict[str, Any]) -> dict[str, Any]:
        image, tag = user_image(app.get("docker_registry_image_name"), app.get("docker_registry_image_tag"))
        fqdn = app.get("fqdn") or ""
        return {
            "name": app.get("name"),
            "description": app.get("description"),
            "image": image,
            "tag": tag,
            "ports_exposes": app.get("ports_exposes"),
            "domains": [domain for domain in fqdn.split(",") if domain],
            "fqdn": app.get("fqdn"),
            "health_check_path": app.get("health_check_path"),
            "health_check_port": _int_or_none(app.get("health_check_port")),
            # GET returns environment_id and destination_id only: keep the placement inputs as applied.
            **{key: props.get(key) for key in PLACEMENT},
        }

    def _outs(self, uuid: str, props: dict[str, Any]) -> dict[str, Any]:
        client = self.client
        return {
            "uuid": uuid,
            **self._observed(client.applications.get(uuid), props),
            "webhook_url": client.deploy_webhook_url(uuid),
        }


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _health_check(props: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"health_check_enabled": True, "health_check_path": props["health_check_path"]}
    if props.get("health_check_port") is not None:
        fields["health_check_port"] = int(props["health_check_port"])
    return fields


def _create_body(props: dict[str, Any]) -> dict[str, Any]:
    image, tag = str(props["image"]).strip(), str(props["tag"]).strip()
    body: dict[str, Any] = {
        "project_uuid": props["project_uuid"],
        "environment_name": environment_name(props["environment_name"]),
        "server_uuid": props["server_uuid"],
        "name": str(props["name"]).strip(),
        "ports_exposes": str(props["ports_exposes"]),
        "domains": ",".join(props.get("domains") or []),
        # Never let Coolify invent a public sslip.io URL, and never deploy before the Deployment resource does.
        "autogenerate_domain": False,
        "instant_deploy": False,
        **_health_check(props),
    }
    if tag.startswith("sha256:"):
        # On create Coolify parses `name@sha256:<hex>` itself; `name:sha256:...` would be rejected.
        body["docker_registry_image_name"] = f"{image}@{tag}"
    else:
        body["docker_registry_image_name"] = image
        body["docker_registry_image_tag"] = tag
    if props.get("description") is not None:
        body["description"] = props["description"]
    if props.get("destination_uuid") is not None:
        body["destination_uuid"] = props["destination_uuid"]
    return body


def _patch_body(props: dict[str, Any], changed: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if "image" in changed or "tag" in changed:
        # On PATCH the image name must be bare: the tag goes in its own field.
        name, tag = image_reference(str(props["image"]).strip(), str(props["tag"]).strip())
        body["docker_registry_image_name"] = name
        body["docker_registry_image_tag"] = tag
    if "name" in changed:
        body["name"] = str(props["name"]).strip()
    if "description" in changed:
        body["description"] = props["description"]
    if "ports_exposes" in changed:
        body["ports_exposes"] = str(props["ports_exposes"])
    if "domains" in changed:
        body["domains"] = ",".join(props.get("domains") or [])
    if "health_check_path" in changed or "health_check_port" in changed:
        body.update(_health_check(props))
    return body


class Application(Resource, module="coolify", name="Application"):
    """A Coolify application from a Docker image (`pulumi-python:dynamic/coolify:Application`)."""

    uuid: pulumi.Output[str]
    name: pulumi.Output[str]
    fqdn: pulumi.Output[str]
    webhook_url: pulumi.Output[str]
    """`<coolify_url>/api/v1/deploy?uuid=<uuid>&force=false` (secret)."""

    def __init__(self, resource_name: str, args: ApplicationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = args_to_props(args, "fqdn", "webhook_url")
        super().__init__(ApplicationProvider(), resource_name, props, with_secret_outputs(opts, "webhook_url"))
