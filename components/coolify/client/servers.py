"""Servers (`/servers`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .types import JsonObject

if TYPE_CHECKING:
    from .http import CoolifyHttp  # the program imports this module; only the provider needs requests


class ServersApi:
    def __init__(self, http: CoolifyHttp) -> None:
        self._http = http

    def list(self) -> list[JsonObject]:
        return cast(list[JsonObject], self._http.get("/servers") or [])

    def find(self, name: str, ip: str) -> JsonObject | None:
        """By name first; else by IP, which Coolify keeps unique across the whole instance."""
        servers = self.list()
        by_name = next((server for server in servers if server.get("name") == name), None)
        return by_name or next((server for server in servers if server.get("ip") == ip), None)

    def get(self, uuid: str) -> JsonObject:
        return cast(JsonObject, self._http.get(f"/servers/{uuid}"))

    def create(self, body: JsonObject) -> str:
        return str(self._http.post("/servers", body)["uuid"])

    def update(self, uuid: str, body: JsonObject) -> None:
        self._http.patch(f"/servers/{uuid}", body)

    def validate(self, uuid: str) -> None:
        # POST only since v4.2.0 (GET answers 405); validation runs in the background.
        self._http.post(f"/servers/{uuid}/validate")

    def delete(self, uuid: str) -> None:
        self._http.delete(f"/servers/{uuid}")
