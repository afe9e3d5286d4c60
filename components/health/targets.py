"""`resolve` entries (`host` -> `address[:port]`), parsed: no HTTP library needed, so the config can use them."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass


class ResolveError(ValueError):
    """A `resolve` entry is not `host` -> `address[:port]`."""


@dataclass(frozen=True)
class Target:
    address: str
    port: int | None
    """None: keep the URL's port."""


def parse_target(value: str) -> Target:
    """`203.0.113.7`, `127.0.0.1:8443`, `::1`, `[::1]:8443` or `localhost:8443`."""
    text = value.strip()
    if not text:
        raise ResolveError("expected an address such as '127.0.0.1:8443', got an empty value")
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ResolveError(f"expected '[<IPv6>]:<port>', got {value!r}")
        return Target(_checked_ip(host, value), _port(rest[1:], value) if rest else None)
    if text.count(":") > 1:  # a bare IPv6 address
        return Target(_checked_ip(text, value), None)
    host, _, port = text.partition(":")
    if not host:
        raise ResolveError(f"expected '<address>[:<port>]', got {value!r}")
    return Target(host, _port(port, value) if port else None)


def _checked_ip(text: str, original: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ResolveError(f"expected an IP address, got {original!r}") from None


def _port(text: str, original: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ResolveError(f"expected a port from 1 to 65535 in {original!r}")
    return int(text)


def parse_resolve(entries: Mapping[str, str]) -> dict[str, Target]:
    """`{host: "address[:port]"}` with host names lower-cased; raises ResolveError naming the bad entry."""
    parsed: dict[str, Target] = {}
    for host, value in entries.items():
        if not isinstance(host, str) or not host or ":" in host or "/" in host:
            raise ResolveError(f"expected a host name as key, got {host!r}")
        if not isinstance(value, str):
            raise ResolveError(f"{host}: expected '<address>[:<port>]', got {value!r}")
        try:
            parsed[host.lower().rstrip(".")] = parse_target(value)
        except ResolveError as error:
            raise ResolveError(f"{host}: {error}") from None
    return parsed
