"""Private keys (notes §6) and servers (notes §7)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re

from .. import validation
from ..context import Ctx
from ..models import destination_row, private_key_row, random_secret, server_row, server_settings_row
from ..routes import Route
from ..rules import Regex, Rules, api_validate, unknown_fields
from ..serialize import ordered, private_key_payload, server_list_item, server_payload
from ..versions import POST_ONLY_SINCE, at_least
from ..wire import Response, message, not_allowed, ok, parse_bool, validation_failed

_PEM = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----\s*(?P<body>[A-Za-z0-9+/=\s]+?)\s*-----END \1-----\s*", re.S
)
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")
PROXY_TYPES = ("traefik", "caddy", "nginx", "none")
SERVER_CREATE_FIELDS = {
    "name", "description", "ip", "port", "user", "private_key_uuid", "is_build_server", "instant_validate",
    "proxy_type",
}
SERVER_UPDATE_FIELDS = SERVER_CREATE_FIELDS | {
    "concurrent_builds", "dynamic_timeout", "deployment_queue_limit", "server_disk_usage_notification_threshold",
    "server_disk_usage_check_frequency", "connection_timeout", "is_terminal_enabled",
}
_USER_RULE = Regex(r"^[a-zA-Z0-9._-]+$")


def _random_name() -> str:
    return f"{random_secret(6).lower()}-{random_secret(6).lower()}"


def parse_private_key(raw: str) -> tuple[str, bytes] | None:
    """Return (pem, der bytes) for a PEM string or base64 of one, else None.

    The simulator checks the PEM structure only (no crypto library); real Coolify parses the key.
    """
    pem = raw
    if not raw.startswith("-----BEGIN"):
        try:
            pem = base64.b64decode(raw, validate=False).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None
    match = _PEM.fullmatch(pem.strip() + "\n")
    if not match:
        return None
    try:
        der = base64.b64decode("".join(match.group("body").split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return (pem, der) if der else None


def format_private_key(pem: str) -> str:
    """Stored as PrivateKey's `saving` hook stores it: formatPrivateKey() (bootstrap/helpers/shared.php)
    trims (PHP trim: spaces, tabs, CR, LF, NUL, VT) and adds back one trailing newline."""
    return pem.strip(" \t\n\r\0\x0b") + "\n"


def fingerprint_of(der: bytes) -> str:
    digest = base64.b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def public_key_of(der: bytes) -> str:
    # A stand-in derived from the key bytes; real Coolify derives the OpenSSH public key.
    return "ssh-ed25519 " + base64.b64encode(hashlib.sha512(der).digest()[:51]).decode() + " coolify-generated"


# --- private keys ------------------------------------------------------------------------------------


def list_keys(ctx: Ctx) -> Response:
    keys = [k for k in ctx.store.private_keys.values() if k["team_id"] == ctx.team_id]
    return ok([private_key_payload(k, ctx.can_read_sensitive) for k in sorted(keys, key=lambda k: k["id"])])


def get_key(ctx: Ctx) -> Response:
    key = ctx.store.private_key(ctx.team_id, ctx.params["uuid"])
    if key is None:
        return message(404, "Private Key not found.")
    return ok(private_key_payload(key, ctx.can_read_sensitive))


def _key_rules() -> Rules:
    return {"name": ["string", "max:255"], "description": ["string", "max:255"], "private_key": ["required", "string"]}


def create_key(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    data = ctx.all()
    # Extra fields are not rejected on key create.
    if errors := api_validate(data, _key_rules()):
        return validation_failed(errors)
    parsed = parse_private_key(data["private_key"])
    if parsed is None:
        return message(422, "Invalid private key.")
    pem, der = parsed
    fingerprint = fingerprint_of(der)
    # Fingerprints are unique per team: re-posting the same key is not idempotent.
    if any(k["fingerprint"] == fingerprint and k["team_id"] == ctx.team_id for k in ctx.store.private_keys.values()):
        return message(422, "Private key already exists.")
    row = private_key_row(
        ctx.team_id,
        data.get("name") or _random_name(),
        data.get("description") or "Created by Coolify via API",
        format_private_key(pem),
        fingerprint,
        public_key_of(der),
    )
    ctx.store.insert("private_keys", row)
    return ok({"uuid": row["uuid"]}, 201)


def update_key(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    data = ctx.all()
    # private_key is required even to rename.
    errors = api_validate(data, _key_rules())
    extra = unknown_fields(data, {"name", "description", "private_key"})
    if errors or extra:
        return not_allowed(extra, errors)
    key = ctx.store.private_key(ctx.team_id, ctx.params["uuid"])
    if key is None:
        return message(404, "Private Key not found.")
    parsed = parse_private_key(data["private_key"])
    if parsed is None:
        # The model rejects an invalid PEM with a framework ValidationException.
        return ok({"message": "Invalid private key.", "errors": {"private_key": ["Invalid private key."]}}, 422)
    pem, der = parsed
    key.update(private_key=format_private_key(pem), fingerprint=fingerprint_of(der), public_key=public_key_of(der))
    for name in ("name", "description"):
        if name in data:
            key[name] = data[name]
    ctx.store.touch(key)
    return ok({"uuid": key["uuid"]}, 201)


def delete_key(ctx: Ctx) -> Response:
    key = ctx.store.private_key(ctx.team_id, ctx.params["uuid"])
    if key is None:
        return message(404, "Private Key not found.")
    users = [s["name"] for s in ctx.store.servers.values() if s["private_key_id"] == key["id"]]
    if users:
        details = "This private key is used by: " + ", ".join(f"server {name}" for name in users)
        return message(422, "Private Key is in use and cannot be deleted.", details=details)
    del ctx.store.private_keys[key["uuid"]]
    return message(200, "Private Key deleted.")


# --- servers -----------------------------------------------------------------------------------------


def _valid_ip_or_host(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return _HOSTNAME.match(value) is not None


def _server_rules(create: bool) -> Rules:
    rules: Rules = {
        "name": ["string", "max:255"],
        "description": ["string", "nullable"],
        "ip": ["required", "string"] if create else ["string"],
        "port": ["integer", "nullable", "between:1,65535"],
        "private_key_uuid": ["required", "string"] if create else ["string"],
        "user": ["nullable", "string", _USER_RULE],
        "is_build_server": ["boolean", "nullable"],
        "instant_validate": ["boolean", "nullable"],
        "proxy_type": ["string", "nullable"],
    }
    if not create:
        rules.update({
            "concurrent_builds": ["integer", "min:1"],
            "dynamic_timeout": ["integer", "min:1"],
            "deployment_queue_limit": ["integer", "min:1"],
            "server_disk_usage_notification_threshold": ["integer", "min:1", "max:100"],
            "server_disk_usage_check_frequency": ["string"],
            "connection_timeout": ["integer", "min:1", "max:300"],
            "is_terminal_enabled": ["boolean", "nullable"],
        })
    return rules


def _validate_server_body(ctx: Ctx, create: bool) -> Response | None:
    data = ctx.all()
    errors = api_validate(data, _server_rules(create))
    if "ip" in data and data["ip"] is not None and "ip" not in errors and not _valid_ip_or_host(data["ip"]):
        errors["ip"] = ["The ip must be a valid IPv4, IPv6 address or hostname."]
    extra = unknown_fields(data, SERVER_CREATE_FIELDS if create else SERVER_UPDATE_FIELDS)
    if errors or extra:
        return not_allowed(extra, errors)
    proxy = data.get("proxy_type")
    if proxy and str(proxy).lower() not in PROXY_TYPES:
        return message(422, "Invalid proxy type.")
    return None


def list_servers(ctx: Ctx) -> Response:
    servers = sorted((s for s in ctx.store.servers.values() if s["team_id"] == ctx.team_id), key=lambda s: s["id"])
    for server in servers:
        validation.progress(ctx.config, server)
    return ok([server_list_item(s, ctx.can_read_sensitive) for s in servers])


def get_server(ctx: Ctx) -> Response:
    server = ctx.store.server(ctx.team_id, ctx.params["uuid"])
    if server is None:
        return message(404, "Server not found.")
    validation.progress(ctx.config, server)
    payload = server_payload(server, ctx.can_read_sensitive)
    if parse_bool(ctx.query.get("resources")):
        payload["resources"] = [
            ordered({
                "id": r["id"], "uuid": r["uuid"], "name": r["name"], "status": r["status"],
                "type": "application" if r["uuid"] in ctx.store.applications else "standalone-mongodb",
                "created_at": r["created_at"], "updated_at": r["updated_at"],
            })
            for r in ctx.store.resources_on_server(server)
        ]
    return ok(payload)


def create_server(ctx: Ctx) -> Response:
    if (failure := ctx.json_precheck()) or (failure := _validate_server_body(ctx, create=True)):
        return failure
    data = ctx.all()
    key = ctx.store.private_key(ctx.team_id, data["private_key_uuid"])
    if key is None:
        return message(404, "Private key not found.")
    # The IP must be unique across the whole instance, not just the team.
    if any(s["ip"] == data["ip"] for s in ctx.store.servers.values()):
        return message(400, "A server with this IP/Domain is already in use.")
    fields = {
        "name": data.get("name") or _random_name(),
        "description": data.get("description"),
        "ip": data["ip"],
        "port": int(data["port"]) if data.get("port") is not None else 22,
        "user": data.get("user") or "root",
    }
    proxy = str(data.get("proxy_type") or "traefik").upper()
    server = ctx.store.insert("servers", server_row(ctx.team_id, key["id"], fields, proxy))
    settings = server_settings_row(server["id"], parse_bool(data.get("is_build_server")))
    settings.update(ctx.config.server_settings)  # as an operator changed them in the UI (e.g. concurrent_builds)
    settings.update(id=server["id"], created_at=server["created_at"], updated_at=server["updated_at"])
    server["_settings"] = settings
    # A new server gets its default Docker destination.
    ctx.store.insert("destinations", destination_row(server["id"]))
    if parse_bool(data.get("instant_validate")):
        validation.start(server, install=False)  # ServersController::create_server: ValidateServer::dispatch
    return ok({"uuid": server["uuid"]}, 201)


def update_server(ctx: Ctx) -> Response:
    if (failure := ctx.json_precheck()) or (failure := _validate_server_body(ctx, create=False)):
        return failure
    server = ctx.store.server(ctx.team_id, ctx.params["uuid"])
    if server is None:
        return message(404, "Server not found.")
    data = ctx.all()
    if data.get("private_key_uuid"):
        key = ctx.store.private_key(ctx.team_id, data["private_key_uuid"])
        if key is None:
            return message(404, "Private key not found.")
        server["private_key_id"] = key["id"]
    for name in ("name", "description", "ip", "port", "user"):
        if name in data:
            server[name] = data[name]
    settings = server["_settings"]
    for name in ("is_build_server", "is_terminal_enabled"):
        if name in data:
            settings[name] = parse_bool(data[name])
    for name in ("concurrent_builds", "dynamic_timeout", "deployment_queue_limit",
                 "server_disk_usage_notification_threshold", "server_disk_usage_check_frequency",
                 "connection_timeout"):
        if data.get(name) is not None:
            settings[name] = data[name]
    if data.get("proxy_type"):
        server["proxy"]["type"] = str(data["proxy_type"]).upper()
    if parse_bool(data.get("instant_validate")):
        validation.start(server, install=False)  # ServersController::update_server: ValidateServer::dispatch
    ctx.store.touch(server)
    # PATCH /servers/{uuid} answers 201 with the uuid only (the spec claims the full server).
    return ok({"uuid": server["uuid"]}, 201)


def delete_server(ctx: Ctx) -> Response:
    server = ctx.store.server(ctx.team_id, ctx.params["uuid"])
    if server is None:
        return message(404, "Server not found.")
    resources = ctx.store.resources_on_server(server)
    if resources and not parse_bool(ctx.input("force")):
        return message(400, "Server has resources. Use ?force=true to delete all resources and the server, or "
                            "delete resources manually first.")
    for resource in resources:
        if resource["uuid"] in ctx.store.applications:
            ctx.store.hard_delete_application(resource["uuid"])
        else:
            ctx.store.hard_delete_database(resource["uuid"])
    for destination in ctx.store.destinations_of(server):
        del ctx.store.destinations[destination["uuid"]]
    del ctx.store.servers[server["uuid"]]
    return message(200, "Server deleted.")


def validate_server(ctx: Ctx) -> Response:
    """ServersController::validate_server: 404, then the `install` boolean check, then dispatch."""
    server = ctx.store.server(ctx.team_id, ctx.params["uuid"])
    if server is None:
        return message(404, "Server not found.")
    install_since = at_least(ctx.config.version, POST_ONLY_SINCE)  # `install` came with v4.2.0 (commit 0633b543)
    if install_since and (errors := api_validate(ctx.all(), {"install": ["boolean"]})):
        return validation_failed(errors)
    install = install_since and parse_bool(ctx.input("install"))
    validation.start(server, install=install)
    return message(201, "Validation and installation started." if install else "Validation started.")


ROUTES = [
    Route("GET", "/security/keys", "read", list_keys),
    Route("POST", "/security/keys", "write", create_key),
    Route("GET", "/security/keys/{uuid}", "read", get_key),
    Route("PATCH", "/security/keys/{uuid}", "write", update_key),
    Route("DELETE", "/security/keys/{uuid}", "write", delete_key),
    Route("GET", "/servers", "read", list_servers),
    Route("GET", "/servers/{uuid}", "read", get_server),
    Route("POST", "/servers", "write", create_server),
    Route("PATCH", "/servers/{uuid}", "write", update_server),
    Route("DELETE", "/servers/{uuid}", "write", delete_server),
    # GET-only before v4.2.0 (routes/api.php before commit 0633b543), POST-only since.
    Route("POST", "/servers/{uuid}/validate", "write", validate_server, post_only_action=True,
          post_since=POST_ONLY_SINCE),
]
