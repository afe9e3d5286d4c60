"""The Hetzner Cloud simulator answers the way hcloud-go (behind pulumi-hcloud) needs, over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.simulators.hcloud import DEFAULT_TOKEN, HcloudSimulator

REPO_ROOT = Path(__file__).resolve().parents[2]
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGc1bS2ddcsYs8jTqRdGFXn5JKYkYy8u3bSj+7a0S3fa deploy@penpal"
OTHER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKr5pm1Jb7Zy2g5cGCH0gS8P3u3x6Ht2Yzq9Gd7c1mXe other@penpal"
SSH_RULE = {"direction": "in", "protocol": "tcp", "port": "22", "source_ips": ["0.0.0.0/0", "::/0"]}


class Client:
    def __init__(self, sim: HcloudSimulator, token: str | None = None) -> None:
        self.endpoint = sim.endpoint
        self.headers = {"Authorization": f"Bearer {token or sim.token}"}

    def call(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        merged = {**self.headers, **(headers or {})}
        return requests.request(method, self.endpoint + path, headers=merged, timeout=10, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def wait(self, *actions: dict[str, Any]) -> list[dict[str, Any]]:
        """Poll like hcloud-go's WaitFor: GET /actions?id=..&sort=status&sort=id until none is running."""
        ids = [action["id"] for action in actions]
        for _ in range(20):
            found = self.ok("GET", "/actions", params={"id": ids, "sort": ["status", "id"]})["actions"]
            if all(action["status"] != "running" for action in found):
                return list(found)
        raise AssertionError("actions never finished")


@pytest.fixture
def sim() -> Iterator[HcloudSimulator]:
    with HcloudSimulator() as simulator:
        yield simulator


@pytest.fixture
def api(sim: HcloudSimulator) -> Client:
    return Client(sim)


def create_server(api: Client, name: str = "web-1", **extra: Any) -> dict[str, Any]:
    """The provider's create sequence: server type, image for its architecture, then POST /servers."""
    server_type = api.ok("GET", "/server_types", params={"name": "cx22"})["server_types"][0]
    image = api.ok("GET", "/images", params={"name": "ubuntu-24.04", "architecture": server_type["architecture"],
                                             "include_deprecated": "true"})["images"][0]
    payload = {"name": name, "server_type": "cx22", "image": image["id"], "location": "nbg1", **extra}
    return dict(api.ok("POST", "/servers", json=payload))


# --- auth and error shape -------------------------------------------------------------------------


def test_default_token_has_the_64_characters_the_provider_requires() -> None:
    assert len(DEFAULT_TOKEN) == 64


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Token {DEFAULT_TOKEN}"])
def test_requests_without_the_configured_bearer_token_are_unauthorized(sim: HcloudSimulator,
                                                                      header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = requests.get(sim.endpoint + "/servers", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_read_only_token_may_read_but_not_write() -> None:
    with HcloudSimulator(readonly_token="r" * 64) as sim:
        reader = Client(sim, "r" * 64)
        assert reader.call("GET", "/servers").status_code == 200
        response = reader.call("POST", "/ssh_keys", json={"name": "k", "public_key": PUBLIC_KEY})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "token_readonly"


def test_unknown_route_and_unknown_id_answer_not_found(api: Client) -> None:
    assert api.call("GET", "/nothing-here").json()["error"]["code"] == "not_found"
    response = api.call("GET", "/servers/424242")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_malformed_json_is_a_json_error(api: Client) -> None:
    response = api.call("POST", "/ssh_keys", data="{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "json_error"


# --- SSH keys -----------------------------------------------------------------------------------


def test_ssh_key_lifecycle_with_name_and_fingerprint_lookups(api: Client) -> None:
    created = api.ok("POST", "/ssh_keys", json={"name": "deploy", "public_key": PUBLIC_KEY,
                                                "labels": {"app": "penpal"}})["ssh_key"]
    assert created["public_key"] == PUBLIC_KEY  # echoed verbatim, or the framework provider sees a diff
    assert len(created["fingerprint"].split(":")) == 16
    by_name = api.ok("GET", "/ssh_keys", params={"name": "deploy"})["ssh_keys"]
    by_fingerprint = api.ok("GET", "/ssh_keys", params={"fingerprint": created["fingerprint"]})["ssh_keys"]
    assert [key["id"] for key in by_name] == [key["id"] for key in by_fingerprint] == [created["id"]]

    updated = api.ok("PUT", f"/ssh_keys/{created['id']}", json={"labels": {"team": "ops"}})["ssh_key"]
    assert updated["labels"] == {"team": "ops"}  # PUT replaces the whole label map
    assert api.call("DELETE", f"/ssh_keys/{created['id']}").status_code == 204
    assert api.call("GET", f"/ssh_keys/{created['id']}").status_code == 404


def test_ssh_keys_are_unique_by_name_and_by_fingerprint(api: Client) -> None:
    api.ok("POST", "/ssh_keys", json={"name": "deploy", "public_key": PUBLIC_KEY})
    same_name = api.call("POST", "/ssh_keys", json={"name": "deploy", "public_key": OTHER_KEY})
    same_key = api.call("POST", "/ssh_keys", json={"name": "again", "public_key": PUBLIC_KEY})
    assert (same_name.status_code, same_name.json()["error"]["code"]) == (409, "uniqueness_error")
    assert (same_key.status_code, same_key.json()["error"]["code"]) == (409, "uniqueness_error")
    assert same_key.json()["error"]["details"]["fields"][0]["name"] == "public_key"


def test_invalid_labels_are_rejected_with_field_details(api: Client) -> None:
    for labels in ({"hetzner.cloud/x": "y"}, {"-bad": "v"}, {"k": "no spaces"}):
        response = api.call("POST", "/ssh_keys", json={"name": "k", "public_key": PUBLIC_KEY, "labels": labels})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_input"
        assert response.json()["error"]["details"]["fields"][0]["name"] == "labels"


# --- servers and actions -------------------------------------------------------------------------


def test_server_create_returns_running_actions_that_finish_after_polling(sim: HcloudSimulator,
                                                                         api: Client) -> None:
    key = api.ok("POST", "/ssh_keys", json={"name": "deploy", "public_key": PUBLIC_KEY})["ssh_key"]
    created = create_server(api, ssh_keys=[key["id"]], labels={"app": "penpal"})
    assert created["root_password"] is None  # an SSH key was given
    assert created["action"]["command"] == "create_server"
    assert created["action"]["status"] == "running"
    assert [action["command"] for action in created["next_actions"]] == ["start_server"]
    assert created["server"]["status"] == "initializing"

    first_poll = api.ok("GET", "/actions", params={"id": created["action"]["id"]})["actions"]
    assert first_poll[0]["status"] == "running"  # still running on the first poll
    finished = api.wait(created["action"], *created["next_actions"])
    assert {action["status"] for action in finished} == {"success"}
    assert all(action["finished"] for action in finished)

    server = api.ok("GET", f"/servers/{created['server']['id']}")["server"]
    assert server["status"] == "running"
    assert server["labels"] == {"app": "penpal"}
    assert server["location"]["name"] == "nbg1"
    assert server["server_type"]["name"] == "cx22"
    assert server["image"]["name"] == "ubuntu-24.04"
    assert server["public_net"]["ipv4"]["ip"].startswith("203.0.113.")
    assert server["public_net"]["ipv6"]["ip"].endswith("::/64")
    held = sim.server("web-1")
    assert held is not None and held["public_net"]["ipv4"]["ip"] == server["public_net"]["ipv4"]["ip"]


def test_server_without_ssh_keys_gets_a_root_password(sim: HcloudSimulator, api: Client) -> None:
    created = create_server(api)
    assert isinstance(created["root_password"], str) and len(created["root_password"]) >= 16
    assert sim.root_password("web-1") == created["root_password"]


def test_server_created_stopped_has_no_start_action(api: Client) -> None:
    created = create_server(api, start_after_create=False)
    assert created["next_actions"] == []
    api.wait(created["action"])
    assert api.ok("GET", f"/servers/{created['server']['id']}")["server"]["status"] == "off"


def test_server_create_validates_references_and_names(api: Client) -> None:
    bad_type = api.call("POST", "/servers", json={"name": "a", "server_type": "nope", "image": "ubuntu-24.04"})
    bad_image = api.call("POST", "/servers", json={"name": "a", "server_type": "cax11", "image": 161547269})
    bad_key = api.call("POST", "/servers", json={"name": "a", "server_type": "cx22", "image": "ubuntu-24.04",
                                                 "ssh_keys": [999]})
    bad_name = api.call("POST", "/servers", json={"name": "not_a_host", "server_type": "cx22",
                                                  "image": "ubuntu-24.04"})
    for response in (bad_type, bad_image, bad_key, bad_name):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_input"
    create_server(api, name="dup")
    duplicate = api.call("POST", "/servers", json={"name": "dup", "server_type": "cx22", "image": "ubuntu-24.04"})
    assert duplicate.json()["error"]["code"] == "uniqueness_error"


def test_image_lookup_is_per_architecture(api: Client) -> None:
    x86 = api.ok("GET", "/images", params={"name": "ubuntu-24.04", "architecture": "x86"})["images"]
    arm = api.ok("GET", "/images", params={"name": "ubuntu-24.04", "architecture": "arm"})["images"]
    assert len(x86) == len(arm) == 1
    assert x86[0]["id"] != arm[0]["id"]


def test_power_actions_change_status_when_they_succeed(api: Client) -> None:
    created = create_server(api)
    server_id = created["server"]["id"]
    api.wait(created["action"], *created["next_actions"])
    poweroff = api.ok("POST", f"/servers/{server_id}/actions/poweroff")["action"]
    assert api.ok("GET", f"/servers/{server_id}")["server"]["status"] == "running"  # not yet
    api.wait(poweroff)
    assert api.ok("GET", f"/servers/{server_id}")["server"]["status"] == "off"

    change = api.ok("POST", f"/servers/{server_id}/actions/change_type",
                    json={"server_type": "cx32", "upgrade_disk": True})["action"]
    api.wait(change)
    assert api.ok("GET", f"/servers/{server_id}")["server"]["server_type"]["name"] == "cx32"


def test_change_type_of_a_running_server_is_refused(api: Client) -> None:
    created = create_server(api)
    api.wait(created["action"], *created["next_actions"])
    response = api.call("POST", f"/servers/{created['server']['id']}/actions/change_type",
                        json={"server_type": "cx32", "upgrade_disk": True})
    assert response.json()["error"]["code"] == "server_not_stopped"


def test_failed_action_reports_its_error(sim: HcloudSimulator, api: Client) -> None:
    sim.fail_next_action("start_server", code="action_failed", message="boot failed")
    created = create_server(api)
    finished = {a["command"]: a for a in api.wait(created["action"], *created["next_actions"])}
    assert finished["create_server"]["status"] == "success"
    assert finished["start_server"]["status"] == "error"
    assert finished["start_server"]["error"] == {"code": "action_failed", "message": "boot failed"}
    assert api.ok("GET", f"/servers/{created['server']['id']}")["server"]["status"] == "off"


def test_actions_are_reachable_through_resource_scoped_routes(api: Client) -> None:
    created = create_server(api)
    server_id, action_id = created["server"]["id"], created["action"]["id"]
    scoped = api.ok("GET", f"/servers/{server_id}/actions/{action_id}")["action"]
    assert scoped["resources"] == [{"id": server_id, "type": "server"}]
    assert api.ok("GET", f"/actions/{action_id}")["action"]["id"] == action_id
    listed = api.ok("GET", f"/servers/{server_id}/actions")["actions"]
    assert {action["command"] for action in listed} == {"create_server", "start_server"}
    assert api.call("GET", f"/firewalls/actions/{action_id}").status_code == 404


def test_action_list_requires_an_id_filter_and_reports_unknown_ids_by_omission(api: Client) -> None:
    assert api.call("GET", "/actions").json()["error"]["code"] == "invalid_input"
    assert api.ok("GET", "/actions", params={"id": 1})["actions"] == []


def test_server_delete_returns_an_action_and_cleans_up(sim: HcloudSimulator, api: Client) -> None:
    firewall = api.ok("POST", "/firewalls", json={"name": "fw", "rules": [SSH_RULE]})["firewall"]
    created = create_server(api, firewalls=[{"firewall": firewall["id"]}])
    server_id = created["server"]["id"]
    assert len(sim.primary_ips()) == 2
    deleted = api.ok("DELETE", f"/servers/{server_id}")
    assert deleted["action"]["command"] == "delete_server"
    api.wait(deleted["action"])
    assert api.call("GET", f"/servers/{server_id}").status_code == 404
    assert sim.primary_ips() == []  # auto_delete primary IPs go with the server
    assert api.ok("GET", f"/firewalls/{firewall['id']}")["firewall"]["applied_to"] == []


def test_delete_protection_blocks_server_deletion(api: Client) -> None:
    created = create_server(api)
    server_id = created["server"]["id"]
    api.ok("POST", f"/servers/{server_id}/actions/change_protection", json={"delete": True, "rebuild": True})
    response = api.call("DELETE", f"/servers/{server_id}")
    assert (response.status_code, response.json()["error"]["code"]) == (423, "protected")


def test_rebuild_protection_blocks_rebuild_and_both_flags_move_together(api: Client) -> None:
    created = create_server(api)
    server_id = created["server"]["id"]
    mismatched = api.call("POST", f"/servers/{server_id}/actions/change_protection", json={"delete": True})
    assert (mismatched.status_code, mismatched.json()["error"]["code"]) == (400, "invalid_input")
    api.ok("POST", f"/servers/{server_id}/actions/change_protection", json={"delete": True, "rebuild": True})
    assert api.ok("GET", f"/servers/{server_id}")["server"]["protection"] == {"delete": True, "rebuild": True}
    rebuilt = api.call("POST", f"/servers/{server_id}/actions/rebuild", json={"image": "ubuntu-24.04"})
    assert (rebuilt.status_code, rebuilt.json()["error"]["code"]) == (423, "protected")
    api.ok("POST", f"/servers/{server_id}/actions/change_protection", json={"delete": False, "rebuild": False})
    assert api.call("DELETE", f"/servers/{server_id}").status_code == 200


def test_locks_are_enforced_only_when_asked() -> None:
    with HcloudSimulator(enforce_locks=True) as sim:
        api = Client(sim)
        created = create_server(api)
        locked = api.call("POST", f"/servers/{created['server']['id']}/actions/poweroff")
        assert (locked.status_code, locked.json()["error"]["code"]) == (423, "locked")
        api.wait(created["action"], *created["next_actions"])
        assert api.call("POST", f"/servers/{created['server']['id']}/actions/poweroff").status_code == 201


# --- firewalls ------------------------------------------------------------------------------------


def test_firewall_applied_at_creation_shows_on_the_server(api: Client) -> None:
    created = create_server(api)
    server_id = created["server"]["id"]
    response = api.ok("POST", "/firewalls", json={
        "name": "penpal", "labels": {"app": "penpal"}, "rules": [SSH_RULE],
        "apply_to": [{"type": "server", "server": {"id": server_id}}],
    })
    assert {a["command"] for a in response["actions"]} == {"set_firewall_rules", "apply_firewall"}
    api.wait(*response["actions"])
    rule = response["firewall"]["rules"][0]
    assert rule == {**SSH_RULE, "destination_ips": [], "description": None}
    server = api.ok("GET", f"/servers/{server_id}")["server"]
    assert server["public_net"]["firewalls"] == [{"id": response["firewall"]["id"], "status": "applied"}]


def test_firewall_in_use_cannot_be_deleted_until_removed(api: Client) -> None:
    server_id = create_server(api)["server"]["id"]
    firewall = api.ok("POST", "/firewalls", json={"name": "fw", "rules": [SSH_RULE]})["firewall"]
    target = [{"type": "server", "server": {"id": server_id}}]
    api.ok("POST", f"/firewalls/{firewall['id']}/actions/apply_to_resources", json={"apply_to": target})
    again = api.call("POST", f"/firewalls/{firewall['id']}/actions/apply_to_resources", json={"apply_to": target})
    assert again.json()["error"]["code"] == "firewall_already_applied"
    in_use = api.call("DELETE", f"/firewalls/{firewall['id']}")
    assert in_use.json()["error"]["code"] == "resource_in_use"
    removed = api.ok("POST", f"/firewalls/{firewall['id']}/actions/remove_from_resources",
                     json={"remove_from": target})["actions"]
    assert [a["command"] for a in removed] == ["remove_firewall"]
    assert api.call("DELETE", f"/firewalls/{firewall['id']}").status_code == 204


def test_set_rules_replaces_rules_and_returns_actions(api: Client) -> None:
    firewall = api.ok("POST", "/firewalls", json={"name": "fw", "rules": [SSH_RULE]})["firewall"]
    web = {"direction": "in", "protocol": "tcp", "port": "443", "source_ips": ["0.0.0.0/0"],
           "description": "https"}
    actions = api.ok("POST", f"/firewalls/{firewall['id']}/actions/set_rules", json={"rules": [web]})["actions"]
    assert actions[0]["command"] == "set_firewall_rules"
    rules = api.ok("GET", f"/firewalls/{firewall['id']}")["firewall"]["rules"]
    assert [(r["port"], r["description"]) for r in rules] == [("443", "https")]


@pytest.mark.parametrize("rule", [
    {"direction": "in", "protocol": "tcp", "source_ips": ["0.0.0.0/0"]},  # tcp without port
    {"direction": "in", "protocol": "icmp", "port": "22", "source_ips": ["0.0.0.0/0"]},
    {"direction": "in", "protocol": "tcp", "port": "22", "source_ips": ["not-an-ip"]},
    {"direction": "sideways", "protocol": "tcp", "port": "22", "source_ips": ["0.0.0.0/0"]},
])
def test_invalid_firewall_rules_are_rejected(api: Client, rule: dict[str, Any]) -> None:
    response = api.call("POST", "/firewalls", json={"name": "fw", "rules": [rule]})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"


def test_label_selector_firewall_and_list_filters(api: Client) -> None:
    create_server(api, name="web-1", labels={"app": "penpal", "env": "staging"})
    create_server(api, name="web-2", labels={"app": "penpal", "env": "prod"})
    create_server(api, name="db-1", labels={"app": "other"})

    def names(selector: str) -> list[str]:
        return [s["name"] for s in api.ok("GET", "/servers", params={"label_selector": selector})["servers"]]

    assert names("app=penpal") == ["web-1", "web-2"]
    assert names("app=penpal,env!=prod") == ["web-1"]
    assert names("env in (prod,staging)") == ["web-1", "web-2"]
    assert names("!env") == ["db-1"]
    firewall = api.ok("POST", "/firewalls", json={
        "name": "fw", "rules": [SSH_RULE],
        "apply_to": [{"type": "label_selector", "label_selector": {"selector": "env=prod"}}],
    })["firewall"]
    applied = firewall["applied_to"][0]
    assert [r["server"]["id"] for r in applied["applied_to_resources"]] == [
        api.ok("GET", "/servers", params={"name": "web-2"})["servers"][0]["id"]]
    assert api.call("GET", "/servers", params={"label_selector": "a in b"}).status_code == 400


# --- volumes --------------------------------------------------------------------------------------


def test_volume_create_attached_then_detach_and_reattach(api: Client) -> None:
    server_id = create_server(api)["server"]["id"]
    created = api.ok("POST", "/volumes", json={"name": "data", "size": 10, "server": server_id,
                                               "automount": True, "format": "ext4"})
    assert [a["command"] for a in created["next_actions"]] == ["attach_volume"]
    api.wait(created["action"], *created["next_actions"])
    volume = api.ok("GET", f"/volumes/{created['volume']['id']}")["volume"]
    assert (volume["status"], volume["server"]) == ("available", server_id)
    assert volume["linux_device"].endswith(f"HC_Volume_{volume['id']}")
    attach_again = api.call("POST", f"/volumes/{volume['id']}/actions/attach", json={"server": server_id})
    assert attach_again.json()["error"]["code"] == "volume_already_attached"
    api.ok("POST", f"/volumes/{volume['id']}/actions/detach")
    assert api.ok("GET", f"/volumes/{volume['id']}")["volume"]["server"] is None
    assert api.ok("GET", f"/servers/{server_id}")["server"]["volumes"] == []


def test_a_volume_attaches_only_in_its_location_and_outlives_its_server(api: Client) -> None:
    server_id = create_server(api)["server"]["id"]  # in nbg1
    created = api.ok("POST", "/volumes", json={"name": "data", "size": 10, "location": "fsn1"})
    refused = api.call("POST", f"/volumes/{created['volume']['id']}/actions/attach", json={"server": server_id})
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "invalid_input")
    attached = api.ok("POST", "/volumes", json={"name": "data-2", "size": 10, "server": server_id})
    api.wait(attached["action"], *attached["next_actions"])
    api.wait(api.ok("DELETE", f"/servers/{server_id}")["action"])
    volume = api.ok("GET", f"/volumes/{attached['volume']['id']}")["volume"]
    assert (volume["server"], volume["location"]["name"]) == (None, "nbg1")  # detached, still in nbg1


def test_volume_size_has_a_minimum(api: Client) -> None:
    response = api.call("POST", "/volumes", json={"name": "tiny", "size": 5, "location": "fsn1"})
    assert response.json()["error"]["code"] == "invalid_input"


# --- lists, pagination, headers -------------------------------------------------------------------


def test_pagination_meta_and_link_header(api: Client) -> None:
    first = api.call("GET", "/server_types", params={"per_page": 5})
    pagination = first.json()["meta"]["pagination"]
    assert pagination["page"] == 1 and pagination["previous_page"] is None
    assert pagination["next_page"] == 2 and pagination["last_page"] == pagination["total_entries"] // 5 + 1
    assert 'rel="next"' in first.headers["Link"]
    collected = []
    page: int | None = 1
    while page:
        body = api.ok("GET", "/server_types", params={"per_page": 5, "page": page})
        collected += body["server_types"]
        page = body["meta"]["pagination"]["next_page"]
    assert len(collected) == pagination["total_entries"]
    assert len({item["id"] for item in collected}) == len(collected)


def test_sort_parameter_orders_results(api: Client) -> None:
    names = [t["name"] for t in api.ok("GET", "/server_types", params={"sort": "name:desc",
                                                                        "per_page": 50})["server_types"]]
    assert names == sorted(names, reverse=True)


def test_rate_limit_headers_and_enforced_exhaustion() -> None:
    with HcloudSimulator(enforce_rate_limit=True) as sim:
        api = Client(sim)
        response = api.call("GET", "/locations")
        assert response.headers["RateLimit-Limit"] == "3600"
        assert int(response.headers["RateLimit-Remaining"]) < 3600
        sim.set_rate_limit_remaining(0)
        exhausted = api.call("GET", "/locations")
        assert (exhausted.status_code, exhausted.json()["error"]["code"]) == (429, "rate_limit_exceeded")


# --- counters, request log, faults -----------------------------------------------------------------


def test_counts_and_request_log_use_route_templates(sim: HcloudSimulator, api: Client) -> None:
    created = create_server(api)
    api.ok("GET", f"/servers/{created['server']['id']}")
    assert sim.count("POST", "/v1/servers") == 1
    assert sim.count("GET", "/v1/servers/{id}") == 1
    assert sim.count("GET", "/v1/server_types") == 1
    posted = [r for r in sim.requests if r.route == "/v1/servers" and r.method == "POST"]
    assert posted[0].json()["name"] == "web-1" and posted[0].status == 201
    sim.reset_counts()
    assert sim.count("POST", "/v1/servers") == 0 and sim.requests == []


def test_injected_fault_fails_the_next_calls_then_clears(sim: HcloudSimulator, api: Client) -> None:
    sim.inject("POST", "/v1/ssh_keys", status=503, times=1)
    failed = api.call("POST", "/ssh_keys", json={"name": "k", "public_key": PUBLIC_KEY})
    assert failed.status_code == 503
    assert failed.json()["error"]["code"] == "unavailable"
    assert sim.ssh_keys() == []  # the faulted request did not reach the handler
    assert api.call("POST", "/ssh_keys", json={"name": "k", "public_key": PUBLIC_KEY}).status_code == 201
    assert sim.count("POST", "/v1/ssh_keys") == 2


def test_injected_fault_with_custom_body_and_delay_only(sim: HcloudSimulator, api: Client) -> None:
    body = {"error": {"code": "conflict", "message": "try again", "details": {}}}
    sim.inject("GET", "/v1/locations", status=409, body=body, times=None)
    assert api.call("GET", "/locations").json() == body
    assert api.call("GET", "/locations").status_code == 409  # times=None keeps it
    sim.clear_faults()
    sim.inject("GET", "/v1/locations", delay_s=0.01)
    assert api.call("GET", "/locations").status_code == 200
    with pytest.raises(ValueError):
        sim.inject("GET", "/v1/not-a-route", status=500)


# --- drift helpers ---------------------------------------------------------------------------------


def test_out_of_band_edits_are_visible_to_clients(sim: HcloudSimulator, api: Client) -> None:
    firewall = api.ok("POST", "/firewalls", json={"name": "fw", "rules": [SSH_RULE]})["firewall"]
    server_id = create_server(api, labels={"app": "penpal"})["server"]["id"]
    sim.set_server_labels("web-1", {"app": "penpal", "touched": "by-hand"})
    sim.set_firewall_rules("fw", [])
    assert api.ok("GET", f"/servers/{server_id}")["server"]["labels"]["touched"] == "by-hand"
    assert api.ok("GET", f"/firewalls/{firewall['id']}")["firewall"]["rules"] == []
    sim.delete_server("web-1")
    assert api.call("GET", f"/servers/{server_id}").status_code == 404
    assert sim.summary()["servers"] == []


# --- standalone process ----------------------------------------------------------------------------


def test_runs_as_a_module_and_writes_its_info_file(tmp_path: Path) -> None:
    info_file = tmp_path / "hcloud.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.simulators.hcloud", "--port", "0", "--info-file", str(info_file)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        printed = json.loads(process.stdout.readline())
        written = json.loads(info_file.read_text())
        assert printed == written
        assert written["endpoint"] == written["url"] + "/v1" and len(written["token"]) == 64
        response = requests.get(written["endpoint"] + "/locations",
                                headers={"Authorization": f"Bearer {written['token']}"}, timeout=10)
        assert [loc["name"] for loc in response.json()["locations"]][:3] == ["fsn1", "nbg1", "hel1"]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_server_create_refuses_the_removed_datacenter_field(api: Client) -> None:
    # `datacenter` left requests and responses on 2026-07-01 (Hetzner changelog "removing datacenters").
    response = api.call("POST", "/servers", json={"name": "web-1", "server_type": "cx22", "image": "ubuntu-24.04",
                                                 "datacenter": "nbg1-dc3"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"][0]["name"] == "datacenter"
    assert api.ok("GET", "/servers")["servers"] == []
