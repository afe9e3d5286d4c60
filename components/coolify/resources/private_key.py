"""SSH private key that Coolify uses to reach a server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client import UnprocessableError
from ..client.types import JsonObject
from ..provider import CoolifyProvider
from ._check import Checker
from ._diff import FieldRule, text_or_none
from ._resource import args_to_props


def _pem(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


@dataclass(frozen=True)
class PrivateKeyArgs:
    name: pulumi.Input[str]
    """Key name, used to adopt an existing key on create."""
    private_key: pulumi.Input[str]
    """The PEM (made a secret). Coolify hides it from tokens without `read:sensitive`; it is never diffed
    against the API, only against the value last applied. Changing it updates the key in place."""
    description: pulumi.Input[str] | None = None


class PrivateKeyProvider(CoolifyProvider):
    field_rules = (
        FieldRule("name", text_or_none),
        FieldRule("description", text_or_none),
        FieldRule("private_key", _pem),
    )

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        checker.required_text("name")
        checker.optional_text("description")
        pem = checker.known("private_key")
        if pem is None and not checker.news.get("private_key"):
            checker.fail("private_key", "must be a non-empty PEM private key")
        elif isinstance(pem, str) and "-----BEGIN" not in pem:
            checker.fail("private_key", "must be a PEM private key (starting with -----BEGIN ...)")
        return CheckResult(news, checker.failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        keys = self.client.private_keys
        existing = keys.find_by_name(str(props["name"]).strip())
        if existing is not None:
            uuid = str(existing["uuid"])
            self._patch(uuid, props)
        else:
            try:
                uuid = keys.create(_body(props))
            except UnprocessableError as error:
                # Coolify refuses a second key with the same fingerprint: adopt the one it already has.
                if "already exists" not in error.message:
                    raise
                same = keys.find_by_private_key(str(props["private_key"]))
                if same is None:
                    raise
                uuid = str(same["uuid"])
                self._patch(uuid, props)
        return CreateResult(uuid, self._outs(uuid, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return self.read_or_gone(id_, lambda: self._outs(id_, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if self.changed_fields(olds, news):
            self._patch(id_, news)
        return UpdateResult(self._outs(id_, news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        keys = self.client.private_keys
        self.delete_when_free(
            lambda: keys.delete(id_),
            lambda: keys.get(id_),
            # "Private Key is in use": the server using it may still be on its way out.
            busy_error=UnprocessableError,
            busy_message="in use",
            subject=f"private key {id_}",
            until="to be unused",
        )

    def _patch(self, uuid: str, props: dict[str, Any]) -> None:
        # PATCH requires `private_key` every time, even for a rename.
        self.client.private_keys.update(uuid, _body(props))

    def _outs(self, uuid: str, props: dict[str, Any]) -> dict[str, Any]:
        key: JsonObject = self.client.private_keys.get(uuid)
        return {
            "uuid": uuid,
            "name": key.get("name"),
            "description": key.get("description"),
            # Hidden without read:sensitive: keep the value last applied (secret in state by its input's name).
            "private_key": props.get("private_key"),
            "public_key": key.get("public_key"),
            "fingerprint": key.get("fingerprint"),
        }


def _body(props: dict[str, Any]) -> dict[str, Any]:
    body = {"name": str(props["name"]).strip(), "private_key": str(props["private_key"])}
    if props.get("description") is not None:
        body["description"] = str(props["description"])
    return body


class PrivateKey(Resource, module="coolify", name="PrivateKey"):
    """An SSH private key in Coolify (`pulumi-python:dynamic/coolify:PrivateKey`)."""

    uuid: pulumi.Output[str]
    name: pulumi.Output[str]
    public_key: pulumi.Output[str]
    fingerprint: pulumi.Output[str]

    def __init__(self, resource_name: str, args: PrivateKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = args_to_props(args, "public_key", "fingerprint")
        props["private_key"] = pulumi.Output.secret(args.private_key)
        super().__init__(PrivateKeyProvider(), resource_name, props, opts)
