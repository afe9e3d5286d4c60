"""The deploy webhook and the deployment queue (notes §10)."""

from __future__ import annotations

from ..context import Ctx
from ..deployments import ACTIVE, new_deployment_uuid, observe, queue_deployment
from ..routes import Route
from ..serialize import deployment_payload
from ..store import Row
from ..wire import Response, message, ok, parse_bool


def _split(value: object) -> list[str]:
    return [part for part in str(value or "").split(",") if part]


def deploy(ctx: Ctx) -> Response:
    uuids, tags = ctx.input("uuid"), ctx.input("tag")
    pr = ctx.input("pr") or ctx.input("pull_request_id")
    docker_tag = ctx.input("docker_tag")
    if uuids and tags:
        return message(400, "You can only use uuid or tag, not both.")
    if tags and pr:
        return message(400, "You can only use tag or pr, not both.")
    if docker_tag and not pr:
        return message(400, "docker_tag requires pull_request_id.")
    if tags:
        return _deploy_by_tags(ctx, _split(tags))
    if not uuids:
        return message(400, "You must provide uuid or tag.")
    force = parse_bool(ctx.input("force"))
    deployments = []
    for uuid in _split(uuids):
        app = ctx.store.application(ctx.team_id, uuid)
        db = ctx.store.database(ctx.team_id, uuid)
        if app is not None:
            # The handler mints the deployment uuid before queueing and returns it even when the queue skips
            # a duplicate, so a skipped deploy carries a deployment_uuid that was never stored.
            deployment_uuid = new_deployment_uuid()
            result = queue_deployment(ctx.store, app, deployment_uuid, force_rebuild=force)
            if result.status == "queue_full":
                return Response(429, {"message": result.message}, {"Retry-After": "60"})
            text = result.message if result.status == "skipped" else f"Application {app['name']} deployment queued."
            deployments.append({"message": text, "resource_uuid": uuid, "deployment_uuid": deployment_uuid})
        elif db is not None:
            db["status"] = "running:healthy"
            deployments.append({"message": f"Database {db['name']} started.", "resource_uuid": uuid})
    if not deployments:
        return message(404, "No resources found.")
    return ok({"deployments": deployments})


def _deploy_by_tags(ctx: Ctx, tags: list[str]) -> Response:
    messages: list[str] = []
    details: list[dict[str, str]] = []
    force = parse_bool(ctx.input("force"))
    for tag in tags:
        apps = [a for a in ctx.store.applications.values() if a["_team_id"] == ctx.team_id and tag in a.get(
            "_tags", [])]
        for app in apps:
            deployment_uuid = new_deployment_uuid()
            result = queue_deployment(ctx.store, app, deployment_uuid, force_rebuild=force)
            messages.append(result.message if result.status != "queued" else
                            f"Application {app['name']} deployment queued.")
            details.append({"resource_uuid": app["uuid"], "deployment_uuid": deployment_uuid})
    if not messages:
        return message(404, "No resources found with this tag.")
    return ok({"message": messages, "details": details})


def _poll(ctx: Ctx, row: Row) -> dict[str, object]:
    payload = deployment_payload(row, ctx.can_read_sensitive)
    observe(ctx.config, ctx.store, row)
    return payload


def _team_deployment(ctx: Ctx, uuid: str) -> Row | None:
    row = ctx.store.deployments.get(uuid)
    server = ctx.store.server_by_id(row["server_id"]) if row else None
    return row if row and server and server["team_id"] == ctx.team_id else None


def list_deployments(ctx: Ctx) -> Response:
    server_ids = {s["id"] for s in ctx.store.servers.values() if s["team_id"] == ctx.team_id}
    rows = [d for d in ctx.store.deployments.values() if d["server_id"] in server_ids and d["status"] in ACTIVE]
    return ok([_poll(ctx, d) for d in sorted(rows, key=lambda d: d["id"])])


def get_deployment(ctx: Ctx) -> Response:
    row = _team_deployment(ctx, ctx.params["uuid"])
    if row is None:
        return message(404, "Deployment not found.")
    return ok(_poll(ctx, row))


def list_app_deployments(ctx: Ctx) -> Response:
    app = ctx.store.application(ctx.team_id, ctx.params["uuid"])
    if app is None:
        # DeployController::get_application_deployments: no period, unlike GET /applications/{uuid}.
        return message(404, "Application not found")
    skip, take = ctx.query.get("skip", "0"), ctx.query.get("take", "10")
    # $request->validate(['skip' => 'nullable|integer|min:0', 'take' => 'nullable|integer|min:1']): Laravel's 422.
    for name, value, minimum in (("skip", skip, 0), ("take", take, 1)):
        if not str(value).isdigit():
            text = f"The {name} field must be an integer."
            return ok({"message": text, "errors": {name: [text]}}, 422)
        if int(value) < minimum:
            text = f"The {name} field must be at least {minimum}."
            return ok({"message": text, "errors": {name: [text]}}, 422)
    rows = [d for d in ctx.store.deployments.values() if d["_application_uuid"] == app["uuid"]]
    rows.sort(key=lambda d: d["id"], reverse=True)
    page = rows[int(skip): int(skip) + int(take)]
    return ok({"count": len(rows), "deployments": [_poll(ctx, d) for d in page]})


def cancel_deployment(ctx: Ctx) -> Response:
    row = _team_deployment(ctx, ctx.params["uuid"])
    if row is None:
        return message(404, "Deployment not found.")
    if row["status"] not in ACTIVE:
        return message(400, f"Deployment cannot be cancelled. Current status: {row['status']}")
    row["status"] = "cancelled-by-user"
    ctx.store.touch(row)
    return message(200, "Deployment cancelled successfully.", deployment_uuid=row["deployment_uuid"],
                   status="cancelled-by-user")


ROUTES = [
    Route("POST", "/deploy", "deploy", deploy, post_only_action=True),
    Route("GET", "/deployments", "read", list_deployments),
    Route("GET", "/deployments/applications/{uuid}", "read", list_app_deployments),
    Route("GET", "/deployments/{uuid}", "read", get_deployment),
    Route("POST", "/deployments/{uuid}/cancel", "deploy", cancel_deployment),
]
