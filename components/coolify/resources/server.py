"""Server that Coolify deploys to over SSH; validated and waited for until usable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client import BadRequestError
from ..client.server_validation import validate_until_usable
from ..client.types import JsonObject
from ..provider import CoolifyProvider
from ._check import SSH_USER, Checker
from ._diff import FieldRule, identity, text_or_none
from ._resource import args_to_props

# Inputs sent to Coolify on create and PATCH (validate and validate_timeout_s are ours alone).
SENT = ("name", "description", "ip", "port", "user", "private_key_uuid")
# Installing Docker takes Coolify's job a few runs, 30 s apart (ValidateAndInstallServerJob, timeout 600 s).
DEFAULT_VALIDATE_TIMEOUT_S = 900.0


def _port(value: Any) -> Any:
    return int(value) if isinstance(value, (int, float, str)) and str(value).isdigit() else value


@dataclass(frozen=True)
class ServerArgs:
    name: pulumi.Input[str]
    """Server name; an existing server with this name (or this IP) is adopted on create."""
    ip: pulumi.Input[str]
    """IPv4, IPv6 or host name; Coolify keeps it unique across the instance."""
    private_key_uuid: pulumi.Input[str]
    """The Coolify private key used for SSH (never returned by Coolify; compared with the last value applied)."""
    port: pulumi.Input[int] = 22
    user: pulumi.Input[str] = "root"
    description: pulumi.Input[str] | None = None
    validate: pulumi.Input[bool] = True
    """Ask Coolify to validate the server (installing Docker when it is not usable yet, Coolify 4.2.0+) and
    wait until it is reachable and usable."""
    validate_timeout_s: pulumi.Input[float] = DEFAULT_VALIDATE_TIMEOUT_S
    """How long to wait for validation (and Docker's installation) before failing."""


class ServerProvider(CoolifyProvider):
    field_rules = (
        FieldRule("name", text_or_none),
        FieldRule("description", text_or_none),
        FieldRule("ip", text_or_none),
        FieldRule("port", _port),
        FieldRule("user", text_or_none),
        FieldRule("private_key_uuid", identity),
        FieldRule("validate", identity),
        FieldRule("validate_timeout_s", identity),
    )

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        checker.required_text("name")
        checker.required_text("ip")
        checker.required_text("private_key_uuid")
        checker.port("port")
        checker.required_text("user")
        checker.pattern("user", SSH_USER, "a user name of letters, digits, '.', '_' or '-'")
        checker.optional_text("description")
        checker.boolean("validate")
        checker.positive_number("validate_timeout_s")
        return CheckResult(news, checker.failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        servers = self.client.servers
        existing = servers.find(str(props["name"]).strip(), str(props["ip"]).strip())
        if existing is not None:
            uuid = str(existing["uuid"])
            observed = _observed(servers.get(uuid), {})
            self._apply(uuid, props, observed, adopted=True)
            usable_now = bool(observed["is_usable"] and observed["is_reachable"])
        else:
            body = _body(props, SENT)
            # We validate ourselves below, so creation never blocks on SSH.
            body["instant_validate"] = False
            uuid = servers.create(body)
            usable_now = False  # a new registration was never validated
        validated = self._validate(uuid, props, usable_now)
        return CreateResult(uuid, self._outs(uuid, props, validated))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return self.read_or_gone(id_, lambda: self._outs(id_, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        changed = self._apply(id_, news, olds, adopted=False)
        if changed & {"ip", "port", "user", "private_key_uuid"} or (news.get("validate") and not olds.get("is_usable")):
            # A new address may be a new, bare host: only a usable server in state skips the install.
            same_host = not changed & {"ip", "port", "user", "private_key_uuid"}
            usable_now = bool(olds.get("is_usable")) if same_host else None
            validated = self._validate(id_, news, usable_now)
            return UpdateResult(self._outs(id_, news, validated))
        return UpdateResult(self._outs(id_, news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        servers = self.client.servers
        self.delete_when_free(
            lambda: servers.delete(id_),
            lambda: servers.get(id_),
            # Applications and databases on it are deleted by a background job; retry until they are gone.
            busy_error=BadRequestError,
            busy_message="resources",
            subject=f"server {id_}",
            until="to have no resources",
        )

    def _apply(self, uuid: str, desired: dict[str, Any], current: dict[str, Any], *, adopted: bool) -> set[str]:
        changed = {key for key in self.changed_fields(current, desired) if key in SENT}
        if adopted:
            # Coolify never returns the key's uuid, so an adopted server always gets ours.
            changed.add("private_key_uuid")
        if changed:
            self.client.servers.update(uuid, _body(desired, changed))
        return changed

    def _validate(self, uuid: str, props: dict[str, Any], usable_now: bool | None) -> JsonObject | None:
        """Validates when asked (installing Docker on a bare host); returns the server as last read, else None."""
        if not props.get("validate"):
            return None
        return validate_until_usable(
            self.client.servers,
            uuid,
            timeout_s=float(props.get("validate_timeout_s") or DEFAULT_VALIDATE_TIMEOUT_S),
            interval_s=self.settings.poll_interval_s,
            label=f"'{props.get('name')}' ({uuid}, {props.get('ip')})",
            usable_now=usable_now,
        )

    def _outs(self, uuid: str, props: dict[str, Any], server: JsonObject | None = None) -> dict[str, Any]:
        """Outputs from `server` when a poll just read it, else from a fresh read."""
        if server is None:
            server = self.client.servers.get(uuid)
        return {
            "uuid": uuid,
            **_observed(server, props),
            "validate": props.get("validate"),
            "validate_timeout_s": props.get("validate_timeout_s"),
        }


def _observed(server: JsonObject, props: dict[str, Any]) -> dict[str, Any]:
    settings = server.get("settings") or {}
    return {
        "name": server.get("name"),
        "description": server.get("description"),
        "ip": server.get("ip"),
        "port": server.get("port"),
        "user": server.get("user"),
        # GET returns the numeric private_key_id, never the uuid: keep the value last applied.
        "private_key_uuid": props.get("private_key_uuid"),
        "is_reachable": bool(settings.get("is_reachable")),
        "is_usable": bool(settings.get("is_usable")),
    }


def _body(props: dict[str, Any], keys: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key in keys:
        value = props.get(key)
        if value is not None:
            body[key] = int(value) if key == "port" else value
    return body


class Server(Resource, module="coolify", name="Server"):
    """A server registered in Coolify (`pulumi-python:dynamic/coolify:Server`)."""

    uuid: pulumi.Output[str]
    name: pulumi.Output[str]
    ip: pulumi.Output[str]

    def __init__(self, resource_name: str, args: ServerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ServerProvider(), resource_name, args_to_props(args), opts)
