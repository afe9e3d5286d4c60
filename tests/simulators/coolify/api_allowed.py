"""Coolify's `ApiAllowed` middleware: the instance's API switch and its allowlist of client IPs.

app/Http/Middleware/ApiAllowed.php runs after `auth:sanctum` and `api.token.team` and before
`api.ability:<x>` on every /api/v1 route but /enable, /disable and /health (routes/api.php), so a
disabled API or a refused IP answers the same 403 whatever the token's abilities.
"""

from __future__ import annotations

import ipaddress

from .wire import API_DISABLED_BODY, IP_NOT_ALLOWED_BODY, Response


def api_gate(api_enabled: bool, allowed_ips: str | None, client_ip: str) -> Response | None:
    """The 403 ApiAllowed answers, or None when the request may go on."""
    if not api_enabled:
        # ApiAllowed.php: `is_api_enabled === false` -> 403 {"success": true, "message": "API is disabled."}.
        return Response(403, dict(API_DISABLED_BODY))
    if not allowed_ips or allowed_ips.strip() == "0.0.0.0":
        # ApiAllowed.php: an empty `allowed_ips` or exactly "0.0.0.0" lets every source in.
        return None
    entries = [entry.strip() for entry in allowed_ips.split(",") if entry.strip()]
    if entries and not ip_in_allowlist(client_ip, entries):
        # ApiAllowed.php: 403 {"success": true, "message": "You are not allowed to access the API."}.
        return Response(403, dict(IP_NOT_ALLOWED_BODY))
    return None


def ip_in_allowlist(ip: str, allowlist: list[str]) -> bool:
    """bootstrap/helpers/shared.php `checkIPAgainstAllowlist`: exact IPs, IPv4/IPv6 CIDRs, 0.0.0.0 = all."""
    for allowed in (entry.strip() for entry in allowlist):
        if not allowed:
            continue
        if "/" in allowed:
            subnet, _, mask_text = allowed.partition("/")
            if subnet == "0.0.0.0":  # "0.0.0.0 with any subnet means allow all"
                return True
            try:
                network = ipaddress.ip_network(f"{subnet}/{int(mask_text)}", strict=False)
                if ipaddress.ip_address(ip) in network:
                    return True
            except ValueError:  # an invalid mask or address is skipped (`continue` in the PHP)
                continue
        elif allowed == "0.0.0.0" or ip == allowed:
            return True
    return False


def client_ip(peer: str, forwarded_for: str | None) -> str:
    """Laravel's `$request->ip()` behind app/Http/Middleware/TrustProxies.php (`$proxies = '*'`).

    '*' trusts only the calling address (Illuminate TrustProxies: setTrustedProxyIpAddressesToTheCallingIp),
    so Symfony's Request::getClientIps drops that address and the client is the right-most other entry of
    X-Forwarded-For.
    """
    if not forwarded_for:
        return peer
    chain = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    untrusted = [entry for entry in chain if entry != peer]
    return untrusted[-1] if untrusted else peer
