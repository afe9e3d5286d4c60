"""Coolify version probe, the supported floor and per-field version gates."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import CoolifyVersionError

_RELEASE = 10**6  # a release sorts after all of its betas


@dataclass(frozen=True, order=True)
class CoolifyVersion:
    major: int
    minor: int
    patch: int
    beta: int = _RELEASE

    @classmethod
    def parse(cls, raw: str) -> CoolifyVersion:
        """`4.3.11`, `v4.0.0` (the spec's example form) and `4.0.0-beta.454` are understood."""
        match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)(?:-beta\.(\d+))?", raw.strip().strip('"'))
        if not match:
            raise CoolifyVersionError(f"Cannot understand the Coolify version {raw.strip()[:40]!r} from GET /version.")
        major, minor, patch, beta = match.groups()
        return cls(int(major), int(minor), int(patch), int(beta) if beta else _RELEASE)

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}.{self.patch}"
        return base if self.beta == _RELEASE else f"{base}-beta.{self.beta}"


MINIMUM_VERSION = CoolifyVersion(4, 1, 0)
# POST /servers/{uuid}/validate with {"install": true} (routes/api.php and ServersController, commit 0633b543).
VALIDATE_INSTALL_SINCE = CoolifyVersion(4, 2, 0)

# Request fields and the first version that accepts them; older versions answer 422 "This field is not allowed.".
FIELD_SINCE: dict[str, dict[str, CoolifyVersion]] = {
    "applications": {
        "autogenerate_domain": CoolifyVersion.parse("4.0.0-beta.454"),
        "noindex_domains": CoolifyVersion.parse("4.3.0"),
    },
    "application_envs": {
        "is_runtime": CoolifyVersion.parse("4.0.0-beta.429"),
        "is_buildtime": CoolifyVersion.parse("4.0.0-beta.429"),
        "comment": CoolifyVersion.parse("4.0.0-beta.464"),
    },
}


# Routes and the first version that serves them; older versions answer the catch-all 404.
ROUTE_SINCE: dict[str, CoolifyVersion] = {
    # routes/api.php: /s3-storages (S3StoragesController), added in commit e560bdf9e0, first released in 4.3.0.
    "s3_storages": CoolifyVersion.parse("4.3.0"),
}


def require_supported(version: CoolifyVersion) -> None:
    if version < MINIMUM_VERSION:
        raise CoolifyVersionError(
            f"Coolify {version} is too old: this provider needs Coolify {MINIMUM_VERSION} or newer. "
            "Upgrade Coolify (Settings > Update) and run again."
        )


def gate_fields(family: str, body: Mapping[str, Any], version: CoolifyVersion) -> tuple[dict[str, Any], list[str]]:
    """Drop the fields `version` does not accept; returns the body to send and the names dropped."""
    since = FIELD_SINCE.get(family, {})
    kept = {key: value for key, value in body.items() if key not in since or version >= since[key]}
    dropped = sorted(set(body) - set(kept))
    return kept, dropped


class _Getter(Protocol):
    def get(self, path: str, params: dict[str, Any] | None = None) -> Any: ...


class VersionProbe:
    """Reads GET /version once per client and enforces the floor."""

    def __init__(self, http: _Getter) -> None:
        self._http = http
        self._version: CoolifyVersion | None = None
        self._lock = threading.Lock()

    @property
    def version(self) -> CoolifyVersion:
        with self._lock:
            if self._version is None:
                raw = self._http.get("/version")
                # The endpoint answers plain text (`4.3.11`), not JSON.
                version = CoolifyVersion.parse(str(raw))
                require_supported(version)
                self._version = version
            return self._version

    def gate(self, family: str, body: Mapping[str, Any]) -> dict[str, Any]:
        kept, _dropped = gate_fields(family, body, self.version)
        return kept
