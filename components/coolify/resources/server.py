"""Server that Coolify deploys to over SSH; validated and waited for until usable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client import BadRequestError
from ..client.types import JsonObject
from ..client.waiting import poll
from ..provider import CoolifyProvider
from ._check import SSH_USER, Checker
from ._diff import FieldRule, identity, text_or_none
from ._resource import args_to_props

# Inputs sent to Coolify on create and PATCH (validate and validate_timeout_s are ours alone).
SENT = ("name", "description", "ip", "port", "user", "private_key_uuid")


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
    """Ask Coolify to validate the server and wait until it is reachable and usable."""
    validate_timeout_s: pulumi.Input[float] = 300
    """How long to wait for validation before failing."""


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
            self._apply(uuid, props, _observed(servers.get(uuid), {}), adopted=True)
        else:
            body = _body(props, SENT)
            # We validate ourselves below, so creation never blocks on SSH.
            body["instant_validate"] = False
            uuid = servers.create(body)
        validated = self._validate(uuid, props)
        return CreateResult(uuid, self._outs(uuid, props, validated))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return self.read_or_gone(id_, lambda: self._outs(id_, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        changed = self._apply(id_, news, olds, adopted=False)
        if changed & {"ip", "port", "user", "private_key_uuid"} or (news.get("validate") and not olds.get("is_usable")):
            validated = self._validate(id_, news)
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

    def _validate(self, uuid: str, props: dict[str, Any]) -> JsonObject | None:
        """Validates when asked; returns the server as the last poll read it (usable), else None."""
        if not props.get("validate"):
            return None
        servers = self.client.servers
        servers.validate(uuid)
        return poll(
            lambda: servers.get(uuid),
            _usable,
            timeout_s=float(props.get("validate_timeout_s") or 300),
            interval_s=self.settings.poll_interval_s,
            describe=f"server {uuid} ({props.get('ip')}) to be validated as reachable and usable",
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


def _usable(server: JsonObject) -> bool:
    # Validation runs in the background and flips these flags on the server's settings.
    settings = server.get("settings") or {}
    return bool(settings.get("is_reachable") and settings.get("is_usable"))


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
