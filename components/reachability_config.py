"""`penpal:dns` and `penpal:healthCheck`: their validated values, and the helpers their rules use.

No Pulumi and no pydantic here: `components/config/schema.py` validates the keys with these helpers,
`components/config/loader.py` builds the dataclasses, and `StackConfig` carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

# Hetzner Cloud API, POST /zones/{id_or_name}/rrsets: "ttl ... Must be in between 60s and 2147483647s".
MIN_TTL = 60
MAX_TTL = 2147483647
DEFAULT_TTL = 300
# A path (and optional query) of URI characters, starting with '/'.
PATH_PATTERN = r"^/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*(\?[A-Za-z0-9._~!$&'()*+,;=:@/?%-]*)?$"


@dataclass(frozen=True)
class DnsConfig:
    """`penpal:dns`: where each service's A and AAAA records go."""

    zone: str
    """The Hetzner DNS zone: a registrable domain (Hetzner hosts no zone for a subdomain)."""
    ttl: int
    manage: bool
    """False: the zone is hosted elsewhere; the stack only outputs the records to create by hand."""


@dataclass(frozen=True)
class HealthCheckConfig:
    """`penpal:healthCheck`: how each service is checked after each of its deployments."""

    path: str = "/health"
    timeout_s: float = 300.0
    interval_s: float = 5.0
    expected_status: int = 200
    resolve: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    ca_bundle_pem: str | None = None

    def resolve_for(self, host: str) -> dict[str, str]:
        """Only the entry for this host, so changing another host's entry re-checks nothing else."""
        return {name: target for name, target in self.resolve.items() if name.lower().rstrip(".") == host}


@cache
def _public_suffix_list() -> PublicSuffixList:
    """Parsed once per process: each parse of the bundled list costs ~65 ms CPU, and a run asks up to 3 times."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def registrable_domain(name: str) -> str | None:
    """`penpal-ai.maksou.dev` -> `maksou.dev` (Public Suffix List); None for a bare public suffix."""
    found: str | None = _public_suffix_list().privatesuffix(name)
    return found


def read_ca_bundle(value: Any) -> tuple[str | None, str | None]:
    """(PEM text, problem): `value` is the path of a PEM file of CA certificates."""
    if not isinstance(value, str) or not value:
        return None, f"expected the path of a PEM file of CA certificates, got {value!r}"
    path = Path(value).expanduser()
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        return None, f"cannot read {value!r}: {error.strerror if isinstance(error, OSError) else error}"
    if "-----BEGIN CERTIFICATE-----" not in text:
        return None, f"{value!r} holds no PEM certificate ('-----BEGIN CERTIFICATE-----')"
    return text, None
