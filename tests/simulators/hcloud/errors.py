"""Hetzner Cloud error bodies: `{"error": {"code", "message", "details"}}` with the status per code."""

from __future__ import annotations

from typing import Any

from tests.simulators.http_core import HttpError, Response

# Statuses for the generic codes; clients key on `code`, hcloud-go retries only on some of them.
STATUS_BY_CODE = {
    "invalid_input": 400,
    "json_error": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "token_readonly": 403,
    "resource_limit_exceeded": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "uniqueness_error": 409,
    "conflict": 409,
    "deprecated_api_endpoint": 410,
    "locked": 423,
    "protected": 423,
    "rate_limit_exceeded": 429,
    "server_error": 500,
    "bad_gateway": 502,
    "service_error": 503,
    "unavailable": 503,
    "maintenance": 503,
    "timeout": 504,
}
RESOURCE_ERROR_STATUS = 422  # resource-specific codes such as resource_in_use or firewall_already_applied

CODE_BY_STATUS = {
    400: "invalid_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "deprecated_api_endpoint",
    422: "invalid_input",
    423: "locked",
    429: "rate_limit_exceeded",
    500: "server_error",
    502: "bad_gateway",
    503: "unavailable",
    504: "timeout",
}


def error_response(code: str, message: str, details: Any = None, status: int | None = None) -> Response:
    resolved = status or STATUS_BY_CODE.get(code, RESOURCE_ERROR_STATUS)
    return Response(resolved, {"error": {"code": code, "message": message, "details": details or {}}})


def api_error(code: str, message: str, details: Any = None, status: int | None = None) -> HttpError:
    return HttpError(error_response(code, message, details, status))


def invalid_input(field: str, message: str) -> HttpError:
    details = {"fields": [{"name": field, "messages": [message]}]}
    return api_error("invalid_input", f"invalid input in field '{field}'", details)


def not_found(kind: str) -> HttpError:
    return api_error("not_found", f"{kind} not found")


def uniqueness_error(field: str, message: str) -> HttpError:
    return api_error("uniqueness_error", message, {"fields": [{"name": field}]})
