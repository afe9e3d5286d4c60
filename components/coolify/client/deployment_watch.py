"""Queueing deployments, and waiting for many of them together with one listing per poll.

The Python dynamic-provider server runs at most 4 provider calls at once (`ThreadPoolExecutor(max_workers=4)`
in `pulumi/dynamic/__main__.py`), so a deployment must not hold a call while it runs: each service's
Deployment only queues, and one call waits for all of them here. Coolify's own build queue
(`concurrent_builds` per server) stays the only limit on how many run at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .deploy_flow import queue_current_config
from .deployments import FINISHED, TERMINAL, DeploymentsApi, log_lines
from .errors import (
    DeploymentFailedError,
    DeploymentsFailedError,
    NotFoundError,
    WaitTimeoutError,
)
from .types import JsonObject

LOG_TAIL_LINES = 50
# Final reads of deployments that left the running list, and redeploys, go out this many at a time.
FETCH_THREADS = 8
PRUNED = "pruned"


def queue(
    deployments: DeploymentsApi,
    application_uuid: str,
    *,
    force: bool,
    timeout_s: float = 900,
    interval_s: float = 2.0,
) -> str:
    """Queue a deployment of `application_uuid`; returns the uuid of the deployment to follow.

    While the server's deployment queue is full, keeps asking for up to `timeout_s`. When a deployment
    of the same commit is already in flight (Coolify skips ours), waits for it to end and queues ours
    again, so that what this `up` wrote is what runs (`deploy_flow.queue_current_config`).
    """
    return queue_current_config(
        deployments, application_uuid, force=force, timeout_s=timeout_s, interval_s=interval_s
    ).deployment_uuid


@dataclass
class Watched:
    """One service's deployment being waited for: `current` changes when a failed leftover is redeployed."""

    name: str
    application_uuid: str
    current: str


@dataclass(frozen=True)
class Settled:
    deployment_uuid: str
    status: str


def failure(deployment_uuid: str, row: JsonObject) -> DeploymentFailedError:
    lines = log_lines(row)
    note = "" if lines is not None else "(the token cannot read logs: give it `read:sensitive` or `root`)"
    return DeploymentFailedError(deployment_uuid, str(row.get("status")), (lines or [])[-LOG_TAIL_LINES:], note)


def wait_together(
    deployments: DeploymentsApi,
    watched: Mapping[str, Watched],
    *,
    timeout_s: float,
    interval_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Settled]:
    """Wait until every watched deployment has finished; returns name -> the deployment that finished.

    One `GET /deployments` per poll lists what still runs; a deployment gone from the list is read once
    for its outcome. A failure of a deployment this run queued is reported (with the tail of its log)
    after the others have settled; a failure left over from an earlier run is deployed again. Times out
    when `timeout_s` passes without any deployment settling.
    """
    pending = dict(watched)
    settled: dict[str, Settled] = {}
    failures: dict[str, DeploymentFailedError] = {}
    deadline = time.monotonic() + timeout_s
    with ThreadPoolExecutor(max_workers=FETCH_THREADS, thread_name_prefix="coolify-deployments") as pool:
        while pending:
            running = {str(row.get("deployment_uuid")) for row in deployments.active()}
            gone = [item for item in pending.values() if item.current not in running]
            for item, row in zip(gone, pool.map(lambda item: _final(deployments, item), gone), strict=True):
                status = str(row.get("status"))
                if status not in TERMINAL and status != PRUNED:
                    continue  # it was queued after the listing was read
                deadline = time.monotonic() + timeout_s
                if status in (FINISHED, PRUNED):
                    settled[item.name] = Settled(item.current, FINISHED)
                    del pending[item.name]
                elif deployments.followed(item.current):
                    failures[item.name] = failure(item.current, row)
                    del pending[item.name]
                else:
                    # A failure left by an earlier `up`: deploy that service again.
                    item.current = queue(deployments, item.application_uuid, force=False, interval_s=interval_s)
            if not pending:
                break
            if time.monotonic() >= deadline:
                names = ", ".join(sorted(pending))
                raise WaitTimeoutError(
                    f"Timed out after {timeout_s:g}s without any deployment finishing; still running: {names}. "
                    "They keep running in Coolify; the next `pulumi up` waits for them again."
                )
            sleep(interval_s)
    if failures:
        raise DeploymentsFailedError(failures, len(watched))
    return settled


def _final(deployments: DeploymentsApi, item: Watched) -> JsonObject:
    try:
        return deployments.get(item.current)
    except NotFoundError:
        if deployments.followed(item.current):
            raise
        # Coolify prunes old deployment history: a leftover that is gone ran long ago.
        return {"deployment_uuid": item.current, "status": PRUNED}
