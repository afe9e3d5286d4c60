"""Coolify version parsing and the version gates the notes list (§13)."""

from __future__ import annotations

import re

VersionKey = tuple[int, int, int, int]

_RELEASE = 10**6  # sorts a release after all of its betas


def parse_version(raw: str) -> VersionKey:
    """`4.3.11` -> (4, 3, 11, RELEASE); `4.0.0-beta.454` -> (4, 0, 0, 454); a leading `v` is ignored."""
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)(?:-beta\.(\d+))?", raw.strip())
    if not match:
        raise ValueError(f"unsupported Coolify version string: {raw!r}")
    major, minor, patch, beta = match.groups()
    return int(major), int(minor), int(patch), int(beta) if beta else _RELEASE


def at_least(version: str, minimum: str) -> bool:
    return parse_version(version) >= parse_version(minimum)


# Request fields that only exist from a given version on; older versions answer "This field is not allowed.".
APPLICATION_FIELD_SINCE = {
    "autogenerate_domain": "4.0.0-beta.454",
    "noindex_domains": "4.3.0",
}
ENV_FIELD_SINCE = {
    "is_runtime": "4.0.0-beta.429",
    "is_buildtime": "4.0.0-beta.429",
    "comment": "4.0.0-beta.464",
}
# `is_build_time` was accepted until it was removed in beta.427.
ENV_FIELD_UNTIL = {"is_build_time": "4.0.0-beta.427"}

POST_ONLY_SINCE = "4.2.0"  # GET on action routes answers 405 from here on
S3_STORAGES_SINCE = "4.3.0"  # /s3-storages routes (S3StoragesController, commit e560bdf9e0)
PORTS_EXPOSES_OPTIONAL_SINCE = "4.1.2"  # dockerimage create required ports_exposes before


def fields_unknown_to(version: str, since: dict[str, str], until: dict[str, str] | None = None) -> set[str]:
    """Field names the given version does not know (too new, or already removed)."""
    unknown = {name for name, first in since.items() if not at_least(version, first)}
    unknown |= {name for name, removed in (until or {}).items() if at_least(version, removed)}
    return unknown
