"""Local stand-ins for deployed services: real HTTP(S) servers on 127.0.0.1 behind a test CA.

A `ServiceStandIn` answers `GET /health` like a deployed Node.js service would (or, for tests, late,
with a wrong status, or never), over TLS with a certificate for the service's domain signed by a
`TestCa` made here with `trustme`. The health check reaches it through `resolve`
(`{domain: "127.0.0.1:<port>"}`), so the URL, SNI and certificate name stay the real domain.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import trustme


class TestCa:
    """A throwaway certificate authority; `pem` is what `penpal:healthCheck.caBundle` points at."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self._ca = trustme.CA(organization_name="penpal-infra test CA")

    @property
    def pem(self) -> str:
        return self._ca.cert_pem.bytes().decode()

    def server_context(self, hostnames: Sequence[str]) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert(*hostnames).configure_cert(context)
        return context


@dataclass
class Behaviour:
    """What the stand-in answers; tests change it while the server runs."""

    status: int = 200
    body: str = '{"status":"ok"}'
    path: str = "/health"


@dataclass
class SeenRequest:
    path: str
    host: str | None
    sni: str | None


@dataclass
class ServiceStandIn:
    """One service's stand-in. `start(delay_s)` reserves the port at once but accepts connections only
    after the delay (connections are refused until then, like a container still starting)."""

    hostnames: Sequence[str]
    ca: TestCa | None = None
    """None: plain HTTP."""
    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[SeenRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the stand-in first"
        return int(self._server.server_address[1])

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def resolve(self) -> dict[str, str]:
        """The `resolve` entries that send every hostname of this stand-in here."""
        return {hostname: self.address for hostname in self.hostnames}

    def start(self, delay_s: float = 0.0) -> ServiceStandIn:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self), bind_and_activate=False)
        server.daemon_threads = True
        server.server_bind()  # bound, not listening: connections are refused until activated
        if self.ca is not None:
            context = self.ca.server_context(self.hostnames)
            context.sni_callback = self._remember_sni
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        if delay_s > 0:
            self._timer = threading.Timer(delay_s, self._activate)
            self._timer.daemon = True
            self._timer.start()
        else:
            self._activate()
        return self

    def _activate(self) -> None:
        assert self._server is not None
        self._server.server_activate()
        self._thread = threading.Thread(target=self._server.serve_forever, name="standin", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join(timeout=5)
            self._server.server_close()

    def _remember_sni(self, _sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        self._last_sni = name

    def record(self, request: SeenRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)


def _handler(standin: ServiceStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            sni = getattr(standin, "_last_sni", None)
            standin.record(SeenRequest(self.path, self.headers.get("Host"), sni))
            behaviour = standin.behaviour
            status = behaviour.status if self.path == behaviour.path else 404
            body = (behaviour.body if self.path == behaviour.path else "not found").encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, _format: str, *_args: Any) -> None:
            pass

    return Handler


def refused_address() -> str:
    """An address:port on 127.0.0.1 where nothing listens (the port is released again at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"
