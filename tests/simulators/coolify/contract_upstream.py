"""Compare the committed Coolify contract with the full upstream OpenAPI file, when one is at hand.

The upstream file (Coolify's `openapi.json`, ~1 MB) is not committed. It is found through the
`COOLIFY_OPENAPI` environment variable, or in the team's `shared/coolify/` folder beside the checkout
(where CI puts it). `differences(contract, upstream)` lists, one line each, every route, field, type and
success status on which the two disagree; `EXPECTED_DIFFERENCES` names each one our contract knowingly
keeps (it follows Coolify's code) and the `SPEC_DISAGREEMENTS` entry that explains it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .contract import path_template_for, resolve

_SHARED_SPEC = Path(__file__).resolve().parents[4] / "shared" / "coolify" / "openapi.json"

# Routes whose path differs between code and spec: our template -> the spec's.
_PATH_ALIASES = {("PATCH", "/security/keys/{uuid}"): "/security/keys"}

_ANY_OF_ENVIRONMENT = "request: one of environment_name / environment_uuid required"
_NULLABLE = "nullable columns"

# difference -> the SPEC_DISAGREEMENTS `where` that explains it.
EXPECTED_DIFFERENCES: dict[str, str] = {
    "PATCH /security/keys/{uuid}: route not in the spec (checked against PATCH /security/keys)":
        "PATCH /security/keys/{uuid}",
    "POST /applications/dockerimage 201: response differs (contract object{domains,uuid}, spec object{uuid})":
        "POST /applications/dockerimage 201",
    **{f"PATCH /applications/{{uuid}}/envs/bulk request field {field}: not in the spec":
       "POST/PATCH /applications/{uuid}/envs[/bulk] request" for field in ("comment", "is_buildtime", "is_runtime")},
    "POST /applications/dockerimage request required: contract [docker_registry_image_name, project_uuid, "
    "server_uuid], spec [docker_registry_image_name, environment_name, environment_uuid, project_uuid, server_uuid]":
        "POST /applications/dockerimage, POST /databases/mongodb: required env name AND uuid",
    "POST /databases/mongodb request required: contract [project_uuid, server_uuid], spec [environment_name, "
    "environment_uuid, project_uuid, server_uuid]":
        "POST /applications/dockerimage, POST /databases/mongodb: required env name AND uuid",
    "POST /databases/mongodb 201: status not documented in the spec":
        "POST /databases/mongodb 201",
    "POST /databases/mongodb request field mongo_initdb_database: not in the spec":
        "POST /databases/mongodb request",
    "POST /databases/mongodb request field mongo_initdb_root_password: not in the spec":
        "POST /databases/mongodb request",
    "POST /applications/{uuid}/envs request field comment: not in the spec":
        "POST/PATCH /applications/{uuid}/envs[/bulk] request",
    "POST /applications/{uuid}/envs request field is_buildtime: not in the spec":
        "POST/PATCH /applications/{uuid}/envs[/bulk] request",
    "POST /applications/{uuid}/envs request field is_runtime: not in the spec":
        "POST/PATCH /applications/{uuid}/envs[/bulk] request",
    "PATCH /applications/{uuid}/envs request field comment: not in the spec":
        "POST/PATCH /applications/{uuid}/envs[/bulk] request",
    "PATCH /applications/{uuid}/envs request field is_buildtime: not in the spec":
        "POST/PATCH /applications/{uuid}/envs[/bulk] request",
    "PATCH /applications/{uuid}/envs request field is_runtime: not in the spec":
        "POST/PATCH /applications/{uuid}/envs[/bulk] request",
    "PATCH /servers/{uuid} 201: response differs (contract object{uuid}, spec ref:Server)":
        "PATCH /servers/{uuid} 201",
    "POST /servers request field proxy_type: contract string, spec enum:caddy|none|traefik":
        "POST/PATCH /servers proxy_type",
    "PATCH /servers/{uuid} request field proxy_type: contract string, spec enum:caddy|none|traefik":
        "POST/PATCH /servers proxy_type",
    "GET /deployments/applications/{uuid} 200: response differs (contract object{count,deployments}, "
    "spec array<ref:Application>)":
        "GET /deployments/applications/{uuid} 200",
    "GET /databases 200: response differs (contract array<object>, spec string)":
        "GET /databases, /databases/{uuid}, /databases/{uuid}/backups 200",
    "GET /databases/{uuid} 200: response differs (contract object, spec string)":
        "GET /databases, /databases/{uuid}, /databases/{uuid}/backups 200",
    "GET /databases/{uuid}/backups 200: response differs (contract array<object>, spec string)":
        "GET /databases, /databases/{uuid}, /databases/{uuid}/backups 200",
    "Application.build_pack: contract enum:dockercompose|dockerfile|dockerimage|nixpacks|railpack|static, "
    "spec enum:dockercompose|dockerfile|nixpacks|railpack|static":
        "Application.build_pack",
    "Team.custom_server_limit: contract integer|null|string, spec string":
        "Team.custom_server_limit",
    **{f"{schema}.{field}: contract null|string, spec string": _NULLABLE for schema, field in (
        ("Application", "build_command"), ("Application", "config_hash"), ("Application", "install_command"),
        ("Application", "ports_exposes"), ("Application", "publish_directory"), ("Application", "start_command"),
        ("ApplicationDeploymentQueue", "commit_message"), ("ApplicationDeploymentQueue", "current_process_id"),
        ("ApplicationDeploymentQueue", "git_type"), ("ApplicationDeploymentQueue", "logs"),
        ("Environment", "description"), ("EnvironmentVariable", "real_value"), ("EnvironmentVariable", "value"),
        ("Server", "description"), ("Server", "swarm_cluster"), ("Server", "validation_logs"),
        ("ServerSetting", "logdrain_axiom_api_key"), ("ServerSetting", "logdrain_axiom_dataset_name"),
        ("ServerSetting", "logdrain_custom_config"), ("ServerSetting", "logdrain_custom_config_parser"),
        ("ServerSetting", "logdrain_highlight_project_id"), ("ServerSetting", "logdrain_newrelic_base_uri"),
        ("ServerSetting", "logdrain_newrelic_license_key"), ("ServerSetting", "wildcard_domain"),
        ("Team", "description"),
    )},
}


def upstream_spec_path() -> Path | None:
    """Where the full upstream spec is, or None: `COOLIFY_OPENAPI`, else shared/ beside the checkout."""
    configured = os.environ.get("COOLIFY_OPENAPI")
    if configured:
        return Path(configured)
    return _SHARED_SPEC if _SHARED_SPEC.is_file() else None


def _nullable_to_type(node: Any) -> Any:
    """The spec is OpenAPI 3.1 but uses 3.0's `nullable: true`; make that a `null` type."""
    if isinstance(node, dict):
        node = {k: _nullable_to_type(v) for k, v in node.items()}
        if node.pop("nullable", False) and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_nullable_to_type(v) for v in node]
    return node


def load_upstream(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = _nullable_to_type(json.loads(path.read_text()))
    return spec


def _follow(ref: str, spec: dict[str, Any]) -> Any:
    target: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def _sig(schema: Any) -> str:
    """A short signature of a schema's type: `string`, `null|string`, `ref:Server`, `array<ref:X>`, `enum:a|b`."""
    if not isinstance(schema, dict):
        return "any"
    if "$ref" in schema:
        return "ref:" + schema["$ref"].rsplit("/", 1)[-1]
    if "enum" in schema:
        return "enum:" + "|".join(sorted(str(v) for v in schema["enum"] if v is not None))
    kind = schema.get("type")
    kinds = sorted(kind) if isinstance(kind, list) else [kind] if kind else []
    text = "|".join(kinds) or "any"
    if kinds == ["array"]:
        return f"array<{_sig(schema.get('items'))}>"
    if kinds == ["object"] and schema.get("properties"):
        return "object{" + ",".join(sorted(schema["properties"])) + "}"
    return text


def _fields(where: str, ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    found = []
    our_props, their_props = ours.get("properties", {}), theirs.get("properties", {})
    for name in sorted(our_props):
        # Route bodies read "POST /x request field f: ..."; schemas read "Schema.f: ...".
        label = f"{where} field {name}" if " " in where else f"{where}.{name}"
        if name not in their_props:
            found.append(f"{label}: not in the spec")
            continue
        a, b = _sig(our_props[name]), _sig(their_props[name])
        if a != b:
            found.append(f"{label}: contract {a}, spec {b}")
    for name in sorted(set(their_props) - set(our_props)):
        found.append(f"{where}: spec field {name} missing from the contract")
    return found


def differences(contract: dict[str, Any], upstream: dict[str, Any]) -> list[str]:
    """Every disagreement between our contract and the upstream spec on what the contract covers."""
    found: list[str] = []
    for template, methods in sorted(contract["paths"].items()):
        for method, route in sorted(methods.items()):
            name = f"{method.upper()} {template}"
            spec_template = _PATH_ALIASES.get((method.upper(), template)) or path_template_for(template,
                                                                                               upstream["paths"])
            if (method.upper(), template) in _PATH_ALIASES:
                found.append(f"{name}: route not in the spec (checked against {method.upper()} {spec_template})")
            operation = upstream["paths"].get(spec_template or "", {}).get(method)
            if operation is None:
                found.append(f"{name}: route not in the spec")
                continue
            found += _request_differences(name, route, operation, upstream)
            for status, schema in sorted(route["responses"].items()):
                documented = operation["responses"].get(status)
                if documented is None:
                    found.append(f"{name} {status}: status not documented in the spec")
                    continue
                if "$ref" in documented:  # a shared response object; its schema keeps its own $ref
                    documented = _follow(documented["$ref"], upstream)
                media = documented.get("content") or {}
                body = (media.get("application/json") or media.get("text/html") or {}).get("schema")
                if schema is not None and body is not None and _sig(schema) != _sig(body):
                    found.append(f"{name} {status}: response differs (contract {_sig(schema)}, spec {_sig(body)})")
    their_schemas = upstream["components"]["schemas"]
    for schema_name, ours in sorted(contract["components"]["schemas"].items()):
        if schema_name not in their_schemas:
            found.append(f"{schema_name}: schema not in the spec")
            continue
        found += _fields(schema_name, ours, their_schemas[schema_name])
    return found


def _request_differences(name: str, route: dict[str, Any], operation: dict[str, Any],
                         upstream: dict[str, Any]) -> list[str]:
    ours = route.get("request")
    body = operation.get("requestBody")
    if ours is None or body is None:
        return [] if ours is None and body is None else [f"{name} request: body in only one of contract and spec"]
    theirs = resolve(body["content"]["application/json"]["schema"], upstream)
    found = []
    if name.endswith("/bulk"):
        ours, theirs = ours["properties"]["data"]["items"], theirs["properties"]["data"]["items"]
    found += _fields(f"{name} request", ours, theirs)
    our_required, their_required = sorted(ours.get("required", [])), sorted(theirs.get("required", []))
    if our_required != their_required:
        found.append(f"{name} request required: contract [{', '.join(our_required)}], "
                     f"spec [{', '.join(their_required)}]")
    return found
