"""Projects and environments (notes §5)."""

from __future__ import annotations

from ..context import Ctx
from ..models import environment_row, project_row
from ..routes import Route
from ..rules import Regex, Rules, unknown_fields, validate
from ..serialize import environment_payload, ordered, project_payload
from ..store import Row
from ..wire import Response, message, not_allowed, ok

NAME_PATTERN = r"^[\w\s\-.@/&()#,:+]+$"
DESCRIPTION_PATTERN = r"^[\w\s\-.,!?()'\"+=*@/&]+$"
NAME_MESSAGES = {
    "name.regex": "The name may only contain letters (including Unicode), numbers, spaces, and these characters: "
    "- _ . / @ & ( ) # , : +",
    "name.min": "The name must be at least :min characters.",
    "name.max": "The name may not be greater than :max characters.",
    "description.regex": "The description may only contain letters (including Unicode), numbers, spaces, and common "
    "punctuation: - _ . , ! ? ( ) ' \" + = * / @ &",
    "description.max": "The description may not be greater than :max characters.",
}


def _name_rules(required: bool) -> Rules:
    return {
        "name": ["required" if required else "nullable", "string", "min:3", "max:255", Regex(NAME_PATTERN)],
        "description": ["nullable", "string", "max:255", Regex(DESCRIPTION_PATTERN)],
    }


def _check_body(ctx: Ctx, allowed: set[str], rules: Rules) -> Response | None:
    data = ctx.all()
    errors = validate(data, rules, NAME_MESSAGES)
    extra = unknown_fields(data, allowed)
    if errors or extra:
        return not_allowed(extra, errors)
    return None


def normalise_environment_name(name: str) -> str:
    # Coolify stores environment names lower-cased with "/" replaced by "-".
    return name.lower().replace("/", "-")


def create_environment_row(ctx: Ctx, project: Row, name: str) -> Row:
    return ctx.store.insert("environments", environment_row(project["id"], normalise_environment_name(name)))


def list_projects(ctx: Ctx) -> Response:
    rows = [p for p in ctx.store.projects.values() if p["team_id"] == ctx.team_id]
    return ok([project_payload(p) for p in sorted(rows, key=lambda p: p["id"])])


def get_project(ctx: Ctx) -> Response:
    project = ctx.store.project(ctx.team_id, ctx.params["uuid"])
    if project is None:
        return message(404, "Project not found.")
    payload = {k: project[k] for k in ("id", "uuid", "name", "description", "team_id", "created_at", "updated_at")}
    payload["environments"] = [environment_payload(e) for e in ctx.store.environments_of(project)]
    return ok(ordered(payload))


def create_project(ctx: Ctx) -> Response:
    if (failure := ctx.json_precheck()) or (failure := _check_body(ctx, {"name", "description"}, _name_rules(True))):
        return failure
    data = ctx.all()
    project = ctx.store.insert("projects", project_row(ctx.team_id, data["name"], data.get("description")))
    # Creating a project also creates its `production` environment.
    create_environment_row(ctx, project, "production")
    return ok({"uuid": project["uuid"]}, 201)


def update_project(ctx: Ctx) -> Response:
    if (failure := ctx.json_precheck()) or (failure := _check_body(ctx, {"name", "description"}, _name_rules(False))):
        return failure
    project = ctx.store.project(ctx.team_id, ctx.params["uuid"])
    if project is None:
        return message(404, "Project not found.")
    data = ctx.all()
    for name in ("name", "description"):
        if name in data:
            project[name] = data[name]
    ctx.store.touch(project)
    # PATCH /projects/{uuid} answers 201, not 200.
    return ok({"uuid": project["uuid"], "name": project["name"], "description": project["description"]}, 201)


def delete_project(ctx: Ctx) -> Response:
    project = ctx.store.project(ctx.team_id, ctx.params["uuid"])
    if project is None:
        return message(404, "Project not found.")
    envs = ctx.store.environments_of(project)
    if any(ctx.store.resources_in_environment(env) for env in envs):
        return message(400, "Project has resources, so it cannot be deleted.")
    for env in envs:
        del ctx.store.environments[env["uuid"]]
    del ctx.store.projects[project["uuid"]]
    return message(200, "Project deleted.")


def list_environments(ctx: Ctx) -> Response:
    project = ctx.store.project(ctx.team_id, ctx.params["uuid"])
    if project is None:
        return message(404, "Project not found.")
    return ok([ordered({k: e[k] for k in ("id", "uuid", "name")}) for e in ctx.store.environments_of(project)])


def create_environment(ctx: Ctx) -> Response:
    # Only `name` is allowed here; `description` is rejected on create.
    name_only = {"name": _name_rules(True)["name"]}
    if (failure := ctx.json_precheck()) or (failure := _check_body(ctx, {"name"}, name_only)):
        return failure
    project = ctx.store.project(ctx.team_id, ctx.params["uuid"])
    if project is None:
        return message(404, "Project not found.")
    name = ctx.all()["name"]
    # The duplicate check compares the raw input with stored (lower-cased) names, so "Staging" slips past.
    if any(env["name"] == name for env in ctx.store.environments_of(project)):
        return message(409, "Environment with this name already exists.")
    env = create_environment_row(ctx, project, name)
    return ok({"uuid": env["uuid"]}, 201)


def _resource_payloads(ctx: Ctx, env: Row) -> dict[str, list[dict[str, object]]]:
    from ..serialize import application_payload, database_payload

    apps = [a for a in ctx.store.applications.values() if a["environment_id"] == env["id"]]
    dbs = [d for d in ctx.store.databases.values() if d["environment_id"] == env["id"]]
    sensitive = ctx.can_read_sensitive
    return {
        "applications": [application_payload(ctx.store, a, sensitive, single=False) for a in apps],
        "mongodbs": [database_payload(ctx.store, d, sensitive) for d in dbs],
        "postgresqls": [],
        "redis": [],
        "mysqls": [],
        "mariadbs": [],
        "keydbs": [],
        "dragonflies": [],
        "clickhouses": [],
        "services": [],
    }


def get_environment(ctx: Ctx) -> Response:
    project = ctx.store.project(ctx.team_id, ctx.params["uuid"])
    if project is None:
        return message(404, "Project not found.")
    env = ctx.store.environment(project, ctx.params["environment_name_or_uuid"])
    if env is None:
        return message(404, "Environment not found.")
    payload: dict[str, object] = dict(environment_payload(env))
    payload.update(_resource_payloads(ctx, env))
    return ok(ordered(payload))


def update_environment(ctx: Ctx) -> Response:
    if (failure := ctx.json_precheck()) or (failure := _check_body(ctx, {"name", "description"}, _name_rules(False))):
        return failure
    project = ctx.store.project(ctx.team_id, ctx.params["uuid"])
    if project is None:
        return message(404, "Project not found.")
    env = ctx.store.environment(project, ctx.params["environment_name_or_uuid"])
    if env is None:
        return message(404, "Environment not found.")
    data = ctx.all()
    if "name" in data:
        # As on create, the duplicate check sees the raw input, the stored name is normalised.
        if any(e["name"] == data["name"] and e is not env for e in ctx.store.environments_of(project)):
            return message(409, "Environment with this name already exists.")
        env["name"] = normalise_environment_name(data["name"])
    if "description" in data:
        env["description"] = data["description"]
    ctx.store.touch(env)
    return ok({"uuid": env["uuid"], "name": env["name"], "description": env["description"]})


def delete_environment(ctx: Ctx) -> Response:
    project = ctx.store.project(ctx.team_id, ctx.params["uuid"])
    if project is None:
        return message(404, "Project not found.")
    env = ctx.store.environment(project, ctx.params["environment_name_or_uuid"])
    if env is None:
        return message(404, "Environment not found.")
    if ctx.store.resources_in_environment(env):
        return message(400, "Environment has resources, so it cannot be deleted.")
    del ctx.store.environments[env["uuid"]]
    return message(200, "Environment deleted.")


ROUTES = [
    Route("GET", "/projects", "read", list_projects),
    Route("GET", "/projects/{uuid}", "read", get_project),
    Route("GET", "/projects/{uuid}/environments", "read", list_environments),
    Route("GET", "/projects/{uuid}/{environment_name_or_uuid}", "read", get_environment),
    Route("POST", "/projects/{uuid}/environments", "write", create_environment),
    Route("PATCH", "/projects/{uuid}/environments/{environment_name_or_uuid}", "write", update_environment),
    Route("DELETE", "/projects/{uuid}/environments/{environment_name_or_uuid}", "write", delete_environment),
    Route("POST", "/projects", "write", create_project),
    Route("PATCH", "/projects/{uuid}", "write", update_project),
    Route("DELETE", "/projects/{uuid}", "write", delete_project),
]
