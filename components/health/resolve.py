"""curl's `--connect-to`/`--resolve` for requests: send a host's connections to an address:port of choice.

The URL, the `Host` header, TLS SNI and certificate verification all keep the original host name;
only the TCP connection goes elsewhere. Used to point `https://staging.<service>.<domainBase>` at a
local stand-in, or at the server before DNS has propagated.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Mapping
from typing import Any, ClassVar

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

# Parsing lives apart (the program's config uses it without importing requests); re-exported here.
from components.health.targets import ResolveError, Target, parse_resolve, parse_target

__all__ = ["ResolveError", "ResolvingAdapter", "Target", "parse_resolve", "parse_target"]


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
