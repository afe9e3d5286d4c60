"""Read routes Coolify serves that our program does not call: teams, a server's resources, domains and
destinations, a database's env vars. Each follows its controller at coollabsio/coolify 379abb2526 (v4.3.11).
"""

from __future__ import annotations

from typing import Any

from ..context import Ctx
from ..routes import Route
from ..serialize import ordered
from ..store import Row
from ..wire import Response, message, ok
from .instance import team_payload


def teams(ctx: Ctx) -> Response:
    # TeamController::teams: the user's teams filtered to the token's team, so a list of one.
    return ok([team_payload(ctx)])


def _server_or_404(ctx: Ctx, param: str = "uuid") -> Row | Response:
    server = ctx.store.server(ctx.team_id, ctx.params[param])
    if server is None:
        return message(404, "Server not found.")
    return server


def server_resources(ctx: Ctx) -> Response:
    # ServersController::resources_by_server: definedResources() = applications, then databases, then services.
    server = _server_or_404(ctx)
    if isinstance(server, Response):
        return server
    rows = ctx.store.resources_on_server(server)
    apps = sorted((r for r in rows if r["uuid"] in ctx.store.applications), key=lambda r: r["id"])
    dbs = sorted((r for r in rows if r["uuid"] in ctx.store.databases), key=lambda r: r["id"])
    items = [_resource_item(row, "application") for row in apps]
    items += [_resource_item(row, "standalone-mongodb") for row in dbs]  # StandaloneMongodb::type()
    return ok(items)


def _resource_item(row: Row, kind: str) -> dict[str, Any]:
    return ordered({"id": row["id"], "uuid": row["uuid"], "name": row["name"], "type": kind,
                    "created_at": row["created_at"], "updated_at": row["updated_at"], "status": row["status"]})


def _hosts(fqdn: str | None) -> list[str]:
    """The controller's fqdn parsing: split on commas, drop the scheme, the path and the port; skip empties."""
    hosts = []
    for entry in (fqdn or "").split(","):
        host = entry.replace("http://", "").replace("https://", "").split("/")[0].split(":")[0]
        if host:
            hosts.append(host)
    return hosts


def server_domains(ctx: Ctx) -> Response:
    # ServersController::domains_by_server. The simulator has no services and no host.docker.internal server,
    # so only the plain-IP branch for applications applies.
    server = _server_or_404(ctx)
    if isinstance(server, Response):
        return server
    app_uuid = ctx.query.get("uuid")
    if app_uuid:
        app = ctx.store.application(ctx.team_id, app_uuid)
        if app is None:
            return message(404, "Application not found.")
        # Application::fqdns: the raw comma-separated entries, [] when fqdn is null.
        return ok([] if app["fqdn"] is None else str(app["fqdn"]).split(","))
    on_server = {r["uuid"] for r in ctx.store.resources_on_server(server)}
    apps = sorted((a for a in ctx.store.applications.values() if a["uuid"] in on_server), key=lambda a: a["id"])
    grouped: dict[str, list[str]] = {}
    for _app in apps:
        grouped.setdefault(server["ip"], []).extend(_hosts(_app["fqdn"]))
    return ok([{"ip": ip, "domains": hosts} for ip, hosts in grouped.items()])


def server_destinations(ctx: Ctx) -> Response:
    # DestinationsController::index_by_server: firstOrFail(), so a missing server is Laravel's model 404.
    server = ctx.store.server(ctx.team_id, ctx.params["server_uuid"])
    if server is None:
        return message(404, "No query results for model [App\\Models\\Server].")
    destinations = sorted(ctx.store.destinations_of(server), key=lambda d: d["id"])
    return ok([{"uuid": d["uuid"], "name": d["name"], "network": d["network"], "type": "standalone",
                "server_uuid": server["uuid"], "created_at": d["created_at"], "updated_at": d["updated_at"]}
               for d in destinations])


def database_envs(ctx: Ctx) -> Response:
    # DatabasesController::envs. The simulator keeps no env vars on databases (their create routes are not
    # simulated), so an existing database has none.
    if ctx.store.database(ctx.team_id, ctx.params["uuid"]) is None:
        return message(404, "Database not found.")
    return ok([])


ROUTES = [
    Route("GET", "/teams", "read", teams),
    # Deprecated alias of GET /team (routes/api.php).
    Route("GET", "/teams/current", "read", lambda ctx: ok(team_payload(ctx))),
    Route("GET", "/servers/{uuid}/resources", "read", server_resources),
    Route("GET", "/servers/{uuid}/domains", "read", server_domains),
    Route("GET", "/servers/{server_uuid}/destinations", "read", server_destinations),
    Route("GET", "/databases/{uuid}/envs", "read", database_envs),
]
