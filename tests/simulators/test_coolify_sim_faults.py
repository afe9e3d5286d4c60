"""Fault injection, per-route counters, the request log and the standalone runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.simulators.coolify import CoolifySimulator
from tests.simulators.coolify.testing import SimSession

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_fault_answers_n_times_then_the_real_handler(sim: CoolifySimulator, api: SimSession) -> None:
    sim.inject("GET", "/projects", 503, times=2)
    assert [api.get("/projects").status_code for _ in range(3)] == [503, 503, 200]
    assert sim.count("GET", "/projects") == 3
    assert sim.count("GET", "/api/v1/projects") == 3


def test_429_fault_carries_retry_after(sim: CoolifySimulator, api: SimSession) -> None:
    sim.inject("POST", "/deploy", 429, headers={"Retry-After": "7"})
    response = api.post("/deploy?uuid=x")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")
    assert response.json() == {"message": "Too Many Attempts."}


def test_fault_matches_the_route_template_not_the_concrete_path(sim: CoolifySimulator, api: SimSession) -> None:
    sim.inject("GET", "/applications/{uuid}", 500, body={"message": "boom"}, times=None)
    assert api.get("/applications/abc").json() == {"message": "boom"}
    assert api.get("/applications/def").status_code == 500
    assert api.get("/applications").status_code == 200
    sim.clear_faults()
    assert api.get("/applications/abc").status_code == 404


def test_after_write_applies_the_write_then_fails(sim: CoolifySimulator, api: SimSession) -> None:
    sim.inject("POST", "/projects", 500, after_write=True)
    assert api.post("/projects", json={"name": "penpal"}).status_code == 500
    assert [p["name"] for p in sim.state.projects] == ["penpal"]
    assert api.post("/projects", json={"name": "second"}).status_code == 201


def test_after_write_waits_for_a_successful_write(sim: CoolifySimulator, api: SimSession) -> None:
    sim.inject("POST", "/projects", 500, after_write=True)
    assert api.post("/projects", json={"name": "x"}).status_code == 422  # nothing written, fault stays armed
    assert api.post("/projects", json={"name": "penpal"}).status_code == 500


def test_delay_only_fault_makes_a_client_time_out(sim: CoolifySimulator, api: SimSession) -> None:
    sim.inject("GET", "/version", delay_s=0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.get("/version", timeout=0.1)
    assert api.get("/version").text == "4.3.11"


def test_request_log_records_route_status_and_authorization(sim: CoolifySimulator, api: SimSession) -> None:
    api.post("/projects", json={"name": "penpal"})
    api.get("/nowhere")
    logged = sim.requests
    assert [(r.method, r.route, r.status) for r in logged] == [
        ("POST", "/api/v1/projects", 201), ("GET", None, 404)]
    assert logged[0].body == {"name": "penpal"} and logged[0].authorization == f"Bearer {sim.token}"
    sim.reset_counts()
    assert sim.requests == [] and sim.count("POST", "/projects") == 0


def test_simulators_are_independent(api: SimSession) -> None:
    with CoolifySimulator() as other:
        assert other.url != api.base.removesuffix("/api/v1")
        assert SimSession(other).get("/projects").json() == []


def test_runs_on_its_own_and_writes_its_info(tmp_path: Path) -> None:
    info = tmp_path / "sim.json"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.simulators.coolify", "--port", "0", "--token", "1|demo", "--seed",
         "--write-info", str(info)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        written = json.loads(info.read_text())
        assert (written["url"], written["token"]) == (url, "1|demo")
        response = requests.get(url + "/api/v1/projects", headers={"Authorization": "Bearer 1|demo"}, timeout=5)
        assert [p["name"] for p in response.json()] == ["penpal"]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_stop_is_idempotent_and_url_survives(sim: CoolifySimulator) -> None:
    url = sim.url
    sim.stop()
    sim.stop()
    assert sim.url == url
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/api/health", timeout=1)
    sim.start()
    assert requests.get(sim.url + "/api/health", timeout=5).text == "OK"
