"""Routes Coolify has beyond what our program calls: served as Coolify serves them, or a distinct
"not simulated" answer, so that a wrong URL (Coolify's catch-all 404) and a missing route can be told apart."""

from __future__ import annotations

import pytest

from tests.simulators.coolify import CoolifySimulator, Seed
from tests.simulators.coolify.testing import SimSession, create_app


def create_mongo(api: SimSession, seed: Seed) -> str:
    response = api.post("/databases/mongodb", json={"project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid,
                                                    "environment_name": "production"})
    assert response.status_code == 201, response.text
    return str(response.json()["uuid"])


def test_teams_lists_only_the_tokens_team_and_hides_the_server_limit(api: SimSession) -> None:
    current = api.get("/team").json()
    assert api.get("/teams").json() == [current]
    assert api.get("/teams/current").json() == current  # deprecated alias of /team
    # TeamController::removeSensitiveData hides custom_server_limit.
    assert "custom_server_limit" not in current and current["id"] == 0


def test_server_resources_lists_applications_then_databases(api: SimSession, seed: Seed) -> None:
    db = create_mongo(api, seed)
    app = create_app(api, seed, domains="https://api.penpal.example")
    resources = api.get(f"/servers/{seed.server_uuid}/resources").json()
    assert [(r["uuid"], r["type"]) for r in resources] == [(app, "application"), (db, "standalone-mongodb")]
    assert set(resources[0]) == {"id", "uuid", "name", "type", "created_at", "updated_at", "status"}
    missing = api.get("/servers/nope/resources")
    assert missing.status_code == 404 and missing.json() == {"message": "Server not found."}


def test_server_domains_group_hosts_by_server_ip(api: SimSession, seed: Seed, sim: CoolifySimulator) -> None:
    app = create_app(api, seed, domains="https://api.penpal.example,http://api2.penpal.example:8080/v1")
    create_app(api, seed, docker_registry_image_name="ghcr.io/penpal-ai/worker")
    server_ip = api.get(f"/servers/{seed.server_uuid}").json()["ip"]
    assert api.get(f"/servers/{seed.server_uuid}/domains").json() == [
        {"ip": server_ip, "domains": ["api.penpal.example", "api2.penpal.example"]}]
    # ?uuid= answers that application's fqdn entries as they are stored.
    assert api.get(f"/servers/{seed.server_uuid}/domains", params={"uuid": app}).json() == [
        "https://api.penpal.example", "http://api2.penpal.example:8080/v1"]
    assert api.get(f"/servers/{seed.server_uuid}/domains", params={"uuid": "nope"}).status_code == 404


def test_server_destinations(api: SimSession, seed: Seed) -> None:
    destinations = api.get(f"/servers/{seed.server_uuid}/destinations").json()
    assert [(d["name"], d["network"], d["type"], d["server_uuid"]) for d in destinations] == [
        ("default", "coolify", "standalone", seed.server_uuid)]
    assert api.get("/servers/nope/destinations").status_code == 404


def test_database_envs(api: SimSession, seed: Seed) -> None:
    db = create_mongo(api, seed)
    assert api.get(f"/databases/{db}/envs").json() == []
    missing = api.get("/databases/nope/envs")
    assert missing.status_code == 404 and missing.json() == {"message": "Database not found."}


def test_read_routes_need_the_read_ability(sim: CoolifySimulator, seed: Seed) -> None:
    sim.add_token("2|deploy-only", {"deploy"})
    denied = SimSession(sim, token="2|deploy-only").get(f"/servers/{seed.server_uuid}/resources")
    assert denied.status_code == 403


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/applications/public"),
    ("POST", "/databases/abc/envs"),
    ("GET", "/teams/0/members"),
    ("GET", "/servers/abc/cloudflare-tunnel"),
    ("DELETE", "/destinations/abc"),
])
def test_a_route_coolify_has_but_the_simulator_lacks_says_so(api: SimSession, method: str, path: str) -> None:
    response = api.request(method, path, json={})
    assert response.status_code == 501
    assert response.json()["not_simulated"] is True
    assert "Not simulated" in response.json()["message"]


def test_a_wrong_url_gets_coolifys_catch_all(api: SimSession) -> None:
    for method, path in (("GET", "/applicationz"), ("PUT", "/applications/abc"), ("GET", "/servers/abc/nothing")):
        response = api.request(method, path)
        assert response.status_code == 404
        assert response.json() == {"message": "Not found.", "docs": "https://coolify.io/docs"}
