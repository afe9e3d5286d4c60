"""Coolify's validate_cron_expression() for a backup's `frequency`, rule for rule.

Source: coollabsio/coolify `bootstrap/helpers/shared.php` validate_cron_expression() (called by
DatabasesController create_backup/update_backup), which is: not PHP-`empty()`, and either a key of
VALID_CRON_STRINGS (`bootstrap/helpers/constants.php`) or `Poliander\\Cron\\CronExpression::isValid()`
(poliander/cron 3.3.1, pinned in Coolify's composer.lock; `src/Cron/CronExpression.php`, parse() and its
helpers, mirrored below). dragonmantank/cron-expression only schedules runs (shouldRunCronNow); it does not
validate. `today` fixes the year validateDate() starts from (PHP `date('Y')`); tests pass it.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date

# VALID_CRON_STRINGS keys (bootstrap/helpers/constants.php).
VALID_CRON_STRINGS = frozenset({
    "every_minute", "hourly", "daily", "weekly", "monthly", "yearly",
    "@hourly", "@daily", "@weekly", "@monthly", "@yearly",
})
# CronExpression::VALUE_BOUNDARIES: (min, max, mod) of minute, hour, day of month, month, weekday.
_BOUNDARIES = ((0, 59, 1), (0, 23, 1), (1, 31, 1), (1, 12, 1), (0, 7, 0))
_MONTH_NAMES = {name: n for n, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_WEEKDAY_NAMES = {name: n for n, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_NAMES: tuple[dict[str, int], ...] = ({}, {}, {}, _MONTH_NAMES, _WEEKDAY_NAMES)
# PHP trim()'s default characters; PCRE's \s without /u (ASCII: space, \t, \n, \v, \f, \r).
_PHP_TRIM = " \t\n\r\0\x0b"
_PCRE_SPACES = re.compile("[ \t\n\x0b\x0c\r]+")
# The numeric prefix PHP's (int) cast reads from a string (is_numeric_string with errors allowed).
_PHP_NUMERIC_PREFIX = re.compile(r"[ \t\n\r\x0b\x0c]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# validateDate() looks for a matching date in this many years from the current one.
_YEARS = 27


class _Invalid(Exception):
    """CronExpression::parse() threw: isValid() is false."""


def _php_int(text: str) -> int:
    """PHP `(int) $string`: the leading number ("5abc" is 5, "1e1" is 10, "x" is 0), truncated."""
    match = _PHP_NUMERIC_PREFIX.match(text)
    if not match:
        return 0
    number = match.group()
    if re.fullmatch(r"[ \t\n\r\x0b\x0c]*[+-]?[0-9]+", number):
        return int(number)
    value = float(number)
    return int(value) if math.isfinite(value) else 0


def _digits(text: str) -> bool:
    """PHP ctype_digit() on a string: non-empty, ASCII 0-9 only."""
    return text != "" and all("0" <= c <= "9" for c in text)


def _validate_value(value: str, index: int, step: int = 1) -> None:
    low, high, _ = _BOUNDARIES[index]
    if not _digits(value) or not low <= int(value) <= high:
        raise _Invalid(value)
    if step != 1:  # "invalid combination of value and stepping notation": 5/2 fails, 5/1 passes.
        raise _Invalid(value)


def _parse_element(register: set[int], index: int, element: str) -> None:
    low, high, mod = _BOUNDARIES[index]
    step = 1
    parts = element.split("/")
    if len(parts) > 1:
        # validateStepping(): exactly one '/', and (int) of the step from 1 to the field's maximum.
        if len(parts) != 2 or not 1 <= _php_int(parts[1]) <= high:
            raise _Invalid(element)
        element, step = parts[0], _php_int(parts[1])
    # is_numeric() sends plain numbers to validateValue(); other numeric forms fail ctype_digit() there
    # and fail validateRange() just the same, so digits alone decide the route.
    if _digits(element):
        _validate_value(element, index, step)
        register.add(int(element))
        return
    bounds = [str(low), str(high)] if element == "*" else element.split("-")
    if len(bounds) != 2:
        raise _Invalid(element)
    for bound in bounds:
        _validate_value(bound, index)
    first, last = int(bounds[0]), int(bounds[1])
    if first > last:
        raise _Invalid(element)
    # fillRange(): weekday wraps at 7 (mod 0), so 5-7 is Friday, Saturday, Sunday.
    register.update((first + i) % (high + mod) for i in range(0, last - first + 1, step))


def _parse(expression: str, year: int) -> None:
    segments = _PCRE_SPACES.split(expression.strip(_PHP_TRIM))
    if len(segments) != 5:
        raise _Invalid("invalid number of segments")
    registers: list[set[int]] = [set() for _ in range(5)]
    for index, segment in enumerate(segments):
        lowered = segment.lower() if segment.isascii() else segment  # PHP 8 strtolower() is ASCII-only.
        if lowered in _NAMES[index]:
            registers[index].add(_NAMES[index][lowered])  # A name stands alone: no list, range or step.
            continue
        for element in segment.split(","):
            _parse_element(registers[index], index, element)
    if 7 in registers[4]:
        registers[4].add(0)
    # validateDate(): day of month AND weekday must meet on a real date within 27 years.
    for y in range(year, year + _YEARS):
        for month in registers[3]:
            for day in registers[2]:
                if day <= calendar.monthrange(y, month)[1] and date(y, month, day).isoweekday() % 7 in registers[4]:
                    return
    raise _Invalid("no date ever can match the given combination of day/month/weekday")


def is_valid_frequency(value: object, today: date | None = None) -> bool:
    """True when Coolify's validate_cron_expression() accepts `value`."""
    if not isinstance(value, str) or value in ("", "0"):  # PHP empty() is true for "" and "0".
        return False
    if value in VALID_CRON_STRINGS:
        return True
    try:
        _parse(value, (today or date.today()).year)
    except _Invalid:
        return False
    return True
