"""One listing of an environment per provider instance, for adoption by name.

Coolify lets two applications (or databases) share a name, so a create first looks for one to adopt:
a re-run after a create whose answer was lost must not make a duplicate. The engine keeps one
provider instance per resource type for a whole `pulumi up`, so that instance lists the environment
once and remembers what it creates and deletes since, instead of listing it again for every create.
Anything unexpected (a failed create, an adopted row that is gone) drops the listing, and the next
create lists again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..client.types import JsonObject

EnvironmentKey = tuple[str, str]
"""(project uuid, normalised environment name)."""


class EnvironmentListing:
    """Name -> uuid of one kind of row (`applications`, `mongodbs`) per environment, as last seen."""

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._lock = threading.Lock()
        self._names: dict[EnvironmentKey, dict[str, str]] = {}

    def find(self, key: EnvironmentKey, name: str, fetch: Callable[[], JsonObject | None]) -> str | None:
        """The uuid of the row named `name`, listing the environment with `fetch` the first time."""
        with self._lock:
            names = self._names.get(key)
            if names is None:
                environment = fetch()
                if environment is None:
                    return None  # not listed: creation then reports the missing environment precisely
                rows = environment.get(self._kind) or []
                names = {str(row.get("name")): str(row["uuid"]) for row in rows if row.get("uuid")}
                self._names[key] = names
            return names.get(name)

    def created(self, key: EnvironmentKey, name: str, uuid: str) -> None:
        with self._lock:
            names = self._names.get(key)
            if names is not None:
                names[name] = uuid

    def deleted(self, uuid: str) -> None:
        with self._lock:
            for names in self._names.values():
                for name in [name for name, known in names.items() if known == uuid]:
                    del names[name]

    def forget(self, key: EnvironmentKey) -> None:
        with self._lock:
            self._names.pop(key, None)
