"""`penpal:mongo.s3`: production backups must leave the server; the bucket's keys are secrets."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import ConfigError, load_config
from tests.unit.conftest import InstallMocks
from tests.unit.outputs import is_secret, resolve
from tests.unit.stack_configs import MONGO_S3, S3_ACCESS_KEY, S3_SECRET_KEY, SECRET_KEYS, stack_config

KEY = "penpal:mongo.s3"


def problems(install_mocks: InstallMocks, config: dict[str, Any], secret_keys: list[str] | None = None) -> list[str]:
    install_mocks(stack="unit", config=config, secret_keys=secret_keys)
    with pytest.raises(ConfigError) as raised:
        load_config()
    return list(raised.value.problems)


def test_production_reads_the_bucket_with_secret_keys(install_mocks: InstallMocks) -> None:
    install_mocks(stack="prod", config=stack_config("production"))
    s3 = load_config().mongo.s3
    assert s3 is not None
    assert (s3.endpoint, s3.bucket, s3.region, s3.retention) == (
        "https://fsn1.your-objectstorage.com", "penpal-prod-backups", "fsn1", 30)
    assert is_secret(s3.access_key) and is_secret(s3.secret_key)
    assert (resolve(s3.access_key), resolve(s3.secret_key)) == (S3_ACCESS_KEY, S3_SECRET_KEY)


def test_production_without_s3_is_an_error_naming_the_key(install_mocks: InstallMocks) -> None:
    found = problems(install_mocks, stack_config("production", {"penpal:mongo": {"backupRetention": 14}}))
    assert len(found) == 1 and found[0].startswith(f"{KEY}: required in production"), found


def test_staging_may_keep_backups_on_the_server(install_mocks: InstallMocks) -> None:
    install_mocks(stack="staging", config=stack_config("staging"))
    assert load_config().mongo.s3 is None


def test_staging_may_upload_too_and_retention_defaults(install_mocks: InstallMocks) -> None:
    s3 = {k: v for k, v in MONGO_S3.items() if k != "retention"}
    install_mocks(stack="staging", config=stack_config("staging", {"penpal:mongo": {"s3": s3}}))
    config = load_config().mongo.s3
    assert config is not None and config.retention == 30


def test_keys_stored_in_plain_text_are_refused_without_showing_them(install_mocks: InstallMocks) -> None:
    plain = [key for key in SECRET_KEYS if key != "penpal:mongo"]
    found = problems(install_mocks, stack_config("production"), secret_keys=plain)
    assert found == [f"{KEY}.accessKey and {KEY}.secretKey must be stored as secrets: pulumi config set --secret "
                     f"--path '{KEY}.secretKey' <value> (and the same for accessKey)"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"endpoint": "http://fsn1.your-objectstorage.com"}, f"{KEY}.endpoint: expected an https URL"),
        ({"endpoint": "https://fsn1.your-objectstorage.com/bucket"}, f"{KEY}.endpoint: expected an https URL"),
        ({"bucket": "Penpal_Backups"}, f"{KEY}.bucket: expected an S3 bucket name"),
        ({"bucket": "10.0.0.1"}, f"{KEY}.bucket: expected an S3 bucket name"),
        ({"region": None}, f"{KEY}.region is required"),
        ({"secretKey": None}, f"{KEY}.secretKey is required"),
        ({"retention": 0}, f"{KEY}.retention: expected an integer from 1 to 3650"),
        ({"retention": "30"}, f"{KEY}.retention: expected an integer from 1 to 3650"),
        ({"retension": 5}, f"{KEY}: unknown key 'retension'; did you mean 'retention'?"),
    ],
)
def test_bad_values_name_the_key(install_mocks: InstallMocks, change: dict[str, Any], fragment: str) -> None:
    s3 = {k: v for k, v in {**MONGO_S3, **change}.items() if v is not None}
    found = problems(install_mocks, stack_config("production", {"penpal:mongo": {"s3": s3}}))
    assert any(problem.startswith(fragment) for problem in found), found
    assert not any(S3_SECRET_KEY in problem for problem in found)
