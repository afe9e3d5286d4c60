"""The health check against real HTTP(S) servers started here on 127.0.0.1 (tests/harness/standin.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from components.health.check import BODY_EXCERPT_BYTES, HealthCheckFailed, HealthCheckSpec, check_health
from components.health.resolve import ResolveError, Target, parse_resolve, parse_target
from tests.harness.standin import Behaviour, ServiceStandIn, TestCa, refused_address

DOMAIN = "staging.penpal-ai-db-service.penpal-ai.maksou.dev"
URL = f"https://{DOMAIN}/health"


@pytest.fixture(scope="module")
def ca() -> TestCa:
    return TestCa()


@pytest.fixture
def standin(ca: TestCa) -> Iterator[ServiceStandIn]:
    server = ServiceStandIn([DOMAIN], ca)
    yield server
    server.stop()


def spec(ca: TestCa, resolve: dict[str, str], **overrides: object) -> HealthCheckSpec:
    values: dict[str, object] = {
        "url": URL, "expected_status": 200, "timeout_s": 5.0, "interval_s": 0.1,
        "resolve": resolve, "ca_bundle_pem": ca.pem,
    }
    values.update(overrides)
    return HealthCheckSpec(**values)  # type: ignore[arg-type]


def test_healthy_service_passes_on_the_first_attempt_with_the_real_host_name(
    ca: TestCa, standin: ServiceStandIn
) -> None:
    standin.start()
    result = check_health(spec(ca, standin.resolve()))
    assert (result.status, result.attempts) == (200, 1)
    [seen] = standin.requests
    # The connection went to 127.0.0.1, but HTTP and TLS saw the service's own name.
    assert (seen.path, seen.host, seen.sni) == ("/health", DOMAIN, DOMAIN)


def test_slow_to_start_service_is_retried_until_it_answers(ca: TestCa, standin: ServiceStandIn) -> None:
    standin.start(delay_s=0.6)
    errors: list[str | None] = []
    result = check_health(spec(ca, standin.resolve()), on_attempt=lambda attempt: errors.append(attempt.error))
    assert result.status == 200
    assert result.attempts >= 2
    assert errors[0] is not None and "refused" in errors[0].lower()
    assert errors[-1] is None


def test_wrong_status_fails_with_url_status_and_body_excerpt(ca: TestCa, standin: ServiceStandIn) -> None:
    standin.behaviour = Behaviour(status=503, body="database unreachable " + "x" * 400)
    standin.start()
    with pytest.raises(HealthCheckFailed) as failure:
        check_health(spec(ca, standin.resolve(), timeout_s=0.5, interval_s=0.1))
    message = str(failure.value)
    assert message.startswith(f"Health check failed: {URL} did not answer 200 within 0.5s")
    assert "last status 503" in message
    assert "database unreachable" in message
    assert failure.value.last is not None
    assert len(failure.value.last.body_excerpt) == BODY_EXCERPT_BYTES
    assert failure.value.attempts >= 2  # retried, not failed fast


def test_expected_status_is_configurable(ca: TestCa, standin: ServiceStandIn) -> None:
    standin.behaviour = Behaviour(status=204, body="")
    standin.start()
    assert check_health(spec(ca, standin.resolve(), expected_status=204)).status == 204


def test_a_service_that_is_never_up_fails_with_the_connection_error(ca: TestCa) -> None:
    with pytest.raises(HealthCheckFailed) as failure:
        check_health(spec(ca, {DOMAIN: refused_address()}, timeout_s=0.4, interval_s=0.1))
    message = str(failure.value)
    assert URL in message and "last error: ConnectionError" in message and "refused" in message.lower()
    assert failure.value.attempts >= 2


def test_tls_without_the_test_ca_is_retried_and_reported(ca: TestCa, standin: ServiceStandIn) -> None:
    standin.start()
    with pytest.raises(HealthCheckFailed) as failure:
        check_health(spec(ca, standin.resolve(), ca_bundle_pem=None, timeout_s=0.3, interval_s=0.1))
    assert "SSLError" in str(failure.value) and "certificate" in str(failure.value).lower()


def test_a_certificate_for_another_name_is_refused(ca: TestCa) -> None:
    other = ServiceStandIn(["prod.other-service.penpal-ai.maksou.dev"], ca).start()
    try:
        with pytest.raises(HealthCheckFailed) as failure:
            check_health(spec(ca, {DOMAIN: other.address}, timeout_s=0.3, interval_s=0.1))
        assert "SSLError" in str(failure.value)
    finally:
        other.stop()


def test_plain_http_and_unmapped_hosts_use_normal_resolution() -> None:
    server = ServiceStandIn(["localhost"]).start()
    try:
        url = f"http://localhost:{server.port}/health"
        assert check_health(HealthCheckSpec(url=url, timeout_s=2, interval_s=0.1)).status == 200
    finally:
        server.stop()


def test_the_window_bounds_the_whole_check(ca: TestCa) -> None:
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    with pytest.raises(HealthCheckFailed):
        check_health(spec(ca, {DOMAIN: refused_address()}, timeout_s=1.0, interval_s=0.3),
                     clock=lambda: now[0], sleep=sleep)
    assert sum(sleeps) == pytest.approx(1.0)
    assert sleeps[-1] == pytest.approx(0.1)  # the last pause is cut to the window


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("127.0.0.1:8443", Target("127.0.0.1", 8443)),
        ("203.0.113.7", Target("203.0.113.7", None)),
        ("[::1]:8443", Target("::1", 8443)),
        ("2001:db8::1", Target("2001:db8::1", None)),
        ("localhost:80", Target("localhost", 80)),
    ],
)
def test_resolve_targets(text: str, target: Target) -> None:
    assert parse_target(text) == target


@pytest.mark.parametrize("text", ["", ":80", "127.0.0.1:0", "127.0.0.1:http", "[::1", "[nope]:80", "1.2.3.4:99999"])
def test_bad_resolve_targets_are_refused(text: str) -> None:
    with pytest.raises(ResolveError):
        parse_target(text)


def test_resolve_keys_are_host_names() -> None:
    assert parse_resolve({"Example.COM.": "127.0.0.1:1"}) == {"example.com": Target("127.0.0.1", 1)}
    with pytest.raises(ResolveError, match="host name"):
        parse_resolve({"example.com:443": "127.0.0.1:1"})
