"""HTTP-level building blocks: the response type, Coolify's error bodies and input cleaning."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

CATCH_ALL_BODY = {"message": "Not found.", "docs": "https://coolify.io/docs"}
API_DISABLED_BODY = {"success": True, "message": "API is disabled."}
IP_NOT_ALLOWED_BODY = {"success": True, "message": "You are not allowed to access the API."}
NOT_ALLOWED = "This field is not allowed."
REQUIRED = "This field is required."

_TRUE_WORDS = {"1", "true", "on", "yes"}


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # Plain-text responses (health, version) carry their body as a str and this content type.
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if self.content_type.startswith("application/json"):
            return json.dumps(self.body).encode()
        return str(self.body).encode()


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, body, dict(headers or {}))


def message(status: int, text: str, /, **extra: Any) -> Response:
    return Response(status, {"message": text, **extra})


def text(status: int, body: str) -> Response:
    # Laravel answers plain strings with text/html.
    return Response(status, body, content_type="text/html; charset=UTF-8")


def validation_failed(errors: dict[str, Any] | list[str]) -> Response:
    """422 `Validation failed.`; values may be lists or plain strings, exactly as Coolify mixes them."""
    return Response(422, {"message": "Validation failed.", "errors": errors})


def not_allowed(fields: list[str], errors: dict[str, list[str]] | None = None) -> Response:
    merged: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
    for name in fields:
        merged.setdefault(name, []).append(NOT_ALLOWED)
    return validation_failed(merged)


def catch_all() -> Response:
    return Response(404, dict(CATCH_ALL_BODY))


def clean_input(value: Any) -> Any:
    """Laravel's TrimStrings + ConvertEmptyStringsToNull middleware, applied recursively."""
    if isinstance(value, str):
        trimmed = value.strip()
        return None if trimmed == "" else trimmed
    if isinstance(value, list):
        return [clean_input(item) for item in value]
    if isinstance(value, dict):
        return {key: clean_input(item) for key, item in value.items()}
    return value


def parse_bool(value: Any, default: bool = False) -> bool:
    """Laravel's `$request->boolean()`: true/false/1/0/"on"/"off"/"yes"/"no"."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return str(value).strip().lower() in _TRUE_WORDS


def is_boolean_like(value: Any) -> bool:
    """Laravel's `boolean` rule: true, false, 1, 0, "1", "0"."""
    return value in (True, False, 0, 1, "0", "1")


def is_base64(value: str) -> bool:
    try:
        decoded = base64.b64decode(value, validate=True)
        return base64.b64encode(decoded).decode() == value and decoded.decode("utf-8") is not None
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
