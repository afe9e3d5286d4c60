"""Applications deployed from a Docker image (`/applications`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from .types import JsonObject
from .version import VersionProbe

if TYPE_CHECKING:
    from .http import CoolifyHttp  # the program imports this module; only the provider needs requests

# Deleting an application: it is stateless, so its volumes, config and networks go with it.
APPLICATION_DELETE_PARAMS = {
    "delete_configurations": True,
    "delete_volumes": True,
    "docker_cleanup": True,
    "delete_connected_networks": True,
}


class ApplicationsApi:
    def __init__(self, http: CoolifyHttp, versions: VersionProbe) -> None:
        self._http = http
        self._versions = versions

    def get(self, uuid: str) -> JsonObject:
        return cast(JsonObject, self._http.get(f"/applications/{uuid}"))

    def create_dockerimage(self, body: JsonObject) -> str:
        # 201 {"uuid", "domains"} only (the spec says {uuid}); read the application back for the rest.
        answer: dict[str, Any] = self._http.post("/applications/dockerimage", self._versions.gate("applications", body))
        return str(answer["uuid"])

    def update(self, uuid: str, body: JsonObject) -> None:
        # PATCH answers 200 {"uuid"} only and rejects placement fields as "not allowed".
        self._http.patch(f"/applications/{uuid}", self._versions.gate("applications", body))

    def delete(self, uuid: str) -> None:
        # Answers "deletion request queued": the row stays readable until a background job removes it.
        self._http.delete(f"/applications/{uuid}", params=APPLICATION_DELETE_PARAMS)
