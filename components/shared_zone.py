"""Before a run of a stack that does not own the shared DNS zone: the zone must already exist.

The prod stack owns the zone and creates it (components/dns.py); the staging stack only adds its
records to it. Run before prod's first `up` created it, every RRset of the staging run failed with
Hetzner's bare "zone not found", after the server and the Coolify resources had been created. This
check says so in one line at preview and up, before anything is registered. It is its own module so
that components.stack (and every unit test of it) never imports the HTTP client.
"""

from __future__ import annotations

from urllib.parse import quote

import requests

from components.config import Environment
from components.dns import ZONE_OWNER
from components.reachability_config import DnsConfig

# A lookup never waits long: a slow API fails the check with a clear line instead of hanging the run.
_TIMEOUT_S = 15.0


class SharedZoneError(Exception):
    """The shared zone is missing, or Hetzner could not say whether it exists; the message is one line."""


def _hetzner_message(response: requests.Response) -> str:
    # Hetzner Cloud API errors: {"error": {"code": ..., "message": ...}}.
    try:
        error = response.json().get("error") or {}
        return f"HTTP {response.status_code} {error.get('code')}: {error.get('message')}"
    except (ValueError, AttributeError):
        return f"HTTP {response.status_code}"


def check_shared_zone(
    dns: DnsConfig | None,
    environment: Environment,
    endpoint: str,
    token: str,
    session: requests.Session | None = None,
) -> None:
    """Raises SharedZoneError unless this stack owns the zone, leaves DNS alone, or finds the zone."""
    if dns is None or not dns.manage or environment is ZONE_OWNER:
        return
    # Hetzner Cloud API, GET /zones/{id_or_name}: the zone, or 404 `not_found` (also for a zone that is
    # in another project than the token's).
    url = f"{endpoint.rstrip('/')}/zones/{quote(dns.zone, safe='')}"
    http = session or requests.Session()
    try:
        response = http.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=_TIMEOUT_S)
    except requests.RequestException as err:
        raise SharedZoneError(
            f"penpal:dns.zone: could not check that DNS zone {dns.zone!r} exists at {endpoint} "
            f"({type(err).__name__}); run again"
        ) from None
    finally:
        if session is None:
            http.close()
    if response.status_code == 404:
        raise SharedZoneError(
            f"penpal:dns.zone: DNS zone {dns.zone!r} does not exist in the Hetzner project of hcloud:token. "
            f"The {ZONE_OWNER.stack_name} stack owns and creates it: run `pulumi up --stack "
            f"{ZONE_OWNER.stack_name}` first, or set `penpal:dns.manage: false` (then create the records of "
            "the dnsRecords output by hand)"
        )
    if response.status_code != 200:
        raise SharedZoneError(
            f"penpal:dns.zone: could not check that DNS zone {dns.zone!r} exists ({_hetzner_message(response)})"
        )
