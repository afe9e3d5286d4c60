"""The provider's contract with the engine: pickling, configure(), secrets, type tokens, diffs."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from typing import Any

import dill
import pulumi
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.rpc import is_rpc_secret

from components.coolify import (
    Application,
    ApplicationArgs,
    ApplicationEnvVars,
    ApplicationEnvVarsArgs,
    Deployment,
    DeploymentArgs,
    Environment,
    EnvironmentArgs,
    MongoDatabase,
    MongoDatabaseArgs,
    PrivateKey,
    PrivateKeyArgs,
    Project,
    ProjectArgs,
    Server,
    ServerArgs,
)
from components.coolify.client import ClientSettings, CoolifyConfigError
from components.coolify.provider import CoolifyProvider
from components.coolify.resources.application import ApplicationProvider
from components.coolify.resources.env_vars import ApplicationEnvVarsProvider
from components.coolify.resources.environment import EnvironmentProvider
from components.coolify.resources.mongodb import MongoDatabaseProvider
from components.coolify.resources.project import ProjectProvider
from components.coolify.resources.server import ServerProvider

SECRET_TOKEN = "7|neverInStateNeverInLogs0123456789abcdef"
SECRET_URL = "https://coolify.private.example"


def _config(values: dict[str, Any]) -> Config:
    return Config(raw_config=values, project_name="penpal")


def test_configure_reads_url_and_token_from_stack_config() -> None:
    provider = ProjectProvider()
    provider.configure(ConfigureRequest(_config({"coolify:url": SECRET_URL, "coolify:token": SECRET_TOKEN})))
    assert provider.settings.url == SECRET_URL
    assert provider.settings.token == SECRET_TOKEN


def test_configure_reads_tuning_keys() -> None:
    provider = ProjectProvider()
    provider.configure(
        ConfigureRequest(
            _config({"coolify:url": SECRET_URL, "coolify:token": SECRET_TOKEN, "coolify:pollIntervalSeconds": "0.1",
                     "coolify:deleteTimeoutSeconds": "9"})
        )
    )
    assert provider.settings.poll_interval_s == 0.1
    assert provider.settings.delete_timeout_s == 9.0


def test_unconfigured_provider_says_which_config_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COOLIFY_URL", raising=False)
    monkeypatch.delenv("COOLIFY_TOKEN", raising=False)
    provider = ProjectProvider()
    provider.configure(ConfigureRequest(_config({})))
    with pytest.raises(CoolifyConfigError, match=r"coolify:url.*coolify:token"):
        provider.create({"name": "x-project"})


@pytest.mark.parametrize("provider_class", [ProjectProvider, ApplicationProvider, MongoDatabaseProvider])
def test_pickled_provider_holds_no_token_url_or_client(provider_class: type[CoolifyProvider]) -> None:
    provider = provider_class()
    provider.configure(ConfigureRequest(_config({"coolify:url": SECRET_URL, "coolify:token": SECRET_TOKEN})))
    _ = provider.settings  # configured
    blob = base64.b64decode(serialize_provider(provider))
    assert SECRET_TOKEN.encode() not in blob
    assert b"coolify.private.example" not in blob
    assert b"requests" not in blob and b"Session" not in blob
    # Pickled by reference: the provider process imports the class from this package.
    assert provider_class.__module__.encode() in blob
    clone = dill.loads(blob)
    assert isinstance(clone, provider_class)
    assert clone._settings is None


def test_configured_for_tests_is_never_pickled() -> None:
    provider = ProjectProvider.configured(ClientSettings(url=SECRET_URL, token=SECRET_TOKEN))
    blob = base64.b64decode(serialize_provider(provider))
    assert SECRET_TOKEN.encode() not in blob and SECRET_URL.encode() not in blob


def test_settings_repr_hides_the_token() -> None:
    settings = ClientSettings(url=SECRET_URL, token=SECRET_TOKEN)
    assert SECRET_TOKEN not in repr(settings)


def test_serialized_provider_stays_secret() -> None:
    assert ProjectProvider.serialize_as_secret_always is True


# --- diff: only inputs the user set; normalisation and hidden values never diff; replace vs update ---------

APP_OUTS = {
    "uuid": "a" * 24,
    "name": "api",
    "description": None,
    "project_uuid": "p" * 24,
    "environment_name": "staging",
    "server_uuid": "s" * 24,
    "destination_uuid": None,
    "image": "ghcr.io/penpal-ai/api",
    "tag": "develop-latest",
    "ports_exposes": "3000",
    "domains": ["https://staging.api.penpal-ai.maksou.dev"],
    "fqdn": "https://staging.api.penpal-ai.maksou.dev",
    "health_check_path": "/health",
    "health_check_port": None,
    "webhook_url": "https://c/api/v1/deploy?uuid=a&force=false",
}
APP_INPUTS = {key: APP_OUTS[key] for key in (
    "name", "project_uuid", "environment_name", "server_uuid", "image", "tag", "ports_exposes", "domains",
    "health_check_path")}


def test_diff_no_change_when_inputs_match_outputs() -> None:
    result = ApplicationProvider().diff("a" * 24, APP_OUTS, APP_INPUTS)
    assert result.changes is False and result.replaces == []


def test_diff_ignores_coolify_normalisation() -> None:
    news = {**APP_INPUTS, "environment_name": "Staging",
            "domains": ["HTTPS://Staging.API.penpal-ai.maksou.dev/"], "description": None}
    result = ApplicationProvider().diff("a" * 24, APP_OUTS, news)
    assert result.changes is False


def test_diff_names_changed_fields_and_updates_in_place() -> None:
    provider = ApplicationProvider()
    news = {**APP_INPUTS, "tag": "sha-1a2b3c4", "ports_exposes": "8080"}
    assert provider.changed_fields(APP_OUTS, news) == ["tag", "ports_exposes"]
    result = provider.diff("a" * 24, APP_OUTS, news)
    assert result.changes is True and result.replaces == []


@pytest.mark.parametrize("key", ["project_uuid", "environment_name", "server_uuid"])
def test_diff_placement_change_replaces(key: str) -> None:
    result = ApplicationProvider().diff("a" * 24, APP_OUTS, {**APP_INPUTS, key: "other-value"})
    assert result.changes is True and result.replaces == [key]
    assert result.delete_before_replace is True


def test_diff_unknown_input_counts_as_changed() -> None:
    from pulumi.output import Unknown

    result = ApplicationProvider().diff("a" * 24, APP_OUTS, {**APP_INPUTS, "server_uuid": Unknown()})
    assert result.replaces == ["server_uuid"]


def test_diff_unset_optional_input_is_unmanaged() -> None:
    outs = {**APP_OUTS, "description": "set by hand in Coolify"}
    assert ApplicationProvider().diff("a" * 24, outs, APP_INPUTS).changes is False


def test_diff_environment_name_lowercased_and_project_replaces() -> None:
    outs = {"uuid": "e" * 24, "project_uuid": "p" * 24, "name": "staging"}
    provider = EnvironmentProvider()
    assert provider.diff("e", outs, {"project_uuid": "p" * 24, "name": "Staging"}).changes is False
    renamed = provider.diff("e", outs, {"project_uuid": "p" * 24, "name": "preview"})
    assert renamed.changes is True and renamed.replaces == []
    moved = provider.diff("e", outs, {"project_uuid": "q" * 24, "name": "staging"})
    assert moved.replaces == ["project_uuid"]


def test_diff_env_values_compare_with_last_applied_never_the_api() -> None:
    outs = {"uuid": "a", "application_uuid": "a", "variables": {"A": "1"}, "build_time_keys": [], "keys": ["A"]}
    provider = ApplicationEnvVarsProvider()
    same = {"application_uuid": "a", "variables": {"A": "1"}, "build_time_keys": []}
    assert provider.diff("a", outs, same).changes is False
    changed = provider.diff("a", outs, {**same, "variables": {"A": "2"}})
    assert changed.changes is True and changed.replaces == []


def test_diff_mongodb_password_and_limits() -> None:
    outs = {"uuid": "d", "name": "mongo", "project_uuid": "p", "environment_name": "staging", "server_uuid": "s",
            "root_password": "old", "root_username": "root", "init_database": "penpal", "image": "mongo:7",
            "is_public": False, "limits_memory": None, "limits_cpus": None, "backup_cron": None,
            "backup_retention": None, "internal_url": "mongodb://..."}
    news = {key: outs[key] for key in ("name", "project_uuid", "environment_name", "server_uuid", "root_password",
                                       "root_username", "init_database", "image", "is_public")}
    provider = MongoDatabaseProvider()
    assert provider.diff("d", outs, news).changes is False
    assert provider.changed_fields(outs, {**news, "root_password": "new", "limits_memory": "1G"}) == [
        "root_password", "limits_memory"]
    assert provider.diff("d", outs, {**news, "server_uuid": "t"}).replaces == ["server_uuid"]


def test_diff_server_port_as_string_or_int_is_the_same() -> None:
    outs = {"uuid": "s", "name": "h", "description": None, "ip": "10.0.0.5", "port": 22, "user": "root",
            "private_key_uuid": "k", "validate": True, "validate_timeout_s": 300}
    news = {"name": "h", "ip": "10.0.0.5", "port": "22", "user": "root", "private_key_uuid": "k", "validate": True,
            "validate_timeout_s": 300}
    assert ServerProvider().diff("s", outs, news).changes is False
    assert ServerProvider().diff("s", outs, {**news, "ip": "10.0.0.6"}).replaces == []


# --- the Resource classes under Pulumi mocks: type tokens, snake_case inputs, secrets ---------------------


class _Mocks(Mocks):
    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


class _Monitor(MockMonitor):
    def __init__(self) -> None:
        super().__init__(_Mocks())
        self.requests: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.requests[request.name] = request
        return super().RegisterResource(request)


@pytest.fixture
def monitor() -> Iterator[_Monitor]:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    recording = _Monitor()
    pulumi.runtime.set_mocks(recording.mocks, project="penpal", stack="unit", preview=False, monitor=recording)
    yield recording
    pulumi.runtime.reset_options()
    loop.close()


def _inputs(request: Any) -> dict[str, Any]:
    return dict(pulumi.runtime.rpc.deserialize_properties(request.object))


@pulumi.runtime.test
def test_resources_register_with_agreed_types_keys_and_secrets(monitor: _Monitor) -> Any:
    project = Project("proj", ProjectArgs(name="penpal-ai"))
    env = Environment("env", EnvironmentArgs(project_uuid=project.uuid, name="staging"))
    key = PrivateKey("key", PrivateKeyArgs(name="k", private_key="-----BEGIN KEY-----\nAAAA\n-----END KEY-----"))
    server = Server("srv", ServerArgs(name="h", ip="10.0.0.5", private_key_uuid=key.uuid))
    app = Application("app", ApplicationArgs(
        name="api", project_uuid=project.uuid, environment_name=env.name, server_uuid=server.uuid,
        image="ghcr.io/penpal-ai/api", tag="develop-latest", ports_exposes="3000",
        domains=["https://staging.api.penpal-ai.maksou.dev"]))
    envs = ApplicationEnvVars("envs", ApplicationEnvVarsArgs(application_uuid=app.uuid, variables={"PORT": "3000"}))
    db = MongoDatabase("db", MongoDatabaseArgs(name="mongo", project_uuid=project.uuid, environment_name="staging",
                                               server_uuid=server.uuid, root_password="pw"))
    deployment = Deployment("deploy", DeploymentArgs(application_uuid=app.uuid, triggers={"image": "x"}))

    def check(_: Any) -> None:
        requests = monitor.requests
        assert requests["proj"].type == "pulumi-python:dynamic/coolify:Project"
        assert requests["deploy"].type == "pulumi-python:dynamic/coolify:Deployment"
        app_inputs = _inputs(requests["app"])
        assert app_inputs["image"] == "ghcr.io/penpal-ai/api"
        assert app_inputs["health_check_path"] == "/health"
        assert is_rpc_secret(app_inputs["__provider"])
        assert list(requests["app"].additionalSecretOutputs) == ["webhook_url"]
        assert "internal_url" in list(requests["db"].additionalSecretOutputs)
        assert is_rpc_secret(_inputs(requests["db"])["root_password"])
        assert is_rpc_secret(_inputs(requests["key"])["private_key"])
        assert is_rpc_secret(_inputs(requests["envs"])["variables"])
        assert is_rpc_secret(_inputs(requests["deploy"])["triggers"])
        assert _inputs(requests["srv"])["port"] == 22

    return pulumi.Output.all(project.urn, env.urn, server.urn, app.urn, envs.urn, db.urn, deployment.urn).apply(check)
