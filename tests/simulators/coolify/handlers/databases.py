"""Standalone MongoDB databases and their scheduled backups (notes §11)."""

from __future__ import annotations

from typing import Any

from ..context import Ctx
from ..cron import is_valid_frequency
from ..models import backup_row, mongodb_row
from ..routes import Route
from ..rules import Regex, Rules, api_validate, merge_not_allowed, unknown_fields
from ..serialize import backup_payload, database_payload, mongodb_urls
from ..store import Row
from ..wire import Response, is_base64, message, ok, parse_bool, validation_failed
from .applications import pick_destination
from .s3 import storage_exists, storage_for_backup

COMMON_LIMIT_FIELDS = (
    "limits_memory", "limits_memory_swap", "limits_memory_swappiness", "limits_memory_reservation", "limits_cpus",
    "limits_cpuset", "limits_cpu_shares",
)
MONGO_FIELDS = ("mongo_conf", "mongo_initdb_root_username", "mongo_initdb_root_password", "mongo_initdb_database")
# Every field any database type accepts on create: outside this list the error is a *list* of names.
ANY_TYPE_CREATE_FIELDS = frozenset({
    "name", "description", "image", "public_port", "public_port_timeout", "is_public", "project_uuid",
    "environment_name", "environment_uuid", "server_uuid", "destination_uuid", "instant_deploy", *COMMON_LIMIT_FIELDS,
    "postgres_user", "postgres_password", "postgres_db", "postgres_initdb_args", "postgres_host_auth_method",
    "postgres_conf", "clickhouse_admin_user", "clickhouse_admin_password", "dragonfly_password", "redis_password",
    "redis_conf", "keydb_password", "keydb_conf", "mariadb_conf", "mariadb_root_password", "mariadb_user",
    "mariadb_password", "mariadb_database", *MONGO_FIELDS, "mysql_root_password", "mysql_password", "mysql_user",
    "mysql_database", "mysql_conf", "tags",
})
MONGO_CREATE_FIELDS = frozenset({
    "name", "description", "image", "public_port", "public_port_timeout", "is_public", "project_uuid",
    "environment_name", "environment_uuid", "server_uuid", "destination_uuid", "instant_deploy", *COMMON_LIMIT_FIELDS,
    *MONGO_FIELDS, "tags",
})
HEALTH_FIELDS = (
    "health_check_enabled", "health_check_interval", "health_check_timeout", "health_check_retries",
    "health_check_start_period",
)
MONGO_UPDATE_FIELDS = frozenset({
    "name", "description", "image", "public_port", "public_port_timeout", "is_public", "instant_deploy",
    *COMMON_LIMIT_FIELDS, *MONGO_FIELDS, *HEALTH_FIELDS,
})
# PATCH strips these silently (removeUnnecessaryFieldsFromRequest) instead of rejecting them.
STRIPPED_ON_UPDATE = frozenset({
    "project_uuid", "environment_name", "environment_uuid", "destination_uuid", "server_uuid", "type", "domains",
    "instant_deploy", "github_app_uuid", "private_key_uuid", "use_build_server", "use_build_secrets", "is_static",
    "is_spa", "is_auto_deploy_enabled", "is_force_https_enabled", "is_preview_deployments_enabled",
    "connect_to_docker_network", "force_domain_override", "autogenerate_domain", "is_container_label_escape_enabled",
    "is_preserve_repository_enabled", "include_source_commit_in_build", "tags",
})
BACKUP_FIELDS = frozenset({
    "save_s3", "enabled", "dump_all", "frequency", "databases_to_backup", "database_backup_retention_amount_locally",
    "database_backup_retention_days_locally", "database_backup_retention_max_storage_locally",
    "database_backup_retention_amount_s3", "database_backup_retention_days_s3",
    "database_backup_retention_max_storage_s3", "s3_storage_uuid", "timeout",
})
IDENTIFIER = Regex(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
PASSWORD = Regex(r"^[A-Za-z0-9!@#%^*()_+\-=\[\]{}:,.?/~]+$")


def _mongo_rules() -> Rules:
    return {
        "mongo_conf": ["string"],
        "mongo_initdb_root_username": ["nullable", "string", "min:1", "max:63", IDENTIFIER],
        "mongo_initdb_root_password": ["nullable", "string", "min:1", "max:128", PASSWORD],
        "mongo_initdb_database": ["nullable", "string", "min:1", "max:63", IDENTIFIER],
    }


def _common_update_rules() -> Rules:
    return {
        "name": ["string", "max:255"], "description": ["string", "nullable"], "image": ["string"],
        "is_public": ["boolean"], "public_port": ["numeric", "nullable"],
        "public_port_timeout": ["integer", "nullable", "min:1"], "limits_memory": ["string"],
        "limits_memory_swap": ["string"], "limits_memory_swappiness": ["numeric"],
        "limits_memory_reservation": ["string"], "limits_cpus": ["string"], "limits_cpuset": ["string", "nullable"],
        "limits_cpu_shares": ["numeric"],
    }


def _mongo_conf_error(data: dict[str, Any]) -> Response | None:
    if "mongo_conf" in data and not (isinstance(data["mongo_conf"], str) and is_base64(data["mongo_conf"])):
        return validation_failed({"mongo_conf": "The mongo_conf should be base64 encoded."})
    return None


def _public_port_used(ctx: Ctx, server_id: int, port: Any, own_id: int | None) -> bool:
    for db in ctx.store.databases.values():
        destination = ctx.store.destination_by_id(db["destination_id"])
        same_server = destination is not None and destination["server_id"] == server_id
        if same_server and db["id"] != own_id and db["is_public"] and str(db["public_port"]) == str(port):
            return True
    return False


def _db_or_404(ctx: Ctx) -> Row | Response:
    db = ctx.store.database(ctx.team_id, ctx.params["uuid"])
    if db is None:
        return message(404, "Database not found.")
    return db


def create_mongodb(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    data = ctx.all()
    extra = unknown_fields(data, ANY_TYPE_CREATE_FIELDS)
    if extra:
        # A plain collection's add() gets two arguments here, so `errors` is a list of field names.
        return validation_failed(extra)
    if not data.get("environment_name") and not data.get("environment_uuid"):
        return message(422, "You need to provide at least one of environment_name or environment_uuid.")
    if data.get("is_public") and not data.get("public_port"):
        data["is_public"] = False
    project = ctx.store.project(ctx.team_id, data.get("project_uuid") or "")
    if project is None:
        return message(404, "Project not found.")
    env = ctx.store.environment(project, data.get("environment_name")) or ctx.store.environment(
        project, data.get("environment_uuid"))
    if env is None:
        # Databases answer 422 here where applications answer 404.
        return message(422, "You need to provide a valid environment_name or environment_uuid.")
    server = ctx.store.server(ctx.team_id, data.get("server_uuid"))
    if server is None:
        return message(404, "Server not found.")
    destination = pick_destination(ctx, server, data)
    if isinstance(destination, Response):
        return destination
    if "public_port" in data and parse_bool(data.get("is_public")) and _public_port_used(
            ctx, server["id"], data["public_port"], None):
        return message(400, "Public port already used by another database.")
    # The common-field validator is invoked with failed() instead of fails(), so it never rejects anything.
    if any(not isinstance(t, str) or len(t) < 2 for t in data.get("tags") or []):
        return validation_failed({"tags": ["Each tag must be at least 2 characters."]})
    port = data.get("public_port")
    if port and str(port).isdigit() and not 1024 <= int(port) <= 65535:
        return validation_failed({"public_port": "The public port should be between 1024 and 65535."})
    errors = api_validate(data, _mongo_rules())
    extra = unknown_fields(data, MONGO_CREATE_FIELDS)
    if errors or extra:
        return validation_failed(merge_not_allowed(errors, extra))
    if failure := _mongo_conf_error(data):
        return failure
    db = mongodb_row(ctx.team_id, env["id"], destination["id"])
    for name in MONGO_CREATE_FIELDS:
        if name in db and data.get(name) is not None:
            db[name] = data[name]
    db["is_public"] = parse_bool(db["is_public"])
    if db["public_port"] is not None:
        db["public_port"] = int(db["public_port"])
    ctx.store.insert("databases", db)
    if parse_bool(data.get("instant_deploy")):
        db["status"] = "running:healthy"
        db["started_at"] = db["created_at"]
    # The create answer carries credentials whatever the token's abilities.
    return ok({"uuid": db["uuid"], **mongodb_urls(ctx.store, db)}, 201)


def list_databases(ctx: Ctx) -> Response:
    rows = sorted((d for d in ctx.store.databases.values() if d["_team_id"] == ctx.team_id), key=lambda d: d["id"])
    payloads = []
    for db in rows:
        ctx.store.observe(db)
        payload = database_payload(ctx.store, db, ctx.can_read_sensitive)
        payload["backup_configs"] = [backup_payload(ctx.store, b) for b in _backups_of(ctx, db)]
        payloads.append(payload)
    return ok(payloads)


def get_database(ctx: Ctx) -> Response:
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    ctx.store.observe(db)
    return ok(database_payload(ctx.store, db, ctx.can_read_sensitive))


def update_database(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    data = ctx.all()
    if errors := api_validate(data, _common_update_rules()):
        return validation_failed(errors)
    data = {k: v for k, v in data.items() if k not in STRIPPED_ON_UPDATE}
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    destination = ctx.store.destination_by_id(db["destination_id"])
    if data.get("is_public") and data.get("public_port") and destination and _public_port_used(
            ctx, destination["server_id"], data["public_port"], db["id"]):
        return message(400, "Public port already used by another database.")
    if failure := _mongo_conf_error(data):
        return failure
    health_rules: Rules = {
        "health_check_enabled": ["boolean"], "health_check_interval": ["integer", "min:1"],
        "health_check_timeout": ["integer", "min:1"], "health_check_retries": ["integer", "min:1"],
        "health_check_start_period": ["integer", "min:0"],
    }
    errors = {**api_validate(data, _mongo_rules()), **api_validate(data, health_rules)}
    extra = unknown_fields(data, MONGO_UPDATE_FIELDS)
    if errors or extra:
        return validation_failed(merge_not_allowed(errors, extra))
    for name in MONGO_UPDATE_FIELDS:
        if name in data and name in db:
            db[name] = data[name]
    db["is_public"] = parse_bool(db["is_public"])
    ctx.store.touch(db)
    return message(200, "Database updated.")


def delete_database(ctx: Ctx) -> Response:
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    db["_delete_options"] = {
        name: parse_bool(ctx.query.get(name), default=True)
        for name in ("delete_configurations", "delete_volumes", "docker_cleanup", "delete_connected_networks")
    }
    # Asynchronous like applications: the row stays visible until the job finishes.
    ctx.store.mark_deleting(db, ctx.config.delete_linger)
    return message(200, "Database deletion request queued.")


def start_database(ctx: Ctx) -> Response:
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    if "running" in str(db["status"]):
        return message(400, "Database is already running.")
    db["status"] = "running:healthy"
    return message(200, "Database starting request queued.")


def stop_database(ctx: Ctx) -> Response:
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    if "exited" in str(db["status"]) or "stopped" in str(db["status"]):
        return message(400, "Database is already stopped.")
    db["status"] = "exited"
    return message(200, "Database stopping request queued.")


def restart_database(ctx: Ctx) -> Response:
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    db["status"] = "running:healthy"
    return message(200, "Database restarting request queued.")


# --- scheduled backups -------------------------------------------------------------------------------


def _backups_of(ctx: Ctx, db: Row) -> list[Row]:
    rows = [b for b in ctx.store.backups.values() if b["_database_uuid"] == db["uuid"]]
    return sorted(rows, key=lambda b: b["id"])


def _backup_rules(create: bool) -> Rules:
    rules: Rules = {
        "frequency": ["required", "string"] if create else ["string"],
        "enabled": ["boolean"], "save_s3": ["boolean"], "dump_all": ["boolean"],
        "backup_now": ["boolean", "nullable"], "s3_storage_uuid": ["string", "nullable"],
        "databases_to_backup": ["string", "nullable"],
        "timeout": ["integer", "min:60", "max:36000"],
    }
    for where in ("locally", "s3"):
        rules[f"database_backup_retention_amount_{where}"] = ["integer", "min:0"]
        rules[f"database_backup_retention_days_{where}"] = ["integer", "min:0"]
        rules[f"database_backup_retention_max_storage_{where}"] = ["numeric", "min:0"]
    return rules


def _backup_semantics(ctx: Ctx, data: dict[str, Any]) -> Response | None:
    if data.get("frequency") is not None and not is_valid_frequency(data["frequency"]):
        return validation_failed({"frequency": ["Invalid cron expression or frequency format."]})
    if parse_bool(data.get("save_s3")) and not data.get("s3_storage_uuid"):
        return validation_failed({"s3_storage_uuid": ["The s3_storage_uuid field is required when save_s3 is true."]})
    # create_backup()/update_backup(): the storage must belong to the token's team.
    if data.get("s3_storage_uuid") and storage_for_backup(ctx, str(data["s3_storage_uuid"])) is None:
        return validation_failed({"s3_storage_uuid": ["The selected S3 storage is invalid for this team."]})
    return None


def _backup_fields(ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in BACKUP_FIELDS and k != "s3_storage_uuid"}
    for flag in ("enabled", "save_s3", "dump_all"):
        if flag in fields:
            fields[flag] = parse_bool(fields[flag])
    # "Convert s3_storage_uuid to s3_storage_id"; a null uuid changes nothing (isset() is false).
    if data.get("s3_storage_uuid") and (storage := storage_for_backup(ctx, str(data["s3_storage_uuid"]))):
        fields["s3_storage_id"] = storage["id"]
    return fields


def _unknown_storage(ctx: Ctx, data: dict[str, Any]) -> dict[str, list[str]]:
    """The `exists:s3_storages,uuid` rule of the backup validator (any team's storage passes it)."""
    uuid = data.get("s3_storage_uuid")
    if isinstance(uuid, str) and uuid and not storage_exists(ctx, uuid):
        return {"s3_storage_uuid": ["The selected s3 storage uuid is invalid."]}
    return {}


def _run_backup(ctx: Ctx, backup: Row) -> None:
    from ..store import new_uuid

    row = {
        "uuid": new_uuid(), "filename": f"/data/coolify/backups/{backup['uuid']}.dump", "size": 0,
        "message": "Backup done.", "status": "success", "_backup_uuid": backup["uuid"],
    }
    ctx.store.insert("backup_executions", row)


def list_backups(ctx: Ctx) -> Response:
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    return ok([backup_payload(ctx.store, b) for b in _backups_of(ctx, db)])


def create_backup(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    data = ctx.all()
    # One error bag: a field reports its first failing rule (`string` before `exists`).
    if errors := {**_unknown_storage(ctx, data), **api_validate(data, _backup_rules(create=True))}:
        return validation_failed(errors)
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    if failure := _backup_semantics(ctx, data):
        return failure
    if extra := unknown_fields(data, BACKUP_FIELDS | {"backup_now"}):
        return validation_failed(merge_not_allowed({}, extra))
    backup = ctx.store.insert("backups", backup_row(ctx.team_id, db, _backup_fields(ctx, data)))
    if parse_bool(data.get("backup_now")):
        _run_backup(ctx, backup)
    return ok({"uuid": backup["uuid"], "message": "Backup configuration created successfully."}, 201)


def _backup_or_404(ctx: Ctx, db: Row) -> Row | Response:
    backup = ctx.store.backups.get(ctx.params["backup_uuid"])
    if backup is None or backup["_database_uuid"] != db["uuid"]:
        return message(404, "Backup config not found.")
    return backup


def update_backup(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    data = ctx.all()
    # One error bag: a field reports its first failing rule (`string` before `exists`).
    if errors := {**_unknown_storage(ctx, data), **api_validate(data, _backup_rules(create=False))}:
        return validation_failed(errors)
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    if failure := _backup_semantics(ctx, data):
        return failure
    backup = _backup_or_404(ctx, db)
    if isinstance(backup, Response):
        return backup
    if extra := unknown_fields(data, BACKUP_FIELDS | {"backup_now"}):
        return validation_failed(merge_not_allowed({}, extra))
    backup.update(_backup_fields(ctx, data))
    ctx.store.touch(backup)
    if parse_bool(data.get("backup_now")):
        _run_backup(ctx, backup)
    return message(200, "Database backup configuration updated")


def delete_backup(ctx: Ctx) -> Response:
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    backup = _backup_or_404(ctx, db)
    if isinstance(backup, Response):
        return backup
    ctx.store.delete_backup(backup["uuid"])
    return message(200, "Backup configuration and all executions deleted.")


def list_executions(ctx: Ctx) -> Response:
    db = _db_or_404(ctx)
    if isinstance(db, Response):
        return db
    backup = _backup_or_404(ctx, db)
    if isinstance(backup, Response):
        return backup
    rows = [e for e in ctx.store.backup_executions.values() if e["_backup_uuid"] == backup["uuid"]]
    keys = ("uuid", "filename", "size", "created_at", "message", "status")
    return ok({"executions": [{k: e[k] for k in keys} for e in rows]})


ROUTES = [
    Route("GET", "/databases", "read", list_databases),
    Route("POST", "/databases/mongodb", "write", create_mongodb),
    Route("GET", "/databases/{uuid}", "read", get_database),
    Route("PATCH", "/databases/{uuid}", "write", update_database),
    Route("DELETE", "/databases/{uuid}", "write", delete_database),
    Route("POST", "/databases/{uuid}/start", "deploy", start_database, post_only_action=True),
    Route("POST", "/databases/{uuid}/stop", "deploy", stop_database, post_only_action=True),
    Route("POST", "/databases/{uuid}/restart", "deploy", restart_database, post_only_action=True),
    Route("GET", "/databases/{uuid}/backups", "read", list_backups),
    Route("POST", "/databases/{uuid}/backups", "write", create_backup),
    Route("PATCH", "/databases/{uuid}/backups/{backup_uuid}", "write", update_backup),
    Route("DELETE", "/databases/{uuid}/backups/{backup_uuid}", "write", delete_backup),
    Route("GET", "/databases/{uuid}/backups/{backup_uuid}/executions", "read", list_executions),
]
