"""Simulator: server validation as Coolify runs it (ValidateServer, ValidateAndInstallServerJob)."""

from __future__ import annotations

from tests.simulators.coolify import CoolifySimulator
from tests.simulators.coolify.state import sample_private_key
from tests.simulators.coolify.testing import SimSession


def new_server(api: SimSession, ip: str) -> str:
    key = api.post("/security/keys", json={"private_key": sample_private_key(ip)}).json()["uuid"]
    return str(api.post("/servers", json={"ip": ip, "private_key_uuid": key}).json()["uuid"])


def test_plain_validation_leaves_a_bare_server_unusable(api: SimSession) -> None:
    uuid = new_server(api, "10.1.1.1")
    assert api.post(f"/servers/{uuid}/validate").json() == {"message": "Validation started."}
    server = api.get(f"/servers/{uuid}").json()
    assert (server["settings"]["is_reachable"], server["settings"]["is_usable"]) == (True, False)
    assert server["validation_logs"].startswith("Docker Engine is not installed. Please install Docker manually")


def test_validation_with_install_installs_docker_over_a_few_reads(api: SimSession) -> None:
    uuid = new_server(api, "10.1.1.2")
    answer = api.post(f"/servers/{uuid}/validate", json={"install": True})
    assert (answer.status_code, answer.json()) == (201, {"message": "Validation and installation started."})
    first = api.get(f"/servers/{uuid}").json()
    assert first["is_validating"] is True and first["settings"]["is_usable"] is False
    second = api.get(f"/servers/{uuid}").json()
    assert second["is_validating"] is False and second["settings"]["is_usable"] is True


def test_install_must_be_a_boolean(api: SimSession) -> None:
    uuid = new_server(api, "10.1.1.3")
    answer = api.post(f"/servers/{uuid}/validate", json={"install": "maybe"})
    assert answer.status_code == 422 and answer.json()["message"] == "Validation failed."


def test_before_4_2_validate_is_get_only_without_install(sim: CoolifySimulator, api: SimSession) -> None:
    uuid = new_server(api, "10.1.1.4")
    sim.version = "4.1.2"
    assert api.post(f"/servers/{uuid}/validate", json={"install": True}).json() == {
        "message": "Not found.", "docs": "https://coolify.io/docs"}
    assert api.get(f"/servers/{uuid}/validate").json() == {"message": "Validation started."}
    assert api.get(f"/servers/{uuid}").json()["settings"]["is_usable"] is False
