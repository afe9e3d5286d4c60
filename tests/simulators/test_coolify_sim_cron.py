"""The simulator's backup frequency rule is Coolify's validate_cron_expression() (poliander/cron 3.3.1)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.simulators.coolify import Seed
from tests.simulators.coolify.cron import is_valid_frequency
from tests.simulators.coolify.testing import SimSession

# 2026: Feb 29 falls on a Tuesday in 2028; from 2029 the next Tuesday Feb 29 is 2056, past the 27 years.
IN_2026 = date(2026, 12, 1)
IN_2029 = date(2029, 1, 1)

ACCEPTED = [
    "* * * * *", "0 3 * * *", "*/15 0-6 * * 1-5", "0,30 8-18/2 1-15 * *", "00 03 * * *",
    "daily", "@yearly", "every_minute",  # VALID_CRON_STRINGS keys
    "0 0 * * 7", "0 0 * * 5-7", "0 0 * * 0-7", "0 0 * * */7",  # 7 is Sunday; weekday steps go to 7
    "0 0 * JAN *", "0 0 * * sun", "0 0 * * SUN",  # a name alone in its field, any case
    "0 0 29 2 *", "0 0 13 * 5", "0 0 31 * 1",  # dates that do come
    "5/1 * * * *",  # a single value with step 1 passes validateValue()
    "*/5abc * * * *", "*/1e1 * * * *", "*/+5 * * * *", "*/5.9 * * * *",  # the step is PHP's (int) cast
    "*/59 * * * *", "* */23 * * *",
    "0\t3  *\n* *", " 0 3 * * * ",  # any ASCII whitespace separates; trim() drops the ends
]

REFUSED = [
    "", "0", "every day", "Daily", "@reboot", "@annually",
    "* * * *", "* * * * * *",  # exactly 5 fields
    "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 13 *", "* * * 0 *", "* * * * 8",
    "5/2 * * * *",  # a single value with a step other than 1
    "*/0 * * * *", "*/60 * * * *", "* */24 * * *", "0 0 * * */8", "*/x * * * *", "*/5/2 * * * *",
    "10-5 * * * *", "1-2-3 * * * *", "1,,2 * * * *", "1, * * * *", "-5 * * * *", "+5 * * * *", "5- * * * *",
    "0 0 * jan,jul *", "0 0 * jan-mar *", "0 0 * * mon-fri", "0 0 * * sunday", "0 0 * 1 jan",
    "0 0 L * *", "0 0 15W * *", "0 0 * * 5#3", "0 0 ? * *", "0 0 * * 5L",  # dragonmantank forms
    "0 0 30 2 *", "0 0 31 4,6,9,11 *",  # no such date
    "0\u00a03 * * *", "\u0663 * * * *",  # no-break space is no separator, Arabic-Indic 3 no digit
    "\f0 3 * * *",  # trim() keeps a form feed, which then opens an empty sixth segment
]


@pytest.mark.parametrize("frequency", ACCEPTED)
def test_coolify_accepts(frequency: str) -> None:
    assert is_valid_frequency(frequency, today=IN_2026) is True


@pytest.mark.parametrize("frequency", REFUSED)
def test_coolify_refuses(frequency: str) -> None:
    assert is_valid_frequency(frequency, today=IN_2026) is False


@pytest.mark.parametrize("value", [None, 5, ["0 3 * * *"]])
def test_only_strings(value: object) -> None:
    assert is_valid_frequency(value) is False


def test_day_and_weekday_must_meet_within_27_years_of_this_year() -> None:
    assert is_valid_frequency("0 0 29 2 2", today=IN_2026) is True
    assert is_valid_frequency("0 0 29 2 2", today=IN_2029) is False
    assert is_valid_frequency("0 0 29 2 0", today=IN_2029) is True  # Sunday Feb 29 2032


def test_backup_api_answers_with_the_rule(api: SimSession, seed: Seed) -> None:
    body = {"project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production"}
    db = api.post("/databases/mongodb", json=body).json()["uuid"]
    for refused in ("0 0 30 2 *", "0 0 * * mon-fri", "5/2 * * * *"):
        answer = api.post(f"/databases/{db}/backups", json={"frequency": refused})
        assert answer.status_code == 422
        assert answer.json()["errors"] == {"frequency": ["Invalid cron expression or frequency format."]}
    created = api.post(f"/databases/{db}/backups", json={"frequency": "5/1 * * * *"})
    assert created.status_code == 201
    backup = created.json()["uuid"]
    refused_update = api.patch(f"/databases/{db}/backups/{backup}", json={"frequency": "0 0 * * L"})
    assert refused_update.status_code == 422
    assert api.patch(f"/databases/{db}/backups/{backup}", json={"frequency": "0 0 * * 5-7"}).status_code == 200
