"""Deployments: queueing, the queued -> in_progress -> finished|failed lifecycle, logs, 405 and version drift."""

from __future__ import annotations

import json

import pytest

from tests.simulators.coolify import CoolifySimulator, Seed
from tests.simulators.coolify.testing import SimSession


@pytest.fixture
def app(api: SimSession, sim: CoolifySimulator) -> str:
    seed: Seed = sim.seed()
    response = api.post("/applications/dockerimage", json={
        "project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
        "docker_registry_image_name": "ghcr.io/penpal-ai/api:2.0.0", "name": "api", "autogenerate_domain": False})
    return str(response.json()["uuid"])


def poll_statuses(api: SimSession, deployment: str, times: int) -> list[str]:
    return [api.get(f"/deployments/{deployment}").json()["status"] for _ in range(times)]


def test_deploy_queues_and_progresses_over_polls(api: SimSession, app: str) -> None:
    response = api.post(f"/deploy?uuid={app}&force=false")
    assert response.status_code == 200
    [entry] = response.json()["deployments"]
    assert entry["message"] == "Application api deployment queued." and entry["resource_uuid"] == app
    statuses = poll_statuses(api, entry["deployment_uuid"], 5)
    assert statuses == ["queued", "in_progress", "in_progress", "finished", "finished"]
    final = api.get(f"/deployments/{entry['deployment_uuid']}").json()
    lines = [line["output"] for line in json.loads(final["logs"])]
    assert lines[0] == "Starting deployment of ghcr.io/penpal-ai/api:2.0.0." and final["finished_at"]
    assert api.get(f"/applications/{app}").json()["status"] == "running:healthy"


def test_failed_outcome_ends_with_stderr_logs(api: SimSession, sim: CoolifySimulator, app: str) -> None:
    sim.set_deploy_outcome(app, "failed", log_lines=["pulling {image}", "boom: manifest unknown", "rolled back"])
    sim.set_deploy_timing(queued_polls=0, in_progress_polls=1)
    deployment = api.post(f"/applications/{app}/start").json()["deployment_uuid"]
    assert poll_statuses(api, deployment, 3) == ["queued", "in_progress", "failed"]
    logs = json.loads(api.get(f"/deployments/{deployment}").json()["logs"])
    assert [(e["output"], e["type"]) for e in logs] == [
        ("pulling ghcr.io/penpal-ai/api:2.0.0", "stdout"), ("boom: manifest unknown", "stderr"),
        ("rolled back", "stderr")]


def test_logs_need_sensitive_access(api: SimSession, sim: CoolifySimulator, app: str) -> None:
    sim.add_token("2|reader", {"read"})
    deployment = api.post(f"/deploy?uuid={app}").json()["deployments"][0]["deployment_uuid"]
    sim.finish_deployments()
    assert "logs" not in SimSession(sim, "2|reader").get(f"/deployments/{deployment}").json()
    assert api.get(f"/deployments/{deployment}").json()["logs"]


def test_duplicate_deploy_is_skipped_with_an_unstored_uuid(api: SimSession, app: str) -> None:
    first = api.post(f"/deploy?uuid={app}").json()["deployments"][0]
    second = api.post("/deploy", json={"uuid": app}).json()["deployments"][0]
    assert second["message"] == "Deployment already queued for this commit."
    assert api.get(f"/deployments/{second['deployment_uuid']}").status_code == 404
    assert api.get(f"/deployments/{first['deployment_uuid']}").status_code == 200
    forced = api.post(f"/deploy?uuid={app}&force=true").json()["deployments"][0]
    assert forced["message"] == "Application api deployment queued."
    assert api.post(f"/applications/{app}/start").json() == {"message": "Deployment already queued for this commit."}


def test_deploy_errors(api: SimSession, app: str) -> None:
    assert api.post("/deploy").json() == {"message": "You must provide uuid or tag."}
    assert api.post("/deploy?uuid=nope,other").json() == {"message": "No resources found."}
    assert api.post(f"/deploy?uuid={app}&tag=x").json() == {"message": "You can only use uuid or tag, not both."}
    assert api.post("/deploy?tag=nothing").json() == {"message": "No resources found with this tag."}


def test_deploy_by_tag(api: SimSession, sim: CoolifySimulator) -> None:
    seed = sim.seed()
    tagged = api.post("/applications/dockerimage", json={
        "project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
        "docker_registry_image_name": "nginx", "name": "web", "tags": ["Staging"]}).json()["uuid"]
    response = api.post("/deploy?tag=staging").json()
    assert response["message"] == ["Application web deployment queued."]
    assert response["details"][0]["resource_uuid"] == tagged


def test_queue_full_is_429_with_retry_after_60(api: SimSession, sim: CoolifySimulator, app: str) -> None:
    seed_server = sim.state.servers[0]["uuid"]
    api.patch(f"/servers/{seed_server}", json={"deployment_queue_limit": 1})
    api.post(f"/deploy?uuid={app}")
    full = api.post(f"/deploy?uuid={app}&force=true")
    assert (full.status_code, full.headers["Retry-After"]) == (429, "60")
    assert full.json() == {"message": "Deployment queue is full. Please wait for existing deployments to complete."}


def test_list_endpoints_and_cancel(api: SimSession, sim: CoolifySimulator, app: str) -> None:
    deployment = api.post(f"/deploy?uuid={app}").json()["deployments"][0]["deployment_uuid"]
    assert [d["deployment_uuid"] for d in api.get("/deployments").json()] == [deployment]
    page = api.get(f"/deployments/applications/{app}?skip=0&take=5").json()
    assert page["count"] == 1 and page["deployments"][0]["deployment_uuid"] == deployment
    cancelled = api.post(f"/deployments/{deployment}/cancel").json()
    assert cancelled == {"message": "Deployment cancelled successfully.", "deployment_uuid": deployment,
                         "status": "cancelled-by-user"}
    assert api.post(f"/deployments/{deployment}/cancel").status_code == 400
    assert api.get("/deployments").json() == []


def test_restart_is_a_restart_only_deployment(api: SimSession, app: str) -> None:
    response = api.post(f"/applications/{app}/restart").json()
    assert response["message"] == "Restart request queued."
    assert api.get(f"/deployments/{response['deployment_uuid']}").json()["restart_only"] is True
    assert api.post(f"/applications/{app}/stop").json() == {"message": "Application stopping request queued."}


def test_instant_deploy_on_create_queues_a_deployment(api: SimSession, sim: CoolifySimulator) -> None:
    seed = sim.seed()
    api.post("/applications/dockerimage", json={
        "project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
        "docker_registry_image_name": "nginx", "instant_deploy": True})
    assert len(sim.state.deployments) == 1


@pytest.mark.parametrize("path", ["/deploy?uuid=x", "/applications/x/start", "/servers/x/validate", "/enable",
                                  "/databases/x/restart"])
def test_get_on_post_only_actions_is_405(api: SimSession, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json() == {"message": "This endpoint has changed to a POST request."}


def test_get_on_actions_needs_auth_first(sim: CoolifySimulator) -> None:
    assert SimSession(sim, "").get("/deploy?uuid=x").status_code == 401


def test_before_4_2_get_still_deploys(sim: CoolifySimulator, api: SimSession, app: str) -> None:
    sim.version = "4.1.0"
    response = api.get(f"/deploy?uuid={app}")
    assert response.status_code == 200 and response.json()["deployments"][0]["resource_uuid"] == app


def test_version_drift_rejects_newer_fields_and_requires_ports_before_4_1_2(api: SimSession,
                                                                          sim: CoolifySimulator) -> None:
    sim.version = "4.1.0"
    seed = sim.seed()
    body = {"project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
            "docker_registry_image_name": "nginx"}
    assert api.get("/version").text == "4.1.0"
    too_new = api.post("/applications/dockerimage", json={**body, "noindex_domains": [], "ports_exposes": "80"})
    assert too_new.json()["errors"] == {"noindex_domains": ["This field is not allowed."]}
    no_ports = api.post("/applications/dockerimage", json=body)
    assert no_ports.json()["errors"] == {"ports_exposes": ["This field is required."]}
    assert api.post("/applications/dockerimage", json={**body, "ports_exposes": "80"}).status_code == 201


def test_beta_versions_gate_env_flags(api: SimSession, sim: CoolifySimulator, app: str) -> None:
    sim.version = "4.0.0-beta.428"
    rejected = api.post(f"/applications/{app}/envs", json={"key": "A", "is_buildtime": True})
    assert rejected.json()["errors"] == {"is_buildtime": ["This field is not allowed."]}
    sim.version = "4.0.0-beta.420"
    assert api.post(f"/applications/{app}/envs", json={"key": "B", "is_build_time": True}).status_code == 201
