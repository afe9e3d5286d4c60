"""Servers (`/servers`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .types import JsonObject
from .version import VALIDATE_INSTALL_SINCE, VersionProbe

if TYPE_CHECKING:
    from .http import CoolifyHttp  # the program imports this module; only the provider needs requests


class ServersApi:
    def __init__(self, http: CoolifyHttp, versions: VersionProbe) -> None:
        self._http = http
        self._versions = versions

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

    def can_install_docker(self) -> bool:
        """Whether validate accepts `install` (ServersController::validate_server, v4.2.0 and newer)."""
        return self._versions.version >= VALIDATE_INSTALL_SINCE

    def validate(self, uuid: str, *, install: bool = False) -> bool:
        """Start a background validation; with `install`, Coolify also installs Docker where missing.

        Returns whether installation was requested (False on versions that cannot install).
        """
        if not self.can_install_docker():
            # Before v4.2.0 the route is GET-only (POST hits the 404 catch-all) and has no install option.
            self._http.get(f"/servers/{uuid}/validate")
            return False
        # Since v4.2.0: POST only (GET answers 405); {"install": true} dispatches ValidateAndInstallServerJob.
        self._http.post(f"/servers/{uuid}/validate", {"install": True} if install else None)
        return install

    def delete(self, uuid: str) -> None:
        self._http.delete(f"/servers/{uuid}")
