"""Response payloads: which columns each endpoint shows, and which it hides without `read:sensitive`."""

from __future__ import annotations

import json
from typing import Any

from .store import Row, Store

APPLICATION_SENSITIVE = (
    "custom_labels",
    "dockerfile",
    "docker_compose",
    "docker_compose_raw",
    "http_basic_auth_password",
    "manual_webhook_secret_github",
    "manual_webhook_secret_gitlab",
    "manual_webhook_secret_bitbucket",
    "manual_webhook_secret_gitea",
    "private_key_id",
)
DATABASE_SENSITIVE = (
    "internal_db_url",
    "external_db_url",
    "init_scripts",
    "mongo_initdb_root_password",
    "postgres_password",
    "redis_password",
    "mysql_password",
    "mysql_root_password",
    "mariadb_password",
    "mariadb_root_password",
    "keydb_password",
    "dragonfly_password",
    "clickhouse_admin_password",
)
SERVER_SETTINGS_SENSITIVE = (
    "sentinel_token",
    "sentinel_custom_url",
    "logdrain_newrelic_license_key",
    "logdrain_axiom_api_key",
    "logdrain_custom_config",
    "logdrain_custom_config_parser",
)
_FIRST = ("id", "uuid", "description", "name")
_LAST = ("created_at", "updated_at")


def ordered(payload: dict[str, Any]) -> dict[str, Any]:
    """serializeApiResponse(): keys sorted, id/uuid/description/name first, timestamps last."""
    first = [k for k in _FIRST if k in payload]
    last = [k for k in _LAST if k in payload]
    middle = sorted(k for k in payload if k not in _FIRST and k not in _LAST)
    return {k: payload[k] for k in first + middle + last}


def public(row: Row, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_") and k not in drop}


def project_payload(project: Row) -> dict[str, Any]:
    return ordered({k: project[k] for k in ("id", "uuid", "name", "description")})


def environment_payload(env: Row) -> dict[str, Any]:
    return ordered(public(env))


def private_key_payload(key: Row, sensitive: bool) -> dict[str, Any]:
    return ordered(public(key, () if sensitive else ("private_key",)))


def server_settings_payload(settings: Row, sensitive: bool) -> dict[str, Any]:
    return ordered(public(settings, () if sensitive else SERVER_SETTINGS_SENSITIVE))


def server_list_item(server: Row, sensitive: bool) -> dict[str, Any]:
    settings = server["_settings"]
    item = {k: server[k] for k in ("uuid", "name", "description", "ip", "user", "port")}
    item["is_reachable"] = settings["is_reachable"]
    item["is_usable"] = settings["is_usable"]
    item["settings"] = server_settings_payload(settings, sensitive)
    return ordered(item)


def server_payload(server: Row, sensitive: bool) -> dict[str, Any]:
    payload = public(server, ("id",))
    payload["settings"] = server_settings_payload(server["_settings"], sensitive)
    return ordered(payload)


def _destination_tree(store: Store, destination_id: int, sensitive: bool) -> dict[str, Any] | None:
    destination = store.destination_by_id(destination_id)
    server = store.server_by_id(destination["server_id"]) if destination else None
    if destination is None or server is None:
        return None
    tree = public(destination)
    tree["server"] = server_payload(server, sensitive)
    return ordered(tree)


def application_payload(store: Store, app: Row, sensitive: bool, *, single: bool) -> dict[str, Any]:
    hidden: tuple[str, ...] = ("id",) if sensitive else ("id", *APPLICATION_SENSITIVE)
    payload = public(app, hidden)
    if single:
        # Only GET /applications/{uuid} loads the settings relation.
        payload["settings"] = ordered(dict(app["_settings"]))
        server = _server_of(store, app)
        payload["server_status"] = bool(server and server["_settings"]["is_reachable"])
        payload["additional_servers_count"] = 0
        payload["additional_networks_count"] = 0
    if sensitive:
        payload["destination"] = _destination_tree(store, app["destination_id"], sensitive)
    return ordered(payload)


def _server_of(store: Store, resource: Row) -> Row | None:
    destination = store.destination_by_id(resource["destination_id"])
    return store.server_by_id(destination["server_id"]) if destination else None


def real_value(env: Row) -> str | None:
    value = env["value"]
    if value is None:
        return None
    # real_value wraps literal and multiline values in single quotes.
    if env["is_literal"] or env["is_multiline"]:
        return f"'{value}'"
    return str(value)


def env_payload(env: Row, sensitive: bool) -> dict[str, Any]:
    payload = public(env, ("id",))
    key = str(env["key"])
    payload["real_value"] = real_value(env)
    payload["is_really_required"] = False
    payload["is_buildpack_control"] = key.startswith(("NIXPACKS_", "RAILPACK_"))
    payload["is_coolify"] = key.startswith("SERVICE_")
    # is_shown_once keeps value and real_value hidden even with read:sensitive.
    if not sensitive or env["is_shown_once"]:
        payload.pop("value", None)
        payload.pop("real_value", None)
    return ordered(payload)


def mongodb_urls(store: Store, db: Row) -> dict[str, str]:
    user, password = db["mongo_initdb_root_username"], db["mongo_initdb_root_password"]
    suffix = "/?directConnection=true"
    if db["enable_ssl"]:
        suffix += "&tls=true&tlsCAFile=/etc/mongo/certs/ca.pem"
    urls = {"internal_db_url": f"mongodb://{user}:{password}@{db['uuid']}:27017{suffix}"}
    server = _server_of(store, db)
    if db["is_public"] and db["public_port"] and server:
        urls["external_db_url"] = f"mongodb://{user}:{password}@{server['ip']}:{db['public_port']}{suffix}"
    return urls


def database_payload(store: Store, db: Row, sensitive: bool) -> dict[str, Any]:
    payload = public(db, ("id",))
    payload.update(mongodb_urls(store, db))
    payload.setdefault("external_db_url", None)
    payload["database_type"] = "standalone-mongodb"
    server = _server_of(store, db)
    payload["server_status"] = bool(server and server["_settings"]["is_reachable"])
    if not sensitive:
        for name in DATABASE_SENSITIVE:
            payload.pop(name, None)
    payload["destination"] = _destination_tree(store, db["destination_id"], sensitive)
    return ordered(payload)


def backup_payload(store: Store, backup: Row) -> dict[str, Any]:
    payload = public(backup)
    executions = [public(e) for e in store.backup_executions.values() if e["_backup_uuid"] == backup["uuid"]]
    payload["executions"] = [ordered(e) for e in executions]
    payload["latest_log"] = ordered(executions[-1]) if executions else None
    return ordered(payload)


def deployment_payload(deployment: Row, sensitive: bool) -> dict[str, Any]:
    # configuration_snapshot and configuration_diff are always hidden; logs need sensitive access.
    payload = public(deployment, ("configuration_snapshot", "configuration_diff", "logs"))
    if sensitive:
        payload["logs"] = json.dumps(deployment["_log"]) if deployment["_log"] else None
    return ordered(payload)
