"""The route table: method + path template -> ability and handler, matched in registration order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .context import Ctx
from .wire import Response

API_PREFIX = "/api/v1"

Handler = Callable[[Ctx], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # relative to /api/v1, e.g. "/applications/{uuid}"
    ability: str
    handler: Handler
    api_gate: bool = True  # False for /enable and /disable, which work while the API is off
    post_only_action: bool = False  # GET answers 405 "This endpoint has changed to a POST request."
    since: str | None = None  # first Coolify version with this route; older ones answer the catch-all 404
    post_since: str | None = None  # before this version the action is GET-only and POST hits the catch-all

    @property
    def full_template(self) -> str:
        return API_PREFIX + self.template

    def match(self, path: str) -> dict[str, str] | None:
        wanted = self.template.strip("/").split("/")
        given = path.strip("/").split("/")
        if len(wanted) != len(given):
            return None
        params: dict[str, str] = {}
        for pattern, segment in zip(wanted, given, strict=True):
            if pattern.startswith("{") and pattern.endswith("}"):
                if not segment:
                    return None
                params[pattern[1:-1]] = segment
            elif pattern != segment:
                return None
        return params


def find_route(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        if route.method == method:
            params = route.match(path)
            if params is not None:
                return route, params
    return None
