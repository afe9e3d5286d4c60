"""Before a run that moves a non-prod server with a volume to another location: say that the volume's data stays behind.

A Hetzner volume can only be attached to a server in its own location (docs.hetzner.cloud, Volumes), so
moving the server replaces the volume with an empty one in the new location (components/hetzner_host.py)
and deletes the old one. Prod refuses the move before anything changes (components/guard.py); elsewhere
this finds the volume in Hetzner and, when it is in another location than the configured one, returns
the one warning line that preview and up show. Its own module, like components/shared_zone.py, so that
components.stack never imports the HTTP client.
"""

from __future__ import annotations

from typing import Any

import requests

from components.config import Environment, ServerConfig
from components.hetzner_host import volume_name

# A lookup never waits long: a slow API gives a warning instead of hanging the run.
_TIMEOUT_S = 15.0


def _location_of(volumes: Any) -> str | None:
    # Hetzner Cloud API, GET /volumes: {"volumes": [{"location": {"name": ...}, ...}]}.
    if not isinstance(volumes, list) or not volumes or not isinstance(volumes[0], dict):
        return None
    location = volumes[0].get("location")
    return str(location.get("name")) if isinstance(location, dict) else None


def volume_move_warning(
    server: ServerConfig,
    environment: Environment,
    endpoint: str,
    token: str,
    session: requests.Session | None = None,
) -> str | None:
    """The warning line when this run replaces the environment's volume in a new location, else None."""
    if server.volume_size_gb is None or environment is Environment.PRODUCTION:
        return None
    name = volume_name(environment)
    http = session or requests.Session()
    try:
        response = http.get(
            f"{endpoint.rstrip('/')}/volumes",
            params={"name": name},
            headers={"Authorization": f"Bearer {token}"},
            timeout=_TIMEOUT_S,
        )
        found = response.json().get("volumes") if response.status_code == 200 else None
        problem = None if response.status_code == 200 else f"HTTP {response.status_code}"
    except (requests.RequestException, ValueError, AttributeError) as err:
        found, problem = None, type(err).__name__
    finally:
        if session is None:
            http.close()
    if problem:
        return (
            f"penpal:server.location: could not check where volume {name!r} is ({problem}); if the server "
            "moves to another location, the volume is replaced by an empty one there"
        )
    old = _location_of(found)
    if old is None or old == server.location:
        return None
    return (
        f"penpal:server.location: the {environment.value} server moves from {old!r} to {server.location!r}; "
        f"Hetzner volumes cannot leave their location, so volume {name!r} is replaced by an empty one in "
        f"{server.location!r} and the data on the old one is deleted, not carried over"
    )
