"""Network profile of the simulators: a round trip per request, Coolify's rate limit, deployments by the clock."""

from __future__ import annotations

import time

import pytest
import requests

from tests.simulators.coolify import CoolifySimulator
from tests.simulators.coolify.testing import SimSession
from tests.simulators.github import GithubSimulator
from tests.simulators.network import NetworkProfile


def test_coolify_rate_limit_is_on_by_default_at_200_per_minute() -> None:
    with CoolifySimulator() as sim:
        response = SimSession(sim).get("/projects")
        assert (response.headers["X-RateLimit-Limit"], response.headers["X-RateLimit-Remaining"]) == ("200", "199")


def test_rate_limit_is_a_fixed_window_with_laravel_headers() -> None:
    with CoolifySimulator() as sim:
        sim.set_network(NetworkProfile(coolify_rate_limit_per_minute=3))
        session = SimSession(sim)
        remaining = [session.get("/projects").headers["X-RateLimit-Remaining"] for _ in range(3)]
        assert remaining == ["2", "1", "0"]
        limited = session.get("/projects")
        assert limited.status_code == 429
        assert limited.json() == {"message": "Too Many Attempts."}
        retry_after = int(limited.headers["Retry-After"])
        assert 59 <= retry_after <= 60
        assert int(limited.headers["X-RateLimit-Reset"]) - int(time.time()) in (retry_after - 1, retry_after)
        assert (limited.headers["X-RateLimit-Limit"], limited.headers["X-RateLimit-Remaining"]) == ("3", "0")
        assert sim.throttled == 1
        # Refused requests do not extend the window (RateLimiter::hit is not reached).
        assert session.get("/projects").status_code == 429 and sim.throttled == 2
        sim.reset_counts()
        assert sim.throttled == 0


def test_each_token_has_its_own_window() -> None:
    with CoolifySimulator() as sim:
        sim.set_network(NetworkProfile(coolify_rate_limit_per_minute=1))
        sim.add_token("2|second-user-token", {"root"})
        assert SimSession(sim).get("/projects").status_code == 200
        assert SimSession(sim).get("/projects").status_code == 429
        assert SimSession(sim, "2|second-user-token").get("/projects").status_code == 200


def test_latency_is_spent_on_every_request_of_every_simulator() -> None:
    profile = NetworkProfile(latency_s=0.2, coolify_rate_limit_per_minute=None)
    with CoolifySimulator() as coolify, GithubSimulator(owner="penpal-ai", repos=["api"]) as github:
        coolify.set_network(profile)
        github.network = profile
        started = time.monotonic()
        assert SimSession(coolify).get("/version").status_code == 200
        assert requests.get(f"{github.base_url}/api/v3/orgs/penpal-ai", timeout=5,
                            headers={"Authorization": f"Bearer {github.token}"}).status_code == 200
        assert time.monotonic() - started >= 0.4
        assert "X-RateLimit-Limit" not in SimSession(coolify).get("/version").headers


def test_profile_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="latency_s"):
        NetworkProfile(latency_s=-1)
    with pytest.raises(ValueError, match="at least 1"):
        NetworkProfile(coolify_rate_limit_per_minute=0)


def test_deployments_by_the_clock_run_concurrent_builds_at_a_time_unread() -> None:
    build_s = 1.0
    with CoolifySimulator() as sim:
        seed = sim.seed()
        sim.set_deploy_timing(in_progress_s=build_s, by_time=True)
        api = SimSession(sim)
        apps = [api.post("/applications/dockerimage", json={
            "project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
            "docker_registry_image_name": f"ghcr.io/penpal-ai/svc{n}:1.0.0", "name": f"svc{n}",
            "autogenerate_domain": False}).json()["uuid"] for n in range(5)]
        started = time.monotonic()
        for app in apps:
            assert api.post(f"/deploy?uuid={app}").status_code == 200
        # Coolify's default concurrent_builds is 2: two build, the others wait, whoever reads what.
        running = api.get("/deployments").json()
        assert sorted(d["status"] for d in running)[:2] == ["in_progress", "in_progress"]
        assert sum(d["status"] == "in_progress" for d in running) == 2
        # Nobody reads a deployment: the queue moves on by itself, never more than two at a time.
        while running:
            time.sleep(0.1)
            running = api.get("/deployments").json()
            assert sum(d["status"] == "in_progress" for d in running) <= 2
        assert time.monotonic() - started >= 3 * build_s  # 5 builds, 2 at a time
        assert {d["status"] for d in sim.state.deployments} == {"finished"}
