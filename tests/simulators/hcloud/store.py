"""The simulated project's resources, as plain dicts keyed by id, plus id and address allocation.

Rows hold the API fields a client can set, plus references by id (`server_type`, `image`, `location`
by id or name, `ipv4`/`ipv6` as primary IP ids, `firewalls` as ids). `views.py` turns rows into API
objects. All access happens under the simulator's lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.simulators.hcloud.actions import ActionBook

Row = dict[str, Any]

_FIRST_IDS = {"server": 10001, "ssh_key": 20001, "firewall": 30001, "volume": 40001, "primary_ip": 50001,
              "zone": 60001}


@dataclass
class HcloudStore:
    actions: ActionBook
    servers: dict[int, Row] = field(default_factory=dict)
    ssh_keys: dict[int, Row] = field(default_factory=dict)
    firewalls: dict[int, Row] = field(default_factory=dict)
    volumes: dict[int, Row] = field(default_factory=dict)
    primary_ips: dict[int, Row] = field(default_factory=dict)
    zones: dict[int, Row] = field(default_factory=dict)
    rrsets: dict[tuple[int, str, str], Row] = field(default_factory=dict)
    """Keyed by (zone id, name, type): an RRset's id is `name/TYPE`, unique within its zone."""
    _issued: dict[str, int] = field(default_factory=dict)
    _addresses: int = 0

    def next_id(self, kind: str) -> int:
        self._issued[kind] = self._issued.get(kind, _FIRST_IDS[kind] - 1) + 1
        return self._issued[kind]

    def next_addresses(self) -> tuple[str, str]:
        """A fresh public IPv4 address (TEST-NET-3) and IPv6 /64 network (documentation prefix)."""
        self._addresses += 1
        n = self._addresses
        return f"203.0.113.{n % 254 + 1}", f"2001:db8:{n:x}::/64"

    def table(self, kind: str) -> dict[int, Row]:
        tables: dict[str, dict[int, Row]] = {
            "server": self.servers,
            "ssh_key": self.ssh_keys,
            "firewall": self.firewalls,
            "volume": self.volumes,
            "primary_ip": self.primary_ips,
        }
        return tables[kind]
