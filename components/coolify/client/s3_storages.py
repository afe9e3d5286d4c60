"""S3 storages (`/s3-storages`): where Coolify uploads database backups besides the server's own disk.

The routes exist from Coolify 4.3.0 on (S3StoragesController, commit e560bdf9e0); an older Coolify
answers them with its catch-all 404, so every call checks the version first.
"""

from __future__ import annotations

from typing import cast

from .errors import CoolifyVersionError
from .http import CoolifyHttp
from .types import JsonObject
from .version import ROUTE_SINCE, VersionProbe


class S3StoragesApi:
    def __init__(self, http: CoolifyHttp, versions: VersionProbe) -> None:
        self._http = http
        self._versions = versions

    def _require(self) -> None:
        since = ROUTE_SINCE["s3_storages"]
        version = self._versions.version
        if version < since:
            raise CoolifyVersionError(
                f"Coolify {version} cannot create S3 storages through its API (the /s3-storages routes arrived in "
                f"{since}): upgrade Coolify (Settings > Update) and run again."
            )

    def list(self) -> list[JsonObject]:
        """Every storage of the team, ordered by name; `id` never shown, `key`/`secret` only to sensitive readers."""
        self._require()
        return cast(list[JsonObject], self._http.get("/s3-storages") or [])

    def get(self, uuid: str) -> JsonObject:
        self._require()
        return cast(JsonObject, self._http.get(f"/s3-storages/{uuid}"))

    def create(self, body: JsonObject) -> str:
        """Answers 201 {uuid} only."""
        self._require()
        return str(self._http.post("/s3-storages", body)["uuid"])

    def update(self, uuid: str, body: JsonObject) -> None:
        """Answers 200 {uuid}; only the fields sent change."""
        self._require()
        self._http.patch(f"/s3-storages/{uuid}", body)

    def delete(self, uuid: str) -> None:
        """Backups that used the storage stop saving to S3 (S3Storage's `deleting` hook)."""
        self._require()
        self._http.delete(f"/s3-storages/{uuid}")

    def validate(self, uuid: str) -> tuple[bool, str]:
        """A ListObjectsV2 on the bucket, run by Coolify: 200 {valid, message} either way; is_usable is saved."""
        self._require()
        answer = cast(JsonObject, self._http.post(f"/s3-storages/{uuid}/validate"))
        return bool(answer.get("valid")), str(answer.get("message") or "")
