"""Test helpers: a requests.Session bound to a running simulator, and an application created through it."""

from __future__ import annotations

from typing import Any

import requests

from .server import CoolifySimulator
from .state import Seed


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


def create_app(api: SimSession, seed: Seed, **fields: Any) -> str:
    """A docker-image application in the seed's project and server; `fields` add to or replace the body."""
    body = {"project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
            "docker_registry_image_name": "ghcr.io/penpal-ai/api:1.4.2", "autogenerate_domain": False, **fields}
    response = api.post("/applications/dockerimage", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["uuid"])
