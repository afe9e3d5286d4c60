"""Contract checks against the committed per-version Coolify contract (`contracts/coolify-<version>.json`).

`validate_request(method, path, body)` checks a request body against the route's request schema;
`validate_response(method, path, status, body)` checks a response. Both raise `ContractError`. Paths may
carry the `/api/v1` prefix and concrete values (`/api/v1/applications/abc`).

The contract holds the routes this project calls, with the fields and types Coolify's controllers really
use: the upstream OpenAPI file's shapes with the disagreements below already corrected. When the full
upstream spec is at hand, `contract_upstream.py` compares the two (tests/simulators/test_coolify_contract_upstream.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
DEFAULT_VERSION = "4.3.11"


class ContractError(AssertionError):
    """A request or response does not match the Coolify contract."""


@dataclass(frozen=True)
class Disagreement:
    where: str
    reason: str


# Every place where the upstream spec and Coolify v4.3.11's code disagree on the routes we call; the contract
# follows the code. contract_upstream.EXPECTED_DIFFERENCES names the contract/spec difference each one causes.
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
def contract_path(version: str = DEFAULT_VERSION) -> Path:
    return CONTRACTS_DIR / f"coolify-{version}.json"


@cache
def load_contract(version: str = DEFAULT_VERSION) -> dict[str, Any]:
    path = contract_path(version)
    if not path.is_file():
        known = sorted(p.stem.removeprefix("coolify-") for p in CONTRACTS_DIR.glob("coolify-*.json"))
        raise FileNotFoundError(f"no Coolify contract for version {version} (have: {', '.join(known)})")
    contract: dict[str, Any] = json.loads(path.read_text())
    return contract


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


def path_template_for(path: str, templates: Any) -> str | None:
    """The template for a concrete path: the match with the most literal segments wins."""
    relative = path.split("?")[0].removeprefix("/api/v1").rstrip("/") or "/"
    given = relative.strip("/").split("/")
    best: tuple[int, str] | None = None
    for template in templates:
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
    return best[1] if best else None


def coolify_route(method: str, path: str, version: str = DEFAULT_VERSION) -> str | None:
    """Coolify's own template for a concrete `/api/v1/...` path and method, if that version serves it."""
    templates = [entry.split(" ", 1)[1] for entry in load_contract(version)["coolify_routes"]
                 if entry.split(" ", 1)[0] == method.upper()]
    return path_template_for(path, templates)


def _route(method: str, path: str) -> tuple[str, dict[str, Any]]:
    contract = load_contract()
    template = path_template_for(path, contract["paths"])
    if template is None:
        raise ContractError(f"no contract route matches {path}")
    route = contract["paths"][template].get(method.lower())
    if route is None:
        raise ContractError(f"the contract has no {method.upper()} {template}")
    return template, route


def _check(instance: Any, schema: dict[str, Any], what: str) -> None:
    resolved = resolve(schema, load_contract())
    errors = sorted(jsonschema.Draft202012Validator(resolved).iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        details = "; ".join(f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors[:10])
        raise ContractError(f"{what}: {details}")


def request_schema(method: str, path: str) -> dict[str, Any] | None:
    schema = _route(method, path)[1].get("request")
    return dict(schema) if schema is not None else None


def validate_request(method: str, path: str, body: Any) -> None:
    """Check a request body against the route's request schema."""
    route = _route(method, path)[1]
    schema = route.get("request")
    if schema is None:
        if body not in (None, {}, b"", ""):
            raise ContractError(f"{method.upper()} {path} takes no request body")
        return
    if body is None:
        # An empty body is fine unless the route requires one.
        if route.get("request_required"):
            raise ContractError(f"{method.upper()} {path} requires a request body")
        return
    _check(body, schema, f"request {method.upper()} {path}")


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    try:
        template, route = _route(method, path)
    except ContractError:
        if status >= 400:  # the catch-all 404 and the 405 on GET actions answer undocumented routes
            return _ERROR_SCHEMA
        raise
    if status == 422:
        return _VALIDATION_ERROR_SCHEMA
    if status >= 400:
        return _ERROR_SCHEMA
    responses = route["responses"]
    if str(status) not in responses:
        raise ContractError(f"{method.upper()} {template} does not document status {status}")
    schema: dict[str, Any] | None = responses[str(status)]
    return schema


def validate_response(method: str, path: str, status: int, body: Any) -> None:
    """Check a response body against the contract."""
    schema = response_schema(method, path, status)
    if schema is not None:
        _check(body, schema, f"response {method.upper()} {path} {status}")
