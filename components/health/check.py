"""Poll `https://<domain><path>` until it answers the expected status, within a time window.

Pure and reusable (no Pulumi): the HealthCheck dynamic resource calls it after each deployment, and
anything else that waits for a service (e.g. parallel deployment waits) can call it too.

DNS, TLS and connection errors are retried until the window closes, because a fresh record or
certificate takes a while to appear; only the window decides failure.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests

from components.health.resolve import ResolvingAdapter, parse_resolve

BODY_EXCERPT_BYTES = 300
# One attempt never waits longer than this for the connection or for the answer.
ATTEMPT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class HealthCheckSpec:
    url: str
    expected_status: int = 200
    timeout_s: float = 300.0
    """The whole window: the check fails when no attempt got the expected status within it."""
    interval_s: float = 5.0
    """Pause between two attempts."""
    resolve: Mapping[str, str] = field(default_factory=dict)
    """`{host: "address[:port]"}`, like curl's --resolve/--connect-to."""
    ca_bundle_pem: str | None = None
    """PEM certificates to trust instead of the system's (e.g. a test CA)."""


@dataclass(frozen=True)
class Attempt:
    status: int | None
    """None when no HTTP answer came (DNS, TLS or connection error)."""
    error: str | None
    body_excerpt: str


@dataclass(frozen=True)
class HealthResult:
    url: str
    status: int
    attempts: int
    elapsed_s: float


class HealthCheckFailed(Exception):
    """The URL did not answer the expected status within the window; the message is one clear line first."""

    def __init__(self, spec: HealthCheckSpec, last: Attempt | None, attempts: int, elapsed_s: float) -> None:
        self.spec = spec
        self.last = last
        self.attempts = attempts
        if last is None:
            outcome = "no attempt was made"
        elif last.status is None:
            outcome = f"last error: {last.error}"
        else:
            outcome = f"last status {last.status}"
        body = f"; body: {last.body_excerpt!r}" if last is not None and last.status is not None else ""
        super().__init__(
            f"Health check failed: {spec.url} did not answer {spec.expected_status} within "
            f"{spec.timeout_s:g}s ({attempts} attempt(s), {elapsed_s:.1f}s); {outcome}{body}"
        )


def check_health(
    spec: HealthCheckSpec,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    on_attempt: Callable[[Attempt], None] | None = None,
) -> HealthResult:
    """Returns once the URL answers `expected_status`; raises HealthCheckFailed when the window closes."""
    started = clock()
    deadline = started + spec.timeout_s
    attempts = 0
    last: Attempt | None = None
    with _session(spec) as (session, verify):
        while True:
            remaining = deadline - clock()
            if attempts and remaining <= 0:
                raise HealthCheckFailed(spec, last, attempts, clock() - started)
            attempts += 1
            last = _attempt(session, spec.url, verify, max(0.5, min(ATTEMPT_TIMEOUT_S, remaining)))
            if on_attempt is not None:
                on_attempt(last)
            if last.status == spec.expected_status:
                return HealthResult(spec.url, last.status, attempts, clock() - started)
            pause = min(spec.interval_s, deadline - clock())
            if pause <= 0:
                raise HealthCheckFailed(spec, last, attempts, clock() - started)
            sleep(pause)


def _attempt(session: requests.Session, url: str, verify: str | bool, timeout_s: float) -> Attempt:
    try:
        # A redirect is an answer, not health: the status of the URL itself counts.
        with session.get(url, timeout=timeout_s, verify=verify, allow_redirects=False, stream=True) as response:
            excerpt = _body_excerpt(response)
            return Attempt(response.status_code, None, excerpt)
    except requests.RequestException as error:
        return Attempt(None, _describe(error), "")


def _body_excerpt(response: requests.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=BODY_EXCERPT_BYTES):
            chunks.append(chunk)
            size += len(chunk)
            if size >= BODY_EXCERPT_BYTES:
                break
    except requests.RequestException:
        pass  # the status is what counts; a body cut short still gives what arrived
    return b"".join(chunks)[:BODY_EXCERPT_BYTES].decode("utf-8", errors="replace")


def _describe(error: requests.RequestException) -> str:
    kind = type(error).__name__
    reason = error.args[0] if error.args else error
    # urllib3 wraps the cause several levels deep; its innermost text is the useful one.
    inner = getattr(reason, "reason", None)
    text = str(inner if inner is not None else reason)
    return f"{kind}: {text}"


@contextmanager
def _session(spec: HealthCheckSpec) -> Iterator[tuple[requests.Session, str | bool]]:
    session = requests.Session()
    session.trust_env = False  # no proxies or netrc from the environment: the URL is checked as given
    session.headers["User-Agent"] = "penpal-infra-health-check"
    if spec.resolve:
        adapter = ResolvingAdapter(parse_resolve(spec.resolve), max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
    bundle_path: str | None = None
    try:
        if spec.ca_bundle_pem:
            handle, bundle_path = tempfile.mkstemp(prefix="penpal-ca-", suffix=".pem")
            with os.fdopen(handle, "w") as bundle:
                bundle.write(spec.ca_bundle_pem)
        yield session, bundle_path or True
    finally:
        session.close()
        if bundle_path is not None:
            os.unlink(bundle_path)
