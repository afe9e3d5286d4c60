"""A random per-stack secret that keys env var value fingerprints (`pulumi-python:dynamic/coolify:FingerprintKey`).

It is generated once by `create`, kept only in the stack's state as a secret output, and never
changes afterwards: `read` (refresh) returns it unchanged and `diff` never reports a change, so
rotating the Coolify token, or anything else, leaves every fingerprint as it was. No manual step.
"""

from __future__ import annotations

import secrets
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

KEY_BYTES = 32


class FingerprintKeyProvider(ResourceProvider):
    # Holds nothing, but the pickled provider stays secret in state like every other one here.
    serialize_as_secret_always = True

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [])

    def create(self, _props: dict[str, Any]) -> CreateResult:
        return CreateResult(secrets.token_hex(8), {"value": secrets.token_hex(KEY_BYTES)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # Nothing outside the state holds the key: refresh keeps it as it is.
        return ReadResult(id_, dict(props))

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=False, replaces=[], delete_before_replace=None)


class FingerprintKey(Resource, module="coolify", name="FingerprintKey"):
    """A 256-bit random secret, created once per stack; `value` is secret in state."""

    value: pulumi.Output[str]

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            FingerprintKeyProvider(),
            resource_name,
            {"value": None},
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["value"])),
        )
