"""Queueing a deployment of what `up` just wrote, even while another one (e.g. a CI webhook's) is in flight.

`queue_current_config` is the one entry point (`deployment_watch.queue` calls it for every Deployment and
for every leftover it deploys again); it shares no state, so parallel provider calls may use it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .deployments import TERMINAL, DeployAnswer, DeploymentsApi
from .errors import RateLimitedError, WaitTimeoutError
from .types import JsonObject

# How many times a deploy may be skipped because another deployment got queued first before we give up.
MAX_SKIPS = 5
QUEUE_FULL = "Deployment queue is full"


@dataclass(frozen=True)
class Queued:
    """Our own queued deployment, plus the in-flight ones we waited for before it could be queued."""

    deployment_uuid: str
    waited_for: tuple[str, ...] = ()


def wait_for_deployment(
    deployments: DeploymentsApi,
    deployment_uuid: str,
    *,
    deadline: float,
    interval_s: float,
    describe: str,
    timeout_s: float,
) -> JsonObject:
    """Poll one deployment until it is finished, failed or cancelled; WaitTimeoutError at `deadline`."""
    while True:
        row = deployments.get(deployment_uuid)
        if row.get("status") in TERMINAL:
            return row
        if time.monotonic() >= deadline:
            raise WaitTimeoutError(
                f"Timed out after {timeout_s:g}s waiting for {describe} (still '{row.get('status')}')."
            )
        time.sleep(interval_s)


def post_deploy(deployments: DeploymentsApi, application_uuid: str, *, force: bool, deadline: float) -> DeployAnswer:
    """`POST /deploy`; while the server's deployment queue is full, keeps asking until `deadline`."""
    while True:
        try:
            return deployments.queue(application_uuid, force=force)
        except RateLimitedError as error:
            # A full queue (deployment_queue_limit per server, 25 by default) is 429 with Retry-After: 60
            # (DeployController::deploy_resource); the client has already waited that out a few times.
            if QUEUE_FULL not in error.message or time.monotonic() >= deadline:
                raise


def queue_current_config(
    deployments: DeploymentsApi,
    application_uuid: str,
    *,
    force: bool,
    timeout_s: float,
    interval_s: float,
) -> Queued:
    """Queue a deployment of the application's current configuration; returns it, followed by `deployments`.

    When Coolify skips the request because a deployment of the same commit is already queued or running
    (a docker-image application always deploys commit HEAD, so any overlap with the CI webhook does this),
    the answer's deployment_uuid does not exist. The deployment in flight is then found in the
    application's deployment list and waited for, and ours is queued again after it: the one in flight
    may have read the configuration before this `up` wrote it (Coolify records no start time, so it cannot
    be proven otherwise). The outcome of the one in flight is not ours: only our own is followed.
    """
    deadline = time.monotonic() + timeout_s
    waited: list[str] = []
    for _attempt in range(MAX_SKIPS + 1):
        answer = post_deploy(deployments, application_uuid, force=force, deadline=deadline)
        if not answer.skipped:
            if not answer.deployment_uuid:
                raise WaitTimeoutError(
                    f"Coolify answered POST /deploy for application {application_uuid} with "
                    f"{answer.message or 'no message'!r} and no deployment."
                )
            return Queued(deployments.follow(answer.deployment_uuid), tuple(waited))
        other = deployments.in_flight(application_uuid)
        if other is None:
            continue  # it ended between our POST and the listing: queue ours again right away
        other_uuid = str(other.get("deployment_uuid"))
        waited.append(other_uuid)
        # Its outcome is not ours to judge: a failed CI deployment is followed by ours all the same.
        wait_for_deployment(
            deployments,
            other_uuid,
            deadline=deadline,
            interval_s=interval_s,
            describe=(
                f"deployment {other_uuid} of application {application_uuid} (already in flight, queued by "
                "someone else such as the CI webhook) to end before ours can be queued"
            ),
            timeout_s=timeout_s,
        )
    raise WaitTimeoutError(
        f"Coolify skipped {MAX_SKIPS + 1} deployments of application {application_uuid} in a row "
        f"({', '.join(waited) or 'none found in flight'} were in flight): something keeps queueing deployments."
    )
