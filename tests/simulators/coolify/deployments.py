"""The deployment engine: queueing and the queued -> in_progress -> finished|failed progression.

A deployment moves on when it has been read enough times in its state and enough time has passed
(`DeployTiming`), so tests drive it deterministically by polling and demos can slow it down with seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .config import DEFAULT_FAILURE_LOG, DEFAULT_SUCCESS_LOG, SimConfig
from .models import deployment_row
from .store import Row, Store, new_uuid, now_iso

ACTIVE = ("queued", "in_progress")


@dataclass
class QueueResult:
    status: str  # "queued" | "skipped" | "queue_full"
    message: str
    deployment_uuid: str | None = None


def _server_of_app(store: Store, app: Row) -> Row:
    destination = store.destination_by_id(app["destination_id"])
    server = store.server_by_id(destination["server_id"]) if destination else None
    if server is None:
        raise LookupError(f"application {app['uuid']} has no server")
    return server


def queue_deployment(store: Store, app: Row, deployment_uuid: str, *, force_rebuild: bool = False,
                     restart_only: bool = False, no_questions_asked: bool = False) -> QueueResult:
    """Coolify's queue_application_deployment()."""
    server = _server_of_app(store, app)
    queued_on_server = [
        d for d in store.deployments.values() if d["server_id"] == server["id"] and d["status"] == "queued"
    ]
    if len(queued_on_server) >= int(server["_settings"]["deployment_queue_limit"]):
        return QueueResult("queue_full", "Deployment queue is full. Please wait for existing deployments to complete.")
    commit = app.get("git_commit_sha") or "HEAD"
    # Same application, commit, pull request (0) and image tag (none), queued or in progress.
    duplicate = any(
        d["_application_uuid"] == app["uuid"] and d["commit"] == commit and d["status"] in ACTIVE
        and not d["pull_request_id"] and d["docker_registry_image_tag"] is None
        for d in store.deployments.values()
    )
    if duplicate and not (force_rebuild or no_questions_asked):
        return QueueResult("skipped", "Deployment already queued for this commit.")
    row = deployment_row(app, server, deployment_uuid, force_rebuild=force_rebuild, restart_only=restart_only)
    env = store.environment_by_id(app["environment_id"])
    project = store.project_by_id(env["project_id"]) if env else None
    if env and project:
        row["deployment_url"] = (
            f"/project/{project['uuid']}/environment/{env['uuid']}/application/{app['uuid']}"
            f"/deployment/{deployment_uuid}"
        )
    row["_state_since"] = time.monotonic()
    store.insert("deployments", row, key="deployment_uuid")
    return QueueResult("queued", "Deployment queued.", deployment_uuid)


def new_deployment_uuid() -> str:
    return new_uuid()


def _log(row: Row, output: str, stream: str = "stdout", hidden: bool = False) -> None:
    entries: list[dict[str, Any]] = row["_log"]
    entries.append({
        "command": None,
        "output": output,
        "type": stream,
        "timestamp": now_iso(),
        "hidden": hidden,
        "batch": 1,
        "order": len(entries) + 1,
    })


def _stream(final_status: str, index: int, total: int) -> str:
    # A failed deployment ends with its error output on stderr.
    return "stderr" if final_status == "failed" and index >= total - 2 else "stdout"


def _outcome_lines(config: SimConfig, store: Store, row: Row) -> tuple[str, list[str]]:
    outcome = config.outcome_for(row["_application_uuid"])
    app = store.applications.get(row["_application_uuid"])
    image = "unknown"
    if app:
        image = f"{app['docker_registry_image_name']}:{app['docker_registry_image_tag']}"
    template = outcome.log_lines
    if template is None:
        template = DEFAULT_FAILURE_LOG if outcome.status == "failed" else DEFAULT_SUCCESS_LOG
    return outcome.status, [line.replace("{image}", image) for line in template]


def next_queuable(store: Store, row: Row) -> bool:
    """Coolify's next_queuable(): no deployment of the same application in progress, and fewer in
    progress on the server than its `concurrent_builds` (bootstrap/helpers/applications.php)."""
    in_progress = [d for d in store.deployments.values()
                   if d["server_id"] == row["server_id"] and d["status"] == "in_progress"]
    if any(d["_application_uuid"] == row["_application_uuid"] for d in in_progress):
        return False
    server = store.server_by_id(row["server_id"])
    limit = int(server["_settings"]["concurrent_builds"]) if server else 2
    return len(in_progress) < limit


def advance_by_time(config: SimConfig, store: Store) -> None:
    """With `by_time` timing, replay the queue up to now: each build ends `in_progress_s` after it started,
    and the next queued deployment starts when a build slot frees (or when it was queued, if later)."""
    timing = config.deploy_timing
    if not timing.by_time:
        return
    now = time.monotonic()
    freed_at: dict[Any, float] = {}  # server id -> when its last build ended, in this replay
    while True:
        for row in sorted((d for d in store.deployments.values() if d["status"] == "queued"), key=lambda d: d["id"]):
            ready = max(row["_state_since"] + timing.queued_s, freed_at.get(row["server_id"], 0.0))
            if ready <= now and next_queuable(store, row):
                start(config, store, row, at=ready)
        due = [d for d in store.deployments.values()
               if d["status"] == "in_progress" and d["_state_since"] + timing.in_progress_s <= now]
        if not due:
            return
        first = min(due, key=lambda d: d["_state_since"])
        finish(config, store, first)
        freed_at[first["server_id"]] = first["_state_since"] + timing.in_progress_s


def observe(config: SimConfig, store: Store, row: Row) -> None:
    """A client read this deployment: count the poll and move to the next state when due."""
    timing = config.deploy_timing
    if row["status"] not in ACTIVE or timing.by_time:
        return
    row["_polls"] += 1
    elapsed = time.monotonic() - row["_state_since"]
    if row["status"] == "queued":
        if row["_polls"] >= timing.queued_polls and elapsed >= timing.queued_s and next_queuable(store, row):
            start(config, store, row)
        return
    final_status, lines = _outcome_lines(config, store, row)
    # Reveal the log gradually: one share of the lines per in_progress poll.
    share = max(1, -(-len(lines) // max(1, timing.in_progress_polls)))
    shown = len(row["_log"])
    for index in range(shown, min(len(lines), shown + share)):
        _log(row, lines[index], _stream(final_status, index, len(lines)))
    if row["_polls"] >= timing.in_progress_polls and elapsed >= timing.in_progress_s:
        finish(config, store, row)


def start(config: SimConfig, store: Store, row: Row, at: float | None = None) -> None:
    app = store.applications.get(row["_application_uuid"])
    # ApplicationDeploymentJob reads the application's env vars when it runs, not when it is queued:
    # keep what this run saw (a test-only column) so tests can tell which configuration was deployed.
    row["_env_at_start"] = {
        env["key"]: env["value"] for env in (store.envs_of_app(app) if app else []) if not env.get("is_preview")
    }
    row["status"] = "in_progress"
    row["_polls"] = 0
    row["_state_since"] = time.monotonic() if at is None else at
    store.touch(row)


def finish(config: SimConfig, store: Store, row: Row, status: str | None = None) -> None:
    final_status, lines = _outcome_lines(config, store, row)
    final_status = status or final_status
    for index in range(len(row["_log"]), len(lines)):
        _log(row, lines[index], _stream(final_status, index, len(lines)))
    row["status"] = final_status
    row["finished_at"] = now_iso()
    store.touch(row)
    app = store.applications.get(row["_application_uuid"])
    if app is not None:
        app["status"] = "running:healthy" if final_status == "finished" else "exited:unhealthy"
        app["last_online_at"] = now_iso()


def run_to_completion(config: SimConfig, store: Store, row: Row) -> None:
    """Finish a deployment at once (used by tests through the simulator API)."""
    if row["status"] == "queued":
        start(config, store, row)
    if row["status"] == "in_progress":
        finish(config, store, row)
