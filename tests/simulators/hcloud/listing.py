"""List endpoints: `name=` and `label_selector=` filters, `sort=`, and page/per_page pagination."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from tests.simulators.hcloud.errors import invalid_input
from tests.simulators.hcloud.labels import selector_matcher
from tests.simulators.http_core import Request, Response

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 50
_STATUS_ORDER = {"running": 0, "error": 1, "success": 2}


def _positive_int(request: Request, name: str, default: int) -> int:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_input(name, f"{name} must be an integer") from None
    if value < 1:
        raise invalid_input(name, f"{name} must be at least 1")
    return value


def _sort_key(field: str) -> Any:
    def key(item: dict[str, Any]) -> Any:
        value = item.get(field)
        if field == "status":
            return _STATUS_ORDER.get(str(value), 9)
        return (value is None, value if value is not None else 0)

    return key


def filtered(request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply the `name` and `label_selector` filters every list endpoint shares."""
    name = request.arg("name")
    if name is not None:
        items = [item for item in items if item.get("name") == name]
    selector = request.arg("label_selector")
    if selector:
        matches = selector_matcher(selector)
        items = [item for item in items if matches(item.get("labels") or {})]
    return items


def sorted_items(request: Request, items: list[dict[str, Any]], allowed: set[str]) -> list[dict[str, Any]]:
    ordered = sorted(items, key=lambda item: item["id"])
    # Apply sort keys last-to-first so the first key has the highest priority (stable sort).
    for spec in reversed(request.args("sort")):
        field, _, direction = spec.partition(":")
        if field not in allowed or direction not in ("", "asc", "desc"):
            raise invalid_input("sort", f"invalid sort value {spec!r}")
        ordered.sort(key=_sort_key(field), reverse=direction == "desc")
    return ordered


def page_response(
    request: Request, key: str, items: list[dict[str, Any]], sort_fields: set[str] | None = None,
    max_per_page: int = MAX_PER_PAGE,
) -> Response:
    """The list body `{key: [...], "meta": {"pagination": ...}}` and its `Link` header."""
    ordered = sorted_items(request, items, sort_fields or {"id", "name", "created"})
    page = _positive_int(request, "page", 1)
    per_page = min(_positive_int(request, "per_page", DEFAULT_PER_PAGE), max_per_page)
    total = len(ordered)
    last_page = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    pagination = {
        "page": page,
        "per_page": per_page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < last_page else None,
        "last_page": last_page,
        "total_entries": total,
    }
    body = {key: ordered[start : start + per_page], "meta": {"pagination": pagination}}
    return Response(200, body, {"Link": _link_header(request, pagination)} if total else {})


def _link_header(request: Request, pagination: dict[str, Any]) -> str:
    base_url = f"http://{request.headers.get('host', '127.0.0.1')}"
    links = []
    for rel, page in (("prev", pagination["previous_page"]), ("next", pagination["next_page"]),
                      ("last", pagination["last_page"])):
        if page is None:
            continue
        query = {name: values for name, values in request.query.items() if name != "page"}
        query["page"] = [str(page)]
        links.append(f'<{base_url}{request.path}?{urlencode(query, doseq=True)}>; rel="{rel}"')
    return ", ".join(links)
