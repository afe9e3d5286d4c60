"""S3Storage provider and MongoDB backups uploaded to it, against the simulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from components.coolify.client import CoolifyVersionError
from components.coolify.resources.mongodb import MongoDatabaseProvider
from components.coolify.resources.s3_storage import S3StorageInvalidError, S3StorageProvider
from tests.coolify.test_check import failures
from tests.coolify.test_mongodb import mongo_inputs

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]
ENDPOINT = "https://fsn1.your-objectstorage.com"
STORAGE = {"name": "penpal-prod-backups", "endpoint": ENDPOINT, "bucket": "penpal-prod-backups", "region": "fsn1",
           "access_key": "AKIAPENPAL", "secret_key": "penpal-secret-key", "description": None}


@pytest.fixture
def bucket(sim: CoolifySimulator) -> None:
    sim.add_s3_bucket(ENDPOINT, "penpal-prod-backups", "AKIAPENPAL", "penpal-secret-key")


def test_storage_is_created_validated_and_adopted(make_provider: MakeProvider, sim: CoolifySimulator,
                                                 bucket: None) -> None:
    provider = make_provider(S3StorageProvider)
    created = provider.create(dict(STORAGE))
    [row] = sim.state.s3_storages
    assert (row["uuid"], row["key"], row["secret"], row["is_usable"]) == (
        created.id, "AKIAPENPAL", "penpal-secret-key", True)
    assert created.outs["is_usable"] is True and created.outs["secret_key"] == "penpal-secret-key"
    assert provider.diff(created.id, created.outs, dict(STORAGE)).changes is False
    # A re-run after a failure adopts the storage of the same name instead of adding a second one.
    assert provider.create(dict(STORAGE)).id == created.id and len(sim.state.s3_storages) == 1


def test_storage_coolify_cannot_list_is_an_error(make_provider: MakeProvider, sim: CoolifySimulator) -> None:
    with pytest.raises(S3StorageInvalidError, match="cannot list the bucket"):
        make_provider(S3StorageProvider).create(dict(STORAGE))
    assert [r["is_usable"] for r in sim.state.s3_storages] == [False]


def test_storage_key_change_is_patched_and_revalidated(make_provider: MakeProvider, sim: CoolifySimulator,
                                                      bucket: None) -> None:
    provider = make_provider(S3StorageProvider)
    created = provider.create(dict(STORAGE))
    sim.add_s3_bucket(ENDPOINT, "penpal-prod-backups", "AKIAPENPAL", "rotated")
    news = {**STORAGE, "secret_key": "rotated"}
    assert provider.changed_fields(created.outs, news) == ["secret_key"]
    sim.reset_counts()
    provider.update(created.id, created.outs, news)
    assert [r.body for r in sim.requests if r.method == "PATCH"] == [{"secret": "rotated"}]
    assert sim.count("POST", "/s3-storages/{uuid}/validate") == 1


def test_storage_gone_and_old_coolify(make_provider: MakeProvider, sim: CoolifySimulator, bucket: None) -> None:
    provider = make_provider(S3StorageProvider)
    created = provider.create(dict(STORAGE))
    provider.delete(created.id, created.outs)
    assert provider.read(created.id, created.outs).id is None
    provider.delete(created.id, created.outs)  # a 404 counts as deleted


def test_storage_needs_coolify_4_3(sim: CoolifySimulator, sim_url: str) -> None:
    from components.coolify.provider import _CLIENTS
    from tests.coolify.conftest import fast_settings

    sim.version = "4.2.0"
    settings = fast_settings(sim_url)
    try:
        with pytest.raises(CoolifyVersionError, match=r"4\.3\.0"):
            S3StorageProvider.configured(settings).create(dict(STORAGE))
    finally:
        _CLIENTS.pop(settings, None)


@pytest.mark.parametrize(
    ("news", "field"),
    [
        ({**STORAGE, "endpoint": "fsn1.your-objectstorage.com"}, "endpoint"),
        ({**STORAGE, "bucket": "Penpal_Backups"}, "bucket"),
        ({**STORAGE, "secret_key": ""}, "secret_key"),
    ],
)
def test_storage_bad_input_names_the_field(news: dict[str, Any], field: str) -> None:
    assert field in failures(S3StorageProvider(), news)


def test_mongodb_backup_goes_to_s3_and_drift_is_restored(make_provider: MakeProvider, seed: Any,
                                                         sim: CoolifySimulator, bucket: None) -> None:
    storage = make_provider(S3StorageProvider).create(dict(STORAGE)).id
    provider = make_provider(MongoDatabaseProvider)
    inputs = provider.check({}, mongo_inputs(seed, backup_cron="0 3 * * *", backup_retention=7,
                                             backup_s3_storage_uuid=storage, backup_retention_s3=30)).inputs
    created = provider.create(inputs)
    [backup] = sim.state.backups
    [row] = sim.state.s3_storages
    assert (backup["save_s3"], backup["s3_storage_id"], backup["database_backup_retention_amount_s3"],
            backup["database_backup_retention_amount_locally"]) == (True, row["id"], 30, 7)
    assert created.outs["backup_s3_storage_uuid"] == storage and created.outs["backup_save_s3"] is True
    assert provider.diff(created.id, created.outs, inputs).changes is False
    # S3 turned off by hand in Coolify: refresh shows it, update turns it back on.
    sim.edit("backups", backup["uuid"], save_s3=False)
    refreshed = provider.read(created.id, created.outs).outs
    assert refreshed["backup_save_s3"] is False and refreshed["backup_s3_storage_uuid"] is None
    assert provider.changed_fields(refreshed, inputs) == ["backup_save_s3", "backup_s3_storage_uuid"]
    updated = provider.update(created.id, refreshed, inputs).outs
    assert sim.state.backups[0]["save_s3"] is True
    assert provider.diff(created.id, updated, inputs).changes is False
    # Staging may keep backups on the server only: dropping the storage turns S3 off.
    local = provider.check({}, mongo_inputs(seed, backup_cron="0 3 * * *", backup_retention=7)).inputs
    assert provider.changed_fields(updated, local) == ["backup_save_s3"]
    provider.update(created.id, updated, local)
    assert sim.state.backups[0]["save_s3"] is False


def test_mongodb_backup_s3_inputs_are_checked(seed: Any) -> None:
    found = failures(MongoDatabaseProvider(), mongo_inputs(seed, backup_s3_storage_uuid="x" * 24))
    assert "needs backup_cron" in found["backup_s3_storage_uuid"]
    found = failures(MongoDatabaseProvider(), mongo_inputs(seed, backup_cron="daily", backup_retention_s3=3))
    assert "needs backup_s3_storage_uuid" in found["backup_retention_s3"]
