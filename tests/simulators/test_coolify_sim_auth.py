"""Tokens, abilities, hidden fields, the API switch and the catch-all, as the notes describe them."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.simulators.coolify import CoolifySimulator
from tests.simulators.coolify.testing import SimSession

READ = "1|read-only-token"
WRITE = "2|write-only-token"
DEPLOY = "3|deploy-only-token"
SENSITIVE = "4|read-and-sensitive"
ROOT = "5|root-token"


@pytest.fixture
def sim() -> Iterator[CoolifySimulator]:
    tokens = {READ: {"read"}, WRITE: {"write"}, DEPLOY: {"deploy"}, SENSITIVE: {"read", "read:sensitive"},
              ROOT: {"root"}}
    with CoolifySimulator(tokens) as simulator:
        yield simulator


def test_missing_or_unknown_token_is_401_unauthenticated(sim: CoolifySimulator) -> None:
    assert requests.get(sim.api_url + "/projects", timeout=5).json() == {"message": "Unauthenticated."}
    response = SimSession(sim, "9|nope").get("/projects")
    assert (response.status_code, response.json()) == (401, {"message": "Unauthenticated."})


def test_expired_token_is_401_and_token_without_team_is_invalid(sim: CoolifySimulator) -> None:
    sim.add_token("6|expired", {"root"}, expires_at=time.time() - 1)
    sim.add_token("7|left-team", {"root"}, team_id=None)
    assert SimSession(sim, "6|expired").get("/projects").json() == {"message": "Unauthenticated."}
    response = SimSession(sim, "7|left-team").get("/projects")
    assert (response.status_code, response.json()) == (401, {"message": "Invalid token."})


def test_member_holding_an_elevated_token_is_refused(sim: CoolifySimulator) -> None:
    sim.add_token("8|member-write", {"read", "write"}, role="member")
    sim.add_token("9|member-read", {"read"}, role="member")
    response = SimSession(sim, "8|member-write").get("/projects")
    assert (response.status_code, response.json()) == (403, {"message": "Missing required team role."})
    assert SimSession(sim, "9|member-read").get("/projects").status_code == 200


@pytest.mark.parametrize(
    ("token", "method", "path", "ability"),
    [
        (WRITE, "GET", "/projects", "read"),  # write does not imply read
        (SENSITIVE, "POST", "/projects", "write"),
        (READ, "POST", "/deploy?uuid=x", "deploy"),
        (DEPLOY, "GET", "/deployments/x", "read"),  # a deploy token cannot read deployments back
    ],
)
def test_abilities_match_exactly(sim: CoolifySimulator, token: str, method: str, path: str, ability: str) -> None:
    response = SimSession(sim, token).request(method, path, json={"name": "abc"})
    assert response.status_code == 403
    assert response.json() == {"message": f"Missing required permissions: {ability}"}


def test_root_passes_every_ability_check(sim: CoolifySimulator) -> None:
    session = SimSession(sim, ROOT)
    assert session.post("/projects", json={"name": "penpal"}).status_code == 201
    assert session.get("/projects").status_code == 200


def test_sensitive_fields_are_omitted_without_read_sensitive(sim: CoolifySimulator) -> None:
    seed = sim.seed()
    root = SimSession(sim, ROOT)
    app_uuid = root.post("/applications/dockerimage", json={
        "project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
        "docker_registry_image_name": "nginx", "http_basic_auth_password": "hunter2",
    }).json()["uuid"]
    root.post(f"/applications/{app_uuid}/envs", json={"key": "SECRET", "value": "s3cr3t"})
    root.post(f"/applications/{app_uuid}/envs", json={"key": "ONCE", "value": "v", "is_shown_once": True})
    db = root.post("/databases/mongodb", json={
        "project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
    }).json()["uuid"]
    reader, sensitive = SimSession(sim, READ), SimSession(sim, SENSITIVE)

    plain_app = reader.get(f"/applications/{app_uuid}").json()
    assert "http_basic_auth_password" not in plain_app and "manual_webhook_secret_github" not in plain_app
    assert "private_key_id" not in plain_app and "id" not in plain_app
    full_app = sensitive.get(f"/applications/{app_uuid}").json()
    assert full_app["http_basic_auth_password"] == "hunter2"
    assert len(full_app["manual_webhook_secret_github"]) == 40

    plain_envs = reader.get(f"/applications/{app_uuid}/envs").json()
    assert all("value" not in e and "real_value" not in e for e in plain_envs)
    full_envs = {e["key"]: e for e in sensitive.get(f"/applications/{app_uuid}/envs").json() if not e["is_preview"]}
    assert full_envs["SECRET"]["value"] == "s3cr3t"
    assert "value" not in full_envs["ONCE"]  # is_shown_once hides the value even with read:sensitive

    assert "mongo_initdb_root_password" not in reader.get(f"/databases/{db}").json()
    assert "internal_db_url" not in reader.get(f"/databases/{db}").json()
    assert sensitive.get(f"/databases/{db}").json()["internal_db_url"].startswith("mongodb://root:")

    assert all("private_key" not in k for k in reader.get("/security/keys").json())
    assert all(k["private_key"].startswith("-----BEGIN") for k in sensitive.get("/security/keys").json())


def test_api_disabled_gives_the_exact_403_body_and_enable_still_works(sim: CoolifySimulator) -> None:
    sim.api_enabled = False
    root = SimSession(sim, ROOT)
    response = root.get("/projects")
    assert (response.status_code, response.json()) == (403, {"success": True, "message": "API is disabled."})
    # /enable sits outside the API gate, for root-team tokens with `write`.
    enabled = root.post("/enable")
    assert (enabled.status_code, enabled.json()) == (200, {"message": "API enabled."})
    assert root.get("/projects").status_code == 200
    assert sim.api_enabled is True


def test_enable_is_refused_for_other_teams(sim: CoolifySimulator) -> None:
    sim.add_token("10|team-two", {"root"}, team_id=2)
    response = SimSession(sim, "10|team-two").post("/disable")
    assert (response.status_code, response.json()) == (403, {"message": "You are not allowed to disable the API."})


def test_unknown_paths_and_wrong_methods_hit_the_json_catch_all_without_auth(sim: CoolifySimulator) -> None:
    anonymous = SimSession(sim, "")
    for method, path in [("GET", "/nothing/here"), ("PUT", "/applications/abc"), ("DELETE", "/deploy")]:
        response = anonymous.request(method, path)
        assert response.status_code == 404
        assert response.json() == {"message": "Not found.", "docs": "https://coolify.io/docs"}


def test_health_needs_no_token_and_answers_plain_ok(sim: CoolifySimulator) -> None:
    for path in ("/api/health", "/api/v1/health"):
        response = requests.get(sim.url + path, timeout=5)
        assert (response.status_code, response.text) == (200, "OK")
        assert response.headers["Content-Type"].startswith("text/html")


def test_version_is_plain_text_without_v(sim: CoolifySimulator) -> None:
    response = SimSession(sim, READ).get("/version")
    assert (response.status_code, response.text) == (200, "4.3.11")


def test_teams_are_isolated(sim: CoolifySimulator) -> None:
    sim.add_token("11|team-two", {"root"}, team_id=2)
    project = SimSession(sim, ROOT).post("/projects", json={"name": "penpal"}).json()["uuid"]
    other = SimSession(sim, "11|team-two")
    assert other.get("/projects").json() == []
    assert other.get(f"/projects/{project}").json() == {"message": "Project not found."}


def test_rate_limit_answers_429_with_retry_after(sim: CoolifySimulator) -> None:
    sim.rate_limit_per_minute = 2
    session = SimSession(sim, READ)
    first = session.get("/projects")
    assert first.headers["X-RateLimit-Limit"] == "2"
    session.get("/projects")
    limited = session.get("/projects")
    assert limited.status_code == 429
    assert limited.json() == {"message": "Too Many Attempts."}
    assert int(limited.headers["Retry-After"]) >= 1
