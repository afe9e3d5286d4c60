"""The simulator's ApiAllowed gate: API switch and IP allowlist, as app/Http/Middleware/ApiAllowed.php has them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.simulators.coolify import CoolifySimulator
from tests.simulators.coolify.api_allowed import client_ip, ip_in_allowlist
from tests.simulators.coolify.testing import SimSession

ROOT = "1|root-token"
READ = "2|read-token"
NOBODY = "3|no-abilities"
NOT_ALLOWED = {"success": True, "message": "You are not allowed to access the API."}
DISABLED = {"success": True, "message": "API is disabled."}


@pytest.fixture
def sim() -> Iterator[CoolifySimulator]:
    with CoolifySimulator({ROOT: {"root"}, READ: {"read"}, NOBODY: set()}) as simulator:
        yield simulator


def test_an_allowlist_without_this_ip_refuses_every_token_before_its_abilities(sim: CoolifySimulator) -> None:
    sim.allowed_ips = "10.0.0.0/8, 192.168.1.100"
    for token in (ROOT, READ, NOBODY):
        response = SimSession(sim, token).get("/version")
        assert (response.status_code, response.json()) == (403, NOT_ALLOWED)
    # Authentication comes first: an unknown token is still 401.
    assert SimSession(sim, "9|unknown").get("/version").status_code == 401
    # /enable is outside the gate.
    assert SimSession(sim, ROOT).post("/enable").status_code == 200


@pytest.mark.parametrize("allowed", ["127.0.0.1", "127.0.0.0/8", "10.1.2.3,127.0.0.1", "0.0.0.0", "0.0.0.0/32", ""])
def test_an_allowlist_naming_this_ip_or_everyone_lets_it_in(sim: CoolifySimulator, allowed: str) -> None:
    sim.allowed_ips = allowed
    assert SimSession(sim, READ).get("/version").status_code == 200


def test_a_disabled_api_wins_over_the_allowlist(sim: CoolifySimulator) -> None:
    sim.allowed_ips = "10.0.0.0/8"
    sim.api_enabled = False
    response = SimSession(sim, NOBODY).get("/version")
    assert (response.status_code, response.json()) == (403, DISABLED)


def test_the_client_is_the_right_most_forwarded_address_behind_a_proxy(sim: CoolifySimulator) -> None:
    sim.allowed_ips = "203.0.113.7"
    session = SimSession(sim, READ)
    assert session.get("/version", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}).status_code == 200
    assert session.get("/version", headers={"X-Forwarded-For": "203.0.113.7, 198.51.100.1"}).status_code == 403
    assert session.get("/version").status_code == 403


def test_allowlist_matching_follows_check_ip_against_allowlist() -> None:
    assert ip_in_allowlist("2001:db8::5", ["2001:db8::/32"])
    assert not ip_in_allowlist("2001:db8::5", ["10.0.0.0/8"])
    assert not ip_in_allowlist("10.0.0.1", ["10.0.0.0/33"])  # a mask out of range is skipped
    assert not ip_in_allowlist("10.0.0.1", ["10.0.0.2"])
    assert client_ip("127.0.0.1", None) == "127.0.0.1"
    assert client_ip("127.0.0.1", "127.0.0.1") == "127.0.0.1"
