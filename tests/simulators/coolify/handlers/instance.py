"""Instance-level routes: version, team, and the API on/off switch (notes §4)."""

from __future__ import annotations

from typing import Any

from ..context import Ctx
from ..routes import Route
from ..store import ROOT_TEAM_ID
from ..wire import Response, message, ok, text


def version(ctx: Ctx) -> Response:
    # Plain text without a leading "v" (the spec's example says v4.0.0).
    return text(200, ctx.config.version)


def team_payload(ctx: Ctx) -> dict[str, Any]:
    # TeamController::removeSensitiveData hides custom_server_limit (and the pivot).
    return {
        "id": ctx.team_id,
        "name": "Root Team" if ctx.team_id == ROOT_TEAM_ID else f"Team {ctx.team_id}",
        "description": None,
        "personal_team": ctx.team_id == ROOT_TEAM_ID,
        "show_boarding": False,
        "created_at": "2026-01-01T00:00:00.000000Z",
        "updated_at": "2026-01-01T00:00:00.000000Z",
    }


def current_team(ctx: Ctx) -> Response:
    return ok(team_payload(ctx))


def enable_api(ctx: Ctx) -> Response:
    # Only tokens of the root team ("0") may flip the switch.
    if ctx.team_id != ROOT_TEAM_ID:
        return message(403, "You are not allowed to enable the API.")
    ctx.config.api_enabled = True
    return message(200, "API enabled.")


def disable_api(ctx: Ctx) -> Response:
    if ctx.team_id != ROOT_TEAM_ID:
        return message(403, "You are not allowed to disable the API.")
    ctx.config.api_enabled = False
    return message(200, "API disabled.")


ROUTES = [
    Route("POST", "/enable", "write", enable_api, api_gate=False, post_only_action=True),
    Route("POST", "/disable", "write", disable_api, api_gate=False, post_only_action=True),
    Route("GET", "/version", "read", version),
    Route("GET", "/team", "read", current_team),
]
