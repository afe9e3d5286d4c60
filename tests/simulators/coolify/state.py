"""Read-only, copied views of the simulator's tables for test assertions, and a seeding helper."""

from __future__ import annotations

import base64
import copy
import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from .models import destination_row, environment_row, private_key_row, project_row, server_row, server_settings_row
from .store import Row, Store


def sample_private_key(label: str = "default") -> str:
    """A syntactically valid OpenSSH PEM whose bytes (and so fingerprint) depend on `label`.

    The simulator checks PEM structure only, so this stands in for a real key; it protects nothing.
    """
    body = b"openssh-key-v1\x00" + hashlib.sha512(label.encode()).digest() * 3
    encoded = base64.b64encode(body).decode()
    lines = [encoded[i:i + 70] for i in range(0, len(encoded), 70)]
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END OPENSSH PRIVATE KEY-----\n"


@dataclass(frozen=True)
class Seed:
    """What `CoolifySimulator.seed()` created, ready to reference in API calls."""

    private_key_uuid: str
    server_uuid: str
    server_ip: str
    destination_uuid: str
    project_uuid: str
    environment_name: str
    environment_uuid: str


class StateView:
    """Deep copies of the rows (all columns; `_`-prefixed keys are simulator bookkeeping)."""

    def __init__(self, store: Store, lock: threading.RLock) -> None:
        self._store = store
        self._lock = lock

    def rows(self, table: str) -> list[Row]:
        with self._lock:
            rows = list(self._store.table(table).values())
            return copy.deepcopy(sorted(rows, key=lambda r: r["id"]))

    def find(self, table: str, **match: Any) -> list[Row]:
        return [r for r in self.rows(table) if all(r.get(k) == v for k, v in match.items())]

    def get(self, table: str, key: str) -> Row | None:
        with self._lock:
            row = self._store.table(table).get(key)
            return copy.deepcopy(row) if row is not None else None

    @property
    def projects(self) -> list[Row]:
        return self.rows("projects")

    @property
    def environments(self) -> list[Row]:
        return self.rows("environments")

    @property
    def private_keys(self) -> list[Row]:
        return self.rows("private_keys")

    @property
    def servers(self) -> list[Row]:
        return self.rows("servers")

    @property
    def destinations(self) -> list[Row]:
        return self.rows("destinations")

    @property
    def applications(self) -> list[Row]:
        return self.rows("applications")

    @property
    def env_vars(self) -> list[Row]:
        """Application env vars, preview shadow copies included (`is_preview`)."""
        return self.rows("app_envs")

    @property
    def databases(self) -> list[Row]:
        return self.rows("databases")

    @property
    def backups(self) -> list[Row]:
        return self.rows("backups")

    @property
    def backup_executions(self) -> list[Row]:
        return self.rows("backup_executions")

    @property
    def deployments(self) -> list[Row]:
        return self.rows("deployments")

    @property
    def s3_storages(self) -> list[Row]:
        """S3 storages with their credentials (`key`, `secret`) as stored."""
        return self.rows("s3_storages")


def seed_store(store: Store, team_id: int, ip: str, project_name: str, server_name: str,
               reachable: bool) -> Seed:
    """Create a private key, a validated server with its destination, and a project with `production`."""
    from .handlers.infra import fingerprint_of, format_private_key, parse_private_key, public_key_of

    parsed = parse_private_key(sample_private_key(f"seed-{ip}"))
    assert parsed is not None
    pem, der = parsed
    fingerprint = fingerprint_of(der)
    key = store.insert("private_keys", private_key_row(team_id, f"{server_name}-key", "Seeded by the simulator",
                                                       format_private_key(pem), fingerprint, public_key_of(der)))
    fields = {"name": server_name, "description": None, "ip": ip, "port": 22, "user": "root"}
    server = store.insert("servers", server_row(team_id, key["id"], fields, "TRAEFIK"))
    settings = server_settings_row(server["id"], False)
    settings.update(id=server["id"], is_reachable=reachable, is_usable=reachable,
                    created_at=server["created_at"], updated_at=server["updated_at"])
    server["_settings"] = settings
    destination = store.insert("destinations", destination_row(server["id"]))
    project = store.insert("projects", project_row(team_id, project_name, None))
    env = store.insert("environments", environment_row(project["id"], "production"))
    return Seed(key["uuid"], server["uuid"], ip, destination["uuid"], project["uuid"], env["name"], env["uuid"])
