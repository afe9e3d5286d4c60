"""Deployment (queues) and DeploymentWait (waits for all together, reports failures with the log tail)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
import urllib3.util.retry

from components.coolify.client import ClientSettings, CoolifyClient, DeploymentsFailedError, WaitTimeoutError
from components.coolify.resources.application import ApplicationProvider
from components.coolify.resources.deployment import DeploymentProvider
from components.coolify.resources.deployment_wait import DeploymentWaitProvider
from tests.coolify.conftest import fast_settings
from tests.coolify.test_application import app_inputs
from tests.simulators.coolify.testing import SimSession

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]


@pytest.fixture
def app_uuid(make_provider: MakeProvider, seed: Any) -> str:
    return str(make_provider(ApplicationProvider).create(app_inputs(seed)).id)


def make_apps(make_provider: MakeProvider, seed: Any, count: int) -> list[str]:
    provider = make_provider(ApplicationProvider)
    return [str(provider.create(app_inputs(seed, name=f"svc-{n}", domains=[f"https://svc-{n}.example.com"])).id)
            for n in range(count)]


def deploy_inputs(app_uuid: str, **overrides: Any) -> dict[str, Any]:
    values = {"application_uuid": app_uuid, "triggers": {"image": "ghcr.io/penpal-ai/penpal-api:develop-latest"},
              "force": False}
    values.update(overrides)
    return values


def wait_inputs(queued: dict[str, tuple[str, str]], **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "deployments": {name: {"application_uuid": app, "deployment_uuid": dep} for name, (app, dep) in queued.items()},
        "timeout_s": 5,
        "poll_interval_s": 0.01,
    }
    values.update(overrides)
    return values


def queue_all(make_provider: MakeProvider, apps: dict[str, str]) -> dict[str, tuple[str, str]]:
    provider = make_provider(DeploymentProvider)
    return {name: (app, str(provider.create(deploy_inputs(app)).id)) for name, app in apps.items()}


@contextmanager
def waiter_of_a_new_run(settings: ClientSettings) -> Iterator[DeploymentWaitProvider]:
    """The next `up` runs in a new provider process: a new client that has queued nothing yet."""
    from components.coolify import provider as provider_module

    provider_module._CLIENTS[settings] = CoolifyClient(settings)
    try:
        yield DeploymentWaitProvider.configured(settings)
    finally:
        provider_module._CLIENTS.pop(settings).close()


def test_create_only_queues(make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator) -> None:
    created = make_provider(DeploymentProvider).create(deploy_inputs(app_uuid))
    assert created.outs["status"] == "queued"
    assert created.id == created.outs["deployment_uuid"] == created.outs["uuid"]
    assert sim.count("POST", "/deploy") == 1
    assert sim.count("GET", "/deployments/{uuid}") == 0
    deploy = next(r for r in sim.requests if r.method == "POST" and r.path.endswith("/deploy"))
    assert deploy.query == {"uuid": app_uuid, "force": "false"}
    assert [d["status"] for d in sim.state.deployments] == ["queued"]


def test_wait_polls_one_listing_for_all_deployments(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator
) -> None:
    apps = make_apps(make_provider, seed, 5)
    # Five builds at once (Coolify's default is 2): every deployment moves on with each listing.
    SimSession(sim).patch(f"/servers/{seed.server_uuid}", json={"concurrent_builds": 5})
    queued = queue_all(make_provider, {f"svc-{n}": app for n, app in enumerate(apps)})
    sim.set_deploy_timing(queued_polls=1, in_progress_polls=3)
    sim.reset_counts()
    created = make_provider(DeploymentWaitProvider).create(wait_inputs(queued))
    outs = created.outs["deployments"]
    assert {name: (o["deployment_uuid"], o["deployed_uuid"], o["status"]) for name, o in outs.items()} == {
        name: (dep, dep, "finished") for name, (_app, dep) in queued.items()}
    assert {d["status"] for d in sim.state.deployments} == {"finished"}
    # Each poll is one listing whatever the number of deployments (1 queued + 3 in progress + the one that
    # no longer lists them); each deployment is read once at the end.
    assert sim.count("GET", "/deployments") == 5
    assert sim.count("GET", "/deployments/{uuid}") == 5


def test_failures_of_this_run_are_reported_per_service_with_the_log_tail(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator
) -> None:
    apps = make_apps(make_provider, seed, 3)
    sim.set_deploy_outcome(apps[1], "failed", log_lines=[f"log line {n}" for n in range(1, 81)])
    queued = queue_all(make_provider, {"api": apps[0], "chat": apps[1], "mail": apps[2]})
    with pytest.raises(DeploymentsFailedError) as caught:
        make_provider(DeploymentWaitProvider).create(wait_inputs(queued))
    error = caught.value
    # One first line: what failed (the provider names the resource and operation) and what happens next.
    assert str(error).startswith(
        "Coolify deployments of the stack (DeploymentWait): create failed: "
        "1 of 3 deployments failed: chat (failed). Fix what their logs below show (image, tag, registry login, "
        "env); the next `pulumi up` deploys them again.\n"
    )
    assert list(error.failures) == ["chat"]
    tail = error.failures["chat"].log_tail
    assert len(tail) == 50 and tail[0] == "log line 31" and tail[-1] == "log line 80"
    assert "log line 80" in str(error) and "log line 30\n" not in str(error)
    # The others were waited for to the end.
    assert sorted(d["status"] for d in sim.state.deployments) == ["failed", "finished", "finished"]


def test_a_failure_left_by_an_earlier_run_is_deployed_again(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator, sim_url: str
) -> None:
    apps = make_apps(make_provider, seed, 2)
    sim.set_deploy_outcome(apps[1], "failed")
    queued = queue_all(make_provider, {"api": apps[0], "chat": apps[1]})
    with pytest.raises(DeploymentsFailedError):
        make_provider(DeploymentWaitProvider).create(wait_inputs(queued))
    sim.set_deploy_outcome(apps[1], "finished")
    sim.reset_counts()
    with waiter_of_a_new_run(fast_settings(sim_url, token=sim.token)) as waiter:
        outs = waiter.create(wait_inputs(queued)).outs or {}
    chat = outs["deployments"]["chat"]
    assert chat["deployment_uuid"] == queued["chat"][1] and chat["deployed_uuid"] != queued["chat"][1]
    assert chat["status"] == "finished"
    assert outs["deployments"]["api"]["deployed_uuid"] == queued["api"][1]
    assert sim.count("POST", "/deploy") == 1  # only the failed one


def test_update_waits_only_for_new_deployments_and_diff_names_the_change(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator
) -> None:
    apps = make_apps(make_provider, seed, 2)
    queued = queue_all(make_provider, {"api": apps[0], "chat": apps[1]})
    waiter = make_provider(DeploymentWaitProvider)
    created = waiter.create(wait_inputs(queued))
    assert waiter.diff("deployments", created.outs, wait_inputs(queued)).changes is False
    again = {**queued, "chat": queue_all(make_provider, {"chat": apps[1]})["chat"]}
    assert waiter.diff("deployments", created.outs, wait_inputs(again)).changes is True
    sim.reset_counts()
    updated = waiter.update("deployments", created.outs, wait_inputs(again))
    assert updated.outs["deployments"]["chat"]["deployed_uuid"] == again["chat"][1]
    assert updated.outs["deployments"]["api"] == created.outs["deployments"]["api"]
    polled = {r.path.rsplit("/", 1)[-1] for r in sim.requests if r.route == "/api/v1/deployments/{uuid}"}
    assert polled == {again["chat"][1]}


def test_wait_times_out_when_nothing_finishes(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator
) -> None:
    queued = queue_all(make_provider, {"api": app_uuid})
    sim.set_deploy_timing(queued_polls=1, in_progress_polls=10**6)
    with pytest.raises(WaitTimeoutError, match=r"Timed out after 0\.2s without any deployment finishing; "
                                                r"still running: api\. .*waits for them again"):
        make_provider(DeploymentWaitProvider).create(wait_inputs(queued, timeout_s=0.2))


def test_pruned_history_of_an_earlier_run_counts_as_finished(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator, settings: ClientSettings
) -> None:
    queued = queue_all(make_provider, {"api": app_uuid})
    sim.finish_deployments()
    sim.delete_oob("deployments", queued["api"][1])
    with waiter_of_a_new_run(fast_settings(settings.url, token=settings.token, poll_interval_s=0.02)) as waiter:
        outs = waiter.create(wait_inputs(queued)).outs or {}
    assert outs["deployments"]["api"]["status"] == "finished"


def test_deployment_diff_replaces_on_trigger_and_reads_nothing(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator
) -> None:
    provider = make_provider(DeploymentProvider)
    inputs = deploy_inputs(app_uuid)
    created = provider.create(inputs)
    assert provider.diff(created.id, created.outs, inputs).changes is False
    retagged = deploy_inputs(app_uuid, triggers={"image": "ghcr.io/penpal-ai/penpal-api:sha-1a2b3c4"})
    assert provider.diff(created.id, created.outs, retagged).replaces == ["triggers"]
    forced = deploy_inputs(app_uuid, force=True)
    diff = provider.diff(created.id, created.outs, forced)
    assert diff.changes is True and diff.replaces == []
    sim.reset_counts()
    assert provider.read(created.id, created.outs).outs == created.outs
    provider.delete(created.id, created.outs)
    assert sim.requests == []


def test_full_deploy_queue_429_is_retried_after_retry_after(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", lambda seconds: slept.append(seconds))
    sim.inject("POST", "/deploy", 429, headers={"Retry-After": "60"},
               body={"message": "Deployment queue is full. Please wait for existing deployments to complete."})
    make_provider(DeploymentProvider).create(deploy_inputs(app_uuid))
    assert sim.count("POST", "/deploy") == 2
    # Coolify's 60 s is capped by the client's retry_after_max_s (5 s in tests).
    assert 5.0 in slept
    assert len([d for d in sim.state.deployments if d.get("_application_uuid") == app_uuid]) == 1


def test_a_full_deploy_queue_is_waited_out_beyond_the_client_retries(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", lambda _seconds: None)
    # Four retries per request in tests (max_retries=3): the queue stays full for two rounds of them.
    sim.inject("POST", "/deploy", 429, times=7, headers={"Retry-After": "60"},
               body={"message": "Deployment queue is full. Please wait for existing deployments to complete."})
    created = make_provider(DeploymentProvider).create(deploy_inputs(app_uuid))
    assert sim.count("POST", "/deploy") == 8
    assert created.outs["deployment_uuid"] in {d["deployment_uuid"] for d in sim.state.deployments}


def test_other_429s_are_not_retried_for_ever(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from components.coolify.client import RateLimitedError

    monkeypatch.setattr(urllib3.util.retry.time, "sleep", lambda _seconds: None)
    sim.inject("POST", "/deploy", 429, times=None, headers={"Retry-After": "1"})
    with pytest.raises(RateLimitedError):
        make_provider(DeploymentProvider).create(deploy_inputs(app_uuid))
    assert sim.count("POST", "/deploy") == 4
