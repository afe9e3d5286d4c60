"""check(): bad input fails before any API call, with a message naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from components.coolify.provider import CoolifyProvider
from components.coolify.resources.application import ApplicationProvider
from components.coolify.resources.deployment import DeploymentProvider
from components.coolify.resources.deployment_wait import DeploymentWaitProvider
from components.coolify.resources.env_vars import ApplicationEnvVarsProvider
from components.coolify.resources.environment import EnvironmentProvider
from components.coolify.resources.mongodb import MongoDatabaseProvider
from components.coolify.resources.private_key import PrivateKeyProvider
from components.coolify.resources.project import ProjectProvider
from components.coolify.resources.server import ServerProvider

APP = {
    "name": "api",
    "project_uuid": "p" * 24,
    "environment_name": "staging",
    "server_uuid": "s" * 24,
    "image": "ghcr.io/penpal-ai/api",
    "tag": "develop-latest",
    "ports_exposes": "3000",
    "domains": ["https://staging.api.penpal-ai.maksou.dev"],
    "health_check_path": "/health",
}
MONGO = {
    "name": "mongo",
    "project_uuid": "p" * 24,
    "environment_name": "staging",
    "server_uuid": "s" * 24,
    "root_password": "S3cret-pass",
    "root_username": "root",
    "init_database": "penpal",
    "image": "mongo:7",
    "is_public": False,
}
SERVER = {"name": "host", "ip": "10.0.0.5", "private_key_uuid": "k" * 24, "port": 22, "user": "root",
          "validate": True, "validate_timeout_s": 300}


def failures(provider: CoolifyProvider, news: dict[str, Any]) -> dict[str, str]:
    # An unconfigured provider raises on any API use, so passing here proves check() made no call.
    result = provider.check({}, news)
    return {failure.property: failure.reason for failure in result.failures}


@pytest.mark.parametrize(
    ("provider", "news", "field", "fragment"),
    [
        (ProjectProvider(), {"name": ""}, "name", "non-empty"),
        (ProjectProvider(), {"name": "ab"}, "name", "at least 3"),
        (EnvironmentProvider(), {"project_uuid": "p" * 24, "name": "qa"}, "name", "at least 3"),
        (PrivateKeyProvider(), {"name": "k", "private_key": "not a pem"}, "private_key", "PEM"),
        (ServerProvider(), {**SERVER, "port": 70000}, "port", "between 1 and 65535"),
        (ServerProvider(), {**SERVER, "ip": " "}, "ip", "non-empty"),
        (ApplicationProvider(), {**APP, "name": ""}, "name", "non-empty"),
        (ApplicationProvider(), {**APP, "image": ""}, "image", "non-empty"),
        (ApplicationProvider(), {**APP, "image": "ghcr.io/penpal-ai/api:1.0"}, "image", "without tag"),
        (ApplicationProvider(), {**APP, "image": "GHCR.io/Penpal/API"}, "image", "lowercase"),
        (ApplicationProvider(), {**APP, "tag": "sha256:abc"}, "tag", "digest"),
        (ApplicationProvider(), {**APP, "ports_exposes": "99999"}, "ports_exposes", "between 1 and 65535"),
        (ApplicationProvider(), {**APP, "ports_exposes": "http"}, "ports_exposes", "port numbers"),
        (ApplicationProvider(), {**APP, "domains": ["staging.api.example"]}, "domains", "https://"),
        (ApplicationProvider(), {**APP, "health_check_path": "health"}, "health_check_path", "start with '/'"),
        (ApplicationProvider(), {**APP, "health_check_port": 0}, "health_check_port", "between 1 and 65535"),
        (MongoDatabaseProvider(), {**MONGO, "backup_cron": "every day"}, "backup_cron", "cron"),
        (MongoDatabaseProvider(), {**MONGO, "backup_cron": "61 * * * *"}, "backup_cron", "cron"),
        (MongoDatabaseProvider(), {**MONGO, "backup_retention": 3}, "backup_retention", "backup_cron"),
        (MongoDatabaseProvider(), {**MONGO, "is_public": True}, "is_public", "public port"),
        (MongoDatabaseProvider(), {**MONGO, "root_password": "has space"}, "root_password", "may only contain"),
        (MongoDatabaseProvider(), {**MONGO, "limits_memory": "lots"}, "limits_memory", "memory size"),
        (ApplicationEnvVarsProvider(), {"application_uuid": "a" * 24, "variables": {"1BAD": "x"}}, "variables",
         "1BAD"),
        (ApplicationEnvVarsProvider(), {"application_uuid": "a" * 24, "variables": {"A": "x"},
                                        "build_time_keys": ["B"]}, "build_time_keys", "'B'"),
        (DeploymentProvider(), {"application_uuid": "a" * 24, "triggers": "x"}, "triggers", "mapping"),
        (DeploymentWaitProvider(), {"deployments": {}, "timeout_s": 0}, "timeout_s", "positive"),
        (DeploymentWaitProvider(), {"deployments": {"api": {"application_uuid": "a"}}}, "deployments",
         "deployment_uuid"),
        (ApplicationEnvVarsProvider(), {"application_uuid": "a" * 24, "variables": {"A": "x"}}, "fingerprint_key",
         "non-empty"),
    ],
)
def test_bad_input_fails_naming_the_field(provider: CoolifyProvider, news: dict[str, Any], field: str,
                                          fragment: str) -> None:
    found = failures(provider, news)
    assert field in found, found
    assert found[field].startswith(f"{field}: ")
    assert fragment in found[field]


@pytest.mark.parametrize(
    ("provider", "news"),
    [
        (ProjectProvider(), {"name": "penpal-ai", "description": "Penpal"}),
        (EnvironmentProvider(), {"project_uuid": "p" * 24, "name": "Staging"}),
        (ServerProvider(), SERVER),
        (ApplicationProvider(), APP),
        (ApplicationProvider(), {**APP, "tag": "sha256:" + "a" * 64, "domains": []}),
        (MongoDatabaseProvider(), {**MONGO, "backup_cron": "0 3 * * *", "backup_retention": 7,
                                   "limits_memory": "512m", "limits_cpus": "0.5"}),
        (ApplicationEnvVarsProvider(), {"application_uuid": "a" * 24, "variables": {"NODE_ENV": "staging"},
                                        "build_time_keys": ["NODE_ENV"], "fingerprint_key": "k" * 64}),
        (DeploymentProvider(), {"application_uuid": "a" * 24, "triggers": {"image": "x"}, "force": False}),
        (DeploymentWaitProvider(), {"deployments": {"api": {"application_uuid": "a", "deployment_uuid": "d"}},
                                    "timeout_s": 900, "poll_interval_s": 2.0}),
    ],
)
def test_good_input_passes(provider: CoolifyProvider, news: dict[str, Any]) -> None:
    assert failures(provider, news) == {}


def test_unknown_values_during_preview_are_not_failures() -> None:
    news = {**APP, "project_uuid": Unknown(), "server_uuid": Unknown(), "domains": [Unknown()]}
    assert failures(ApplicationProvider(), news) == {}


def test_check_returns_the_inputs_unchanged() -> None:
    result = ProjectProvider().check({}, {"name": "penpal-ai"})
    assert result.inputs == {"name": "penpal-ai"}


@pytest.mark.parametrize(
    "expression", ["0 3 * * *", "*/15 * * * *", "0 0 1,15 * 1-5", "0 3 * * sun", "0 0 29 2 *", "daily", "@weekly"]
)
def test_backup_cron_coolify_accepts(expression: str) -> None:
    assert failures(MongoDatabaseProvider(), {**MONGO, "backup_cron": expression}) == {}


# The config's rule (components/cron.py), so a cron the config refuses is refused here too.
@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("", "5 fields are needed (minute hour day month weekday), got 0"),
        ("* * * *", "5 fields are needed (minute hour day month weekday), got 4"),
        ("60 * * * *", "minute: '60' is outside 0-59"),
        ("*/0 * * * *", "minute: the step in '*/0' must be a number from 1 to 59"),
        ("5-1 * * * *", "minute: the range '5-1' runs backwards"),
        # Accepted by the provider's own looser rule before: names in ranges, steps on one value, no date.
        ("0 0 1,15 * mon-fri", "weekday: 'mon-fri' is not a number, '*', a range a-b or a step"),
        ("5/10 * * * *", "minute: a single value takes no step but 1: '5/10'"),
        ("*/60 * * * *", "minute: the step in '*/60' must be a number from 1 to 59"),
        ("0 0 30 2 *", "no date matches this day of month, month and weekday together"),
    ],
)
def test_backup_cron_coolify_refuses(expression: str, reason: str) -> None:
    assert failures(MongoDatabaseProvider(), {**MONGO, "backup_cron": expression}) == {
        "backup_cron": f"backup_cron: must be a 5-field cron expression or an alias such as 'daily', "
                       f"got {expression!r}: {reason}"
    }
