"""Application environment variables (notes §9), with their preview shadow copies."""

from __future__ import annotations

from typing import Any

from ..context import Ctx
from ..models import app_env_row
from ..routes import Route
from ..rules import Regex, Rules, api_validate, merge_not_allowed, unknown_fields
from ..serialize import env_payload
from ..store import Row
from ..versions import ENV_FIELD_SINCE, ENV_FIELD_UNTIL, fields_unknown_to
from ..wire import Response, message, ok, parse_bool, validation_failed

ENV_FIELDS = frozenset({
    "key", "value", "is_preview", "is_literal", "is_multiline", "is_shown_once", "is_runtime", "is_buildtime",
    "comment",
})
KEY_MESSAGES = {
    "key.regex": "The key must start with a letter or underscore and may only contain letters, numbers, underscores, "
                 "and dots.",
    "key.max": "The key may not be greater than :max characters.",
}


# Columns of a row the bulk endpoint creates that its answer lacks (database defaults, not set by `create()`).
CREATE_UNLOADED = frozenset({"is_required", "order"})


def _rules() -> Rules:
    rules: Rules = {
        "key": ["required", "string", "max:255", Regex(r"\A[A-Za-z_][A-Za-z0-9_.]*\Z")],
        "value": ["string", "nullable"],
        "comment": ["string", "nullable", "max:256"],
    }
    for flag in ("is_preview", "is_literal", "is_multiline", "is_shown_once", "is_runtime", "is_buildtime"):
        rules[flag] = ["boolean"]
    return rules


def _allowed(ctx: Ctx) -> frozenset[str]:
    unknown = fields_unknown_to(ctx.config.version, ENV_FIELD_SINCE, ENV_FIELD_UNTIL)
    still_supported = {name for name in ENV_FIELD_UNTIL if name not in unknown}
    return (ENV_FIELDS - unknown) | still_supported


def _check(ctx: Ctx, data: dict[str, Any]) -> Response | None:
    errors = api_validate(data, _rules(), KEY_MESSAGES)
    extra = unknown_fields(data, _allowed(ctx))
    if errors or extra:
        return validation_failed(merge_not_allowed(errors, extra))
    return None


def _lookup_key(key: Any) -> str:
    return str(key or "").strip().replace(" ", "_")


def _find(ctx: Ctx, app: Row, key: str, is_preview: bool) -> Row | None:
    return next((e for e in ctx.store.envs_of_app(app) if e["key"] == key and e["is_preview"] == is_preview), None)


def create_env_rows(ctx: Ctx, app: Row, fields: dict[str, Any]) -> Row:
    is_preview = parse_bool(fields.get("is_preview"))
    row = ctx.store.insert("app_envs", app_env_row(app["uuid"], fields["key"], fields, is_preview))
    # A non-preview env gets a preview shadow copy with the same key, unless one is already there
    # (EnvironmentVariable::booted() `created` hook: it looks the preview row up first).
    if not is_preview and _find(ctx, app, fields["key"], True) is None:
        ctx.store.insert("app_envs", app_env_row(app["uuid"], fields["key"], fields, True))
    return row


def apply_update(env: Row, fields: dict[str, Any]) -> None:
    """The PATCH semantics: close to a full replace of value and the older flags."""
    env["value"] = fields.get("value")  # always overwritten, null when omitted
    env["is_literal"] = parse_bool(fields.get("is_literal"))  # resets to false when omitted
    # is_multiline / is_shown_once take the request value; an omitted flag reads as false.
    env["is_multiline"] = parse_bool(fields.get("is_multiline"))
    env["is_shown_once"] = parse_bool(fields.get("is_shown_once"))
    for name in ("is_runtime", "is_buildtime"):  # change only when sent
        if name in fields:
            env[name] = parse_bool(fields[name])
    if "comment" in fields:
        env["comment"] = fields["comment"]


def _app_or_404(ctx: Ctx) -> Row | Response:
    app = ctx.store.application(ctx.team_id, ctx.params["uuid"])
    if app is None:
        return message(404, "Application not found")
    return app


def list_envs(ctx: Ctx) -> Response:
    app = ctx.store.application(ctx.team_id, ctx.params["uuid"])
    if app is None:
        return message(404, "Application not found.")
    return ok([env_payload(e, ctx.can_read_sensitive) for e in ctx.store.envs_of_app(app)])


def create_env(ctx: Ctx) -> Response:
    # No JSON pre-check on this endpoint.
    app = _app_or_404(ctx)
    if isinstance(app, Response):
        return app
    data = ctx.all()
    if failure := _check(ctx, data):
        return failure
    if _find(ctx, app, _lookup_key(data["key"]), parse_bool(data.get("is_preview"))):
        return message(409, "Environment variable already exists. Use PATCH request to update it.")
    row = create_env_rows(ctx, app, data)
    return ok({"uuid": row["uuid"]}, 201)


def update_env(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    app = _app_or_404(ctx)
    if isinstance(app, Response):
        return app
    data = ctx.all()
    if failure := _check(ctx, data):
        return failure
    # No env uuid in the path: the row is found by key plus is_preview.
    env = _find(ctx, app, _lookup_key(data["key"]), parse_bool(data.get("is_preview")))
    if env is None:
        return message(404, "Environment variable not found.")
    apply_update(env, data)
    ctx.store.touch(env)
    return ok(env_payload(env, ctx.can_read_sensitive), 201)


def bulk_update_envs(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    app = _app_or_404(ctx)
    if isinstance(app, Response):
        return app
    items = ctx.all().get("data")
    if not items:
        return message(400, "Bulk data is required.")
    returned = []
    for raw in items if isinstance(items, list) else []:
        # Unknown per-item fields are dropped silently; items are saved one by one (not atomic).
        item = {k: v for k, v in (raw or {}).items() if k in ENV_FIELDS} if isinstance(raw, dict) else {}
        if errors := api_validate(item, _rules(), KEY_MESSAGES):
            return validation_failed(errors)
        env = _find(ctx, app, _lookup_key(item["key"]), parse_bool(item.get("is_preview")))
        if env is None:
            env = create_env_rows(ctx, app, item)
            # The answered row is the model `create()` returned: columns it was not given and whose value
            # is a database default (is_required, order) are not loaded (ApplicationsController::create_bulk_envs).
            payload = {k: v for k, v in env_payload(env, ctx.can_read_sensitive).items() if k not in CREATE_UNLOADED}
        else:
            apply_update(env, item)
            ctx.store.touch(env)
            payload = env_payload(env, ctx.can_read_sensitive)
        returned.append(payload)
    return ok(returned, 201)


def delete_env(ctx: Ctx) -> Response:
    app = _app_or_404(ctx)
    if isinstance(app, Response):
        return app
    env = ctx.store.app_envs.get(ctx.params["env_uuid"])
    if env is None or env["_application_uuid"] != app["uuid"]:
        return message(404, "Environment variable not found.")
    # Only this row goes; a deleted non-preview row leaves its preview copy behind.
    del ctx.store.app_envs[env["uuid"]]
    return message(200, "Environment variable deleted.")


ROUTES = [
    Route("GET", "/applications/{uuid}/envs", "read", list_envs),
    Route("POST", "/applications/{uuid}/envs", "write", create_env),
    Route("PATCH", "/applications/{uuid}/envs/bulk", "write", bulk_update_envs),
    Route("PATCH", "/applications/{uuid}/envs", "write", update_env),
    Route("DELETE", "/applications/{uuid}/envs/{env_uuid}", "write", delete_env),
]
