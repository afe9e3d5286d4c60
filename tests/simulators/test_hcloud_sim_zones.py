"""DNS zones and RRsets of the Hetzner Cloud simulator, over real HTTP, the way hcloud-go calls them.

Expected values come from the Hetzner Cloud API reference (hcloud-openapi `openapi/hcloud.json`:
zones, zone RRsets) and hcloud-go's zone client, not from the simulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.simulators.hcloud import HcloudSimulator
from tests.simulators.test_hcloud_sim import Client

ZONE = "maksou.dev"
WWW_A = {"name": "staging.api.penpal-ai", "type": "A", "ttl": 300, "records": [{"value": "203.0.113.10"}],
         "labels": {"project": "penpal"}}


@pytest.fixture
def sim() -> Iterator[HcloudSimulator]:
    with HcloudSimulator() as simulator:
        yield simulator


@pytest.fixture
def api(sim: HcloudSimulator) -> Client:
    return Client(sim)


def create_zone(api: Client, name: str = ZONE, **extra: Any) -> dict[str, Any]:
    created = api.ok("POST", "/zones", json={"name": name, "mode": "primary", **extra})
    api.wait(created["action"])
    zone: dict[str, Any] = created["zone"]
    return zone


def error_of(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_a_new_primary_zone_has_soa_and_three_ns_records(api: Client) -> None:
    created = api.ok("POST", "/zones", json={"name": ZONE, "mode": "primary", "labels": {"project": "penpal"}})
    assert created["action"]["command"] == "create_zone"
    assert created["action"]["resources"] == [{"id": created["zone"]["id"], "type": "zone"}]
    zone = api.ok("GET", f"/zones/{ZONE}")["zone"]  # by name: hcloud-go sends the name when it has no id
    assert zone == api.ok("GET", f"/zones/{zone['id']}")["zone"]
    assert (zone["name"], zone["mode"], zone["ttl"], zone["protection"]) == (ZONE, "primary", 3600, {"delete": False})
    assert zone["authoritative_nameservers"]["assigned"] == [
        "hydrogen.ns.hetzner.com.", "oxygen.ns.hetzner.com.", "helium.ns.hetzner.de."]
    assert zone["record_count"] == 4
    rrsets = api.ok("GET", f"/zones/{ZONE}/rrsets")["rrsets"]
    assert sorted(r["id"] for r in rrsets) == ["@/NS", "@/SOA"]


@pytest.mark.parametrize(
    ("name", "why"),
    [("penpal-ai.maksou.dev", "subdomains are not supported"), ("Maksou.dev", "lower case"),
     ("maksou.dev.", "no final dot"), ("dev", "a bare public suffix")],
)
def test_zone_names_hetzner_refuses(api: Client, name: str, why: str) -> None:
    response = api.call("POST", "/zones", json={"name": name, "mode": "primary"})
    assert error_of(response) == (400, "invalid_input"), why


def test_zone_name_is_unique(api: Client) -> None:
    create_zone(api)
    assert error_of(api.call("POST", "/zones", json={"name": ZONE, "mode": "primary"})) == (409, "uniqueness_error")


def test_rrset_lifecycle_as_the_terraform_provider_drives_it(api: Client) -> None:
    create_zone(api)
    created = api.ok("POST", f"/zones/{ZONE}/rrsets", json=WWW_A)
    assert created["action"]["command"] == "create_rrset"
    rrset = created["rrset"]
    assert rrset["id"] == "staging.api.penpal-ai/A"
    assert rrset["zone"] == api.ok("GET", f"/zones/{ZONE}")["zone"]["id"]
    assert (rrset["ttl"], rrset["records"], rrset["protection"]) == (300, [{"value": "203.0.113.10"}],
                                                                       {"change": False})
    path = f"/zones/{ZONE}/rrsets/staging.api.penpal-ai/A"
    assert api.ok("GET", path)["rrset"] == rrset

    api.wait(api.ok("POST", path + "/actions/set_records", json={"records": [{"value": "203.0.113.11"}]})["action"])
    api.wait(api.ok("POST", path + "/actions/change_ttl", json={"ttl": None})["action"])
    updated = api.ok("PUT", path, json={"labels": {"project": "penpal", "service": "api"}})["rrset"]
    assert (updated["records"], updated["ttl"], updated["labels"]) == (
        [{"value": "203.0.113.11"}], None, {"project": "penpal", "service": "api"})

    deleted = api.ok("DELETE", path)
    assert deleted["action"]["command"] == "delete_rrset"
    assert error_of(api.call("GET", path)) == (404, "not_found")
    assert error_of(api.call("DELETE", path)) == (404, "not_found")


def test_rrset_values_and_names_are_validated(api: Client) -> None:
    create_zone(api)
    bad = [
        {**WWW_A, "records": []},
        {**WWW_A, "records": [{"value": "2001:db8::1"}]},  # an IPv6 address in an A record
        {**WWW_A, "records": [{"value": "203.0.113.1"}, {"value": "203.0.113.1"}]},
        {**WWW_A, "ttl": 59},
        {**WWW_A, "type": "AXFR"},
        {**WWW_A, "name": "www.maksou.dev"},  # must not end with the zone name
        {**WWW_A, "name": "WWW"},
    ]
    for payload in bad:
        assert error_of(api.call("POST", f"/zones/{ZONE}/rrsets", json=payload)) == (400, "invalid_input"), payload
    api.ok("POST", f"/zones/{ZONE}/rrsets", json=WWW_A)
    assert error_of(api.call("POST", f"/zones/{ZONE}/rrsets", json=WWW_A)) == (409, "uniqueness_error")


def test_rrsets_in_a_missing_zone_are_not_found(api: Client) -> None:
    assert error_of(api.call("POST", "/zones/example.com/rrsets", json=WWW_A)) == (404, "not_found")
    assert error_of(api.call("GET", "/zones/4242/rrsets/www/A")) == (404, "not_found")


def test_protection(api: Client) -> None:
    zone = create_zone(api)
    api.wait(api.ok("POST", f"/zones/{zone['id']}/actions/change_protection", json={"delete": True})["action"])
    assert error_of(api.call("DELETE", f"/zones/{ZONE}")) == (423, "protected")

    api.ok("POST", f"/zones/{ZONE}/rrsets", json=WWW_A)
    path = f"/zones/{ZONE}/rrsets/staging.api.penpal-ai/A"
    action = api.ok("POST", path + "/actions/change_protection", json={"change": True})["action"]
    assert action["command"] == "change_rrset_protection"
    assert error_of(api.call("DELETE", path)) == (423, "protected")
    assert error_of(api.call("POST", path + "/actions/set_records", json={"records": [{"value": "192.0.2.1"}]})) == (
        423, "protected")

    api.ok("POST", path + "/actions/change_protection", json={"change": False})
    api.ok("POST", f"/zones/{ZONE}/actions/change_protection", json={"delete": False})
    api.wait(api.ok("DELETE", f"/zones/{ZONE}")["action"])
    assert api.ok("GET", "/zones")["zones"] == []


def test_add_and_remove_records_create_and_delete_the_rrset(api: Client) -> None:
    create_zone(api)
    path = f"/zones/{ZONE}/rrsets/www/AAAA"
    api.ok("POST", path + "/actions/add_records", json={"records": [{"value": "2001:db8::1"}]})
    assert api.ok("GET", path)["rrset"]["records"] == [{"value": "2001:db8::1"}]
    api.ok("POST", path + "/actions/remove_records", json={"records": [{"value": "2001:db8::1"}]})
    assert error_of(api.call("GET", path)) == (404, "not_found")


def test_secondary_zones_refuse_rrset_operations(api: Client) -> None:
    created = api.ok("POST", "/zones", json={"name": "example.com", "mode": "secondary",
                                             "primary_nameservers": [{"address": "198.51.100.1"}]})
    assert created["zone"]["primary_nameservers"] == [{"address": "198.51.100.1", "port": 53}]
    assert error_of(api.call("POST", "/zones/example.com/rrsets", json=WWW_A)) == (422, "incorrect_zone_mode")
    assert error_of(api.call("GET", "/zones/example.com/rrsets")) == (422, "incorrect_zone_mode")


def test_listing_filters_and_pages(api: Client) -> None:
    create_zone(api, labels={"owner": "prod"})
    create_zone(api, "example.com")
    assert [z["name"] for z in api.ok("GET", "/zones", params={"name": ZONE})["zones"]] == [ZONE]
    assert [z["name"] for z in api.ok("GET", "/zones", params={"label_selector": "owner=prod"})["zones"]] == [ZONE]
    for index in range(3):
        api.ok("POST", f"/zones/{ZONE}/rrsets", json={**WWW_A, "name": f"host{index}"})
    page = api.ok("GET", f"/zones/{ZONE}/rrsets", params={"type": "A", "per_page": 2})
    assert len(page["rrsets"]) == 2 and page["meta"]["pagination"]["total_entries"] == 3
    assert api.ok("GET", f"/zones/{ZONE}/rrsets", params={"per_page": 100})["meta"]["pagination"]["per_page"] == 100


def test_zone_actions_are_listed_per_zone(api: Client) -> None:
    zone = create_zone(api)
    actions = api.ok("GET", f"/zones/{ZONE}/actions")["actions"]
    assert [a["command"] for a in actions] == ["create_zone"]
    one = api.ok("GET", f"/zones/{zone['id']}/actions/{actions[0]['id']}")["action"]
    assert one["status"] == "success"
