"""GitHub REST error bodies: `{"message", "documentation_url", "status"}` (+ `errors` on 422)."""

from __future__ import annotations

from typing import Any

from tests.simulators.http_core import HttpError, Response

DOCUMENTATION_URL = "https://docs.github.com/rest"
_DEFAULT_MESSAGES = {
    400: "Bad Request",
    401: "Bad credentials",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Validation Failed",
    500: "Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def error_response(status: int, message: str | None = None, errors: list[dict[str, Any]] | None = None) -> Response:
    body: dict[str, Any] = {
        "message": message or _DEFAULT_MESSAGES.get(status, "Error"),
        "documentation_url": DOCUMENTATION_URL,
        "status": str(status),
    }
    if errors is not None:
        body["errors"] = errors
    return Response(status, body)


def api_error(status: int, message: str | None = None, errors: list[dict[str, Any]] | None = None) -> HttpError:
    return HttpError(error_response(status, message, errors))


def not_found() -> HttpError:
    return api_error(404, "Not Found")


def validation_failed(resource: str, field: str, code: str = "invalid", message: str | None = None) -> HttpError:
    error: dict[str, Any] = {"resource": resource, "field": field, "code": code}
    if message:
        error["message"] = message
    return api_error(422, "Validation Failed", [error])
