"""MongoDatabase provider against the simulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from components.coolify.client import CoolifyClient, NotFoundError, ServerError
from components.coolify.resources.mongodb import MongoDatabaseProvider

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]


def mongo_inputs(seed: Any, **overrides: Any) -> dict[str, Any]:
    values = {
        "name": "penpal-mongo",
        "project_uuid": seed.project_uuid,
        "environment_name": seed.environment_name,
        "server_uuid": seed.server_uuid,
        "root_password": "S3cretPassw0rd",
        "root_username": "root",
        "init_database": "penpal",
        "image": "mongo:7",
        "is_public": False,
    }
    values.update(overrides)
    return values


def test_create_internal_started_with_backup(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator
) -> None:
    provider = make_provider(MongoDatabaseProvider)
    inputs = mongo_inputs(seed, backup_cron="0 3 * * *", backup_retention=7, limits_memory="512m")
    created = provider.create(inputs)
    post = next(r for r in sim.requests if r.method == "POST" and r.path.endswith("/databases/mongodb"))
    assert post.body["is_public"] is False and post.body["instant_deploy"] is True
    assert post.body["mongo_initdb_database"] == "penpal"
    outs = created.outs
    assert "S3cretPassw0rd" in outs["internal_url"] and created.id in outs["internal_url"]
    assert outs["root_password"] == "S3cretPassw0rd"
    assert outs["init_database"] == "penpal" and outs["image"] == "mongo:7" and outs["limits_memory"] == "512m"
    assert outs["backup_cron"] == "0 3 * * *" and outs["backup_retention"] == 7
    backups = [b for b in sim.state.backups if b["uuid"] == outs["backup_uuid"]]
    assert len(backups) == 1
    assert provider.diff(created.id, outs, inputs).changes is False


def test_a_password_change_is_refused_by_check(make_provider: MakeProvider, seed: Any, sim: CoolifySimulator) -> None:
    provider = make_provider(MongoDatabaseProvider)
    created = provider.create(mongo_inputs(seed))
    sim.reset_counts()
    failures = provider.check(created.outs, mongo_inputs(seed, root_password="N3wPassw0rd")).failures
    assert [(f.property, f.reason) for f in failures] == [
        (
            "root_password",
            "root_password: MongoDB keeps the password it was initialised with; change it inside MongoDB first, "
            "then set root_password_rotated for the run that updates Coolify",
        )
    ]
    assert all("N3wPassw0rd" not in f.reason and "S3cretPassw0rd" not in f.reason for f in failures)
    assert sim.requests == []  # refused before any request
    assert provider.check({}, mongo_inputs(seed, root_password="N3wPassw0rd")).failures == []  # a new database


def test_update_limits_and_backup(make_provider: MakeProvider, seed: Any, sim: CoolifySimulator) -> None:
    provider = make_provider(MongoDatabaseProvider)
    created = provider.create(mongo_inputs(seed, backup_cron="daily"))
    news = mongo_inputs(seed, limits_cpus="1.5", backup_cron="0 4 * * *", backup_retention=3)
    assert provider.check(created.outs, dict(news)).failures == []
    assert provider.changed_fields(created.outs, news) == ["limits_cpus", "backup_cron", "backup_retention"]
    assert provider.diff(created.id, created.outs, news).replaces == []
    sim.reset_counts()
    outs = provider.update(created.id, created.outs, news).outs
    patch = next(r for r in sim.requests if r.method == "PATCH" and r.path.endswith(created.id))
    assert patch.body == {"limits_cpus": "1.5"}
    assert outs["backup_cron"] == "0 4 * * *" and outs["backup_retention"] == 3
    assert outs["backup_uuid"] == created.outs["backup_uuid"]  # the schedule is updated, not replaced
    assert provider.diff(created.id, outs, news).changes is False

    without_backup = mongo_inputs(seed, limits_cpus="1.5")
    final = provider.update(created.id, outs, without_backup).outs
    assert final["backup_uuid"] is None
    assert [b for b in sim.state.backups if b["uuid"] == outs["backup_uuid"]] == []


def test_a_rotated_password_reaches_coolify(make_provider: MakeProvider, seed: Any, sim: CoolifySimulator) -> None:
    """After the password was changed inside MongoDB, one run with root_password_rotated updates Coolify's URL."""
    provider = make_provider(MongoDatabaseProvider)
    created = provider.create(mongo_inputs(seed))
    news = mongo_inputs(seed, root_password="N3wPassw0rd", root_password_rotated=True)
    assert provider.check(created.outs, dict(news)).failures == []
    sim.reset_counts()
    outs = provider.update(created.id, created.outs, news).outs
    patch = next(r for r in sim.requests if r.method == "PATCH" and r.path.endswith(created.id))
    assert patch.body == {"mongo_initdb_root_password": "N3wPassw0rd"}
    assert "N3wPassw0rd" in outs["internal_url"]
    # The flag itself is no change to the database.
    assert provider.changed_fields(outs, {**news, "root_password_rotated": False}) == []


def test_placement_change_replaces(make_provider: MakeProvider, seed: Any) -> None:
    provider = make_provider(MongoDatabaseProvider)
    created = provider.create(mongo_inputs(seed))
    assert provider.diff(created.id, created.outs, mongo_inputs(seed, environment_name="staging")).replaces == [
        "environment_name"]


def test_adopt_and_rerun_after_failed_read(make_provider: MakeProvider, seed: Any, sim: CoolifySimulator) -> None:
    provider = make_provider(MongoDatabaseProvider)
    sim.inject("GET", "/databases/{uuid}", 500, times=1)
    with pytest.raises(ServerError):
        provider.create(mongo_inputs(seed))
    rerun = provider.create(mongo_inputs(seed))
    named = [db for db in sim.state.databases if db["name"] == "penpal-mongo"]
    assert [db["uuid"] for db in named] == [rerun.id]
    assert rerun.outs["root_password"] == "S3cretPassw0rd"


def test_refresh_drift_gone_and_delete_keeps_volumes(
    make_provider: MakeProvider, seed: Any, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    provider = make_provider(MongoDatabaseProvider)
    inputs = mongo_inputs(seed)
    created = provider.create(inputs)
    sim.edit_database(created.id, image="mongo:6")
    refreshed = provider.read(created.id, created.outs)
    assert provider.changed_fields(refreshed.outs, inputs) == ["image"]
    assert refreshed.outs["internal_url"] == created.outs["internal_url"]

    sim.set_delete_linger(polls=2)
    provider.delete(created.id, refreshed.outs)
    delete = next(r for r in sim.requests if r.method == "DELETE" and r.path.endswith(created.id))
    assert delete.query["delete_volumes"] == "false"
    with pytest.raises(NotFoundError):
        client.databases.get(created.id)
    assert provider.read(created.id, refreshed.outs).id is None
    provider.delete(created.id, refreshed.outs)
