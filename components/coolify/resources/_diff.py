"""Field-by-field diff of new inputs against old outputs, as the engine hands them to `diff`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from ..client.projects import normalize_environment_name


def is_unknown(value: Any) -> bool:
    """True if `value` is, or contains, a value the engine does not know yet (preview).

    The dynamic provider server hands `check` and `diff` unknowns as `pulumi.output.Unknown` objects.
    """
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(is_unknown(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unknown(item) for item in value)
    return False


def identity(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class FieldRule:
    """One input compared by diff. Unset inputs (None) are unmanaged and never compared.

    `normalize` maps both the new input and the stored output to the form Coolify keeps
    (e.g. lowercased names), so Coolify's normalisation never shows as a change.
    """

    key: str
    normalize: Callable[[Any], Any] = identity


def changed_fields(rules: tuple[FieldRule, ...], olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """Names of the inputs the user set whose value differs from the stored outputs (unknowns count as changed)."""
    changed: list[str] = []
    for rule in rules:
        new = news.get(rule.key)
        if new is None:
            continue
        if is_unknown(new) or rule.normalize(new) != rule.normalize(olds.get(rule.key)):
            changed.append(rule.key)
    return changed


def text_or_none(value: Any) -> str | None:
    """Coolify trims strings and stores `""` as null."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def environment_name(value: Any) -> Any:
    """An environment name in the form Coolify stores it; unknowns are left as they are."""
    return normalize_environment_name(value) if isinstance(value, str) else value
