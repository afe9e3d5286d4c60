"""SSH private keys (`/security/keys`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .types import JsonObject

if TYPE_CHECKING:
    from .http import CoolifyHttp  # the program imports this module; only the provider needs requests


class PrivateKeysApi:
    def __init__(self, http: CoolifyHttp) -> None:
        self._http = http

    def list(self) -> list[JsonObject]:
        return cast(list[JsonObject], self._http.get("/security/keys") or [])

    def find_by_name(self, name: str) -> JsonObject | None:
        return next((key for key in self.list() if key.get("name") == name), None)

    def find_by_private_key(self, pem: str) -> JsonObject | None:
        """Only works with `read:sensitive`: without it `private_key` is absent from every item."""
        wanted = pem.strip()
        return next((key for key in self.list() if str(key.get("private_key") or "").strip() == wanted), None)

    def get(self, uuid: str) -> JsonObject:
        return cast(JsonObject, self._http.get(f"/security/keys/{uuid}"))

    def create(self, body: JsonObject) -> str:
        return str(self._http.post("/security/keys", body)["uuid"])

    def update(self, uuid: str, body: JsonObject) -> None:
        # The route has the uuid in the path although the spec documents PATCH /security/keys;
        # `private_key` is required on every PATCH, even a rename.
        self._http.patch(f"/security/keys/{uuid}", body)

    def delete(self, uuid: str) -> None:
        self._http.delete(f"/security/keys/{uuid}")
