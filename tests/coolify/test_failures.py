"""Failures a user can read (one first line: resource, request, Coolify's words, what to do) and create retries."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from components.coolify.client import (
    ApiDisabledError,
    CoolifyClient,
    CoolifyConnectionError,
    CoolifyTimeoutError,
    DeploymentsFailedError,
    ServerError,
    UnprocessableError,
)
from components.coolify.resources.application import ApplicationProvider
from components.coolify.resources.deployment import DeploymentProvider
from components.coolify.resources.deployment_wait import DeploymentWaitProvider
from components.coolify.resources.project import ProjectProvider
from tests.coolify.conftest import fast_settings
from tests.coolify.test_application import app_inputs

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]


def first_line(error: BaseException) -> str:
    return str(error).split("\n", 1)[0]


def test_a_transient_5xx_on_create_is_retried_without_a_duplicate(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    sim.inject("POST", "/projects", 503, times=2)
    created = make_provider(ProjectProvider).create({"name": "penpal-ai", "description": None})
    assert sim.count("POST", "/projects") == 3
    assert [p["name"] for p in client.projects.list()] == ["penpal-ai"]
    assert created.id == client.projects.list()[0]["uuid"]


def test_a_create_whose_answer_was_lost_adopts_instead_of_duplicating(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator, seed: Any
) -> None:
    # The write happened, then the proxy answered 502: the retry finds the application by name.
    sim.inject("POST", "/applications/dockerimage", 502, after_write=True)
    created = make_provider(ApplicationProvider).create(app_inputs(seed))
    assert sim.count("POST", "/applications/dockerimage") == 1
    apps = [a for a in sim.state.applications if a["name"] == "penpal-api"]
    assert [a["uuid"] for a in apps] == [created.id]


def test_a_persistent_5xx_is_one_line_naming_resource_request_and_remedy(
    make_provider: MakeProvider, sim: CoolifySimulator
) -> None:
    sim.inject("POST", "/projects", 500, times=None)
    with pytest.raises(ServerError) as raised:
        make_provider(ProjectProvider).create({"name": "penpal-ai", "description": None})
    assert sim.count("POST", "/projects") == 4  # the first try and max_retries=3 retries
    assert str(raised.value) == (
        "Coolify Project 'penpal-ai': create failed: Coolify API POST /projects failed with HTTP 500: Server Error "
        "Coolify failed internally: check its log (storage/logs/laravel.log on the Coolify host), then run "
        "`pulumi up` again."
    )


def test_a_4xx_is_not_retried_and_names_the_field(make_provider: MakeProvider, sim: CoolifySimulator,
                                                  seed: Any) -> None:
    sim.inject("POST", "/applications/dockerimage", 422, body={
        "message": "Validation failed.", "errors": {"ports_exposes": ["The ports exposes field is required."]}})
    with pytest.raises(UnprocessableError) as raised:
        make_provider(ApplicationProvider).create(app_inputs(seed))
    assert sim.count("POST", "/applications/dockerimage") == 1
    line = first_line(raised.value)
    assert line.startswith("Coolify Application 'penpal-api': create failed: Coolify API POST "
                           "/applications/dockerimage failed with HTTP 422: Validation failed. (ports_exposes: The "
                           "ports exposes field is required.)")
    assert line.endswith("Fix the value named above in the stack config, then run `pulumi up` again.")


def test_api_disabled_says_how_to_enable_it(make_provider: MakeProvider, sim: CoolifySimulator) -> None:
    sim.api_enabled = False
    with pytest.raises(ApiDisabledError) as raised:
        make_provider(ProjectProvider).create({"name": "penpal-ai", "description": None})
    line = first_line(raised.value)
    assert line.startswith("Coolify Project 'penpal-ai': create failed: Coolify API GET /version failed with HTTP 403: "
                           "API is disabled.")
    assert "Settings > Advanced > API Access" in line


def test_coolify_down_is_retried_then_reported(make_provider: MakeProvider, sim: CoolifySimulator) -> None:
    from components.coolify import provider as provider_module

    settings = fast_settings("http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(CoolifyConnectionError) as raised:
        ProjectProvider.configured(settings).create({"name": "penpal-ai", "description": None})
    provider_module._CLIENTS.pop(settings, None)
    line = first_line(raised.value)
    assert line.startswith("Coolify Project 'penpal-ai': create failed: Cannot reach Coolify at "
                           "http://127.0.0.1:9/api/v1 (GET /version)")
    assert line.endswith("Check `coolify:url` and that Coolify is up and reachable from here, then run `pulumi up` "
                         "again.")


def test_a_create_that_timed_out_is_not_repeated(make_provider: MakeProvider, client: CoolifyClient,
                                                 sim: CoolifySimulator) -> None:
    # Coolify may still be applying it: a repeat racing it could duplicate, so the next `up` adopts it instead.
    sim.inject("POST", "/projects", None, delay_s=2.5)  # past the 2 s read timeout, applied afterwards
    with pytest.raises(CoolifyTimeoutError) as raised:
        make_provider(ProjectProvider).create({"name": "penpal-ai", "description": None})
    assert first_line(raised.value).startswith(
        "Coolify Project 'penpal-ai': create failed: Coolify did not answer POST /projects within 2s")
    time.sleep(1.0)
    assert sim.count("POST", "/projects") == 1
    again = make_provider(ProjectProvider).create({"name": "penpal-ai", "description": None})
    assert [p["uuid"] for p in client.projects.list() if p["name"] == "penpal-ai"] == [again.id]


def test_timeouts_name_the_request(sim: CoolifySimulator, sim_url: str) -> None:
    sim.inject("GET", "/projects", None, delay_s=1.0, times=None)
    slow = CoolifyClient(fast_settings(sim_url, read_timeout_s=0.3, max_retries=0))
    with pytest.raises(CoolifyTimeoutError, match=r"did not answer GET /projects within 0\.3s .* check that it is"):
        slow.projects.list()
    slow.close()


def test_a_failed_deployment_names_the_application_and_what_to_do(
    make_provider: MakeProvider, sim: CoolifySimulator, seed: Any
) -> None:
    app_uuid = make_provider(ApplicationProvider).create(app_inputs(seed)).id
    sim.set_deploy_outcome(app_uuid, "failed")
    queued = make_provider(DeploymentProvider).create({"application_uuid": app_uuid, "triggers": {"image": "x"},
                                                        "force": False})
    with pytest.raises(DeploymentsFailedError) as raised:
        make_provider(DeploymentWaitProvider).create(
            {"deployments": {"api": {"application_uuid": app_uuid, "deployment_uuid": queued.id}},
             "timeout_s": 5, "poll_interval_s": 0.01})
    line = first_line(raised.value)
    assert line == (
        "Coolify deployments of the stack (DeploymentWait): create failed: 1 of 1 deployments failed: api (failed). "
        "Fix what their logs below show (image, tag, registry login, env); the next `pulumi up` deploys them again."
    )
    # Then per service: the deployment, the request that saw it fail, what to do, and Coolify's log.
    assert f"api: Coolify deployment {queued.id} (GET /deployments/{queued.id}) ended with status 'failed'." in str(
        raised.value
    )
    assert "manifest unknown" in str(raised.value)  # Coolify's log follows the first line
