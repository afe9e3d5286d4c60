"""The simulator's traffic against the committed Coolify contract (contracts/coolify-4.3.11.json)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.simulators.coolify import (
    SPEC_DISAGREEMENTS,
    ContractError,
    CoolifySimulator,
    sample_private_key,
    validate_request,
    validate_response,
)
from tests.simulators.coolify.contract import load_contract
from tests.simulators.coolify.testing import SimSession


class CheckedSession(SimSession):
    """Validates every request body and response against the contract; collects the failures."""

    def __init__(self, sim: CoolifySimulator) -> None:
        super().__init__(sim)
        self.failures: list[str] = []
        self.checked = 0
        self.hooks["response"].append(self._check)

    def _check(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        method, path = str(response.request.method), response.request.path_url.split("?")[0]
        raw = response.request.body
        try:
            if raw and response.status_code < 400:
                validate_request(method, path, json.loads(raw))
            is_json = response.headers.get("Content-Type", "").startswith("application/json")
            validate_response(method, path, response.status_code, response.json() if is_json else response.text)
            self.checked += 1
        except ContractError as error:
            self.failures.append(str(error))


def exercise_every_route(api: CheckedSession) -> None:
    api.get("/version")
    api.get("/team")
    project = api.post("/projects", json={"name": "penpal", "description": "demo"}).json()["uuid"]
    api.get("/projects")
    api.get(f"/projects/{project}")
    api.patch(f"/projects/{project}", json={"name": "penpal-ai"})
    api.post(f"/projects/{project}/environments", json={"name": "staging"})
    api.get(f"/projects/{project}/environments")
    api.patch(f"/projects/{project}/environments/staging", json={"description": "pre"})
    api.delete(f"/projects/{project}/environments/staging")
    key = api.post("/security/keys", json={"private_key": sample_private_key("contract")}).json()["uuid"]
    api.get("/security/keys")
    api.get(f"/security/keys/{key}")
    api.patch(f"/security/keys/{key}", json={"private_key": sample_private_key("contract"), "name": "deploy"})
    server = api.post("/servers", json={"ip": "10.2.2.2", "private_key_uuid": key, "name": "box"}).json()["uuid"]
    api.post(f"/servers/{server}/validate", json={"install": False})
    api.get("/servers")
    api.get(f"/servers/{server}")
    api.patch(f"/servers/{server}", json={"name": "box-1", "connection_timeout": 20})
    app = api.post("/applications/dockerimage", json={
        "project_uuid": project, "server_uuid": server, "environment_name": "production",
        "docker_registry_image_name": "ghcr.io/penpal-ai/api", "docker_registry_image_tag": "1.0.0",
        "ports_exposes": "3000", "domains": "https://api.example.com", "autogenerate_domain": False,
        "health_check_enabled": True, "health_check_path": "/health"}).json()["uuid"]
    api.get("/applications")
    api.get(f"/applications/{app}")
    api.get(f"/projects/{project}/production")
    api.patch(f"/applications/{app}", json={"docker_registry_image_tag": "1.0.1", "ports_exposes": "3001"})
    api.post(f"/applications/{app}/envs", json={"key": "PORT", "value": "3001", "is_buildtime": False,
                                                "comment": "port"})
    api.patch(f"/applications/{app}/envs", json={"key": "PORT", "value": "3002", "is_runtime": True})
    api.patch(f"/applications/{app}/envs/bulk", json={"data": [{"key": "A", "value": "1", "is_preview": False}]})
    envs = api.get(f"/applications/{app}/envs").json()
    deployment = api.post(f"/deploy?uuid={app}&force=false").json()["deployments"][0]["deployment_uuid"]
    for _ in range(4):
        api.get(f"/deployments/{deployment}")
    api.get("/deployments")
    api.get(f"/deployments/applications/{app}")
    restart = api.post(f"/applications/{app}/restart").json()["deployment_uuid"]
    api.post(f"/deployments/{restart}/cancel")
    api.post(f"/applications/{app}/start")
    api.post(f"/applications/{app}/stop")
    db = api.post("/databases/mongodb", json={
        "project_uuid": project, "server_uuid": server, "environment_name": "production",
        "is_public": True, "public_port": 27017, "limits_memory": "1g"}).json()["uuid"]
    api.get("/databases")
    api.get(f"/databases/{db}")
    api.patch(f"/databases/{db}", json={"image": "mongo:8", "is_public": False})
    storage = api.post("/s3-storages", json={
        "name": "backups", "endpoint": "https://fsn1.your-objectstorage.com", "bucket": "penpal-backups",
        "region": "fsn1", "key": "AKIAEXAMPLE", "secret": "s3cr3t"}).json()["uuid"]
    api.get("/s3-storages")
    api.get(f"/s3-storages/{storage}")
    api.patch(f"/s3-storages/{storage}", json={"region": "fsn1"})
    api.post(f"/s3-storages/{storage}/validate")
    backup = api.post(f"/databases/{db}/backups", json={"frequency": "daily", "backup_now": True, "save_s3": True,
                                                         "s3_storage_uuid": storage}).json()["uuid"]
    api.get(f"/databases/{db}/backups")
    api.patch(f"/databases/{db}/backups/{backup}", json={"enabled": False, "frequency": "0 4 * * *"})
    api.get(f"/databases/{db}/backups/{backup}/executions")
    api.delete(f"/databases/{db}/backups/{backup}")
    api.delete(f"/s3-storages/{storage}")
    api.post(f"/databases/{db}/start")
    api.post(f"/databases/{db}/restart")
    api.post(f"/databases/{db}/stop")
    # error answers are part of the contract too
    api.patch(f"/applications/{app}", json={"project_uuid": project})
    api.post("/databases/mongodb", json={"project_uuid": project, "bogus": 1})
    api.get("/applications/missing")
    api.get("/deploy")
    api.get("/no/such/route")
    api.delete(f"/applications/{app}/envs/{envs[0]['uuid']}")
    api.delete(f"/applications/{app}")
    api.delete(f"/databases/{db}")
    api.delete(f"/servers/{server}?force=true")


def test_every_simulated_route_matches_the_corrected_spec(sim: CoolifySimulator) -> None:
    api = CheckedSession(sim)
    exercise_every_route(api)
    assert api.failures == []
    assert api.checked >= 60


def test_response_check_catches_a_wrong_body() -> None:
    with pytest.raises(ContractError, match="uuid"):
        validate_response("POST", "/api/v1/projects", 201, {"uuid": 5})
    with pytest.raises(ContractError, match="does not document status"):
        validate_response("POST", "/api/v1/projects", 202, {"uuid": "x"})
    with pytest.raises(ContractError):
        validate_response("GET", "/api/v1/applications/abc", 200, {"fqdn": 7})


def test_request_check_applies_the_disagreements() -> None:
    body = {"project_uuid": "p", "server_uuid": "s", "docker_registry_image_name": "nginx"}
    validate_request("POST", "/api/v1/applications/dockerimage", {**body, "environment_name": "production"})
    validate_request("POST", "/applications/dockerimage", {**body, "environment_uuid": "e"})
    with pytest.raises(ContractError):
        validate_request("POST", "/applications/dockerimage", body)  # neither environment field
    with pytest.raises(ContractError):
        validate_request("PATCH", "/applications/abc", {"project_uuid": "p"})  # listed by the spec, rejected
    validate_request("PATCH", "/applications/abc/envs", {"key": "A", "value": "1", "is_buildtime": False})
    validate_request("PATCH", "/security/keys/abc", {"private_key": "k"})
    with pytest.raises(ContractError):
        validate_request("POST", "/security/keys", {"private_key": "k", "unknown": 1})
    with pytest.raises(ContractError):
        validate_request("POST", "/projects", {"name": 3})
    validate_request("POST", "/servers/abc/validate", None)
    validate_request("POST", "/servers", {"ip": "1.2.3.4", "private_key_uuid": "k", "proxy_type": "NGINX"})


def test_disagreements_are_listed_with_reasons() -> None:
    assert len(SPEC_DISAGREEMENTS) >= 10
    assert all(d.where and d.reason for d in SPEC_DISAGREEMENTS)


def test_the_contract_follows_the_code_where_the_spec_does_not() -> None:
    contract = load_contract()
    schemas = contract["components"]["schemas"]
    assert "dockerimage" in schemas["Application"]["properties"]["build_pack"]["enum"]
    assert schemas["Server"]["properties"]["validation_logs"]["type"] == ["string", "null"]
    mongo_created = contract["paths"]["/databases/mongodb"]["post"]["responses"]["201"]
    assert mongo_created["required"] == ["uuid", "internal_db_url"]
    assert "patch" in contract["paths"]["/security/keys/{uuid}"]
    assert contract["coolify"] == "4.3.11"


def test_an_unknown_version_has_no_contract() -> None:
    with pytest.raises(FileNotFoundError, match=r"4\.3\.11"):
        load_contract("3.0.0")
