"""The in-memory state: one dict of rows per table, plus ids, uuids, timestamps and lingering deletes.

Rows are plain dicts holding every column. Keys starting with `_` are simulator bookkeeping and are never
serialised. All access happens under the simulator's lock.
"""

from __future__ import annotations

import secrets
import string
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Row = dict[str, Any]

_UUID_ALPHABET = string.ascii_lowercase + string.digits
ROOT_TEAM_ID = 0


def new_uuid() -> str:
    # Coolify's public ids are 24 random lowercase alphanumerics (not RFC 4122).
    return "".join(secrets.choice(_UUID_ALPHABET) for _ in range(24))


def now_iso() -> str:
    # Laravel's default JSON date form; the database keeps whole seconds.
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


@dataclass
class Linger:
    """How long a deleted resource stays visible: at least `polls` reads AND `seconds` of wall time."""

    polls: int = 1
    seconds: float = 0.0


class Store:
    TABLES = (
        "projects",
        "environments",
        "private_keys",
        "servers",
        "destinations",
        "applications",
        "app_envs",
        "databases",
        "backups",
        "backup_executions",
        "deployments",
        "s3_storages",
    )

    def __init__(self) -> None:
        self._next_ids: dict[str, int] = defaultdict(lambda: 1)
        self.projects: dict[str, Row] = {}
        self.environments: dict[str, Row] = {}
        self.private_keys: dict[str, Row] = {}
        self.servers: dict[str, Row] = {}
        self.destinations: dict[str, Row] = {}
        self.applications: dict[str, Row] = {}
        self.app_envs: dict[str, Row] = {}
        self.databases: dict[str, Row] = {}
        self.backups: dict[str, Row] = {}
        self.backup_executions: dict[str, Row] = {}
        self.deployments: dict[str, Row] = {}
        self.s3_storages: dict[str, Row] = {}

    def table(self, name: str) -> dict[str, Row]:
        if name not in self.TABLES:
            raise KeyError(name)
        table: dict[str, Row] = getattr(self, name)
        return table

    def next_id(self, table: str) -> int:
        value = self._next_ids[table]
        self._next_ids[table] = value + 1
        return value

    def insert(self, table: str, row: Row, key: str = "uuid") -> Row:
        row.setdefault("id", self.next_id(table))
        stamp = now_iso()
        row.setdefault("created_at", stamp)
        row.setdefault("updated_at", stamp)
        self.table(table)[row[key]] = row
        return row

    @staticmethod
    def touch(row: Row) -> None:
        row["updated_at"] = now_iso()

    # --- lookups scoped to a team -------------------------------------------------------------------

    def project(self, team_id: int, uuid: str) -> Row | None:
        row = self.projects.get(uuid)
        return row if row and row["team_id"] == team_id else None

    def environments_of(self, project: Row) -> list[Row]:
        rows = [env for env in self.environments.values() if env["project_id"] == project["id"]]
        return sorted(rows, key=lambda env: env["id"])

    def environment(self, project: Row, name_or_uuid: str | None) -> Row | None:
        # Coolify matches the environment by name first, then by uuid.
        if not name_or_uuid:
            return None
        envs = self.environments_of(project)
        for env in envs:
            if env["name"] == name_or_uuid:
                return env
        for env in envs:
            if env["uuid"] == name_or_uuid:
                return env
        return None

    def environment_by_id(self, env_id: int) -> Row | None:
        return next((env for env in self.environments.values() if env["id"] == env_id), None)

    def project_by_id(self, project_id: int) -> Row | None:
        return next((p for p in self.projects.values() if p["id"] == project_id), None)

    def team_of_environment(self, env_id: int) -> int | None:
        env = self.environment_by_id(env_id)
        project = self.project_by_id(env["project_id"]) if env else None
        return project["team_id"] if project else None

    def server(self, team_id: int, uuid: str | None) -> Row | None:
        row = self.servers.get(uuid or "")
        return row if row and row["team_id"] == team_id else None

    def server_by_id(self, server_id: int) -> Row | None:
        return next((s for s in self.servers.values() if s["id"] == server_id), None)

    def private_key(self, team_id: int, uuid: str | None) -> Row | None:
        row = self.private_keys.get(uuid or "")
        return row if row and row["team_id"] == team_id else None

    def destinations_of(self, server: Row) -> list[Row]:
        return [d for d in self.destinations.values() if d["server_id"] == server["id"]]

    def destination_by_id(self, destination_id: int) -> Row | None:
        return next((d for d in self.destinations.values() if d["id"] == destination_id), None)

    def application(self, team_id: int, uuid: str) -> Row | None:
        row = self.applications.get(uuid)
        return row if row and row["_team_id"] == team_id else None

    def application_by_id(self, app_id: int) -> Row | None:
        return next((a for a in self.applications.values() if a["id"] == app_id), None)

    def database(self, team_id: int, uuid: str) -> Row | None:
        row = self.databases.get(uuid)
        return row if row and row["_team_id"] == team_id else None

    def envs_of_app(self, app: Row) -> list[Row]:
        rows = [env for env in self.app_envs.values() if env["_application_uuid"] == app["uuid"]]
        # Non-preview rows first, then the preview shadow copies, each by id.
        return sorted(rows, key=lambda env: (env["is_preview"], env["id"]))

    def resources_in_environment(self, env: Row) -> list[Row]:
        apps = [a for a in self.applications.values() if a["environment_id"] == env["id"]]
        dbs = [d for d in self.databases.values() if d["environment_id"] == env["id"]]
        return apps + dbs

    def resources_on_server(self, server: Row) -> list[Row]:
        dest_ids = {d["id"] for d in self.destinations_of(server)}
        rows = list(self.applications.values()) + list(self.databases.values())
        return [r for r in rows if r["destination_id"] in dest_ids]

    # --- asynchronous deletes -----------------------------------------------------------------------

    @staticmethod
    def mark_deleting(row: Row, linger: Linger) -> None:
        if "_deleting" not in row:
            row["_deleting"] = {"polls_left": linger.polls, "since": time.monotonic(), "seconds": linger.seconds}

    @staticmethod
    def observe(row: Row) -> None:
        """A read saw this row; a deleting row counts it toward its disappearance."""
        deleting = row.get("_deleting")
        if deleting and deleting["polls_left"] > 0:
            deleting["polls_left"] -= 1

    @staticmethod
    def delete_due(row: Row) -> bool:
        deleting = row.get("_deleting")
        if not deleting:
            return False
        return deleting["polls_left"] <= 0 and time.monotonic() - deleting["since"] >= deleting["seconds"]

    def purge_due(self) -> None:
        """Finish the background delete jobs whose linger time is over."""
        for uuid, app in list(self.applications.items()):
            if self.delete_due(app):
                self.hard_delete_application(uuid)
        for uuid, db in list(self.databases.items()):
            if self.delete_due(db):
                self.hard_delete_database(uuid)

    def hard_delete_application(self, uuid: str) -> None:
        app = self.applications.pop(uuid, None)
        if app is None:
            return
        # The delete job removes env vars, settings and deployment history with the row.
        for env_uuid in [e["uuid"] for e in self.app_envs.values() if e["_application_uuid"] == uuid]:
            del self.app_envs[env_uuid]
        for dep_uuid in [d["deployment_uuid"] for d in self.deployments.values() if d["_application_uuid"] == uuid]:
            del self.deployments[dep_uuid]

    def hard_delete_database(self, uuid: str) -> None:
        db = self.databases.pop(uuid, None)
        if db is None:
            return
        for backup_uuid in [b["uuid"] for b in self.backups.values() if b["_database_uuid"] == uuid]:
            self.delete_backup(backup_uuid)

    def delete_backup(self, uuid: str) -> None:
        self.backups.pop(uuid, None)
        for exec_uuid in [e["uuid"] for e in self.backup_executions.values() if e["_backup_uuid"] == uuid]:
            del self.backup_executions[exec_uuid]
