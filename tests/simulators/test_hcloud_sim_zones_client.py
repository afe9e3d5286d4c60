"""The simulator's DNS zones and RRsets, driven by Hetzner's official Python client (hcloud), which we did
not write: its models must parse every answer, its action waits must finish, its errors must carry the
documented codes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hcloud import APIException, Client
from hcloud.zones import ZoneRecord

from tests.simulators.hcloud import HcloudSimulator

ZONE = "maksou.dev"


@pytest.fixture
def client() -> Iterator[Client]:
    with HcloudSimulator() as sim:
        yield Client(token=sim.token, api_endpoint=sim.endpoint, poll_interval=0.01)


def test_zone_and_rrset_lifecycle(client: Client) -> None:
    created = client.zones.create(name=ZONE, mode="primary", labels={"project": "penpal"})
    created.action.wait_until_finished()
    zone = client.zones.get(ZONE)
    assert (zone.id, zone.mode, zone.ttl, zone.record_count) == (created.zone.id, "primary", 3600, 4)
    assert zone.authoritative_nameservers is not None
    assert len(zone.authoritative_nameservers.assigned or []) == 3
    assert zone.protection == {"delete": False}

    response = client.zones.create_rrset(zone, name="staging.api.penpal-ai", type="A", ttl=300,
                                         records=[ZoneRecord(value="203.0.113.10", comment="web")])
    response.action.wait_until_finished()
    rrset = client.zones.get_rrset(zone, "staging.api.penpal-ai", "A")
    assert (rrset.id, rrset.ttl) == ("staging.api.penpal-ai/A", 300)
    assert [(r.value, r.comment) for r in rrset.records or []] == [("203.0.113.10", "web")]

    client.zones.set_rrset_records(rrset, [ZoneRecord(value="203.0.113.20")]).wait_until_finished()
    client.zones.change_rrset_ttl(rrset, None).wait_until_finished()
    client.zones.add_rrset_records(rrset, [ZoneRecord(value="203.0.113.21")]).wait_until_finished()
    rrset = client.zones.get_rrset(zone, "staging.api.penpal-ai", "A")
    assert sorted(r.value for r in rrset.records or []) == ["203.0.113.20", "203.0.113.21"]
    assert rrset.ttl is None

    listed = client.zones.get_rrset_all(zone, type=["A"])
    assert [r.id for r in listed] == ["staging.api.penpal-ai/A"]
    client.zones.delete_rrset(rrset).action.wait_until_finished()
    assert sorted(r.id for r in client.zones.get_rrset_all(zone)) == ["@/NS", "@/SOA"]

    client.zones.delete(zone).action.wait_until_finished()
    assert client.zones.get_all() == []


def test_protection_and_errors_carry_the_documented_codes(client: Client) -> None:
    zone = client.zones.create(name=ZONE, mode="primary").zone
    client.zones.change_protection(zone, delete=True).wait_until_finished()
    with pytest.raises(APIException) as protected:
        client.zones.delete(zone)
    assert protected.value.code == "protected"

    with pytest.raises(APIException) as subdomain:
        client.zones.create(name="penpal-ai.maksou.dev", mode="primary")
    assert subdomain.value.code == "invalid_input"

    with pytest.raises(APIException) as duplicate:
        client.zones.create(name=ZONE, mode="primary")
    assert duplicate.value.code == "uniqueness_error"

    with pytest.raises(APIException) as missing:
        client.zones.get_rrset(zone, "nope", "A")
    assert missing.value.code == "not_found"
