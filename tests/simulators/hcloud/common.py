"""Small helpers shared by the resource handlers."""

from __future__ import annotations

from typing import Any

from tests.simulators.hcloud.errors import api_error, invalid_input, not_found
from tests.simulators.hcloud.store import HcloudStore, Row
from tests.simulators.http_core import BadJson, Request


def body(request: Request) -> dict[str, Any]:
    try:
        return request.json()
    except BadJson as exc:
        raise api_error("json_error", f"invalid JSON: {exc}") from None


def path_id(request: Request, name: str = "id") -> int:
    raw = request.params[name]
    if not raw.isdigit():
        raise invalid_input(name, f"{name} must be an integer")
    return int(raw)


def row(store: HcloudStore, kind: str, request: Request, name: str = "id") -> Row:
    found = store.table(kind).get(path_id(request, name))
    if found is None:
        raise not_found(kind)
    return found


def require_str(data: dict[str, Any], field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value:
        raise invalid_input(field, f"{field} is required")
    return value


def name_taken(store: HcloudStore, kind: str, name: str, except_id: int | None = None) -> bool:
    return any(item["name"] == name and item_id != except_id for item_id, item in store.table(kind).items())


def resource_id(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_input(field, f"{field} must be an integer id")
    return value
