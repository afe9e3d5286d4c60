"""`CoolifySimulator`: the HTTP server, the request pipeline (auth, gates, faults, log) and the test API."""

from __future__ import annotations

import copy
import math
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..network import NetworkProfile
from . import deployments
from .api_allowed import api_gate, client_ip
from .config import KNOWN_ABILITIES, DeployOutcome, DeployTiming, SimConfig, SimHost, Token
from .context import Ctx
from .contract import coolify_route
from .faults import Fault, FaultBook, full_template
from .handlers import applications, databases, deploy, envs, infra, instance, projects, reads, s3
from .routes import API_PREFIX, Route, find_route
from .state import Seed, StateView, seed_store
from .store import Linger, Row, Store
from .versions import POST_ONLY_SINCE, at_least, parse_version
from .wire import Response, catch_all, message, text

DEFAULT_TOKEN = "1|coolify-simulator-root-token-0123456789abcdef"
HEALTH_PATHS = ("/api/health", "/api/v1/health")
ROUTES: list[Route] = [
    *instance.ROUTES,
    *projects.ROUTES,
    *infra.ROUTES,
    *envs.ROUTES,
    *applications.ROUTES,
    *databases.ROUTES,
    *deploy.ROUTES,
    *reads.ROUTES,
    *s3.ROUTES,
]


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    route: str | None  # the matched route template, e.g. /api/v1/applications/{uuid}; None for unmatched paths
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON when it parses, else the raw text
    started_at: float = field(default_factory=time.monotonic)

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


class CoolifySimulator:
    """A stateful fake of Coolify's REST API (v4.3.x behaviour). See the package docstring."""

    def __init__(self, tokens: dict[str, set[str]] | None = None, version: str = "4.3.11", *,
                 api_enabled: bool = True, host: str = "127.0.0.1", port: int = 0) -> None:
        parse_version(version)
        self._lock = threading.RLock()
        self._store = Store()
        self._faults = FaultBook()
        self._tokens: dict[str, Token] = {}
        self._requests: list[RecordedRequest] = []
        self._rate_windows: dict[str, RateWindow] = {}
        self._throttled = 0
        self.config = SimConfig(version=version, api_enabled=api_enabled)
        self.network = NetworkProfile()
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._url: str | None = None
        self._thread: threading.Thread | None = None
        for token, abilities in (tokens if tokens is not None else {DEFAULT_TOKEN: {"root"}}).items():
            self.add_token(token, abilities)

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> str:
        """Start serving on a free port (unless one was given); return the base URL (without /api/v1)."""
        if self._httpd is not None:
            return self.url
        httpd = ThreadingHTTPServer((self._host, self._port), _make_handler(self))
        httpd.daemon_threads = True
        self._httpd = httpd
        host, port = httpd.server_address[:2]
        self._url = f"http://{host!s}:{port}"
        # A short poll interval keeps stop() (and so every fixture teardown) fast.
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="coolify-simulator", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> CoolifySimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL (no /api/v1 suffix); it stays readable after stop()."""
        if self._url is None:
            raise RuntimeError("the simulator was never started; call start() first")
        return self._url

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    # --- tokens and instance switches ----------------------------------------------------------------

    def add_token(self, token: str, abilities: set[str] | frozenset[str] | list[str], *, team_id: int | None = 0,
                  role: str = "owner", expires_at: float | None = None) -> None:
        """Register a bearer token. `team_id=None` models a token whose user left its team."""
        unknown = set(abilities) - KNOWN_ABILITIES
        if unknown:
            raise ValueError(f"unknown abilities: {sorted(unknown)}")
        with self._lock:
            self._tokens[token] = Token(token, frozenset(abilities), team_id, role, expires_at)

    def remove_token(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    @property
    def tokens(self) -> dict[str, frozenset[str]]:
        with self._lock:
            return {value: token.abilities for value, token in self._tokens.items()}

    @property
    def token(self) -> str:
        """The first registered token (the default root token unless `tokens` was given)."""
        with self._lock:
            return next(iter(self._tokens))

    @property
    def api_enabled(self) -> bool:
        return self.config.api_enabled

    @api_enabled.setter
    def api_enabled(self, value: bool) -> None:
        with self._lock:
            self.config.api_enabled = value

    @property
    def allowed_ips(self) -> str | None:
        """Settings > Advanced > "Allowed API IPs": comma-separated IPs or CIDRs; None or "" allows all."""
        return self.config.allowed_ips

    @allowed_ips.setter
    def allowed_ips(self, value: str | None) -> None:
        with self._lock:
            self.config.allowed_ips = value

    @property
    def version(self) -> str:
        return self.config.version

    @version.setter
    def version(self, value: str) -> None:
        parse_version(value)
        with self._lock:
            self.config.version = value

    def set_network(self, profile: NetworkProfile) -> None:
        """A round trip per request and the rate limit of `profile` (Coolify's 200/min unless it says otherwise)."""
        with self._lock:
            self.network = profile
        self.rate_limit_per_minute = profile.coolify_rate_limit_per_minute

    @property
    def rate_limit_per_minute(self) -> int | None:
        return self.config.rate_limit_per_minute

    @rate_limit_per_minute.setter
    def rate_limit_per_minute(self, value: int | None) -> None:
        with self._lock:
            self.config.rate_limit_per_minute = value
            self._rate_windows.clear()

    # --- state, seeding and out-of-band edits -----------------------------------------------------------

    @property
    def state(self) -> StateView:
        return StateView(self._store, self._lock)

    def seed(self, *, ip: str = "10.0.0.10", project_name: str = "penpal", server_name: str = "seeded-server",
             team_id: int = 0, reachable: bool = True) -> Seed:
        """Create a private key, a usable server (with its destination) and a project with `production`."""
        with self._lock:
            self.config.host(ip).docker_installed = reachable  # usable: its host has Docker
            return seed_store(self._store, team_id, ip, project_name, server_name, reachable)

    def edit(self, table: str, key: str, **fields: Any) -> Row:
        """Change columns of any row behind the API's back (drift). Returns a copy of the edited row."""
        with self._lock:
            row = self._store.table(table).get(key)
            if row is None:
                raise KeyError(f"{table}/{key} does not exist")
            row.update(fields)
            self._store.touch(row)
            return copy.deepcopy(row)

    def edit_application(self, uuid: str, **fields: Any) -> Row:
        """Out-of-band application edit; `settings={...}` updates application_settings."""
        settings = fields.pop("settings", None)
        with self._lock:
            if settings:
                self._store.applications[uuid]["_settings"].update(settings)
            return self.edit("applications", uuid, **fields)

    def edit_database(self, uuid: str, **fields: Any) -> Row:
        return self.edit("databases", uuid, **fields)

    def edit_env(self, env_uuid: str, **fields: Any) -> Row:
        return self.edit("app_envs", env_uuid, **fields)

    def delete_application_oob(self, uuid: str) -> None:
        """The application disappears at once (someone deleted it in the UI and the job finished)."""
        with self._lock:
            self._store.hard_delete_application(uuid)

    def delete_database_oob(self, uuid: str) -> None:
        with self._lock:
            self._store.hard_delete_database(uuid)

    def delete_env_oob(self, env_uuid: str) -> None:
        with self._lock:
            self._store.app_envs.pop(env_uuid, None)

    def delete_oob(self, table: str, key: str) -> None:
        with self._lock:
            self._store.table(table).pop(key, None)

    # --- timing and outcomes ---------------------------------------------------------------------------

    def set_delete_linger(self, polls: int = 1, seconds: float = 0.0) -> None:
        """A deleted application/database stays visible for `polls` reads and at least `seconds`."""
        with self._lock:
            self.config.delete_linger = Linger(polls, seconds)

    def set_deploy_timing(self, *, queued_polls: int = 1, in_progress_polls: int = 2, queued_s: float = 0.0,
                          in_progress_s: float = 0.0, by_time: bool = False) -> None:
        with self._lock:
            self.config.deploy_timing = DeployTiming(queued_polls, in_progress_polls, queued_s, in_progress_s, by_time)

    def set_deploy_outcome(self, app_uuid: str | None, status: str, log_lines: list[str] | None = None) -> None:
        """Decide how deployments end: per application uuid, or the default when `app_uuid` is None.

        `log_lines` may use `{image}`; None gives a default log for the status.
        """
        if status not in ("finished", "failed"):
            raise ValueError("status must be 'finished' or 'failed'")
        with self._lock:
            outcome = DeployOutcome(status, list(log_lines) if log_lines is not None else None)
            if app_uuid is None:
                self.config.default_outcome = outcome
            else:
                self.config.outcomes[app_uuid] = outcome

    def finish_deployments(self) -> None:
        """Run every queued or in-progress deployment to its outcome now."""
        with self._lock:
            for row in self._store.deployments.values():
                deployments.run_to_completion(self.config, self._store, row)

    def run_deployment(self, deployment_uuid: str, *, until: str) -> None:
        """Move one deployment on now: `in_progress` (started), or ended as `finished`/`failed`/`cancelled-by-user`."""
        with self._lock:
            row = self._store.deployments[deployment_uuid]
            if row["status"] == "queued":
                deployments.start(self.config, self._store, row)
            if until != "in_progress" and row["status"] == "in_progress":
                deployments.finish(self.config, self._store, row, status=until)

    def set_server_validation(self, ip: str, *, reachable: bool = True, usable: bool = True) -> None:
        """What validating the server with this IP finds: `usable=False` means Docker is missing and cannot be
        installed (validation with install gives up); `usable=True` means Docker is already there."""
        self.set_host(ip, reachable=reachable, docker_installed=usable, docker_installable=usable)

    def set_host(self, ip: str, *, reachable: bool = True, docker_installed: bool = False,
                 docker_installable: bool = True, install_reads: int = 2) -> None:
        """The machine behind `ip` (default: reachable, bare, Docker installable in `install_reads` reads)."""
        with self._lock:
            self.config.hosts[ip] = SimHost(reachable, docker_installed, docker_installable, install_reads)

    def add_s3_bucket(self, endpoint: str, bucket: str, access_key: str, secret_key: str) -> None:
        """A bucket that validating an S3 storage will find with these credentials; the endpoint's host
        must be one the simulator's DNS knows (`config.s3_dns`: Hetzner's object storage hosts)."""
        host = (urlsplit(endpoint).hostname or endpoint).lower()
        with self._lock:
            self.config.s3_buckets[(host, bucket)] = (access_key, secret_key)

    # --- faults and the request log ----------------------------------------------------------------------

    def inject(self, method: str, route_template: str, status: int | None = None, *, times: int | None = 1,
               body: Any = None, headers: dict[str, str] | None = None, delay_s: float = 0.0,
               after_write: bool = False) -> Fault:
        """Answer the next `times` requests on this route with `status` (None: only delay).

        `after_write=True` runs the handler first (the write is applied) and then answers with the fault,
        but only when the handler succeeded. `times=None` keeps the fault armed for ever.
        """
        fault = Fault(method.upper(), full_template(route_template), status, times, body, dict(headers or {}),
                      delay_s, after_write)
        with self._lock:
            return self._faults.add(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def count(self, method: str, route_template: str) -> int:
        template = full_template(route_template)
        with self._lock:
            return sum(1 for r in self._requests if r.method == method.upper() and r.route == template)

    def reset_counts(self) -> None:
        with self._lock:
            self._requests.clear()
            self._throttled = 0

    # --- the pipeline ----------------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes,
               peer: str = "127.0.0.1") -> Response:
        """One request; `peer` is the connecting address (the client IP unless X-Forwarded-For names one)."""
        self.network.round_trip()
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        route, params, template = self._resolve(method, path)
        response = self._respond(method, path, query, headers, raw_body, route, params, template,
                                 client_ip(peer, headers.get("x-forwarded-for")))
        with self._lock:
            self._requests.append(RecordedRequest(method, path, query, template, response.status, dict(headers),
                                                  _decode(raw_body)))
        return response

    def _resolve(self, method: str, path: str) -> tuple[Route | None, dict[str, str], str | None]:
        if path in HEALTH_PATHS:
            return None, {}, path
        if not path.startswith(API_PREFIX + "/"):
            return None, {}, None
        relative = path[len(API_PREFIX):]
        found = find_route(ROUTES, method, relative)
        if found is not None and found[0].post_since and not at_least(self.config.version, found[0].post_since):
            found = None
        if found is None and method in ("GET", "HEAD"):
            post = find_route(ROUTES, "POST", relative)
            if post is not None and post[0].post_only_action:
                found = post
        if found is None or (found[0].since is not None and not at_least(self.config.version, found[0].since)):
            return None, {}, None
        return found[0], found[1], found[0].full_template

    def _respond(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], raw_body: bytes,
                 route: Route | None, params: dict[str, str], template: str | None, ip: str) -> Response:
        with self._lock:
            before = self._faults.take(method, template or path, after_write=False)
        if before is not None:
            time.sleep(before.delay_s)
            if (fault_response := before.response()) is not None:
                return fault_response
        if path in HEALTH_PATHS:
            return text(200, "OK") if method in ("GET", "HEAD") else catch_all()
        if route is None:
            if path.startswith(API_PREFIX + "/") and find_route(ROUTES, method, path[len(API_PREFIX):]):
                # Simulated, but newer than the configured version: that Coolify has no such route.
                return catch_all()
            return not_simulated(method, path) or catch_all()
        bearer = _bearer(headers)
        with self._lock:
            limited = self._throttle(bearer)
            if limited is not None:
                return limited
            self._store.purge_due()
            deployments.advance_by_time(self.config, self._store)
            ctx = Ctx(self._store, self.config, self._url or "", method, path, route.full_template, params, query,
                      raw_body, headers.get("content-type", ""))
            response = self._authorise(ctx, route, bearer, ip)
            if response is None:
                try:
                    response = self._dispatch(ctx, route, method)
                except Exception:  # a simulator bug must surface as Laravel's 500, not a dropped connection
                    traceback.print_exc()
                    response = message(500, "Server Error")
            after = self._faults.take(method, route.full_template, after_write=True) if response.status < 300 else None
        if after is not None:
            time.sleep(after.delay_s)
            return after.response() or response
        return self._with_rate_headers(response, bearer)

    def _dispatch(self, ctx: Ctx, route: Route, method: str) -> Response:
        # GET on a POST-only action: 405 since v4.2.0; older versions ran the action on GET too.
        if route.method != method and at_least(self.config.version, POST_ONLY_SINCE):
            return Response(405, {"message": "This endpoint has changed to a POST request."}, {"Allow": "POST"})
        return route.handler(ctx)

    def _authorise(self, ctx: Ctx, route: Route, bearer: str | None, ip: str) -> Response | None:
        token = self._tokens.get(bearer or "")
        if token is None or (token.expires_at is not None and token.expires_at <= time.time()):
            return message(401, "Unauthenticated.")
        if token.team_id is None:
            return message(401, "Invalid token.")
        elevated = token.abilities & {"root", "write", "write:sensitive", "deploy", "read:sensitive"}
        if elevated and token.role not in ("owner", "admin"):
            return message(403, "Missing required team role.")
        if route.api_gate and (refused := api_gate(self.config.api_enabled, self.config.allowed_ips, ip)):
            return refused
        # Abilities match exactly: write does not imply read; root passes everything.
        if "root" not in token.abilities and route.ability not in token.abilities:
            return message(403, f"Missing required permissions: {route.ability}")
        ctx.token = token
        return None

    def _throttle(self, bearer: str | None) -> Response | None:
        # Laravel's ThrottleRequests with Coolify's `api` limiter (RouteServiceProvider::configureRateLimiting):
        # Limit::perMinute(API_RATE_LIMIT) by user: a fixed 60 s window from its first hit (RateLimiter::hit).
        limit = self.config.rate_limit_per_minute
        if limit is None:
            return None
        key = bearer or "anonymous"
        now = time.monotonic()
        window = self._rate_windows.get(key)
        if window is None or now >= window.reset_at:
            window = self._rate_windows[key] = RateWindow(reset_at=now + self.config.rate_window_s)
        if window.hits >= limit:
            self._throttled += 1
            retry_after = max(1, math.ceil(window.reset_at - now))
            return Response(429, {"message": "Too Many Attempts."}, {
                "Retry-After": str(retry_after), "X-RateLimit-Reset": str(int(time.time()) + retry_after),
                "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0"})
        window.hits += 1
        return None

    def _with_rate_headers(self, response: Response, bearer: str | None) -> Response:
        limit = self.config.rate_limit_per_minute
        if limit is not None and "X-RateLimit-Limit" not in response.headers:
            with self._lock:
                window = self._rate_windows.get(bearer or "anonymous")
                used = window.hits if window else 0
            response.headers.update({"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(limit - used)})
        return response

    @property
    def throttled(self) -> int:
        """How many requests the rate limiter refused (429) since the last `reset_counts()`."""
        with self._lock:
            return self._throttled


@dataclass
class RateWindow:
    reset_at: float
    hits: int = 0


def not_simulated(method: str, path: str) -> Response | None:
    """A route real Coolify serves but the simulator does not: 501 saying so, never the catch-all 404 that
    Coolify gives unknown paths (and a wrong method), so a wrong URL and a missing route are told apart."""
    if not path.startswith(API_PREFIX + "/"):
        return None
    template = coolify_route(method, path)
    if template is None:
        # Unmatched paths and methods hit Coolify's catch-all, without auth (a wrong method is 404, not 405).
        return None
    return Response(501, {"message": f"Not simulated: Coolify serves {method} {API_PREFIX}{template}, "
                                     "the simulator does not.", "not_simulated": True})


def _bearer(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    if value.lower().startswith("bearer "):
        return value[7:].strip()
    return None


def _decode(raw: bytes) -> Any:
    import json

    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _make_handler(simulator: CoolifySimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "coolify-simulator"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            response = simulator.handle(self.command, self.path, headers, raw, peer=str(self.client_address[0]))
            payload = response.encoded()
            try:
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (e.g. a read timeout against a delayed fault).
                self.close_connection = True

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
