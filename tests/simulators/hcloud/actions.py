"""Asynchronous actions: created `running`, they turn `success` (or an injected `error`) after polls.

An action stays `running` for the first `running_polls` times a client reads it, then finishes on the
next read. Its `on_success` effect (e.g. a server becoming `running`) is applied when it succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.simulators.hcloud.clock import now_iso

Effect = Callable[[], None]


@dataclass
class Action:
    id: int
    command: str
    resources: list[dict[str, Any]]
    started: str
    status: str = "running"
    progress: int = 0
    finished: str | None = None
    error: dict[str, str] | None = None
    polls: int = 0
    on_success: Effect | None = None
    planned_error: dict[str, str] | None = None

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "command": self.command,
            "status": self.status,
            "progress": self.progress,
            "started": self.started,
            "finished": self.finished,
            "resources": [dict(resource) for resource in self.resources],
            "error": dict(self.error) if self.error else None,
        }

    def touches(self, kind: str, resource_id: int) -> bool:
        return any(r["type"] == kind and r["id"] == resource_id for r in self.resources)


@dataclass
class PlannedFailure:
    command: str | None
    code: str
    message: str


@dataclass
class ActionBook:
    running_polls: int = 1
    first_id: int = 90001
    actions: dict[int, Action] = field(default_factory=dict)
    planned_failures: list[PlannedFailure] = field(default_factory=list)

    def start(self, command: str, resources: list[tuple[str, int]], on_success: Effect | None = None) -> Action:
        action_id = self.first_id + len(self.actions)
        action = Action(
            id=action_id,
            command=command,
            resources=[{"id": resource_id, "type": kind} for kind, resource_id in resources],
            started=now_iso(),
            on_success=on_success,
        )
        for planned in self.planned_failures:
            if planned.command in (None, command):
                self.planned_failures.remove(planned)
                action.planned_error = {"code": planned.code, "message": planned.message}
                break
        self.actions[action_id] = action
        return action

    def observe(self, action: Action) -> dict[str, Any]:
        """A client read the action: advance it, then return its view."""
        if action.status == "running":
            action.polls += 1
            if action.polls > self.running_polls:
                self.finish(action)
            else:
                action.progress = min(90, action.progress + 50)
        return action.view()

    def finish(self, action: Action) -> None:
        if action.status != "running":
            return
        action.finished = now_iso()
        if action.planned_error is not None:
            action.status = "error"
            action.error = action.planned_error
            return
        action.status = "success"
        action.progress = 100
        if action.on_success is not None:
            action.on_success()

    def finish_all(self) -> None:
        for action in list(self.actions.values()):
            self.finish(action)

    def running_on(self, kind: str, resource_id: int) -> bool:
        return any(a.status == "running" and a.touches(kind, resource_id) for a in self.actions.values())
