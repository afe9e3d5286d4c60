"""A small Laravel-style validator: rules per field, Laravel 12's English messages.

Only the rules the simulated endpoints use. Each field reports its first failing rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .wire import REQUIRED, is_boolean_like


@dataclass(frozen=True)
class Regex:
    pattern: str
    message: str | None = None


@dataclass(frozen=True)
class OneOf:
    values: tuple[str, ...]


Rule = str | Regex | OneOf
Rules = dict[str, list[Rule]]


def attribute(name: str) -> str:
    return name.replace("_", " ")


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value) is not None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _size_kind(rules: list[Rule]) -> str:
    if "integer" in rules or "numeric" in rules:
        return "numeric"
    if "array" in rules:
        return "array"
    return "string"


def _size(value: Any, kind: str) -> float:
    if kind == "numeric":
        return float(value)
    if kind == "array":
        return float(len(value))
    return float(len(str(value)))


def _check_one(name: str, value: Any, rule: Rule, rules: list[Rule], messages: dict[str, str]) -> str | None:
    label = attribute(name)
    kind = _size_kind(rules)
    if isinstance(rule, Regex):
        if not isinstance(value, str) or re.search(rule.pattern, value) is None:
            return messages.get(f"{name}.regex") or rule.message or f"The {label} field format is invalid."
        return None
    if isinstance(rule, OneOf):
        if str(value) not in rule.values:
            return f"The selected {label} is invalid."
        return None
    rule_name, _, arg = rule.partition(":")
    failures = {
        "string": (lambda: not isinstance(value, str), f"The {label} field must be a string."),
        "integer": (lambda: not _is_int(value), f"The {label} field must be an integer."),
        "numeric": (lambda: not _is_number(value), f"The {label} field must be a number."),
        "boolean": (lambda: not is_boolean_like(value), f"The {label} field must be true or false."),
        "array": (lambda: not isinstance(value, list), f"The {label} field must be an array."),
    }
    if rule_name in failures:
        failed, text = failures[rule_name]
        return messages.get(f"{name}.{rule_name}", text) if failed() else None
    if rule_name in ("min", "max", "between"):
        if kind == "numeric" and not _is_number(value):
            return None
        size = _size(value, kind)
        low, _, high = arg.partition(",")
        unit = " characters" if kind == "string" else (" items" if kind == "array" else "")
        if rule_name == "min" and size < float(low):
            return messages.get(f"{name}.min", f"The {label} field must be at least {low}{unit}.").replace(":min", low)
        if rule_name == "max" and size > float(low):
            default = f"The {label} field must not be greater than {low}{unit}."
            return messages.get(f"{name}.max", default).replace(":max", low)
        if rule_name == "between" and not float(low) <= size <= float(high):
            return f"The {label} field must be between {low} and {high}{unit}."
        return None
    return None


def validate(data: dict[str, Any], rules: Rules, messages: dict[str, str] | None = None,
             required_message: str | None = None) -> dict[str, list[str]]:
    """Return Laravel's `errors` bag for `data`; empty when every rule passes.

    `required_message` replaces the default "The X field is required." (Coolify's customApiValidator uses
    "This field is required.").
    """
    errors: dict[str, list[str]] = {}
    for name, field_rules in rules.items():
        present = name in data
        value = data.get(name)
        if value is None:
            if "required" in field_rules:
                errors[name] = [required_message or f"The {attribute(name)} field is required."]
                continue
            if not present or "nullable" in field_rules:
                continue
        for rule in field_rules:
            if rule in ("required", "nullable"):
                continue
            failure = _check_one(name, value, rule, field_rules, messages or {})
            if failure:
                errors[name] = [failure]
                break
    return errors


def api_validate(data: dict[str, Any], rules: Rules, messages: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Coolify's customApiValidator(): Laravel rules with "This field is required."."""
    return validate(data, rules, messages, required_message=REQUIRED)


def unknown_fields(data: dict[str, Any], allowed: set[str] | frozenset[str]) -> list[str]:
    return [name for name in data if name not in allowed]


def merge_not_allowed(errors: dict[str, list[str]], extra: list[str]) -> dict[str, list[str]]:
    merged = {k: list(v) for k, v in errors.items()}
    for name in extra:
        merged.setdefault(name, []).append("This field is not allowed.")
    return merged
