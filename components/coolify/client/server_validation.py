"""Making a server usable: validate (installing Docker when it is missing) and wait for the outcome."""

from __future__ import annotations

import html
import re
import time

from .errors import ServerNotUsableError
from .servers import ServersApi
from .types import JsonObject

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"<a\b[^>]*href=\"([^\"]+)\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)


def is_usable(server: JsonObject) -> bool:
    # Validation runs in the background and flips these flags on the server's settings.
    settings = server.get("settings") or {}
    return bool(settings.get("is_reachable") and settings.get("is_usable"))


def plain_logs(raw: object) -> str:
    """`validation_logs` as one line of text: Coolify writes HTML (<br>, links to its docs)."""
    if not isinstance(raw, str) or not raw.strip():
        return ""
    text = _LINK.sub(lambda match: f"{match.group(2)} ({match.group(1)})", raw)
    text = _TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())


def validate_until_usable(
    servers: ServersApi,
    uuid: str,
    *,
    timeout_s: float,
    interval_s: float,
    label: str,
    usable_now: bool | None = None,
) -> JsonObject:
    """Validate server `uuid` and wait until Coolify reports it reachable and usable; returns its last read.

    A server that is not usable yet (a fresh host has no Docker) is validated with `install`, so Coolify
    installs its supported Docker Engine; a usable one is only re-validated. Gives up with
    ServerNotUsableError carrying Coolify's `validation_logs` when the installing job reports it failed,
    or at `timeout_s`. `usable_now` spares a read when the caller knows (e.g. a server just registered).
    """
    if usable_now is None:
        usable_now = is_usable(servers.get(uuid))
    install = servers.validate(uuid, install=not usable_now)
    can_install = servers.can_install_docker()
    request = f"{'POST' if can_install else 'GET'} /servers/{uuid}/validate" + (' {"install": true}' if install else "")
    deadline = time.monotonic() + timeout_s
    seen_running = False
    while True:
        server = servers.get(uuid)
        if is_usable(server):
            return server
        running = bool(server.get("is_validating"))
        seen_running = seen_running or running
        logs = plain_logs(server.get("validation_logs"))
        # ValidateAndInstallServerJob sets is_validating while it runs and clears it when it gives up; logs
        # from before it started are stale, so only a run we saw end counts as failed.
        if install and seen_running and not running and logs:
            raise ServerNotUsableError(label, logs, request=request, install_requested=True, gave_up=True)
        # ValidateServer clears validation_logs when it starts and writes them when the server is not usable:
        # logs after a plain validation mean it ended so (e.g. Docker missing); install when Coolify can.
        if not install and logs and not running and can_install:
            install = servers.validate(uuid, install=True)
            request = f'POST /servers/{uuid}/validate {{"install": true}}'
            seen_running = False
            time.sleep(interval_s)
            continue
        if time.monotonic() >= deadline:
            raise ServerNotUsableError(
                label, logs, request=request, install_requested=install, timeout_s=timeout_s, can_install=can_install
            )
        time.sleep(interval_s)
