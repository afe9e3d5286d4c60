"""Standalone MongoDB in Coolify: internal only by default, started on create, optional scheduled backup
that can also be uploaded to an S3 storage registered in Coolify (off the server)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from components.cron import cron_problem

from ..client.types import JsonObject
from ._check import CPUS, DOCKER_MEMORY, MONGO_PASSWORD, MONGO_USER, Checker
from ._diff import FieldRule, environment_name, identity, text_or_none
from ._placed import PlacedProvider, Rows
from ._resource import args_to_props, with_secret_outputs

PLACEMENT = ("project_uuid", "environment_name", "server_uuid")
# Input -> Coolify field, for the fields PATCH /databases/{uuid} accepts.
PATCHABLE = {
    "name": "name",
    "description": "description",
    "image": "image",
    "root_username": "mongo_initdb_root_username",
    "root_password": "mongo_initdb_root_password",
    "init_database": "mongo_initdb_database",
    "limits_memory": "limits_memory",
    "limits_cpus": "limits_cpus",
}
# Coolify applies these only when the container is recreated.
NEEDS_RESTART = frozenset({"image", "root_username", "root_password", "init_database", "limits_memory", "limits_cpus"})
BACKUP_KEYS = ("backup_cron", "backup_retention")


def _limit(value: Any) -> Any:
    # Coolify stores "no limit" as "0".
    text = text_or_none(value)
    return None if text in (None, "0") else text.lower()


def _int(value: Any) -> Any:
    return int(value) if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()) else value


@dataclass(frozen=True)
class MongoDatabaseArgs:
    name: pulumi.Input[str]
    """Name, unique in its environment; an existing database with this name is adopted."""
    project_uuid: pulumi.Input[str]
    environment_name: pulumi.Input[str]
    server_uuid: pulumi.Input[str]
    root_password: pulumi.Input[str]
    """Secret. MongoDB reads it only when it first initialises its data volume: a change is refused
    unless `root_password_rotated` says the new password was set inside MongoDB first."""
    root_password_rotated: pulumi.Input[bool] = False
    """True for the one run that tells Coolify a password already changed inside MongoDB."""
    root_username: pulumi.Input[str] = "root"
    init_database: pulumi.Input[str] = "penpal"
    image: pulumi.Input[str] = "mongo:7"
    is_public: pulumi.Input[bool] = False
    """Must stay False: exposing the database needs a public port this resource does not manage."""
    limits_memory: pulumi.Input[str] | None = None
    """Docker memory limit such as `512m` or `2g`; unmanaged when None."""
    limits_cpus: pulumi.Input[str] | None = None
    """CPU limit such as `0.5` or `2`; unmanaged when None."""
    backup_cron: pulumi.Input[str] | None = None
    """Cron expression (`0 3 * * *`) or alias (`daily`) for a scheduled backup; none when None."""
    backup_retention: pulumi.Input[int] | None = None
    """Number of backups kept locally."""
    backup_s3_storage_uuid: pulumi.Input[str] | None = None
    """An `S3Storage` the scheduled backup is also uploaded to; None keeps backups on the server only."""
    backup_retention_s3: pulumi.Input[int] | None = None
    """Number of backups kept in the S3 storage (Coolify's 0 means no limit)."""


class MongoDatabaseProvider(PlacedProvider):
    listing_kind = "mongodbs"
    field_rules = (
        FieldRule("project_uuid", identity),
        FieldRule("environment_name", environment_name),
        FieldRule("server_uuid", identity),
        FieldRule("name", text_or_none),
        FieldRule("description", text_or_none),
        FieldRule("image", text_or_none),
        FieldRule("root_username", text_or_none),
        FieldRule("root_password", identity),
        FieldRule("init_database", text_or_none),
        FieldRule("is_public", bool),
        FieldRule("limits_memory", _limit),
        FieldRule("limits_cpus", _limit),
        FieldRule("backup_cron", text_or_none),
        FieldRule("backup_retention", _int),
        FieldRule("backup_save_s3", bool),
        FieldRule("backup_s3_storage_uuid", identity),
        FieldRule("backup_retention_s3", _int),
    )
    replace_keys = frozenset(PLACEMENT)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        old_password, new_password = olds.get("root_password"), checker.known("root_password")
        # MongoDB reads MONGO_INITDB_ROOT_PASSWORD only on an empty data directory (docker-library/mongo
        # entrypoint): a PATCH would change Coolify's URL, not the password the database accepts.
        if old_password and new_password and old_password != new_password and not news.get("root_password_rotated"):
            checker.fail(
                "root_password",
                "MongoDB keeps the password it was initialised with; change it inside MongoDB first, then set "
                "root_password_rotated for the run that updates Coolify",
            )
        checker.required_text("name")
        checker.required_text("project_uuid")
        checker.required_text("environment_name")
        checker.required_text("server_uuid")
        checker.required_text("image")
        checker.required_text("init_database")
        checker.required_text("root_username")
        checker.pattern("root_username", MONGO_USER, "a user name of letters, digits and '_' (at most 63)")
        password = checker.required_text("root_password", max_length=128)
        if password is not None and not MONGO_PASSWORD.match(str(checker.news["root_password"])):
            checker.fail("root_password", "may only contain letters, digits and !@#%^*()_+-=[]{}:,.?/~ (1-128)")
        if checker.known("is_public") is True:
            checker.fail("is_public", "a public MongoDB needs a public port, which this resource does not manage")
        checker.pattern("limits_memory", DOCKER_MEMORY, "a Docker memory size such as '512m' or '2g'")
        checker.pattern("limits_cpus", CPUS, "a number of CPUs such as '0.5' or '2'")
        cron = checker.known("backup_cron")
        # The config's rule (components/cron.py): what Coolify's validate_cron_expression() accepts.
        problem = None if cron is None else cron_problem(cron) if isinstance(cron, str) else "not text"
        if problem:
            checker.fail("backup_cron", f"must be a 5-field cron expression or an alias such as 'daily', got {cron!r}: "
                                        f"{problem}")
        retention = checker.known("backup_retention")
        if retention is not None:
            if (
                isinstance(retention, bool)
                or not isinstance(retention, (int, float))
                or int(retention) != retention
                or retention < 1
            ):
                checker.fail("backup_retention", f"must be a whole number of backups, at least 1, got {retention!r}")
            elif checker.news.get("backup_cron") is None:
                checker.fail("backup_retention", "needs backup_cron to be set")
        if news.get("backup_s3_storage_uuid") is not None:
            if checker.news.get("backup_cron") is None:
                checker.fail("backup_s3_storage_uuid", "needs backup_cron to be set")
            checker.required_text("backup_s3_storage_uuid")
        retention_s3 = checker.known("backup_retention_s3")
        if retention_s3 is not None:
            if isinstance(retention_s3, bool) or not isinstance(retention_s3, (int, float)) or retention_s3 < 0 \
                    or int(retention_s3) != retention_s3:
                checker.fail("backup_retention_s3", f"must be a whole number of backups, got {retention_s3!r}")
            elif news.get("backup_s3_storage_uuid") is None:
                checker.fail("backup_retention_s3", "needs backup_s3_storage_uuid to be set")
        news["backup_save_s3"] = news.get("backup_s3_storage_uuid") is not None
        return CheckResult(news, checker.failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        databases = self.client.databases
        internal_url: str | None = None
        with self.listed_again_on_error(props):
            existing = self.find_to_adopt(props)
            if existing is not None:
                uuid = str(existing["uuid"])
                # The password is hidden without read:sensitive: always set ours on an adopted database.
                self._apply(uuid, props, {**self._observed(existing, {}), "root_password": None}, existing)
            else:
                answer = databases.create_mongodb(_create_body(props))
                uuid = str(answer["uuid"])
                self.created(props, uuid)
                # The create answer carries the URL (with the password) whatever the token's abilities.
                internal_url = answer.get("internal_db_url")
        # A database just created has no backup schedule yet: no need to list them.
        backup_uuid = self._sync_backup(uuid, props, {}, [] if existing is None else None)
        return CreateResult(uuid, self._outs(uuid, props, backup_uuid, internal_url))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return self.read_or_gone(
            id_, lambda: self._outs(id_, props, props.get("backup_uuid"), props.get("internal_url"))
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        changed = self._apply(id_, news, olds, None)
        backup_uuid = self._sync_backup(id_, news, olds)
        # A credential change makes the stored URL stale; it is then rebuilt from the new inputs.
        internal_url = None if {"root_username", "root_password"} & changed else olds.get("internal_url")
        return UpdateResult(self._outs(id_, news, backup_uuid, internal_url))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        # "Database deletion request queued": the row lingers until the background job finishes.
        self.delete_and_wait(id_, f"database {id_} to be torn down")

    def rows(self) -> Rows:
        return self.client.databases

    def _apply(self, uuid: str, desired: dict[str, Any], current: dict[str, Any], row: JsonObject | None) -> set[str]:
        changed = {key for key in self.changed_fields(current, desired) if key in PATCHABLE}
        if not changed:
            return changed
        databases = self.client.databases
        databases.update(uuid, {PATCHABLE[key]: _wire(key, desired[key]) for key in sorted(changed)})
        if NEEDS_RESTART & changed:
            status = str((row or databases.get(uuid)).get("status") or "")
            if "running" in status:
                databases.restart(uuid)
        return changed

    def _sync_backup(
        self, uuid: str, props: dict[str, Any], olds: dict[str, Any], backups: list[JsonObject] | None = None
    ) -> str | None:
        databases = self.client.databases
        cron = props.get("backup_cron")
        backup_uuid = olds.get("backup_uuid")
        if backups is None:
            backups = databases.list_backups(uuid)
        ours = next((b for b in backups if backup_uuid and b.get("uuid") == backup_uuid), None)
        if cron is None:
            if ours is not None:
                databases.delete_backup(uuid, str(ours["uuid"]))
            return None
        body: dict[str, Any] = {"frequency": str(cron).strip(), "enabled": True}
        if props.get("backup_retention") is not None:
            body["database_backup_retention_amount_locally"] = int(props["backup_retention"])
        storage = props.get("backup_s3_storage_uuid")
        body["save_s3"] = storage is not None
        if storage is not None:
            body["s3_storage_uuid"] = str(storage)
            if props.get("backup_retention_s3") is not None:
                body["database_backup_retention_amount_s3"] = int(props["backup_retention_s3"])
        # Adopt a schedule with the same frequency (a re-run after a partial failure) instead of adding one.
        ours = ours or next((b for b in backups if b.get("frequency") == body["frequency"]), None)
        if ours is None:
            return databases.create_backup(uuid, body)
        if _backup_differs(ours, body, olds):
            databases.update_backup(uuid, str(ours["uuid"]), body)
        return str(ours["uuid"])

    def _observed(self, db: JsonObject, props: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": db.get("name"),
            "description": db.get("description"),
            "image": db.get("image"),
            "root_username": db.get("mongo_initdb_root_username"),
            "init_database": db.get("mongo_initdb_database"),
            "is_public": bool(db.get("is_public")),
            "limits_memory": _limit(db.get("limits_memory")),
            "limits_cpus": _limit(db.get("limits_cpus")),
            # Hidden without read:sensitive and never compared with the API: keep the value last applied.
            "root_password": props.get("root_password"),
            # GET returns environment_id and destination_id only: keep the placement inputs as applied.
            **{key: props.get(key) for key in PLACEMENT},
        }

    def _outs(
        self, uuid: str, props: dict[str, Any], backup_uuid: str | None, internal_url: str | None
    ) -> dict[str, Any]:
        db = self.client.databases.get(uuid)
        backup: JsonObject | None = None
        if backup_uuid is not None:
            backup = next((b for b in self.client.databases.list_backups(uuid) if b.get("uuid") == backup_uuid), None)
        url = db.get("internal_db_url") or internal_url or _internal_url(uuid, props)
        return {
            "uuid": uuid,
            **self._observed(db, props),
            "backup_uuid": backup_uuid if backup else None,
            "backup_cron": backup.get("frequency") if backup else None,
            "backup_retention": _int(backup.get("database_backup_retention_amount_locally")) if backup else None,
            **_s3_outs(backup, props),
            "internal_url": url,
        }


def _s3_outs(backup: JsonObject | None, props: dict[str, Any]) -> dict[str, Any]:
    """The backup's S3 settings as Coolify reports them.

    Coolify shows the storage only as its internal `s3_storage_id` (no uuid, and the storage API hides
    ids), so the uuid applied is kept while the backup still points at the id seen when it was applied.
    """
    saves = bool(backup and backup.get("save_s3") and backup.get("s3_storage_id") is not None)
    storage_id = backup.get("s3_storage_id") if backup and saves else None
    applied_id = props.get("backup_s3_storage_id")
    same_storage = saves and (applied_id is None or applied_id == storage_id)
    return {
        "backup_save_s3": saves,
        "backup_s3_storage_uuid": props.get("backup_s3_storage_uuid") if same_storage else None,
        "backup_s3_storage_id": storage_id,
        "backup_retention_s3": _int(backup.get("database_backup_retention_amount_s3")) if backup else None,
    }


def _backup_differs(row: JsonObject, body: dict[str, Any], olds: dict[str, Any]) -> bool:
    if any(row.get(key) != value for key, value in body.items() if key != "s3_storage_uuid"):
        return True
    if not body["save_s3"]:
        return False
    # The row names its storage by id only: a storage uuid other than the one applied, or another id, differs.
    return body["s3_storage_uuid"] != olds.get("backup_s3_storage_uuid") or (
        row.get("s3_storage_id") != olds.get("backup_s3_storage_id")
    )


def _wire(key: str, value: Any) -> Any:
    return str(value).strip() if key in ("limits_memory", "limits_cpus") else value


def _internal_url(uuid: str, props: dict[str, Any]) -> str:
    """Coolify's own form: the container is reachable under its uuid on the server's Docker network."""
    user = quote(str(props.get("root_username") or "root"), safe="")
    password = quote(str(props.get("root_password") or ""), safe="")
    return f"mongodb://{user}:{password}@{uuid}:27017/?directConnection=true"


def _create_body(props: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project_uuid": props["project_uuid"],
        "environment_name": environment_name(props["environment_name"]),
        "server_uuid": props["server_uuid"],
        "name": str(props["name"]).strip(),
        "image": props["image"],
        "is_public": False,
        "mongo_initdb_root_username": props["root_username"],
        "mongo_initdb_root_password": props["root_password"],
        "mongo_initdb_database": props["init_database"],
        # Start it right away: applications depend on it being up.
        "instant_deploy": True,
    }
    for key in ("description", "limits_memory", "limits_cpus"):
        if props.get(key) is not None:
            body[key] = str(props[key])
    return body


class MongoDatabase(Resource, module="coolify", name="MongoDatabase"):
    """A standalone MongoDB in Coolify (`pulumi-python:dynamic/coolify:MongoDatabase`)."""

    uuid: pulumi.Output[str]
    name: pulumi.Output[str]
    internal_url: pulumi.Output[str]
    """`mongodb://<user>:<password>@<uuid>:27017/?directConnection=true` (secret)."""

    def __init__(self, resource_name: str, args: MongoDatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = args_to_props(args, "internal_url")
        props["root_password"] = pulumi.Output.secret(args.root_password)
        super().__init__(
            MongoDatabaseProvider(), resource_name, props, with_secret_outputs(opts, "internal_url", "root_password")
        )
