"""`HealthCheck`: a dynamic resource that checks a service's URL once per deployment.

Its inputs include the deployment it follows (`deployment`, the Coolify deployment uuid): a new
deployment, or a changed check setting, is a diff, so `up` checks again; a no-op `up` has no diff
and sends no request. A failed check fails the create/update, so `up` fails and the next `up`
checks again (nothing is written to state for a failed check).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, Resource, UpdateResult

from components.health.targets import ResolveError, parse_resolve
from components.state_kept import StateKeptProvider

if TYPE_CHECKING:
    from components.health.check import HealthCheckSpec

_INPUTS = ("url", "deployment", "expected_status", "timeout_s", "interval_s", "resolve", "ca_bundle_pem")


@dataclass(frozen=True)
class HealthCheckArgs:
    url: pulumi.Input[str]
    deployment: pulumi.Input[str]
    """What the check follows: a new value (a new deployment) checks again."""
    expected_status: int = 200
    timeout_s: float = 300.0
    interval_s: float = 5.0
    resolve: Mapping[str, str] = field(default_factory=dict)
    ca_bundle_pem: str | None = None


def spec_from_props(props: Mapping[str, Any]) -> HealthCheckSpec:
    # The probe (requests) is imported where it runs, in the provider: the program only declares the check.
    from components.health.check import HealthCheckSpec

    return HealthCheckSpec(
        url=str(props["url"]),
        expected_status=int(props.get("expected_status") or 200),
        timeout_s=float(props.get("timeout_s") or 300.0),
        interval_s=float(props.get("interval_s") or 5.0),
        resolve=dict(props.get("resolve") or {}),
        ca_bundle_pem=props.get("ca_bundle_pem") or None,
    )


class HealthCheckProvider(StateKeptProvider):
    """Carries no data: everything the check needs is in the resource's inputs."""

    compared = _INPUTS

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures: list[CheckFailure] = []
        url = news.get("url")
        if isinstance(url, str) and not url.startswith(("https://", "http://")):
            failures.append(CheckFailure("url", f"expected an http(s) URL, got {url!r}"))
        status = news.get("expected_status")
        # Whole numbers may arrive from the engine as floats (200.0).
        if isinstance(status, int | float) and not 100 <= status <= 599:
            failures.append(CheckFailure("expected_status", f"expected an HTTP status 100-599, got {status!r}"))
        for key in ("timeout_s", "interval_s"):
            value = news.get(key)
            if isinstance(value, int | float) and value <= 0:
                failures.append(CheckFailure(key, f"expected a positive number of seconds, got {value!r}"))
        resolve = news.get("resolve")
        if isinstance(resolve, Mapping):
            try:
                parse_resolve({k: v for k, v in resolve.items() if isinstance(v, str)})
            except ResolveError as error:
                failures.append(CheckFailure("resolve", str(error)))
        return CheckResult(news, failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        from components.health.check import check_health

        result = check_health(spec_from_props(props))
        return CreateResult(f"health-{uuid.uuid4().hex[:12]}", _outs(props, result.status, result.attempts))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        from components.health.check import check_health

        result = check_health(spec_from_props(news))
        return UpdateResult(_outs(news, result.status, result.attempts))

    # read (StateKeptProvider's): a refresh does not probe the service, the check belongs to its deployment.

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


def _outs(props: Mapping[str, Any], status: int, attempts: int) -> dict[str, Any]:
    return {**{key: props.get(key) for key in _INPUTS}, "status": status, "attempts": attempts}


class HealthCheck(Resource, module="penpal", name="HealthCheck"):
    """A passed health check of one deployment (`pulumi-python:dynamic/penpal:HealthCheck`)."""

    url: pulumi.Output[str]
    status: pulumi.Output[int]
    attempts: pulumi.Output[int]

    def __init__(self, resource_name: str, args: HealthCheckArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props: dict[str, Any] = {
            "url": args.url,
            "deployment": args.deployment,
            "expected_status": args.expected_status,
            "timeout_s": args.timeout_s,
            "interval_s": args.interval_s,
            "resolve": dict(args.resolve),
            "ca_bundle_pem": args.ca_bundle_pem,
            "status": None,
            "attempts": None,
        }
        super().__init__(HealthCheckProvider(), resource_name, props, opts)
