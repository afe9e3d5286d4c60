"""Test helpers: a requests.Session bound to a running simulator."""

from __future__ import annotations

from typing import Any

import requests

from .server import CoolifySimulator


class SimSession(requests.Session):
    """Sends `Authorization: Bearer <token>` and JSON Accept; relative URLs are resolved under /api/v1."""

    def __init__(self, sim: CoolifySimulator, token: str | None = None) -> None:
        super().__init__()
        self.base = sim.api_url
        self.headers["Accept"] = "application/json"
        if token is None:
            token = sim.token
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if isinstance(url, str) and url.startswith("/"):
            url = self.base + url
        kwargs.setdefault("timeout", 10)
        return super().request(method, url, *args, **kwargs)
