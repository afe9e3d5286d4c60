"""Standalone MongoDB databases and their scheduled backups (`/databases`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .types import JsonObject

if TYPE_CHECKING:
    from .http import CoolifyHttp  # the program imports this module; only the provider needs requests

# Deleting a database keeps its data volume: dropping data must be a deliberate act in Coolify itself.
DATABASE_DELETE_PARAMS = {
    "delete_configurations": True,
    "delete_volumes": False,
    "docker_cleanup": True,
    "delete_connected_networks": True,
}


class DatabasesApi:
    def __init__(self, http: CoolifyHttp) -> None:
        self._http = http

    def get(self, uuid: str) -> JsonObject:
        return cast(JsonObject, self._http.get(f"/databases/{uuid}"))

    def create_mongodb(self, body: JsonObject) -> JsonObject:
        """Answers 201 {uuid, internal_db_url[, external_db_url]}, credentials included whatever the token."""
        return cast(JsonObject, self._http.post("/databases/mongodb", body))

    def update(self, uuid: str, body: JsonObject) -> None:
        self._http.patch(f"/databases/{uuid}", body)

    def restart(self, uuid: str) -> None:
        self._http.post(f"/databases/{uuid}/restart")

    def delete(self, uuid: str) -> None:
        self._http.delete(f"/databases/{uuid}", params=DATABASE_DELETE_PARAMS)

    def list_backups(self, uuid: str) -> list[JsonObject]:
        return cast(list[JsonObject], self._http.get(f"/databases/{uuid}/backups") or [])

    def create_backup(self, uuid: str, body: JsonObject) -> str:
        return str(self._http.post(f"/databases/{uuid}/backups", body)["uuid"])

    def update_backup(self, uuid: str, backup_uuid: str, body: JsonObject) -> None:
        self._http.patch(f"/databases/{uuid}/backups/{backup_uuid}", body)

    def delete_backup(self, uuid: str, backup_uuid: str) -> None:
        self._http.delete(f"/databases/{uuid}/backups/{backup_uuid}")
