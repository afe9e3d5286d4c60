"""Generic machinery for a stateful API simulator on 127.0.0.1: routing, request log, counters, faults.

A concrete simulator subclasses `SimulatorBase`, lists its routes (`Route(method, template, handler)`),
and says how it authorises requests and what its error bodies look like. Route templates use `{name}`
for one path segment and `{name+}` for the rest of the path (slashes included); they are also the keys
for `count()` and `inject()`. The GitHub simulator reuses this module.
"""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

from tests.simulators.network import NetworkProfile

UNMATCHED_ROUTE = "<unmatched>"


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable, or raw bytes sent as they are; None means an empty body
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode()


class HttpError(Exception):
    """Raised by handlers to answer with an error response."""

    def __init__(self, response: Response) -> None:
        super().__init__(f"HTTP {response.status}")
        self.response = response


class BadJson(Exception):
    """The request body is not the JSON object the handler needs."""


@dataclass
class Request:
    method: str
    path: str  # raw (still percent-encoded) path, without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # decoded route parameters
    route: str = UNMATCHED_ROUTE

    def json(self) -> dict[str, Any]:
        if not self.body.strip():
            return {}
        try:
            value = json.loads(self.body)
        except ValueError as exc:
            raise BadJson(str(exc)) from exc
        if not isinstance(value, dict):
            raise BadJson("request body must be a JSON object")
        return value

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        return list(self.query.get(name, []))


@dataclass
class RecordedRequest:
    method: str
    path: str
    route: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int = 0

    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip() else None


@dataclass
class Fault:
    method: str  # "*" matches any method
    route: str
    status: int | None
    times: int | None  # None: forever
    delay_s: float
    body: Any
    headers: dict[str, str]
    hits: int = 0

    def matches(self, method: str, route: str) -> bool:
        return self.route == route and self.method in ("*", method)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


Handler = Callable[[Request], Response]


class Route:
    def __init__(self, method: str, template: str, handler: Handler) -> None:
        self.method = method
        self.template = template
        self.handler = handler
        pattern = ""
        for piece in re.split(r"(\{[a-z_]+\+?\})", template):
            if piece.startswith("{") and piece.endswith("}"):
                name = piece[1:-1]
                if name.endswith("+"):
                    pattern += f"(?P<{name[:-1]}>.+)"
                else:
                    pattern += f"(?P<{name}>[^/]+)"
            else:
                pattern += re.escape(piece)
        self.regex = re.compile(pattern + "$")
        # More literal characters first, so `/secrets/public-key` wins over `/secrets/{name}`.
        self.specificity = len(re.sub(r"\{[a-z_]+\+?\}", "", template))

    def match(self, path: str) -> dict[str, str] | None:
        found = self.regex.match(path)
        if found is None:
            return None
        return {key: unquote(value) for key, value in found.groupdict().items()}


class SimulatorBase:
    """A threaded HTTP server with a request log, per-route counters and fault injection."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.lock = threading.RLock()
        self._host = host
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._counts: Counter[tuple[str, str]] = Counter()
        self._requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        self._routes = sorted(self.routes(), key=lambda route: -route.specificity)
        # Set by the harness for benchmarks: a round trip per request (Hetzner and GitHub have no Coolify limit).
        self.network = NetworkProfile()

    # --- to be provided by subclasses -------------------------------------------------------------
    def routes(self) -> Iterable[Route]:
        raise NotImplementedError

    def authorize(self, request: Request) -> Response | None:
        """An error response when the request may not proceed, else None."""
        return None

    def error_response(self, status: int, message: str) -> Response:
        raise NotImplementedError

    def not_found_response(self, request: Request) -> Response:
        return self.error_response(404, "Not Found")

    def bad_json_response(self, detail: str) -> Response:
        return self.error_response(400, f"Problems parsing JSON: {detail}")

    def common_headers(self) -> dict[str, str]:
        return {}

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        server = ThreadingHTTPServer((self._host, self._port), _handler_class(self))
        server.daemon_threads = True
        self._server = server
        # A short poll interval keeps stop() (and so every test fixture teardown) fast.
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), name=type(self).__name__,
                                        daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("simulator is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    # --- observation ----------------------------------------------------------------------------
    def count(self, method: str, route_template: str) -> int:
        """How many requests matched this route template (faulted and unauthorised ones included)."""
        with self.lock:
            return self._counts[(method.upper(), route_template)]

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.lock:
            return list(self._requests)

    def reset_counts(self) -> None:
        with self.lock:
            self._counts.clear()
            self._requests.clear()

    # --- fault injection ------------------------------------------------------------------------
    def inject(
        self,
        method: str,
        route_template: str,
        status: int | None = None,
        times: int | None = 1,
        delay_s: float = 0.0,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Fault:
        """Make the next `times` matching requests wait `delay_s` and/or fail with `status`.

        With `status=None` the request is only delayed, then served normally. `body=None` uses the
        API's own error shape for `status`. `times=None` keeps the fault until `clear_faults()`.
        """
        known = {route.template for route in self._routes}
        if route_template not in known:
            raise ValueError(f"unknown route template {route_template!r}")
        fault = Fault(method.upper(), route_template, status, times, delay_s, body, dict(headers or {}))
        with self.lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    # --- dispatch -------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        self.network.round_trip()
        route, params = self._find_route(request)
        if route is not None:
            request.route = route.template
            request.params = params
        record = RecordedRequest(
            request.method, request.path, request.route, request.query, request.headers, request.body
        )
        with self.lock:
            self._requests.append(record)
            self._counts[(request.method, request.route)] += 1
            fault = self._take_fault(request)
        response = self._respond(request, route, fault)
        response.headers = {**self.common_headers(), **response.headers}
        record.status = response.status
        return response

    def _respond(self, request: Request, route: Route | None, fault: Fault | None) -> Response:
        if fault is not None:
            if fault.delay_s > 0:
                time.sleep(fault.delay_s)
            if fault.status is not None:
                if fault.body is not None:
                    return Response(fault.status, fault.body, dict(fault.headers))
                response = self.error_response(fault.status, f"injected fault ({fault.status})")
                response.headers.update(fault.headers)
                return response
        if route is None:
            return self.not_found_response(request)
        with self.lock:
            denied = self.authorize(request)
            if denied is not None:
                return denied
            try:
                return route.handler(request)
            except HttpError as error:
                return error.response
            except BadJson as error:
                return self.bad_json_response(str(error))

    def _find_route(self, request: Request) -> tuple[Route | None, dict[str, str]]:
        for route in self._routes:
            if route.method != request.method:
                continue
            params = route.match(request.path)
            if params is not None:
                return route, params
        return None, {}

    def _take_fault(self, request: Request) -> Fault | None:
        for fault in self._faults:
            if fault.matches(request.method, request.route) and not fault.exhausted:
                fault.hits += 1
                return fault
        return None


def _handler_class(simulator: SimulatorBase) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the Go clients expect

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Request(
                method=self.command.upper(),
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
            )
            response = simulator.dispatch(request)
            payload = response.encode()
            self.send_response(response.status)
            headers = dict(response.headers)
            if payload:
                headers.setdefault("Content-Type", "application/json")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload and self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return _Handler


def run_until_signalled(simulator: SimulatorBase, info: dict[str, Any], info_file: str | None) -> None:
    """Serve until SIGINT/SIGTERM; print `info` as JSON and optionally write it to `info_file`."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    text = json.dumps(info)
    if info_file:
        target = Path(info_file)
        partial = target.with_suffix(target.suffix + ".tmp")
        partial.write_text(text + "\n")
        partial.replace(target)  # readers never see a half-written file
    print(text, flush=True)
    try:
        stop.wait()
    finally:
        simulator.stop()
