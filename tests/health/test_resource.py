"""The HealthCheck dynamic provider: checks on create and on a new deployment, never on a no-op."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from components.health.check import HealthCheckFailed
from components.health.resource import HealthCheckProvider
from tests.harness.standin import Behaviour, ServiceStandIn, TestCa

DOMAIN = "prod.penpal-ai-chat-service.penpal-ai.maksou.dev"


@pytest.fixture(scope="module")
def ca() -> TestCa:
    return TestCa()


@pytest.fixture
def standin(ca: TestCa) -> Iterator[ServiceStandIn]:
    server = ServiceStandIn([DOMAIN], ca).start()
    yield server
    server.stop()


def props(ca: TestCa, standin: ServiceStandIn, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "url": f"https://{DOMAIN}/health", "deployment": "deployment-1", "expected_status": 200,
        "timeout_s": 3.0, "interval_s": 0.1, "resolve": standin.resolve(), "ca_bundle_pem": ca.pem,
    }
    values.update(overrides)
    return values


def test_create_checks_once_and_records_the_outcome(ca: TestCa, standin: ServiceStandIn) -> None:
    result = HealthCheckProvider().create(props(ca, standin))
    assert result.outs is not None
    assert (result.outs["status"], result.outs["attempts"]) == (200, 1)
    assert standin.request_count() == 1


def test_same_inputs_are_no_change_and_send_nothing(ca: TestCa, standin: ServiceStandIn) -> None:
    provider = HealthCheckProvider()
    olds = {**props(ca, standin), "status": 200, "attempts": 1}
    # The engine hands whole numbers back as floats.
    news = {**props(ca, standin), "expected_status": 200.0}
    assert provider.diff("id", olds, news).changes is False
    assert standin.request_count() == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [("deployment", "deployment-2"), ("expected_status", 204), ("url", f"https://{DOMAIN}/ready")],
)
def test_a_new_deployment_or_setting_checks_again(ca: TestCa, standin: ServiceStandIn, key: str, value: Any) -> None:
    provider = HealthCheckProvider()
    olds = props(ca, standin)
    news = props(ca, standin, **{key: value})
    assert provider.diff("id", olds, news).changes is True
    assert provider.diff("id", olds, news).replaces == []
    standin.behaviour = Behaviour(status=204 if key == "expected_status" else 200,
                                  path="/ready" if key == "url" else "/health")
    outs = provider.update("id", olds, news).outs
    assert outs is not None and outs["deployment"] == news["deployment"]
    assert standin.request_count() == 1


def test_a_failed_check_fails_the_step_with_one_clear_line(ca: TestCa, standin: ServiceStandIn) -> None:
    standin.behaviour = Behaviour(status=502, body="<html>Bad Gateway</html>")
    with pytest.raises(HealthCheckFailed) as failure:
        HealthCheckProvider().create(props(ca, standin, timeout_s=0.3))
    first_line = str(failure.value).splitlines()[0]
    assert first_line.startswith(f"Health check failed: https://{DOMAIN}/health did not answer 200")
    assert "last status 502" in first_line and "Bad Gateway" in first_line


def test_refresh_sends_no_request(ca: TestCa, standin: ServiceStandIn) -> None:
    state = {**props(ca, standin), "status": 200, "attempts": 1}
    assert HealthCheckProvider().read("health-1", state).outs == state
    assert standin.request_count() == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [("url", "ftp://x"), ("expected_status", 999), ("timeout_s", 0), ("resolve", {"h.example": "1.2.3.4:0"})],
)
def test_bad_inputs_are_refused_at_check(ca: TestCa, standin: ServiceStandIn, key: str, value: Any) -> None:
    failures = HealthCheckProvider().check({}, props(ca, standin, **{key: value})).failures
    assert [f.property for f in failures] == [key]
