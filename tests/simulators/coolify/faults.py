"""Per-route fault injection: a status, a body, headers, a delay, optionally after the write happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .routes import API_PREFIX
from .wire import Response


def full_template(template: str) -> str:
    """Accept `/applications/{uuid}` or `/api/v1/applications/{uuid}`."""
    return template if template.startswith("/api/") else API_PREFIX + template


@dataclass
class Fault:
    method: str  # an HTTP method, or "*" for any
    template: str  # full route template, e.g. /api/v1/applications/{uuid}
    status: int | None = None  # None: only delay, then answer normally
    times: int | None = 1  # None: every matching request, for ever
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    after_write: bool = False  # run the handler (write applied), then answer with the fault
    hits: int = 0

    def matches(self, method: str, template: str | None, after_write: bool) -> bool:
        if self.after_write != after_write or (self.times is not None and self.hits >= self.times):
            return False
        return self.method in ("*", method) and self.template == template

    def response(self) -> Response | None:
        if self.status is None:
            return None
        body = self.body
        headers = dict(self.headers)
        if body is None:
            body = {"message": "Too Many Attempts."} if self.status == 429 else {"message": "Server Error"}
        if self.status == 429:
            headers.setdefault("Retry-After", "1")
        return Response(self.status, body, headers)


class FaultBook:
    """The armed faults; callers hold the simulator lock."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def take(self, method: str, template: str | None, after_write: bool) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, template, after_write):
                fault.hits += 1
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
