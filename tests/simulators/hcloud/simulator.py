"""`HcloudSimulator`: the Hetzner Cloud API (`/v1`) on 127.0.0.1, with state accessors and drift helpers."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from tests.simulators.hcloud.actions import ActionBook, PlannedFailure
from tests.simulators.hcloud.api_firewalls import FirewallApi, validated_rules
from tests.simulators.hcloud.api_lookups import ActionApi, CatalogueApi
from tests.simulators.hcloud.api_primary_ips import PrimaryIpApi
from tests.simulators.hcloud.api_servers import ServerApi, remove_server
from tests.simulators.hcloud.api_ssh_keys import SshKeyApi
from tests.simulators.hcloud.api_volumes import VolumeApi
from tests.simulators.hcloud.api_zones import ZoneApi, rrset_view, zone_view
from tests.simulators.hcloud.errors import CODE_BY_STATUS, error_response
from tests.simulators.hcloud.labels import validated_labels
from tests.simulators.hcloud.store import HcloudStore, Row
from tests.simulators.hcloud.views import firewall_view, primary_ip_view, server_view, ssh_key_view, volume_view
from tests.simulators.http_core import Request, Response, Route, SimulatorBase

# The terraform provider refuses tokens that are not exactly 64 characters long.
DEFAULT_TOKEN = ("hcloud-simulator-token-" + "0123456789abcdef" * 4)[:64]
RATE_LIMIT = 3600


class HcloudSimulator(SimulatorBase):
    """Hetzner Cloud API simulator. `start()` returns the server root; give providers `.endpoint` (`…/v1`)."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        readonly_token: str | None = None,
        running_polls: int = 1,
        enforce_locks: bool = False,
        enforce_rate_limit: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.readonly_token = readonly_token
        self.enforce_locks = enforce_locks
        self.enforce_rate_limit = enforce_rate_limit
        self.store = HcloudStore(actions=ActionBook(running_polls=running_polls))
        self._rate_tokens = float(RATE_LIMIT)
        self._rate_checked = time.monotonic()
        super().__init__(host, port)

    @property
    def endpoint(self) -> str:
        """The value for `hcloud:endpoint` / `HCLOUD_ENDPOINT`."""
        return f"{self.base_url}/v1"

    # --- SimulatorBase hooks ----------------------------------------------------------------------
    def routes(self) -> Iterable[Route]:
        apis: list[Any] = [
            SshKeyApi(self.store),
            FirewallApi(self.store),
            ServerApi(self.store, self._is_locked),
            VolumeApi(self.store),
            ZoneApi(self.store),
            PrimaryIpApi(self.store),
            ActionApi(self.store),
            CatalogueApi(),
        ]
        return [route for api in apis for route in api.routes()]

    def authorize(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        scheme, _, presented = header.partition(" ")
        if scheme != "Bearer" or presented not in (self.token, self.readonly_token) or not presented:
            return error_response("unauthorized", "unable to authenticate")
        if presented == self.readonly_token and request.method != "GET":
            return error_response("token_readonly", "the token is only allowed to perform GET requests")
        if self._take_rate_token() is False:
            return error_response("rate_limit_exceeded", "rate limit exceeded")
        return None

    def error_response(self, status: int, message: str) -> Response:
        return error_response(CODE_BY_STATUS.get(status, "service_error"), message, status=status)

    def not_found_response(self, request: Request) -> Response:
        return error_response("not_found", f"no route for {request.method} {request.path}")

    def bad_json_response(self, detail: str) -> Response:
        return error_response("json_error", f"invalid JSON: {detail}")

    def common_headers(self) -> dict[str, str]:
        with self.lock:
            remaining = int(self._refilled_tokens())
        return {
            "RateLimit-Limit": str(RATE_LIMIT),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(int(time.time()) + RATE_LIMIT - remaining),
        }

    # --- rate limiting: a bucket of 3600 requests refilled at one per second -------------------------
    def _refilled_tokens(self) -> float:
        now = time.monotonic()
        self._rate_tokens = min(RATE_LIMIT, self._rate_tokens + (now - self._rate_checked))
        self._rate_checked = now
        return self._rate_tokens

    def _take_rate_token(self) -> bool:
        if self._refilled_tokens() < 1:
            return not self.enforce_rate_limit
        self._rate_tokens -= 1
        return True

    def set_rate_limit_remaining(self, remaining: int) -> None:
        """Drain (or refill) the bucket, e.g. to test 429 handling with `enforce_rate_limit=True`."""
        with self.lock:
            self._rate_tokens = float(remaining)
            self._rate_checked = time.monotonic()

    def _is_locked(self, kind: str, resource_id: int) -> bool:
        return self.enforce_locks and self.store.actions.running_on(kind, resource_id)

    # --- state accessors (API views, as a client would GET them) ------------------------------------
    def servers(self) -> list[dict[str, Any]]:
        with self.lock:
            return [server_view(self.store, s) for _, s in sorted(self.store.servers.items())]

    def server(self, id_or_name: int | str) -> dict[str, Any] | None:
        with self.lock:
            found = self._find(self.store.servers, id_or_name)
            return server_view(self.store, found) if found else None

    def root_password(self, id_or_name: int | str) -> str | None:
        with self.lock:
            found = self._find(self.store.servers, id_or_name)
            return found["root_password"] if found else None

    def user_data(self, id_or_name: int | str) -> str | None:
        with self.lock:
            found = self._find(self.store.servers, id_or_name)
            return found["user_data"] if found else None

    def firewalls(self) -> list[dict[str, Any]]:
        with self.lock:
            return [firewall_view(self.store, f) for _, f in sorted(self.store.firewalls.items())]

    def firewall(self, id_or_name: int | str) -> dict[str, Any] | None:
        with self.lock:
            found = self._find(self.store.firewalls, id_or_name)
            return firewall_view(self.store, found) if found else None

    def ssh_keys(self) -> list[dict[str, Any]]:
        with self.lock:
            return [ssh_key_view(k) for _, k in sorted(self.store.ssh_keys.items())]

    def ssh_key(self, id_or_name: int | str) -> dict[str, Any] | None:
        with self.lock:
            found = self._find(self.store.ssh_keys, id_or_name)
            return ssh_key_view(found) if found else None

    def volumes(self) -> list[dict[str, Any]]:
        with self.lock:
            return [volume_view(v) for _, v in sorted(self.store.volumes.items())]

    def primary_ips(self) -> list[dict[str, Any]]:
        with self.lock:
            return [primary_ip_view(p) for _, p in sorted(self.store.primary_ips.items())]

    def zones(self) -> list[dict[str, Any]]:
        with self.lock:
            return [zone_view(z, self._rrsets_of(z["id"])) for _, z in sorted(self.store.zones.items())]

    def rrsets(self, zone: int | str) -> list[dict[str, Any]]:
        """The zone's RRsets as the API shows them, SOA and NS included, sorted by id."""
        with self.lock:
            zone_id = self._require(self.store.zones, zone)["id"]
            return sorted((rrset_view(r) for r in self._rrsets_of(zone_id)), key=lambda r: r["id"])

    def _rrsets_of(self, zone_id: int) -> list[dict[str, Any]]:
        return [r for r in self.store.rrsets.values() if r["zone"] == zone_id]

    def add_zone(self, name: str, *, delete_protection: bool = True) -> dict[str, Any]:
        """A zone created outside this program (e.g. by the prod stack that owns it), with its SOA and NS."""
        with self.lock:
            api = ZoneApi(self.store)
            return api.create_outside(name, delete_protection=delete_protection)

    def actions(self, command: str | None = None) -> list[dict[str, Any]]:
        """All actions so far (not advanced by this read), optionally only one command."""
        with self.lock:
            return [a.view() for a in self.store.actions.actions.values() if command in (None, a.command)]

    def summary(self) -> dict[str, list[str]]:
        """Names per resource family, for human-readable reports."""
        with self.lock:
            return {
                "servers": [s["name"] for s in self.store.servers.values()],
                "firewalls": [f["name"] for f in self.store.firewalls.values()],
                "ssh_keys": [k["name"] for k in self.store.ssh_keys.values()],
                "volumes": [v["name"] for v in self.store.volumes.values()],
                "dns zones": [z["name"] for z in self.store.zones.values()],
                "dns rrsets": sorted(
                    f"{r['name']}/{r['type']} -> {', '.join(rec['value'] for rec in r['records'])}"
                    for r in self.store.rrsets.values() if r["type"] in ("A", "AAAA")
                ),
            }

    # --- action control ---------------------------------------------------------------------------
    def fail_next_action(self, command: str | None = None, code: str = "action_failed",
                         message: str = "Action failed (simulated)") -> None:
        """The next action started with `command` (any command if None) ends in `error`."""
        with self.lock:
            self.store.actions.planned_failures.append(PlannedFailure(command, code, message))

    def finish_all_actions(self) -> None:
        with self.lock:
            self.store.actions.finish_all()

    # --- out-of-band edits (drift) -------------------------------------------------------------------
    def set_server_labels(self, id_or_name: int | str, labels: dict[str, str]) -> None:
        with self.lock:
            self._require(self.store.servers, id_or_name)["labels"] = validated_labels(labels)

    def set_server_status(self, id_or_name: int | str, status: str) -> None:
        with self.lock:
            self._require(self.store.servers, id_or_name)["status"] = status

    def rename_server(self, id_or_name: int | str, name: str) -> None:
        with self.lock:
            self._require(self.store.servers, id_or_name)["name"] = name

    def delete_server(self, id_or_name: int | str) -> None:
        with self.lock:
            remove_server(self.store, self._require(self.store.servers, id_or_name)["id"])

    def set_firewall_rules(self, id_or_name: int | str, rules: list[dict[str, Any]]) -> None:
        with self.lock:
            self._require(self.store.firewalls, id_or_name)["rules"] = validated_rules(rules)

    def set_firewall_labels(self, id_or_name: int | str, labels: dict[str, str]) -> None:
        with self.lock:
            self._require(self.store.firewalls, id_or_name)["labels"] = validated_labels(labels)

    def detach_firewall(self, firewall: int | str, server: int | str) -> None:
        with self.lock:
            fw = self._require(self.store.firewalls, firewall)
            server_id = self._require(self.store.servers, server)["id"]
            fw["applied_to"] = [t for t in fw["applied_to"]
                                if not (t["type"] == "server" and t["server"]["id"] == server_id)]

    def delete_firewall(self, id_or_name: int | str) -> None:
        with self.lock:
            del self.store.firewalls[self._require(self.store.firewalls, id_or_name)["id"]]

    def set_ssh_key_labels(self, id_or_name: int | str, labels: dict[str, str]) -> None:
        with self.lock:
            self._require(self.store.ssh_keys, id_or_name)["labels"] = validated_labels(labels)

    def delete_ssh_key(self, id_or_name: int | str) -> None:
        with self.lock:
            del self.store.ssh_keys[self._require(self.store.ssh_keys, id_or_name)["id"]]

    def delete_volume(self, id_or_name: int | str) -> None:
        with self.lock:
            del self.store.volumes[self._require(self.store.volumes, id_or_name)["id"]]

    # --- helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _find(table: dict[int, Row], id_or_name: int | str) -> Row | None:
        if isinstance(id_or_name, int) or str(id_or_name).isdigit():
            return table.get(int(id_or_name))
        return next((item for item in table.values() if item["name"] == id_or_name), None)

    def _require(self, table: dict[int, Row], id_or_name: int | str) -> Row:
        found = self._find(table, id_or_name)
        if found is None:
            raise KeyError(f"no such resource: {id_or_name!r}")
        return found
