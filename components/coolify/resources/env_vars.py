"""The set of environment variables a program manages on one application.

Only the keys listed here are created, updated or deleted; every other key on the application
(set by hand in Coolify, or by another program) is never touched. Values are secrets. When the
token can read them (`root` or `read:sensitive`), a value changed in Coolify is seen by refresh
and put back by `up`; otherwise Coolify hides them and the preview says so once.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client import NotFoundError
from ..client.types import JsonObject
from ..provider import CoolifyProvider, warn_once
from ._check import ENV_KEY, Checker
from ._diff import FieldRule, identity, is_unknown
from ._resource import secret_values, with_secret_outputs

MANAGED_COMMENT = "Managed by Pulumi"
# Appended to a key's value revision when refresh found another value in Coolify (the next preview shows it).
CHANGED_IN_COOLIFY = "changed in Coolify"
# The inputs as refresh found them: the next preview compares these with the program's (pulumi/pulumi#13839).
INPUT_KEYS = ("application_uuid", "variables", "build_time_keys", "fingerprint_key", "fingerprints", "value_revisions")
UNREADABLE_VALUES = (
    "Coolify hides env var values from this token (it needs `root` or `read:sensitive`): values changed "
    "directly in Coolify cannot be detected; `up` re-applies only values changed in the program."
)


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
    fingerprint_key: pulumi.Input[str] | None = None
    """Secret per-stack key of the value fingerprints (`FingerprintKey(...).value`); required."""


class ApplicationEnvVarsProvider(CoolifyProvider):
    field_rules = (
        FieldRule("application_uuid", identity),
        FieldRule("variables", _variables),
        FieldRule("build_time_keys", _key_set),
    )
    replace_keys = frozenset({"application_uuid"})

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        checker.required_text("application_uuid")
        fingerprint_key = checker.required_text("fingerprint_key")
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
            if not checker.failures and fingerprint_key is not None:
                fingerprints = value_fingerprints(variables, str(news["fingerprint_key"]))
                news["fingerprints"] = fingerprints
                news["value_revisions"] = value_revisions(
                    fingerprints, olds.get("fingerprints") or {}, olds.get("value_revisions") or {}
                )
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
        if _readability(rows, props.get("variables") or {}) is False:
            warn_once(UNREADABLE_VALUES)
        outs = self._outs(application_uuid, props, rows)
        return ReadResult(id_, outs, {key: outs[key] for key in INPUT_KEYS if key in outs})

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
        written again. When every managed key was just written (a create) and nothing is to be
        removed, the bulk answer is the read-back: Coolify answers each row as stored.
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
        written: list[JsonObject] = []
        if changed:
            # One bulk upsert instead of a call per key; it never deletes keys it is not given.
            items = [_item(key, variables[key], key in build_keys) for key in changed]
            written = envs.upsert_many(application_uuid, items)
        removed = set(previous_keys) - set(variables)
        answered = {row.get("key") for row in written if not row.get("is_preview")}
        # The bulk answer carries the stored rows (ApplicationsController::create_bulk_envs): no list when it
        # covers every managed key. Deleting a key needs the row uuids of the list (and its preview copy).
        rows = written if not removed and answered >= set(variables) else envs.list(application_uuid)
        current = {row["key"]: row for row in rows if not row.get("is_preview")}
        drifted = [
            key for key in sorted(variables)
            if key not in current or bool(current[key].get("is_buildtime")) != (key in build_keys)
            or ("value" in current[key] and not _same_value(current[key]["value"], variables[key]))
        ]
        if drifted:
            envs.upsert_many(application_uuid, [_item(key, variables[key], key in build_keys) for key in drifted])
            readable = _values_readable(rows, variables)
            rows = [row for row in rows if row.get("is_preview") or row.get("key") not in drifted]
            rows += [_written_row(key, variables[key], key in build_keys, readable) for key in drifted]
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
        # The value Coolify holds where the token can read it, else the value last applied; a value
        # equal up to Coolify's trimming is reported as applied so it never shows as a change.
        values = {
            key: row["value"] if "value" in row and not _same_value(row["value"], wanted[key]) else wanted[key]
            for key, row in sorted(present.items())
        }
        fingerprint_key = props.get("fingerprint_key")
        revisions: Mapping[str, Any] = props.get("value_revisions") or {}
        return {
            "uuid": application_uuid,
            "application_uuid": application_uuid,
            # Secret in state through the same-named secret input (each value its own secret).
            "variables": values,
            "build_time_keys": sorted(key for key, row in present.items() if row.get("is_buildtime")),
            "keys": sorted(present),
            "fingerprint_key": fingerprint_key,
            "fingerprints": value_fingerprints(values, str(fingerprint_key)) if fingerprint_key else None,
            "value_revisions": {
                key: revisions.get(key) if _same_value(values[key], wanted[key])
                else f"{_revision_text(revisions.get(key))}, {CHANGED_IN_COOLIFY}"
                for key in values
            },
        }


def _same_value(stored: Any, wanted: Any) -> bool:
    # Coolify trims every string input and stores "" as null (global TrimStrings / ConvertEmptyStringsToNull).
    return ("" if stored is None else str(stored).strip()) == ("" if wanted is None else str(wanted).strip())


def _values_readable(rows: list[JsonObject], wanted: Mapping[str, Any]) -> bool:
    return _readability(rows, wanted) is not False


def _readability(rows: list[JsonObject], wanted: Mapping[str, Any]) -> bool | None:
    """False when Coolify hid a managed value: the envs controller shows `value` only to `root` or
    `read:sensitive` (ApplicationsController::removeSensitiveData), and never when `is_shown_once`.
    None when no managed row is there to tell."""
    managed = [row for row in rows if not row.get("is_preview") and row.get("key") in wanted]
    return all("value" in row for row in managed) if managed else None


def _written_row(key: str, value: Any, build_time: bool, readable: bool) -> JsonObject:
    row: JsonObject = {"key": key, "is_preview": False, "is_buildtime": build_time}
    if readable:
        row["value"] = "" if value is None else str(value)
    return row


def value_fingerprints(variables: Mapping[str, Any], key: str) -> dict[str, Any]:
    """KEY -> HMAC of its value, so a preview names the changed key without showing any value.

    Keyed with the stack's own secret (`FingerprintKey`), not the Coolify token: rotating the token
    changes no fingerprint. Each fingerprint is a secret in state (see `ApplicationEnvVars`).
    """
    def digest(value: Any) -> Any:
        if is_unknown(value):
            return value
        return hmac.new(key.encode(), str(value).encode(), hashlib.sha256).hexdigest()[:16]

    return {name: digest(value) for name, value in sorted(variables.items())}


def value_revisions(
    fingerprints: Mapping[str, Any], old_fingerprints: Mapping[str, Any], old_revisions: Mapping[str, Any]
) -> dict[str, Any]:
    """KEY -> `r<n>`, counted up each time the key's value changes in the program.

    Not secret: the fingerprints are secrets in state, so a preview shows them only as `[secret]`;
    the revision is what names the key that changed (`~ LOG_LEVEL: "r1" => "r2"`) and tells nothing
    about any value.
    """
    revisions: dict[str, Any] = {}
    for key, fingerprint in sorted(fingerprints.items()):
        previous = old_revisions.get(key)
        number = _revision_number(previous)
        if number is None:
            revisions[key] = "r1"
        elif is_unknown(fingerprint) or old_fingerprints.get(key) == fingerprint or CHANGED_IN_COOLIFY in str(previous):
            # After a refresh saw drift, the old fingerprint is Coolify's value: the program's is unchanged.
            revisions[key] = f"r{number}"
        else:
            revisions[key] = f"r{number + 1}"
    return revisions


def _revision_number(revision: Any) -> int | None:
    match = re.match(r"r(\d+)\b", revision) if isinstance(revision, str) else None
    return int(match.group(1)) if match else None


def _revision_text(revision: Any) -> str:
    number = _revision_number(revision)
    return f"r{number}" if number is not None else "r1"


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
    """KEY -> keyed hash of its value, each a secret."""
    value_revisions: pulumi.Output[dict[str, str]]
    """KEY -> `r<n>` (plain): counts the key's value changes, so a preview names the key that changed."""

    def __init__(
        self, resource_name: str, args: ApplicationEnvVarsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props: dict[str, Any] = {
            "application_uuid": args.application_uuid,
            "variables": secret_values(args.variables),
            "build_time_keys": sorted(args.build_time_keys),
            "fingerprint_key": pulumi.Output.secret(args.fingerprint_key),
            # One secret placeholder per key: check() fills in the fingerprints and the engine keeps
            # each one secret (it marks what check returns by the secrets of the inputs, key by key).
            "fingerprints": secret_values({key: "" for key in args.variables})
            if isinstance(args.variables, Mapping) else pulumi.Output.secret(None),
            "value_revisions": None,
            "uuid": None,
            "keys": None,
        }
        super().__init__(
            ApplicationEnvVarsProvider(),
            resource_name,
            props,
            with_secret_outputs(opts, "variables", "fingerprint_key"),
        )
