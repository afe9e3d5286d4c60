"""The shared-zone check against the Hetzner Cloud simulator: one clear line when prod has not created it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from components.config import Environment
from components.reachability_config import DnsConfig
from components.shared_zone import SharedZoneError, check_shared_zone
from tests.simulators.hcloud import HcloudSimulator

ZONE = "maksou.dev"
DNS = DnsConfig(zone=ZONE, ttl=300, manage=True)


@pytest.fixture
def sim() -> Iterator[HcloudSimulator]:
    with HcloudSimulator() as simulator:
        yield simulator


def zone_lookups(sim: HcloudSimulator) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in sim.requests if r.path.startswith("/v1/zones")]


def test_staging_before_prod_created_the_zone_stops_with_one_line(sim: HcloudSimulator) -> None:
    with pytest.raises(SharedZoneError) as raised:
        check_shared_zone(DNS, Environment.STAGING, sim.endpoint, sim.token)
    assert str(raised.value) == (
        "penpal:dns.zone: DNS zone 'maksou.dev' does not exist in the Hetzner project of hcloud:token. "
        "The prod stack owns and creates it: run `pulumi up --stack prod` first, or set "
        "`penpal:dns.manage: false` (then create the records of the dnsRecords output by hand)"
    )
    assert zone_lookups(sim) == [("GET", "/v1/zones/maksou.dev", 404)]


def test_staging_after_prod_created_the_zone_goes_on(sim: HcloudSimulator) -> None:
    sim.add_zone(ZONE)
    check_shared_zone(DNS, Environment.STAGING, sim.endpoint, sim.token)
    assert zone_lookups(sim) == [("GET", "/v1/zones/maksou.dev", 200)]


def test_a_read_only_token_can_check(sim: HcloudSimulator) -> None:
    sim.add_zone(ZONE)
    sim.readonly_token = "read-only-token"
    check_shared_zone(DNS, Environment.STAGING, sim.endpoint, "read-only-token")


@pytest.mark.parametrize(
    ("dns", "environment"),
    [
        pytest.param(DNS, Environment.PRODUCTION, id="prod-creates-the-zone"),
        pytest.param(DnsConfig(zone=ZONE, ttl=300, manage=False), Environment.STAGING, id="records-by-hand"),
        pytest.param(None, Environment.STAGING, id="no-dns"),
    ],
)
def test_no_lookup_where_the_zone_is_not_needed(
    sim: HcloudSimulator, dns: DnsConfig | None, environment: Environment
) -> None:
    check_shared_zone(dns, environment, sim.endpoint, sim.token)
    assert zone_lookups(sim) == []


def test_a_refused_lookup_is_one_line_too(sim: HcloudSimulator) -> None:
    with pytest.raises(SharedZoneError) as raised:
        check_shared_zone(DNS, Environment.STAGING, sim.endpoint, "not-a-token")
    assert str(raised.value) == (
        "penpal:dns.zone: could not check that DNS zone 'maksou.dev' exists "
        "(HTTP 401 unauthorized: unable to authenticate)"
    )


def test_an_unreachable_api_is_one_line(sim: HcloudSimulator) -> None:
    endpoint = sim.endpoint
    sim.stop()
    with pytest.raises(SharedZoneError) as raised:
        check_shared_zone(DNS, Environment.STAGING, endpoint, sim.token)
    assert str(raised.value) == (
        f"penpal:dns.zone: could not check that DNS zone 'maksou.dev' exists at {endpoint} (ConnectionError); "
        "run again"
    )
