"""Environment variables of an application (`/applications/{uuid}/envs`)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from .types import JsonObject
from .version import VersionProbe

if TYPE_CHECKING:
    from .http import CoolifyHttp  # the program imports this module; only the provider needs requests


class ApplicationEnvsApi:
    def __init__(self, http: CoolifyHttp, versions: VersionProbe) -> None:
        self._http = http
        self._versions = versions

    def list(self, application_uuid: str) -> list[JsonObject]:
        """Every row; Coolify shadows each key with an `is_preview: true` copy, listed after the real rows."""
        return cast(list[JsonObject], self._http.get(f"/applications/{application_uuid}/envs") or [])

    def upsert_many(self, application_uuid: str, items: Sequence[JsonObject]) -> builtins.list[JsonObject]:
        """PATCH /envs/bulk: an upsert by key, never a sync (keys missing from `data` are left alone).

        Returns the rows as stored, one per item: Coolify answers each saved or created row
        (ApplicationsController::create_bulk_envs, `$returnedEnvs`, since v4.0.0), shown as the list shows them.
        """
        data = [self._versions.gate("application_envs", item) for item in items]
        answer = self._http.patch(f"/applications/{application_uuid}/envs/bulk", {"data": data})
        return [row for row in answer if isinstance(row, dict)] if isinstance(answer, list) else []

    def delete(self, application_uuid: str, env_uuid: str) -> None:
        self._http.delete(f"/applications/{application_uuid}/envs/{env_uuid}")
