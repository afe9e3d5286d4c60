"""Cron expressions as Coolify accepts them for a database backup's `frequency`.

Coolify checks the frequency with `validate_cron_expression()` (bootstrap/helpers/shared.php): one of
its aliases (`VALID_CRON_STRINGS`, bootstrap/helpers/constants.php), or an expression that
poliander/cron 3.3.1's `CronExpression::isValid()` parses. That parser is stricter than croniter:
exactly 5 fields split on ASCII whitespace; numbers, `*`, ranges `a-b`, steps on `*` or a
range (a single value only with step 1), lists; month and weekday names only alone in their field; a
step from 1 to the field's maximum; and some date within 27 years must match, with day-of-month AND
weekday both required (it checks both registers). croniter does the ranges and the date search; the
stricter token rules are checked here first. Stricter than Coolify on one point: a step must be plain
digits (Coolify reads it with PHP's `(int)` cast, so `*/5abc` is 5 there).

The one rule for both checks: the config's (`penpal:mongo.backupCron`) and the MongoDB provider's
(`backup_cron`), so neither passes what the other refuses. No Pulumi or pydantic here.
"""

from __future__ import annotations

import re

# VALID_CRON_STRINGS in Coolify's bootstrap/helpers/constants.php.
COOLIFY_CRON_ALIASES = frozenset(
    {"every_minute", "hourly", "daily", "weekly", "monthly", "yearly", "@hourly", "@daily", "@weekly", "@monthly"}
    | {"@yearly"}
)

# poliander/cron VALUE_BOUNDARIES: (min, max) of minute, hour, day of month, month, weekday (7 is Sunday).
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_FIELDS = ("minute", "hour", "day of month", "month", "weekday")
_MONTHS = frozenset({"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"})
_WEEKDAYS = frozenset({"sun", "mon", "tue", "wed", "thu", "fri", "sat"})
_NAMES: tuple[frozenset[str], ...] = (frozenset(), frozenset(), frozenset(), _MONTHS, _WEEKDAYS)
# poliander/cron's validateDate() looks 27 years ahead for a matching date.
_YEARS_AHEAD = 27
# poliander/cron parse(): preg_split('/\s+/') without /u splits on ASCII whitespace only.
_SEPARATORS = re.compile("[ \t\n\x0b\x0c\r]+")


def _element_problem(index: int, element: str) -> str | None:
    """One comma-separated element of a field: `*`, `n`, `a-b`, `*/s` or `a-b/s`."""
    low, high = _BOUNDS[index]
    base, _, step = element.partition("/")
    if step:
        if not step.isdigit() or not 1 <= int(step) <= high:
            return f"the step in {element!r} must be a number from 1 to {high}"
        if base.isdigit() and int(step) != 1:  # validateValue(): a single value takes step 1 only
            return f"a single value takes no step but 1: {element!r}"
    bounds = [base] if base == "*" else base.split("-")
    if base != "*" and not (1 <= len(bounds) <= 2 and all(part.isdigit() for part in bounds)):
        return f"{element!r} is not a number, '*', a range a-b or a step"
    values = [int(part) for part in bounds if part != "*"]
    if any(not low <= value <= high for value in values):
        return f"{element!r} is outside {low}-{high}"
    if len(values) == 2 and values[0] > values[1]:
        return f"the range {element!r} runs backwards"
    return None


def cron_problem(expression: str) -> str | None:
    """Why Coolify would refuse `expression` as a backup frequency, or None when it accepts it."""
    if expression in COOLIFY_CRON_ALIASES:
        return None
    # Coolify gets the value trimmed (Laravel's TrimStrings middleware); inside, only ASCII whitespace separates.
    trimmed = expression.strip()
    fields = _SEPARATORS.split(trimmed) if trimmed else []
    if len(fields) != 5:
        return f"5 fields are needed (minute hour day month weekday), got {len(fields)}"
    for index, field in enumerate(fields):
        if field.lower() in _NAMES[index]:
            continue  # A month or weekday name stands alone in its field (poliander/cron parseSegment).
        for element in field.split(","):
            problem = _element_problem(index, element)
            if problem:
                return f"{_FIELDS[index]}: {problem}"
    # `5/1` is the value 5 to poliander/cron; croniter would read it as 5 to the field's maximum.
    expression = " ".join(re.sub(r"(?<![-\d])(\d+)/0*1(?![\d])", r"\1", field) for field in fields)
    # croniter is imported where it is needed: the provider process pays for it only when a cron is checked.
    from croniter import CroniterBadDateError, croniter

    if not croniter.is_valid(expression):
        return "croniter cannot parse it"
    try:
        croniter(expression, day_or=False, max_years_between_matches=_YEARS_AHEAD).get_next(float)
    except CroniterBadDateError:
        return "no date matches this day of month, month and weekday together"
    return None
