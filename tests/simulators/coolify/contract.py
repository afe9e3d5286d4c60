"""Contract checks against Coolify's OpenAPI file, minus the documented spec-vs-code disagreements.

`validate_request(method, path, body)` checks a request body against the operation's requestBody schema;
`validate_response(method, path, status, body)` checks a response. Both raise `ContractError`. Paths may
carry the `/api/v1` prefix and concrete values (`/api/v1/applications/abc`).

The spec is OpenAPI 3.1 but uses 3.0's `nullable: true`; the loader turns that into a `null` type.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

# Coolify's own spec (v4.3.11) from the team's shared material beside the checkout (CI has it there too);
# COOLIFY_OPENAPI points at another copy.
SPEC_PATH = Path(
    os.environ.get("COOLIFY_OPENAPI", Path(__file__).resolve().parents[4] / "shared" / "coolify" / "openapi.json")
)


class ContractError(AssertionError):
    """A request or response does not match the (corrected) OpenAPI contract."""


@dataclass(frozen=True)
class Disagreement:
    where: str
    reason: str


# Every place where the spec and Coolify v4.3.11 disagree that touches the simulated endpoints.
SPEC_DISAGREEMENTS: tuple[Disagreement, ...] = (
    Disagreement("POST /applications/dockerimage, POST /databases/mongodb: required env name AND uuid",
                 "the code needs one of environment_name / environment_uuid (name tried first)"),
    Disagreement("POST /applications/dockerimage 201", "the code answers {uuid, domains}, the spec {uuid}"),
    Disagreement("POST /databases/mongodb 201", "the code answers 201 {uuid, internal_db_url[, external_db_url]}, "
                                                "the spec '200 Database updated' without a body"),
    Disagreement("POST /databases/mongodb request", "mongo_initdb_root_password and mongo_initdb_database are "
                                                    "accepted but missing from the spec"),
    Disagreement("PATCH /applications/{uuid} request", "project_uuid, server_uuid, environment_name, "
                                                       "github_app_uuid, destination_uuid, dockerfile are listed but "
                                                       "rejected with 422 'This field is not allowed.'"),
    Disagreement("POST/PATCH /applications/{uuid}/envs[/bulk] request", "is_runtime, is_buildtime and comment "
                                                                       "are accepted but missing from the spec"),
    Disagreement("PATCH /security/keys/{uuid}", "the route has the uuid in the path; the spec documents "
                                                "PATCH /security/keys"),
    Disagreement("GET /deployments/applications/{uuid} 200", "the code answers {count, deployments:[queue rows]}, "
                                                             "the spec an array of Application"),
    Disagreement("GET /version 200", "plain text like 4.3.11; the spec's example is v4.0.0"),
    Disagreement("DELETE /applications/{uuid}, /databases/{uuid} 200", "'… deletion request queued.' and "
                                                                       "asynchronous; the spec says '… deleted.'"),
    Disagreement("PATCH /servers/{uuid} 201", "the code answers {uuid}; the spec the full Server"),
    Disagreement("POST/PATCH /servers proxy_type", "nginx is accepted too, case-insensitively; the spec's enum is "
                                                   "traefik|caddy|none"),
    Disagreement("422 bodies", "message is 'Validation failed.' and errors values may be strings, or errors a list "
                               "of names (database create); the spec says arrays of strings"),
    Disagreement("undocumented statuses", "404/400/409 messages, 405 on GET actions, 403 API disabled, 429 "
                                          "are missing from most operations; checked against a generic error body"),
    Disagreement("GET /databases, /databases/{uuid}, /databases/{uuid}/backups 200",
                 "the spec's schema is the string 'Content is very complex'; checked as JSON object/array"),
    Disagreement("nullable columns", "the spec omits nullable on columns that are NULL by default; see "
                                     "NULLABLE_FIELDS"),
    Disagreement("Application.build_pack", "docker-image applications have build_pack 'dockerimage', missing "
                                           "from the spec's enum"),
    Disagreement("Team.custom_server_limit", "an integer column, NULL by default; the spec says string"),
)

# Columns Coolify's migrations create nullable (checked at 379abb2526) that the spec types as non-nullable.
NULLABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "Environment": ("description",),
    "Server": ("description", "validation_logs", "swarm_cluster"),
    "ServerSetting": (
        "logdrain_axiom_api_key", "logdrain_axiom_dataset_name", "logdrain_custom_config",
        "logdrain_custom_config_parser", "logdrain_highlight_project_id", "logdrain_newrelic_base_uri",
        "logdrain_newrelic_license_key", "wildcard_domain",
    ),
    "Application": ("config_hash", "install_command", "build_command", "start_command", "ports_exposes",
                    "publish_directory"),
    "ApplicationDeploymentQueue": ("logs", "current_process_id", "git_type", "commit_message"),
    "EnvironmentVariable": ("value", "real_value"),
    "Team": ("description",),
}

_ERROR_SCHEMA: dict[str, Any] = {"type": "object", "required": ["message"], "properties": {"message": {}}}
_VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "errors": {
            "anyOf": [
                {"type": "object", "additionalProperties": {
                    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
                {"type": "array", "items": {"type": "string"}},
            ]
        },
    },
}
_DEPLOYMENT_PAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["count", "deployments"],
    "properties": {
        "count": {"type": "integer"},
        "deployments": {"type": "array", "items": {"$ref": "#/components/schemas/ApplicationDeploymentQueue"}},
    },
}
_MONGO_CREATED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["uuid", "internal_db_url"],
    "properties": {"uuid": {"type": "string"}, "internal_db_url": {"type": "string"},
                   "external_db_url": {"type": "string"}},
}
# (method, spec path, status) -> the schema the code really follows.
_RESPONSE_OVERRIDES: dict[tuple[str, str, str], dict[str, Any]] = {
    ("POST", "/databases/mongodb", "201"): _MONGO_CREATED_SCHEMA,
    ("GET", "/deployments/applications/{uuid}", "200"): _DEPLOYMENT_PAGE_SCHEMA,
    ("GET", "/databases", "200"): {"type": "array", "items": {"type": "object"}},
    ("GET", "/databases/{uuid}", "200"): {"type": "object"},
    ("GET", "/databases/{uuid}/backups", "200"): {"type": "array", "items": {"type": "object"}},
    ("PATCH", "/servers/{uuid}", "201"): {"type": "object", "required": ["uuid"],
                                          "properties": {"uuid": {"type": "string"}}},
}
_ENV_EXTRA_PROPERTIES = {
    "is_runtime": {"type": "boolean"}, "is_buildtime": {"type": "boolean"}, "comment": {"type": ["string", "null"]},
}
_REJECTED_ON_APP_PATCH = ("project_uuid", "server_uuid", "environment_name", "environment_uuid", "github_app_uuid",
                          "destination_uuid", "dockerfile")
_PATH_ALIASES = {("PATCH", "/security/keys/{uuid}"): "/security/keys"}


def _nullable_to_type(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _nullable_to_type(v) for k, v in node.items()}
        if node.pop("nullable", False) and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_nullable_to_type(v) for v in node]
    return node


@cache
def load_spec() -> dict[str, Any]:
    if not SPEC_PATH.is_file():
        raise FileNotFoundError(
            f"Coolify's OpenAPI spec is not at {SPEC_PATH}: put the shared/ folder beside the checkout "
            "or set COOLIFY_OPENAPI to a copy of openapi.json"
        )
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    spec = _nullable_to_type(spec)
    schemas = spec["components"]["schemas"]
    for schema_name, fields in NULLABLE_FIELDS.items():
        props = schemas[schema_name]["properties"]
        for name in fields:
            kind = props[name].get("type")
            if isinstance(kind, str):
                props[name]["type"] = [kind, "null"]
    schemas["Application"]["properties"]["build_pack"]["enum"].append("dockerimage")
    schemas["Team"]["properties"]["custom_server_limit"] = {"type": ["integer", "string", "null"]}
    return spec


def resolve(node: Any, spec: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """Inline every local `$ref` (the schemas here are not recursive; a cycle raises)."""
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ContractError(f"recursive $ref {ref}")
            target: Any = spec
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            return resolve(target, spec, (*seen, ref))
        return {k: resolve(v, spec, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, spec, seen) for v in node]
    return node


def spec_path_for(method: str, path: str) -> str:
    """The spec's path template for a concrete path: the match with the most literal segments wins."""
    relative = path.split("?")[0].removeprefix("/api/v1").rstrip("/") or "/"
    given = relative.strip("/").split("/")
    best: tuple[int, str] | None = None
    for template in load_spec()["paths"]:
        wanted = template.strip("/").split("/")
        if len(wanted) != len(given):
            continue
        literal = 0
        for pattern, segment in zip(wanted, given, strict=True):
            if pattern.startswith("{"):
                continue
            if pattern != segment:
                break
            literal += 1
        else:
            if best is None or literal > best[0]:
                best = (literal, template)
    if best is None:
        raise ContractError(f"no spec path matches {path}")
    return _PATH_ALIASES.get((method.upper(), best[1]), best[1])


def _operation(method: str, path: str) -> tuple[str, dict[str, Any]]:
    template = spec_path_for(method, path)
    operation = load_spec()["paths"][template].get(method.lower())
    if operation is None:
        raise ContractError(f"the spec has no {method.upper()} {template}")
    return template, operation


def _check(instance: Any, schema: dict[str, Any], what: str) -> None:
    spec = load_spec()
    resolved = resolve(schema, spec)
    errors = sorted(jsonschema.Draft202012Validator(resolved).iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        details = "; ".join(f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors[:10])
        raise ContractError(f"{what}: {details}")


def _request_body(method: str, path: str) -> dict[str, Any] | None:
    return _operation(method, path)[1].get("requestBody")


def request_schema(method: str, path: str) -> dict[str, Any] | None:
    template, operation = _operation(method, path)
    body = operation.get("requestBody")
    if body is None:
        return None
    schema = copy.deepcopy(body["content"]["application/json"]["schema"])
    schema = resolve(schema, load_spec())
    if {"environment_name", "environment_uuid"} <= set(schema.get("required", [])):
        schema["required"] = [r for r in schema["required"] if r not in ("environment_name", "environment_uuid")]
        schema["anyOf"] = [{"required": ["environment_name"]}, {"required": ["environment_uuid"]}]
    if template == "/databases/mongodb":
        schema["properties"]["mongo_initdb_root_password"] = {"type": "string"}
        schema["properties"]["mongo_initdb_database"] = {"type": "string"}
    if template == "/applications/{uuid}" and method.upper() == "PATCH":
        schema["not"] = {"anyOf": [{"required": [name]} for name in _REJECTED_ON_APP_PATCH]}
    if template in ("/applications/{uuid}/envs", "/applications/{uuid}/envs/bulk"):
        target = schema["properties"]["data"]["items"] if template.endswith("bulk") else schema
        target["properties"].update(_ENV_EXTRA_PROPERTIES)
    if template in ("/servers", "/servers/{uuid}") and "proxy_type" in schema.get("properties", {}):
        schema["properties"]["proxy_type"] = {"type": "string", "pattern": "^(?i:traefik|caddy|nginx|none)$"}
    return dict(schema)


def validate_request(method: str, path: str, body: Any) -> None:
    """Check a request body against the operation's requestBody schema (documented disagreements applied)."""
    schema = request_schema(method, path)
    if schema is None:
        if body not in (None, {}, b"", ""):
            raise ContractError(f"{method.upper()} {path} takes no request body")
        return
    if body is None:
        # An empty body is fine unless the spec marks the request body as required.
        if (_request_body(method, path) or {}).get("required"):
            raise ContractError(f"{method.upper()} {path} requires a request body")
        return
    _check(body, schema, f"request {method.upper()} {path}")


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    try:
        template, operation = _operation(method, path)
    except ContractError:
        if status >= 400:  # the catch-all 404 and the 405 on GET actions answer undocumented routes
            return _ERROR_SCHEMA
        raise
    key = (method.upper(), template, str(status))
    if key in _RESPONSE_OVERRIDES:
        return _RESPONSE_OVERRIDES[key]
    if status == 422:
        return _VALIDATION_ERROR_SCHEMA
    response = operation["responses"].get(str(status))
    if response is None:
        if status >= 400:
            return _ERROR_SCHEMA
        raise ContractError(f"{method.upper()} {template} does not document status {status}")
    response = resolve(response, load_spec())
    content = response.get("content") or {}
    media = content.get("application/json") or content.get("text/html")
    if media is None or "schema" not in media:
        return None
    schema: dict[str, Any] = media["schema"]
    return schema


def validate_response(method: str, path: str, status: int, body: Any) -> None:
    """Check a response body against the spec (documented disagreements applied)."""
    schema = response_schema(method, path, status)
    if schema is not None:
        _check(body, schema, f"response {method.upper()} {path} {status}")
