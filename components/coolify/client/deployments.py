"""Deploying applications and following their deployments (`/deploy`, `/deployments`)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from .types import JsonObject

if TYPE_CHECKING:
    from .http import CoolifyHttp  # the program imports this module; only the provider needs requests

FINISHED = "finished"
UNSUCCESSFUL = frozenset({"failed", "cancelled-by-user"})
TERMINAL = UNSUCCESSFUL | {FINISHED}
# queue_application_deployment() (bootstrap/helpers/applications.php) when one of the same commit is queued/running.
SKIPPED_MESSAGE = "Deployment already queued for this commit."
ACTIVE = frozenset({"queued", "in_progress"})
PAGE_SIZE = 10  # GET /deployments/applications/{uuid} defaults: skip=0, take=10


@dataclass(frozen=True)
class DeployAnswer:
    """One application's entry of `POST /deploy`."""

    message: str
    deployment_uuid: str | None

    @property
    def skipped(self) -> bool:
        # DeployController::deploy_resource mints deployment_uuid before queueing and returns it even when the
        # queue skips a duplicate: that uuid is never stored (GET /deployments/{uuid} answers 404).
        return self.message.strip() == SKIPPED_MESSAGE


class DeploymentsApi:
    def __init__(self, http: CoolifyHttp) -> None:
        self._http = http
        # Deployments this client queued or chose to follow: the current run's, as opposed to ones left
        # over from an earlier run (a failed leftover is deployed again; a failure of this run is reported).
        self._followed: set[str] = set()
        self._lock = threading.Lock()

    def queue(self, application_uuid: str, *, force: bool) -> DeployAnswer:
        """`POST /deploy?uuid=…`; the answer says whether a deployment was queued or skipped as a duplicate."""
        answer = self._http.post("/deploy", params={"uuid": application_uuid, "force": force})
        entries = answer.get("deployments", []) if isinstance(answer, dict) else []
        for entry in entries:
            if isinstance(entry, dict) and entry.get("resource_uuid") in (None, application_uuid):
                uuid = entry.get("deployment_uuid")
                return DeployAnswer(str(entry.get("message") or ""), str(uuid) if uuid else None)
        return DeployAnswer("", None)

    def follow(self, deployment_uuid: str) -> str:
        """Record `deployment_uuid` as one of this run's deployments; returns it."""
        with self._lock:
            self._followed.add(deployment_uuid)
        return deployment_uuid

    def followed(self, deployment_uuid: str) -> bool:
        """True if this client queued (or chose to follow) `deployment_uuid` in this process."""
        with self._lock:
            return deployment_uuid in self._followed

    def active(self) -> list[JsonObject]:
        """Every queued or in-progress deployment on the team's servers, in one request.

        `GET /deployments` (DeployController::deployments: status queued|in_progress on the team's servers).
        """
        answer = self._http.get("/deployments")
        return [cast(JsonObject, row) for row in answer] if isinstance(answer, list) else []

    def get(self, deployment_uuid: str) -> JsonObject:
        return cast(JsonObject, self._http.get(f"/deployments/{deployment_uuid}"))

    def page_for_application(
        self, application_uuid: str, *, skip: int, take: int = PAGE_SIZE
    ) -> tuple[int, list[JsonObject]]:
        # Answers {"count", "deployments": [...]}, newest first (created_at, then id); the spec says an array of
        # applications (DeployController::get_application_deployments, Application::deployments).
        answer = self._http.get(f"/deployments/applications/{application_uuid}", params={"skip": skip, "take": take})
        if not isinstance(answer, dict):
            return 0, []
        rows = [row for row in answer.get("deployments") or [] if isinstance(row, dict)]
        return int(answer.get("count") or 0), rows

    def latest_for_application(self, application_uuid: str) -> JsonObject | None:
        _count, rows = self.page_for_application(application_uuid, skip=0, take=1)
        return rows[0] if rows else None

    def in_flight(self, application_uuid: str) -> JsonObject | None:
        """The newest queued or running deployment of the application itself (not of a preview), if any."""
        skip = 0
        while True:
            count, rows = self.page_for_application(application_uuid, skip=skip)
            for row in rows:
                if row.get("status") in ACTIVE and not row.get("pull_request_id"):
                    return row
            skip += len(rows)
            if not rows or skip >= count:
                return None


def log_lines(deployment: JsonObject) -> list[str] | None:
    """The visible log lines, oldest first; None when the token cannot read logs (`read:sensitive`)."""
    raw: Any = deployment.get("logs")
    if raw is None:
        return None
    # `logs` is a JSON string holding a list of {command, output, type, hidden, order, ...}.
    entries = json.loads(raw) if isinstance(raw, str) and raw.strip() else raw or []
    if not isinstance(entries, list):
        return []
    visible = [entry for entry in entries if isinstance(entry, dict) and not entry.get("hidden")]
    visible.sort(key=lambda entry: entry.get("order") or 0)
    lines: list[str] = []
    for entry in visible:
        lines.extend(str(entry.get("output") or "").splitlines())
    return lines
