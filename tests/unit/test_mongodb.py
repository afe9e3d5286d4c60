"""MongoDb: one database server per environment; production's is protected and retained."""

from __future__ import annotations

import pulumi
import pytest

from components.config import Environment
from components.mongodb import MongoDb, MongoDbArgs, database_uri
from tests.unit.mocks import RecordingMocks, T
from tests.unit.outputs import is_secret, resolve, run_program
from tests.unit.stack_configs import MONGO_PASSWORD


def mongodb(environment: Environment) -> MongoDb:
    return MongoDb(
        "mongodb",
        MongoDbArgs(
            environment=environment,
            project_uuid="project-uuid",
            environment_name=environment.value,
            server_uuid="server-uuid",
            root_password=pulumi.Output.secret(MONGO_PASSWORD),
            image="mongo:7.0",
            backup_cron="0 3 * * *",
            backup_retention=14,
        ),
    )


@pytest.mark.parametrize("environment", list(Environment))
def test_database_inputs(mocks: RecordingMocks, environment: Environment) -> None:
    run_program(lambda: mongodb(environment))
    assert sorted((r.typ, r.name) for r in mocks.registered) == [
        (T.MONGODB, "mongodb"),
        (T.C_MONGODB, "mongodb-database"),
    ]
    database = mocks.one(T.C_MONGODB)
    assert database.plain("name") == f"penpal-{environment.value}-mongodb"
    assert (database.plain("project_uuid"), database.plain("environment_name"), database.plain("server_uuid")) == (
        "project-uuid",
        environment.value,
        "server-uuid",
    )
    assert database.plain("image") == "mongo:7.0"
    assert (database.plain("backup_cron"), database.plain("backup_retention")) == ("0 3 * * *", 14)
    assert pulumi.runtime.rpc.is_rpc_secret(database.inputs["root_password"])
    assert database.plain("root_password") == MONGO_PASSWORD


def test_production_database_is_protected_and_retained(mocks: RecordingMocks) -> None:
    run_program(lambda: mongodb(Environment.PRODUCTION))
    database = mocks.one(T.C_MONGODB)
    assert (database.protect, database.retain_on_delete) == (True, True)


def test_staging_database_can_be_destroyed(mocks: RecordingMocks) -> None:
    run_program(lambda: mongodb(Environment.STAGING))
    database = mocks.one(T.C_MONGODB)
    assert (database.protect, database.retain_on_delete) == (False, False)


def test_internal_url_is_a_secret_output(mocks: RecordingMocks) -> None:
    component = run_program(lambda: mongodb(Environment.STAGING))
    assert is_secret(component.internal_url)
    assert resolve(component.internal_url) == (
        f"mongodb://root:{MONGO_PASSWORD}@mongodb-database-uuid:27017/?directConnection=true"
    )
    assert resolve(component.uuid) == "mongodb-database-uuid"


@pytest.mark.parametrize(
    ("internal_url", "expected"),
    [
        (
            "mongodb://root:pw@abc123:27017/?directConnection=true",
            "mongodb://root:pw@abc123:27017/penpal_ai_api?directConnection=true&authSource=admin",
        ),
        ("mongodb://root:pw@abc123:27017", "mongodb://root:pw@abc123:27017/penpal_ai_api?authSource=admin"),
        (
            "mongodb://root:pw@abc123:27017/default?directConnection=true&authSource=other",
            "mongodb://root:pw@abc123:27017/penpal_ai_api?directConnection=true&authSource=other",
        ),
        (
            "mongodb://root:pw@abc123:27017/?directConnection=true&tls=true&tlsCAFile=/etc/mongo/certs/ca.pem",
            "mongodb://root:pw@abc123:27017/penpal_ai_api?directConnection=true&tls=true"
            "&tlsCAFile=/etc/mongo/certs/ca.pem&authSource=admin",
        ),
    ],
)
def test_database_uri_selects_the_database_and_keeps_root_auth(internal_url: str, expected: str) -> None:
    assert database_uri(internal_url, "penpal_ai_api") == expected
