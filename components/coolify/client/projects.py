"""Projects and their environments (`/projects`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from .types import JsonObject

if TYPE_CHECKING:
    from .http import CoolifyHttp  # the program imports this module; only the provider needs requests


def normalize_environment_name(name: str) -> str:
    """Coolify stores environment names lowercased with `/` replaced by `-`."""
    return name.strip().lower().replace("/", "-")


class ProjectsApi:
    def __init__(self, http: CoolifyHttp) -> None:
        self._http = http

    def list(self) -> list[JsonObject]:
        return cast(list[JsonObject], self._http.get("/projects") or [])

    def find_by_name(self, name: str) -> JsonObject | None:
        return next((project for project in self.list() if project.get("name") == name), None)

    def get(self, uuid: str) -> JsonObject:
        return cast(JsonObject, self._http.get(f"/projects/{uuid}"))

    def create(self, body: JsonObject) -> str:
        # POST answers 201 {"uuid"} only; read the project back for the rest.
        return str(self._http.post("/projects", body)["uuid"])

    def update(self, uuid: str, body: JsonObject) -> None:
        self._http.patch(f"/projects/{uuid}", body)

    def delete(self, uuid: str) -> None:
        self._http.delete(f"/projects/{uuid}")


class EnvironmentsApi:
    def __init__(self, http: CoolifyHttp) -> None:
        self._http = http

    def list(self, project_uuid: str) -> list[JsonObject]:
        return cast(list[JsonObject], self._http.get(f"/projects/{project_uuid}/environments") or [])

    def find_by_name(self, project_uuid: str, name: str) -> JsonObject | None:
        wanted = normalize_environment_name(name)
        return next((env for env in self.list(project_uuid) if env.get("name") == wanted), None)

    def get(self, project_uuid: str, name_or_uuid: str) -> JsonObject:
        """The environment with its `applications`, `mongodbs`, ... (Coolify matches by name first, then uuid)."""
        return cast(JsonObject, self._http.get(f"/projects/{project_uuid}/{name_or_uuid}"))

    def create(self, project_uuid: str, name: str) -> str:
        # Only `name` is accepted on create; `description` is rejected as not allowed.
        body: dict[str, Any] = {"name": normalize_environment_name(name)}
        return str(self._http.post(f"/projects/{project_uuid}/environments", body)["uuid"])

    def update(self, project_uuid: str, name_or_uuid: str, body: JsonObject) -> None:
        self._http.patch(f"/projects/{project_uuid}/environments/{name_or_uuid}", body)

    def delete(self, project_uuid: str, name_or_uuid: str) -> None:
        self._http.delete(f"/projects/{project_uuid}/environments/{name_or_uuid}")
