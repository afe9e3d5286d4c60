"""Rows that live in a project environment (applications, databases): adoption by name, teardown.

Coolify lets two rows of an environment share a name, so `create` first looks for one to adopt; the
environment is listed once per provider instance (see `_listing`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Protocol

from ..client import NotFoundError
from ..client.types import JsonObject
from ..provider import CoolifyProvider
from ._diff import environment_name
from ._listing import EnvironmentKey, EnvironmentListing


class Rows(Protocol):
    """The part of an API family (`client.applications`, `client.databases`) that adoption and teardown use."""

    def get(self, uuid: str) -> JsonObject: ...

    def delete(self, uuid: str) -> None: ...


def listing_key(props: dict[str, Any]) -> EnvironmentKey:
    return str(props["project_uuid"]), str(environment_name(props["environment_name"]))


def row_name(props: dict[str, Any]) -> str:
    return str(props["name"]).strip()


class PlacedProvider(CoolifyProvider):
    """Base of the providers whose rows are placed in a project environment and adopted by name."""

    # The environment's list of these rows in GET /projects/{uuid}/{environment}: `applications`, `mongodbs`.
    listing_kind: ClassVar[str]

    def rows(self) -> Rows:
        raise NotImplementedError

    @property
    def listing(self) -> EnvironmentListing:
        return self.environment_listing(self.listing_kind)

    @contextmanager
    def listed_again_on_error(self, props: dict[str, Any]) -> Iterator[None]:
        """Around a create: if it fails, it may have happened without us learning its uuid, so list again next time."""
        try:
            yield
        except Exception:
            self.listing.forget(listing_key(props))
            raise

    def find_to_adopt(self, props: dict[str, Any]) -> JsonObject | None:
        """The row to adopt, read in full, or None; the environment is listed once per instance."""
        key, name = listing_key(props), row_name(props)
        listing = self.listing
        uuid = listing.find(key, name, lambda: self._environment(props))
        if uuid is None:
            return None
        try:
            return self.rows().get(uuid)
        except NotFoundError:
            # Deleted since the listing: look again.
            listing.forget(key)
            uuid = listing.find(key, name, lambda: self._environment(props))
            return self.rows().get(uuid) if uuid is not None else None

    def created(self, props: dict[str, Any], uuid: str) -> None:
        self.listing.created(listing_key(props), row_name(props), uuid)

    def delete_and_wait(self, id_: str, describe: str) -> None:
        """Delete the row, then wait until Coolify's background teardown has removed it (and freed its name)."""
        rows = self.rows()
        listing = self.listing
        try:
            rows.delete(id_)
        except NotFoundError:
            listing.deleted(id_)
            return
        self.wait_until_gone(lambda: rows.get(id_), describe)
        listing.deleted(id_)

    def _environment(self, props: dict[str, Any]) -> JsonObject | None:
        try:
            return self.client.environments.get(str(props["project_uuid"]), environment_name(props["environment_name"]))
        except NotFoundError:
            return None  # creation then reports the missing project or environment precisely
