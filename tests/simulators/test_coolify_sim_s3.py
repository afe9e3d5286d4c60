"""S3 storages and their use in database backups, as S3StoragesController / DatabasesController answer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.simulators.coolify import CoolifySimulator, Seed
from tests.simulators.coolify.testing import SimSession

ENDPOINT = "https://fsn1.your-objectstorage.com"
STORAGE = {"name": "penpal-backups", "endpoint": ENDPOINT, "bucket": "penpal-prod-backups", "region": "fsn1",
           "key": "AKIAEXAMPLE", "secret": "s3cr3t-example"}


def _mongo(api: SimSession, seed: Seed) -> str:
    response = api.post("/databases/mongodb", json={
        "project_uuid": seed.project_uuid, "environment_name": seed.environment_name, "server_uuid": seed.server_uuid,
        "name": "db", "mongo_initdb_root_password": "Password123456789"})
    assert response.status_code == 201, response.text
    return str(response.json()["uuid"])


def test_create_answers_uuid_only_and_hides_id_and_credentials_without_sensitive(sim: CoolifySimulator,
                                                                                  api: SimSession) -> None:
    created = api.post("/s3-storages", json=STORAGE)
    assert created.status_code == 201 and set(created.json()) == {"uuid"}
    uuid = created.json()["uuid"]
    shown = api.get(f"/s3-storages/{uuid}").json()  # root token: credentials visible, id never
    assert (shown["key"], shown["secret"], shown["is_usable"]) == ("AKIAEXAMPLE", "s3cr3t-example", False)
    assert "id" not in shown
    reader = "5|readOnly0000000000000000000000000000000"
    sim.add_token(reader, ["read"])
    hidden = SimSession(sim, reader).get("/s3-storages").json()
    assert [s["uuid"] for s in hidden] == [uuid]
    assert not {"id", "key", "secret"} & set(hidden[0])
    assert SimSession(sim, reader).post("/s3-storages", json=STORAGE).status_code == 403


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"endpoint": "http://127.0.0.1:9000"}, "endpoint", "local or private address"),
        ({"endpoint": "https://10.1.2.3"}, "endpoint", "local or private address"),
        ({"endpoint": "https://localhost"}, "endpoint", "local or private address"),
        ({"endpoint": "ftp://fsn1.your-objectstorage.com"}, "endpoint", "http or https scheme"),
        ({"endpoint": "https://s3.unknown-host.example"}, "endpoint", "could not be resolved"),
        ({"bucket": "Upper_Case"}, "bucket", "valid S3 bucket name"),
        ({"bucket": "192.168.1.1"}, "bucket", "valid S3 bucket name"),
        ({"bucket": "a..b"}, "bucket", "valid S3 bucket name"),
        ({"name": "x"}, "name", "at least 3"),
        ({"secret": None}, "secret", "required"),
        ({"path": "/backups"}, "path", "not allowed"),
    ],
)
def test_create_validation_errors(api: SimSession, change: dict[str, Any], field: str, fragment: str) -> None:
    body = {k: v for k, v in {**STORAGE, **change}.items() if v is not None}
    response = api.post("/s3-storages", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["message"] == "Validation failed."
    assert fragment in " ".join(response.json()["errors"][field])


def test_validate_lists_the_bucket_and_saves_is_usable(sim: CoolifySimulator, api: SimSession) -> None:
    uuid = api.post("/s3-storages", json=STORAGE).json()["uuid"]
    missing = api.post(f"/s3-storages/{uuid}/validate")
    assert missing.status_code == 200 and missing.json()["valid"] is False
    sim.add_s3_bucket(ENDPOINT, "penpal-prod-backups", "AKIAEXAMPLE", "other-secret")
    assert api.post(f"/s3-storages/{uuid}/validate").json()["valid"] is False  # wrong secret
    assert api.get(f"/s3-storages/{uuid}").json()["is_usable"] is False
    assert api.patch(f"/s3-storages/{uuid}", json={"secret": "other-secret"}).json() == {"uuid": uuid}
    answer = api.post(f"/s3-storages/{uuid}/validate").json()
    assert answer == {"valid": True, "message": "S3 storage connection is valid."}
    assert api.get(f"/s3-storages/{uuid}").json()["is_usable"] is True


def test_unknown_storage_and_old_versions(sim: CoolifySimulator, api: SimSession) -> None:
    assert api.get("/s3-storages/nope").json() == {"message": "S3 storage not found."}
    assert api.delete("/s3-storages/nope").status_code == 404
    sim.version = "4.2.0"  # the routes arrived in 4.3.0: older versions answer the catch-all
    assert api.get("/s3-storages").json() == {"message": "Not found.", "docs": "https://coolify.io/docs"}


def test_backup_uses_a_team_storage_by_uuid_and_reports_its_id(sim: CoolifySimulator, api: SimSession) -> None:
    seed = sim.seed()
    db = _mongo(api, seed)
    base = {"frequency": "0 3 * * *"}
    need = api.post(f"/databases/{db}/backups", json={**base, "save_s3": True})
    assert need.json()["errors"] == {"s3_storage_uuid": ["The s3_storage_uuid field is required when save_s3 is true."]}
    unknown = api.post(f"/databases/{db}/backups", json={**base, "save_s3": True, "s3_storage_uuid": "nope"})
    assert unknown.json()["errors"] == {"s3_storage_uuid": ["The selected s3 storage uuid is invalid."]}
    storage = api.post("/s3-storages", json=STORAGE).json()["uuid"]
    created = api.post(f"/databases/{db}/backups", json={
        **base, "save_s3": True, "s3_storage_uuid": storage, "database_backup_retention_amount_s3": 30})
    assert created.status_code == 201, created.text
    [backup] = api.get(f"/databases/{db}/backups").json()
    [row] = sim.state.s3_storages
    assert (backup["save_s3"], backup["s3_storage_id"], backup["database_backup_retention_amount_s3"]) == (
        True, row["id"], 30)
    assert "s3_storage_uuid" not in backup
    # Deleting the storage turns S3 off for the backups that used it (S3Storage::boot deleting).
    assert api.delete(f"/s3-storages/{storage}").json() == {"message": "S3 storage deleted."}
    [backup] = api.get(f"/databases/{db}/backups").json()
    assert (backup["save_s3"], backup["s3_storage_id"]) == (False, None)


def test_backup_refuses_another_teams_storage(sim: CoolifySimulator, api: SimSession) -> None:
    seed = sim.seed()
    db = _mongo(api, seed)
    other = "6|otherTeamRoot000000000000000000000000000"
    sim.add_token(other, ["root"], team_id=1)
    foreign = SimSession(sim, other).post("/s3-storages", json=STORAGE).json()["uuid"]
    answer = api.post(f"/databases/{db}/backups", json={"frequency": "daily", "save_s3": True,
                                                         "s3_storage_uuid": foreign})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"s3_storage_uuid": ["The selected S3 storage is invalid for this team."]}
