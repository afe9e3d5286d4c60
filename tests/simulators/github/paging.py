"""GitHub list pagination: `page`/`per_page` (default 30, max 100) and a `Link` header."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from tests.simulators.github.errors import validation_failed
from tests.simulators.http_core import Request

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


def _int_arg(request: Request, name: str, default: int) -> int:
    raw = request.arg(name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise validation_failed("Pagination", name, "invalid")
    return int(raw)


def page_of(request: Request, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """The requested page of `items` and the headers (`Link`) describing the others."""
    page = _int_arg(request, "page", 1)
    per_page = min(_int_arg(request, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    last = max(1, math.ceil(len(items) / per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    links = []
    base = f"http://{request.headers.get('host', '127.0.0.1')}{request.path}"
    for rel, target in (("prev", page - 1), ("next", page + 1), ("first", 1), ("last", last)):
        if (rel in ("prev", "first") and page <= 1) or (rel in ("next", "last") and page >= last):
            continue
        query = {key: values for key, values in request.query.items() if key != "page"}
        query["page"] = [str(target)]
        links.append(f'<{base}?{urlencode(query, doseq=True)}>; rel="{rel}"')
    return chunk, ({"Link": ", ".join(links)} if links else {})
