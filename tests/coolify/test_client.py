"""The REST client against the simulator: retries, typed errors, version floor and gates, request contract."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
import urllib3.util.retry

from components.coolify.client import (
    ApiDisabledError,
    ClientSettings,
    CoolifyClient,
    CoolifyTimeoutError,
    CoolifyVersion,
    CoolifyVersionError,
    NotFoundError,
    ServerError,
    UnauthorizedError,
    UnprocessableError,
)
from components.coolify.client.errors import api_error, normalize_field_errors
from components.coolify.client.rate_budget import RateBudget
from components.coolify.client.version import gate_fields
from tests.coolify.conftest import TOKEN, Recorder, fast_settings

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator


def test_sends_bearer_token_and_json_headers(client: CoolifyClient, recorder: Recorder) -> None:
    client.projects.create({"name": "headers-check"})
    sent: list[Any] = []
    client.http.session.hooks["response"].append(lambda response, *a, **k: sent.append(response.request))
    client.projects.list()
    assert sent[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent[0].headers["Accept"] == "application/json"
    assert sent[0].headers["Content-Type"] == "application/json"
    assert sent[0].url.endswith("/api/v1/projects")


def test_url_with_api_suffix_is_accepted(sim_url: str) -> None:
    client = CoolifyClient(fast_settings(sim_url.rstrip("/") + "/api/v1/"))
    assert client.version >= CoolifyVersion(4, 1, 0)
    assert client.deploy_webhook_url("abc") == f"{sim_url.rstrip('/')}/api/v1/deploy?uuid=abc&force=false"


def test_version_probe_reads_plain_text(client: CoolifyClient, sim: CoolifySimulator) -> None:
    assert client.version == CoolifyVersion.parse(sim.config.version)


def test_version_below_floor_is_refused_with_a_clear_error(sim: CoolifySimulator, settings: ClientSettings) -> None:
    sim.config.version = "4.0.0"
    with pytest.raises(CoolifyVersionError, match=r"Coolify 4\.0\.0 is too old: this provider needs Coolify 4\.1\.0"):
        _ = CoolifyClient(settings).version


def test_version_parsing_and_ordering() -> None:
    assert CoolifyVersion.parse("v4.0.0") == CoolifyVersion(4, 0, 0)
    assert CoolifyVersion.parse("4.0.0-beta.454") < CoolifyVersion.parse("4.0.0")
    assert CoolifyVersion.parse("4.3.11") > CoolifyVersion.parse("4.3.2")
    with pytest.raises(CoolifyVersionError):
        CoolifyVersion.parse("<html>")


def test_version_gates_drop_fields_the_running_version_does_not_accept() -> None:
    body = {"name": "web", "noindex_domains": ["https://a.example"], "autogenerate_domain": False}
    kept, dropped = gate_fields("applications", body, CoolifyVersion.parse("4.2.0"))
    assert kept == {"name": "web", "autogenerate_domain": False}
    assert dropped == ["noindex_domains"]
    kept, dropped = gate_fields("applications", body, CoolifyVersion.parse("4.3.0"))
    assert kept == body and dropped == []


def test_gated_field_is_not_sent_to_an_older_coolify(
    sim: CoolifySimulator, settings: ClientSettings, recorder: Recorder
) -> None:
    # 4.2.x does not know `noindex_domains`; sending it would be a 422 "This field is not allowed.".
    sim.config.version = "4.2.0"
    client = CoolifyClient(settings)
    client.http.session.hooks["response"].append(recorder.hook)
    from tests.coolify.helpers import make_placement

    placement = make_placement(client)
    uuid = client.applications.create_dockerimage(
        {
            "project_uuid": placement.project_uuid,
            "environment_name": placement.environment_name,
            "server_uuid": placement.server_uuid,
            "docker_registry_image_name": "ghcr.io/penpal-ai/api",
            "docker_registry_image_tag": "develop-latest",
            "ports_exposes": "3000",
            "autogenerate_domain": False,
        }
    )
    client.applications.update(uuid, {"description": "x", "noindex_domains": ["https://a.example"]})
    patch = [r for r in recorder.requests if r.method == "PATCH"][-1]
    assert patch.body == {"description": "x"}


def test_unauthorized_names_the_setting_and_never_prints_the_token(sim_url: str) -> None:
    client = CoolifyClient(fast_settings(sim_url, token="9|wrongTokenValueThatMustNotAppear"))
    with pytest.raises(UnauthorizedError) as caught:
        client.projects.list()
    text = str(caught.value)
    assert caught.value.status == 401
    assert "coolify:token" in text
    assert "wrongTokenValueThatMustNotAppear" not in text and TOKEN not in text


def test_api_disabled_explains_how_to_enable_it(client: CoolifyClient, sim: CoolifySimulator) -> None:
    sim.config.api_enabled = False
    with pytest.raises(ApiDisabledError) as caught:
        client.projects.list()
    assert caught.value.status == 403
    assert "Settings > Advanced > API Access" in str(caught.value)
    assert "/api/v1/enable" in str(caught.value)


def test_not_allowed_field_is_a_typed_422_naming_the_field(client: CoolifyClient) -> None:
    with pytest.raises(UnprocessableError) as caught:
        client.projects.create({"name": "ok-name", "color": "blue"})
    assert caught.value.status == 422
    assert caught.value.field_errors["color"] == ("This field is not allowed.",)
    assert "color: This field is not allowed." in str(caught.value)


def test_missing_resource_is_a_not_found_error(client: CoolifyClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.projects.get("doesnotexist0000000000000")
    assert caught.value.status == 404


def test_field_errors_accept_strings_lists_and_name_lists() -> None:
    assert normalize_field_errors({"a": ["x", "y"], "b": "z"}) == {"a": ("x", "y"), "b": ("z",)}
    assert normalize_field_errors(["image"]) == {"image": ("This field is not allowed.",)}
    error = api_error(
        422, {"message": "Validation failed.", "errors": {"public_port": "The public port should be between"}},
        method="POST", path="/databases/mongodb",
    )
    assert isinstance(error, UnprocessableError)
    assert error.field_errors == {"public_port": ("The public port should be between",)}


def test_429_is_retried_for_post_honouring_retry_after(
    client: CoolifyClient, sim: CoolifySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", lambda seconds: slept.append(seconds))
    sim.inject("POST", "/projects", status=429, times=1, headers={"Retry-After": "3"})
    uuid = client.projects.create({"name": "after-throttle"})
    assert client.projects.get(uuid)["name"] == "after-throttle"
    assert 3.0 in slept
    assert sim.count("POST", "/projects") == 2
    assert len([p for p in client.projects.list() if p["name"] == "after-throttle"]) == 1


def test_coolify_rate_limit_is_waited_out_before_it_refuses(sim: CoolifySimulator) -> None:
    from tests.simulators.network import NetworkProfile

    # Coolify's window is a minute; a 1 s one keeps the test short (the client is told the same).
    sim.set_network(NetworkProfile(coolify_rate_limit_per_minute=2))
    sim.config.rate_window_s = 1.0
    told: list[int] = []
    budget = RateBudget(1.0, on_wait=lambda limit, _seconds: told.append(limit))
    client = CoolifyClient(fast_settings(sim.url, rate_window_s=1.0), budget)
    started = time.monotonic()
    names = [client.projects.create({"name": f"paced-{n}"}) for n in range(5)]
    assert len(set(names)) == 5
    # Two requests per window: the third and the fifth waited for a new window instead of being refused.
    assert sim.throttled == 0 and sim.count("POST", "/projects") == 5
    assert time.monotonic() - started >= 2.0 and budget.waited_s >= 2.0 and told == [2, 2]


def test_rate_limit_already_used_by_another_process_is_counted(sim: CoolifySimulator) -> None:
    from tests.simulators.coolify.testing import SimSession
    from tests.simulators.network import NetworkProfile

    sim.set_network(NetworkProfile(coolify_rate_limit_per_minute=5))
    other = SimSession(sim, token=TOKEN)
    assert all(other.get("/version").status_code == 200 for _ in range(3))  # e.g. the program's token checks
    client = CoolifyClient(fast_settings(sim.url))
    client.projects.create({"name": "fourth"})
    client.projects.create({"name": "fifth"})
    # Both answers said what is left in the window (0): the next request would wait for the minute to end.
    assert sim.throttled == 0 and client.http.budget.wait_s() > 55


def test_threads_sharing_a_budget_are_never_refused(sim: CoolifySimulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.simulators.network import NetworkProfile

    sim.set_network(NetworkProfile(coolify_rate_limit_per_minute=4))
    sim.config.rate_window_s = 1.0
    client = CoolifyClient(fast_settings(sim.url, rate_window_s=1.0))
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _n: client.http.get("/version"), range(10)))
    assert len(answers) == 10 and sim.throttled == 0 and sim.count("GET", "/version") == 10


def test_503_then_success_is_retried_for_get(client: CoolifyClient, sim: CoolifySimulator) -> None:
    uuid = client.projects.create({"name": "flaky-read"})
    sim.inject("GET", "/projects/{uuid}", status=503, times=2)
    assert client.projects.get(uuid)["name"] == "flaky-read"
    assert sim.count("GET", "/projects/{uuid}") == 3


def test_503_is_not_retried_for_post(client: CoolifyClient, sim: CoolifySimulator) -> None:
    sim.inject("POST", "/projects", status=503, times=1)
    with pytest.raises(ServerError) as caught:
        client.projects.create({"name": "no-retry"})
    assert caught.value.status == 503
    assert sim.count("POST", "/projects") == 1


def test_persistent_503_gives_up_after_the_retry_budget(client: CoolifyClient, sim: CoolifySimulator) -> None:
    sim.inject("GET", "/projects", status=503, times=100)
    with pytest.raises(ServerError):
        client.projects.list()
    assert sim.count("GET", "/projects") == client.settings.max_retries + 1


def test_read_timeout_is_retried_for_get(
    sim: CoolifySimulator, sim_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = CoolifyClient(fast_settings(sim_url, read_timeout_s=0.3))
    sim.inject("GET", "/projects", delay_s=1.0, times=1)
    with caplog.at_level("WARNING", logger="urllib3.connectionpool"):
        assert client.projects.list() == []
    # The slow answer is still being written when the retry succeeds, so urllib3's log is the witness.
    retries = [r for r in caplog.records if "Retrying" in r.getMessage() and "Read timed out" in r.getMessage()]
    assert len(retries) == 1


def test_read_timeout_on_post_is_not_retried_and_is_typed(
    sim: CoolifySimulator, sim_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = CoolifyClient(fast_settings(sim_url, read_timeout_s=0.3))
    sim.inject("POST", "/projects", delay_s=1.0, times=5)
    with caplog.at_level("WARNING", logger="urllib3.connectionpool"), pytest.raises(
        CoolifyTimeoutError, match=r"did not answer POST /projects within 0\.3s"
    ):
        client.projects.create({"name": "slow-one"})
    assert not [r for r in caplog.records if "Retrying" in r.getMessage()]


def test_request_bodies_match_the_spec(client: CoolifyClient, recorder: Recorder) -> None:
    from tests.coolify.helpers import make_placement
    from tests.simulators.coolify import validate_request

    placement = make_placement(client)
    app_uuid = client.applications.create_dockerimage(
        {
            "project_uuid": placement.project_uuid,
            "environment_name": placement.environment_name,
            "server_uuid": placement.server_uuid,
            "docker_registry_image_name": "ghcr.io/penpal-ai/api",
            "docker_registry_image_tag": "develop-latest",
            "ports_exposes": "3000",
            "domains": "https://staging.api.penpal-ai.maksou.dev",
            "autogenerate_domain": False,
            "instant_deploy": False,
        }
    )
    client.applications.update(app_uuid, {"docker_registry_image_tag": "sha-1a2b3c4"})
    client.application_envs.upsert_many(app_uuid, [{"key": "PORT", "value": "3000", "is_preview": False}])
    assert recorder.writes()
    for request in recorder.requests:
        validate_request(request.method, request.path, request.body)
