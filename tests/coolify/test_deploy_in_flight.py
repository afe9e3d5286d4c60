"""Deploying while another deployment of the same application is in flight (e.g. the CI webhook's)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest

from components.coolify.client import CoolifyClient
from components.coolify.client.deploy_flow import Queued, queue_current_config, wait_for_deployment
from components.coolify.client.deployments import SKIPPED_MESSAGE
from components.coolify.resources.application import ApplicationProvider
from components.coolify.resources.deployment import DeploymentProvider
from components.coolify.resources.deployment_wait import DeploymentWaitProvider
from tests.coolify.test_application import app_inputs
from tests.simulators.coolify.testing import SimSession

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]
CI_TOKEN = "7|ciDeployOnlyToken0123456789abcdefghijklmno"


@pytest.fixture
def app_uuid(make_provider: MakeProvider, seed: Any) -> str:
    return str(make_provider(ApplicationProvider).create(app_inputs(seed)).id)


@pytest.fixture
def ci(sim: CoolifySimulator) -> SimSession:
    """The service repo's CI: a deploy-only token posting the deploy webhook."""
    sim.add_token(CI_TOKEN, {"deploy"})
    return SimSession(sim, CI_TOKEN)


def ci_deploys(ci: SimSession, app_uuid: str) -> str:
    answer = ci.post("/deploy", params={"uuid": app_uuid, "force": "false"})
    assert answer.status_code == 200
    [entry] = answer.json()["deployments"]
    assert entry["message"].endswith("deployment queued.")
    return str(entry["deployment_uuid"])


def deploy_and_wait(client: CoolifyClient, app_uuid: str, *, timeout_s: float) -> tuple[dict[str, Any], Queued]:
    """Queue as a Deployment does (waiting out one in flight), then wait for ours as DeploymentWait would."""
    queued = queue_current_config(client.deployments, app_uuid, force=False, timeout_s=timeout_s, interval_s=0.01)
    assert client.deployments.followed(queued.deployment_uuid)
    final = wait_for_deployment(client.deployments, queued.deployment_uuid, deadline=time.monotonic() + timeout_s,
                                interval_s=0.01, describe="ours", timeout_s=timeout_s)
    return final, queued


def deployments_of(sim: CoolifySimulator, app_uuid: str) -> list[dict[str, Any]]:
    return sorted((d for d in sim.state.deployments if d["_application_uuid"] == app_uuid), key=lambda d: d["id"])


def test_a_skipped_deploy_answers_a_uuid_that_does_not_exist(
    client: CoolifyClient, app_uuid: str, ci: SimSession, sim: CoolifySimulator
) -> None:
    ci_deploys(ci, app_uuid)
    answer = client.deployments.queue(app_uuid, force=False)
    assert answer.skipped and answer.message == SKIPPED_MESSAGE
    assert answer.deployment_uuid  # minted by the controller before the queue skipped it ...
    assert SimSession(sim).get(f"/deployments/{answer.deployment_uuid}").status_code == 404  # ... and never stored
    assert len(deployments_of(sim, app_uuid)) == 1


def test_deploy_waits_for_the_one_in_flight_then_deploys_what_was_written(
    client: CoolifyClient, app_uuid: str, ci: SimSession, sim: CoolifySimulator
) -> None:
    sim.set_deploy_timing(queued_polls=2, in_progress_polls=3)
    client.application_envs.upsert_many(app_uuid, [{"key": "LOG_LEVEL", "value": "info"}])
    ci_uuid = ci_deploys(ci, app_uuid)
    sim.run_deployment(ci_uuid, until="in_progress")  # it started (and read its env) before the write below
    client.application_envs.upsert_many(app_uuid, [{"key": "LOG_LEVEL", "value": "debug"}])

    final, queued = deploy_and_wait(client, app_uuid, timeout_s=10)

    assert final["status"] == "finished" and queued.waited_for == (ci_uuid,)
    assert not client.deployments.followed(ci_uuid)  # its outcome is not this run's
    ci_row, ours = deployments_of(sim, app_uuid)
    assert ci_row["deployment_uuid"] == ci_uuid and ci_row["status"] == "finished"
    assert ours["deployment_uuid"] == queued.deployment_uuid != ci_uuid
    assert ci_row["_env_at_start"] == {"LOG_LEVEL": "info"}
    assert ours["_env_at_start"] == {"LOG_LEVEL": "debug"}
    # Ours was queued only after the one in flight had ended.
    assert ours["created_at"] >= ci_row["finished_at"]


def test_a_failed_deployment_in_flight_does_not_fail_ours(
    client: CoolifyClient, app_uuid: str, ci: SimSession, sim: CoolifySimulator
) -> None:
    sim.set_deploy_timing(queued_polls=1, in_progress_polls=10**6)  # the CI deployment runs until we end it
    ci_uuid = ci_deploys(ci, app_uuid)
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(deploy_and_wait, client, app_uuid, timeout_s=20)
        deadline = time.monotonic() + 10
        while sim.count("GET", "/deployments/{uuid}") < 3 and time.monotonic() < deadline:
            time.sleep(0.01)  # until our call is waiting on the CI deployment
        sim.set_deploy_timing(queued_polls=1, in_progress_polls=1)
        sim.run_deployment(ci_uuid, until="failed")
        final, queued = running.result(timeout=20)
    assert queued.waited_for == (ci_uuid,)
    assert [d["status"] for d in deployments_of(sim, app_uuid)] == ["failed", "finished"]
    assert final["status"] == "finished"


def test_the_one_in_flight_is_found_beyond_the_first_page(
    client: CoolifyClient, app_uuid: str, ci: SimSession, sim: CoolifySimulator
) -> None:
    ci_uuid = ci_deploys(ci, app_uuid)
    for _ in range(12):  # forced deployments are never skipped; newest first, they push the CI one to page 2
        forced = client.deployments.queue(app_uuid, force=True)
        assert forced.deployment_uuid and not forced.skipped
        sim.run_deployment(forced.deployment_uuid, until="finished")
    found = client.deployments.in_flight(app_uuid)
    assert found is not None and found["deployment_uuid"] == ci_uuid
    assert sim.count("GET", "/deployments/applications/{uuid}") == 2


def test_deployment_resource_queues_its_own_deployment_after_the_one_in_flight(
    make_provider: MakeProvider, app_uuid: str, ci: SimSession, sim: CoolifySimulator
) -> None:
    ci_uuid = ci_deploys(ci, app_uuid)
    created = make_provider(DeploymentProvider).create({"application_uuid": app_uuid, "triggers": {"image": "x"},
                                                        "force": False})
    assert created.id != ci_uuid
    ci_row, ours = deployments_of(sim, app_uuid)
    assert ci_row["status"] == "finished"  # waited for before ours was queued
    assert created.id == ours["deployment_uuid"] and created.outs["status"] == "queued"
    settled = make_provider(DeploymentWaitProvider).create(
        {"deployments": {"api": {"application_uuid": app_uuid, "deployment_uuid": created.id}},
         "timeout_s": 10, "poll_interval_s": 0.01})
    assert settled.outs["deployments"]["api"]["deployed_uuid"] == created.id
