"""Deploying applications and following their deployments (`/deploy`, `/deployments`)."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any, cast

from .types import JsonObject

if TYPE_CHECKING:
    from .http import CoolifyHttp  # the program imports this module; only the provider needs requests

FINISHED = "finished"
UNSUCCESSFUL = frozenset({"failed", "cancelled-by-user"})
TERMINAL = UNSUCCESSFUL | {FINISHED}


class DeploymentsApi:
    def __init__(self, http: CoolifyHttp) -> None:
        self._http = http
        # Deployments this client queued or chose to follow: the current run's, as opposed to ones left
        # over from an earlier run (a failed leftover is deployed again; a failure of this run is reported).
        self._followed: set[str] = set()
        self._lock = threading.Lock()

    def deploy(self, application_uuid: str, *, force: bool) -> str | None:
        """Queue a deployment; None when Coolify says one is already queued for this commit (no uuid then)."""
        answer = self._http.post("/deploy", params={"uuid": application_uuid, "force": force})
        for entry in (answer or {}).get("deployments", []) if isinstance(answer, dict) else []:
            if entry.get("resource_uuid") in (None, application_uuid) and entry.get("deployment_uuid"):
                return self.follow(str(entry["deployment_uuid"]))
        return None

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

    def latest_for_application(self, application_uuid: str) -> JsonObject | None:
        # Answers {"count", "deployments": [...]}, newest first (the spec says an array of applications).
        answer = self._http.get(f"/deployments/applications/{application_uuid}", params={"skip": 0, "take": 1})
        rows = answer.get("deployments", []) if isinstance(answer, dict) else []
        return cast(JsonObject, rows[0]) if rows else None


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
