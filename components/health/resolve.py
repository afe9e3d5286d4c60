"""curl's `--connect-to`/`--resolve` for requests: send a host's connections to an address:port of choice.

The URL, the `Host` header, TLS SNI and certificate verification all keep the original host name;
only the TCP connection goes elsewhere. Used to point `https://staging.<service>.<domainBase>` at a
local stand-in, or at the server before DNS has propagated.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection


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


class _ResolvingMixin:
    """Overrides urllib3's socket creation (HTTPConnection._new_conn) for the mapped hosts only."""

    targets: ClassVar[Mapping[str, Target]] = {}
    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        target = self.targets.get(self.host.lower().rstrip("."))
        if target is None:
            return super()._new_conn()  # type: ignore[misc]
        port = target.port or self.port
        try:
            sock = urllib3_connection.create_connection(
                (target.address, port), self.timeout, source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except TimeoutError as error:
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} via {target.address}:{port} timed out."
            ) from error
        except OSError as error:
            raise NewConnectionError(
                self,  # type: ignore[arg-type]
                f"Failed to establish a new connection to {self.host} via {target.address}:{port}: {error}",
            ) from error
        sys.audit("http.client.connect", self, self.host, self.port)
        return sock


class ResolvingAdapter(HTTPAdapter):
    """An HTTPAdapter whose pools connect mapped host names to the given targets."""

    def __init__(self, targets: Mapping[str, Target], **kwargs: Any) -> None:
        self._targets = dict(targets)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        attrs = {"targets": self._targets}
        http_conn = type("ResolvingHTTPConnection", (_ResolvingMixin, HTTPConnection), attrs)
        https_conn = type("ResolvingHTTPSConnection", (_ResolvingMixin, HTTPSConnection), attrs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("ResolvingHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("ResolvingHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
