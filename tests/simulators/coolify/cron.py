"""Coolify's validate_cron_expression(): a 5-field cron expression or one of its named frequencies."""

from __future__ import annotations

import re

FREQUENCY_ALIASES = frozenset({
    "every_minute", "hourly", "daily", "weekly", "monthly", "yearly",
    "@hourly", "@daily", "@weekly", "@monthly", "@yearly",
})
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_NAMES = {
    3: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    4: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
}


def _value(token: str, position: int) -> int | None:
    names = _NAMES.get(position)
    if names and token.lower() in names:
        return names.index(token.lower()) + (1 if position == 3 else 0)
    return int(token) if token.isdigit() else None


def _field_ok(field: str, position: int) -> bool:
    low, high = _RANGES[position]
    for part in field.split(","):
        base, _, step = part.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            return False
        if base == "*":
            continue
        bounds = base.split("-")
        if len(bounds) > 2:
            return False
        values = [_value(b, position) for b in bounds]
        if any(v is None or not low <= v <= high for v in values):
            return False
        if len(values) == 2 and values[0] > values[1]:  # type: ignore[operator]
            return False
    return True


def is_valid_frequency(value: object) -> bool:
    if not isinstance(value, str):
        return False
    if value in FREQUENCY_ALIASES:
        return True
    fields = re.split(r"\s+", value.strip())
    return len(fields) == 5 and all(_field_ok(f, i) for i, f in enumerate(fields))
