"""The set of environment variables a program manages on one application.

Only the keys listed here are created, updated or deleted; every other key on the application
(set by hand in Coolify, or by another program) is never touched. Values are secrets and are never
compared with what the API returns (it hides them without `read:sensitive`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client import NotFoundError
from ..client.types import JsonObject
from ..provider import CoolifyProvider
from ._check import ENV_KEY, Checker
from ._diff import FieldRule, identity, is_unknown
from ._resource import secret_values, with_secret_outputs

MANAGED_COMMENT = "Managed by Pulumi"


def _key_set(value: Any) -> Any:
    return sorted(set(value)) if isinstance(value, (list, tuple, set)) else value


def _variables(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


@dataclass(frozen=True)
class ApplicationEnvVarsArgs:
    application_uuid: pulumi.Input[str]
    """The application; changing it replaces the set (created on the new one, removed from the old)."""
    variables: Mapping[str, pulumi.Input[str]]
    """KEY -> value. Every value is stored as a Pulumi secret."""
    build_time_keys: Sequence[str] = ()
    """Keys also available at build time (all keys are available at run time)."""


class ApplicationEnvVarsProvider(CoolifyProvider):
    field_rules = (
        FieldRule("application_uuid", identity),
        FieldRule("variables", _variables),
        FieldRule("build_time_keys", _key_set),
    )
    replace_keys = frozenset({"application_uuid"})

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        checker.required_text("application_uuid")
        variables = news.get("variables")
        if not is_unknown(variables) and variables is not None and not isinstance(variables, Mapping):
            checker.fail("variables", "must be a mapping of KEY to value")
            variables = None
        for key, value in (variables or {}).items():
            if not ENV_KEY.match(str(key)) or len(str(key)) > 255:
                checker.fail("variables", f"key {key!r} must match [A-Za-z_][A-Za-z0-9_.]* (at most 255 characters)")
            elif value is not None and not is_unknown(value) and not isinstance(value, str):
                checker.fail("variables", f"value of {key} must be a string, got {type(value).__name__}")
        build_keys = checker.known("build_time_keys") or []
        if isinstance(variables, Mapping) and not is_unknown(variables):
            for key in build_keys:
                if not is_unknown(key) and key not in variables:
                    checker.fail("build_time_keys", f"{key!r} is not one of the keys in `variables`")
            if not checker.failures and self._settings is not None:
                news["fingerprints"] = value_fingerprints(variables, self._settings.token)
        return CheckResult(news, checker.failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        application_uuid = str(props["application_uuid"])
        # Keys already present with our name are adopted: upserted, never duplicated.
        rows = self._sync(application_uuid, props, previous_values={}, previous_build_keys=[], previous_keys=[])
        return CreateResult(application_uuid, self._outs(application_uuid, props, rows))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        application_uuid = str(props["application_uuid"])
        try:
            rows = self.client.application_envs.list(application_uuid)
        except NotFoundError:
            return ReadResult(None, {})
        return ReadResult(id_, self._outs(application_uuid, props, rows))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        application_uuid = str(news["application_uuid"])
        rows = self._sync(
            application_uuid,
            news,
            previous_values=dict(olds.get("variables") or {}),
            previous_build_keys=list(olds.get("build_time_keys") or []),
            previous_keys=list(olds.get("keys") or []),
        )
        return UpdateResult(self._outs(application_uuid, news, rows))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        application_uuid = str(props["application_uuid"])
        try:
            rows = self.client.application_envs.list(application_uuid)
        except NotFoundError:
            return  # the application, and its variables with it, is already gone
        self._delete_keys(application_uuid, rows, set(props.get("keys") or []))

    def _sync(
        self,
        application_uuid: str,
        props: dict[str, Any],
        *,
        previous_values: Mapping[str, Any],
        previous_build_keys: Sequence[str],
        previous_keys: Sequence[str],
    ) -> list[JsonObject]:
        """Write what changed since the last apply, then read the rows back once; returns those rows.

        The state says what was applied, so no read is needed before writing: one bulk upsert and
        one list. A key the list shows missing or with the wrong flag (changed by hand since) is
        written again.
        """
        envs = self.client.application_envs
        variables: Mapping[str, Any] = props.get("variables") or {}
        build_keys = set(props.get("build_time_keys") or [])
        was_build = set(previous_build_keys)
        changed = [
            key for key in sorted(variables)
            if key not in previous_values or previous_values[key] != variables[key]
            or (key in was_build) != (key in build_keys)
        ]
        if changed:
            # One bulk upsert instead of a call per key; it never deletes keys it is not given.
            envs.upsert_many(application_uuid, [_item(key, variables[key], key in build_keys) for key in changed])
        rows = envs.list(application_uuid)
        current = {row["key"]: row for row in rows if not row.get("is_preview")}
        drifted = [
            key for key in sorted(variables)
            if key not in current or bool(current[key].get("is_buildtime")) != (key in build_keys)
        ]
        if drifted:
            envs.upsert_many(application_uuid, [_item(key, variables[key], key in build_keys) for key in drifted])
            rows = [row for row in rows if row.get("is_preview") or row.get("key") not in drifted]
            rows += [{"key": key, "is_preview": False, "is_buildtime": key in build_keys} for key in drifted]
        removed = set(previous_keys) - set(variables)
        self._delete_keys(application_uuid, rows, removed)
        return [row for row in rows if row.get("key") not in removed]

    def _delete_keys(self, application_uuid: str, rows: list[JsonObject], keys: set[str]) -> None:
        envs = self.client.application_envs
        # Coolify shadows each key with an is_preview copy; both rows belong to the key we manage.
        for row in rows:
            if row.get("key") in keys:
                with contextlib.suppress(NotFoundError):
                    envs.delete(application_uuid, str(row["uuid"]))

    def _outs(self, application_uuid: str, props: dict[str, Any], rows: list[JsonObject]) -> dict[str, Any]:
        wanted: Mapping[str, Any] = props.get("variables") or {}
        present = {row["key"]: row for row in rows if not row.get("is_preview") and row.get("key") in wanted}
        return {
            "uuid": application_uuid,
            "application_uuid": application_uuid,
            # Values as last applied (secret in state through the same-named secret input).
            "variables": {key: wanted[key] for key in sorted(present)},
            "build_time_keys": sorted(key for key, row in present.items() if row.get("is_buildtime")),
            "keys": sorted(present),
            "fingerprints": value_fingerprints({key: wanted[key] for key in present}, self.settings.token),
        }


def value_fingerprints(variables: Mapping[str, Any], key: str) -> dict[str, Any]:
    """KEY -> HMAC of its value: not secret, so a diff names the changed key without showing values.

    Keyed with the Coolify token so a low-entropy secret cannot be guessed from its fingerprint.
    """
    def digest(value: Any) -> Any:
        if is_unknown(value):
            return value
        return hmac.new(key.encode(), str(value).encode(), hashlib.sha256).hexdigest()[:16]

    return {name: digest(value) for name, value in sorted(variables.items())}


def _item(key: str, raw_value: Any, build_time: bool) -> dict[str, Any]:
    # PATCH semantics replace omitted flags (value -> null, is_literal -> false): always send the full set.
    value = "" if raw_value is None else str(raw_value)
    return {
        "key": key,
        "value": value,
        "is_preview": False,
        "is_literal": True,
        "is_multiline": "\n" in value,
        "is_shown_once": False,
        "is_runtime": True,
        "is_buildtime": build_time,
        "comment": MANAGED_COMMENT,
    }


class ApplicationEnvVars(Resource, module="coolify", name="ApplicationEnvVars"):
    """Managed environment variables of a Coolify application (`pulumi-python:dynamic/coolify:ApplicationEnvVars`)."""

    uuid: pulumi.Output[str]
    keys: pulumi.Output[list[str]]
    """Sorted keys this resource manages."""
    fingerprints: pulumi.Output[dict[str, str]]
    """KEY -> keyed hash of its value (not secret): lets a preview name the key that changed."""

    def __init__(
        self, resource_name: str, args: ApplicationEnvVarsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props: dict[str, Any] = {
            "application_uuid": args.application_uuid,
            "variables": secret_values(args.variables),
            "build_time_keys": sorted(args.build_time_keys),
            "uuid": None,
            "keys": None,
            "fingerprints": None,
        }
        super().__init__(ApplicationEnvVarsProvider(), resource_name, props, with_secret_outputs(opts, "variables"))
