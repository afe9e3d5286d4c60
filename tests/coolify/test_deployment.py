"""Deployment provider: deploy, wait for the outcome, report failures with the log tail."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
import urllib3.util.retry

from components.coolify.client import DeploymentFailedError, WaitTimeoutError
from components.coolify.resources.application import ApplicationProvider
from components.coolify.resources.deployment import DeploymentProvider
from tests.coolify.test_application import app_inputs

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]


@pytest.fixture
def app_uuid(make_provider: MakeProvider, seed: Any) -> str:
    return str(make_provider(ApplicationProvider).create(app_inputs(seed)).id)


def deploy_inputs(app_uuid: str, **overrides: Any) -> dict[str, Any]:
    values = {"application_uuid": app_uuid, "triggers": {"image": "ghcr.io/penpal-ai/penpal-api:develop-latest"},
              "force": False, "timeout_s": 5, "poll_interval_s": 0.01}
    values.update(overrides)
    return values


def test_deploy_waits_until_finished(make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator) -> None:
    provider = make_provider(DeploymentProvider)
    created = provider.create(deploy_inputs(app_uuid))
    assert created.outs["status"] == "finished"
    assert created.id == created.outs["deployment_uuid"] == created.outs["uuid"]
    assert sim.count("POST", "/deploy") == 1
    assert sim.count("GET", "/deployments/{uuid}") >= 2  # queued / in progress, then finished
    deploy = next(r for r in sim.requests if r.method == "POST" and r.path.endswith("/deploy"))
    assert deploy.query == {"uuid": app_uuid, "force": "false"}


def test_failed_deploy_raises_with_last_50_log_lines(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator
) -> None:
    sim.set_deploy_outcome(app_uuid, "failed", log_lines=[f"log line {n}" for n in range(1, 81)])
    with pytest.raises(DeploymentFailedError) as caught:
        make_provider(DeploymentProvider).create(deploy_inputs(app_uuid))
    error = caught.value
    assert error.status == "failed"
    assert len(error.log_tail) == 50
    assert error.log_tail[0] == "log line 31" and error.log_tail[-1] == "log line 80"
    assert "log line 80" in str(error) and "log line 30\n" not in str(error)


def test_deploy_timeout(make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator) -> None:
    sim.set_deploy_timing(queued_polls=1, in_progress_polls=10**6)
    with pytest.raises(WaitTimeoutError, match=r"Timed out after 0\.2s waiting for deployment"):
        make_provider(DeploymentProvider).create(deploy_inputs(app_uuid, timeout_s=0.2))


def test_trigger_change_replaces_and_settings_change_updates(make_provider: MakeProvider, app_uuid: str) -> None:
    provider = make_provider(DeploymentProvider)
    inputs = deploy_inputs(app_uuid)
    created = provider.create(inputs)
    assert provider.diff(created.id, created.outs, inputs).changes is False
    retagged = deploy_inputs(app_uuid, triggers={"image": "ghcr.io/penpal-ai/penpal-api:sha-1a2b3c4"})
    assert provider.diff(created.id, created.outs, retagged).replaces == ["triggers"]
    slower = deploy_inputs(app_uuid, timeout_s=60)
    diff = provider.diff(created.id, created.outs, slower)
    assert diff.changes is True and diff.replaces == []
    assert provider.update(created.id, created.outs, slower).outs["timeout_s"] == 60


def test_delete_is_a_no_op_and_refresh_keeps_pruned_history(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator
) -> None:
    provider = make_provider(DeploymentProvider)
    created = provider.create(deploy_inputs(app_uuid))
    assert provider.read(created.id, created.outs).outs["status"] == "finished"
    sim.reset_counts()
    provider.delete(created.id, created.outs)
    assert sim.requests == []
    sim.delete_oob("deployments", created.id)
    kept = provider.read(created.id, created.outs)
    assert kept.id == created.id and kept.outs == created.outs


def test_full_deploy_queue_429_is_retried_after_retry_after(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", lambda seconds: slept.append(seconds))
    sim.inject("POST", "/deploy", 429, headers={"Retry-After": "60"},
               body={"message": "Deployment queue is full. Please wait for existing deployments to complete."})
    created = make_provider(DeploymentProvider).create(deploy_inputs(app_uuid))
    assert created.outs["status"] == "finished"
    assert sim.count("POST", "/deploy") == 2
    # Coolify's 60 s is capped by the client's retry_after_max_s (5 s in tests).
    assert 5.0 in slept
    assert len([d for d in sim.state.deployments if d.get("_application_uuid") == app_uuid]) == 1
