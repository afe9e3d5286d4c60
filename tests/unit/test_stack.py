"""Whole stacks, staging and prod, from config to registered resources and exported outputs."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.rpc import is_rpc_secret

from components import stack as outputs
from components.config import load_config
from components.stack import build_stack
from tests.unit.conftest import InstallMocks
from tests.unit.mocks import COOLIFY_URL, SERVER_IPV4, RecordingMocks, Registration, T, fake_digest
from tests.unit.outputs import is_secret, resolve, run_program
from tests.unit.stack_configs import (
    COOLIFY_TOKEN,
    DB_SERVICE,
    DEPLOY_TOKEN,
    GITHUB_TOKEN,
    HCLOUD_TOKEN,
    JWT_SECRET,
    MONGO_PASSWORD,
    S3_ACCESS_KEY,
    S3_SECRET_KEY,
    SSH_PRIVATE_KEY,
    stack_config,
)

API = "penpal-ai-api"
STACKS = {"staging": "staging", "production": "prod"}


def deploy(
    install_mocks: InstallMocks, environment: str, overrides: dict[str, Any] | None = None
) -> tuple[RecordingMocks, dict[str, Any]]:
    mocks = install_mocks(stack=STACKS[environment], config=stack_config(environment, overrides))
    exported = run_program(lambda: build_stack(load_config()))
    return mocks, exported


COMMON_COUNTS = {
    T.GUARD: 1,
    T.HOST: 1,
    T.COOLIFY_ENVIRONMENT: 1,
    T.MONGODB: 1,
    T.SERVICE: 2,
    T.GHCR_IMAGE: 2,
    T.REPO_SECRETS: 2,
    T.HCLOUD_SSH_KEY: 1,
    T.HCLOUD_FIREWALL: 1,
    T.HCLOUD_SERVER: 1,
    T.C_PROJECT: 1,
    T.C_ENVIRONMENT: 1,
    T.C_PRIVATE_KEY: 1,
    T.C_SERVER: 1,
    T.C_MONGODB: 1,
    T.C_APPLICATION: 2,
    T.C_ENV_VARS: 2,
    T.C_DEPLOYMENT: 2,
    T.HEALTH_CHECK: 2,
    T.SERVICE_DNS: 2,
    T.HCLOUD_RRSET: 4,
    T.C_DEPLOYMENT_WAIT: 1,
    T.C_FINGERPRINT_KEY: 1,
}


@pytest.mark.parametrize(
    ("environment", "extra"),
    [
        ("staging", {T.GITHUB_SECRET: 2}),
        ("production", {T.GITHUB_SECRET: 4, T.CI_WORKFLOW: 1, T.GITHUB_FILE: 1, T.HCLOUD_ZONE: 1,
                        T.C_S3_STORAGE: 1}),
    ],
)
def test_resource_counts_and_types(install_mocks: InstallMocks, environment: str, extra: dict[str, int]) -> None:
    mocks, _ = deploy(install_mocks, environment)
    assert mocks.type_counts() == {**COMMON_COUNTS, **extra}


def test_resource_names(install_mocks: InstallMocks) -> None:
    mocks, _ = deploy(install_mocks, "production")
    service_children = [
        "{s}",
        "{s}-image",
        "{s}-app",
        "{s}-env",
        "{s}-deployment",
        "{s}-health",
        "{s}-dns",
        "{s}-dns-a",
        "{s}-dns-aaaa",
        "{s}-github-secrets",
        "{s}-github-secrets-coolify-api-token",
        "{s}-github-secrets-coolify-prod-webhook-url",
    ]
    expected = [
        "guard",
        "host",
        "host-ssh-key",
        "host-firewall",
        "host-server",
        "host-coolify-key",
        "host-coolify-server",
        "coolify",
        "coolify-project",
        "coolify-environment",
        "mongodb",
        "mongodb-database",
        "dns-zone",
        "mongodb-backup-storage",
        "env-fingerprint-key",
        *(name.format(s=DB_SERVICE) for name in service_children),
        f"{DB_SERVICE}-ci-workflow",
        f"{DB_SERVICE}-ci-workflow-file",
        *(name.format(s=API) for name in service_children),
        "deployments",
    ]
    assert sorted(r.name for r in mocks.registered) == sorted(expected)


def test_one_wait_for_every_service_deployment(install_mocks: InstallMocks) -> None:
    mocks, _ = deploy(install_mocks, "staging")
    wait = mocks.one(T.C_DEPLOYMENT_WAIT)
    apps = {r.name: r for r in mocks.of_type(T.C_APPLICATION)}
    assert wait.plain("deployments") == {
        service: {"application_uuid": f"{service}-app-uuid", "deployment_uuid": f"{service}-deployment-deployment"}
        for service in (DB_SERVICE, API)
    }
    deployments = {r.urn for r in mocks.of_type(T.C_DEPLOYMENT)}
    assert deployments <= set(wait.dependencies) and len(apps) == 2
    # A Deployment only queues: each service's health check must follow the wait.
    checks = mocks.of_type(T.HEALTH_CHECK)
    assert len(checks) == 2 and all(wait.urn in check.dependencies for check in checks)


@pytest.mark.parametrize(
    ("environment", "prefix", "tag"),
    [
        ("staging", "staging", "develop-latest"),
        ("production", "prod", "main-latest"),
    ],
)
def test_domains_and_images_per_stack(install_mocks: InstallMocks, environment: str, prefix: str, tag: str) -> None:
    mocks, exported = deploy(install_mocks, environment)
    apps = {a.plain("name"): a for a in mocks.of_type(T.C_APPLICATION)}
    for name in (DB_SERVICE, API):
        assert apps[name].plain("domains") == [f"https://{prefix}.{name}.penpal-ai.maksou.dev"]
        assert (apps[name].plain("image"), apps[name].plain("tag")) == (f"ghcr.io/penpal-ai/{name}", tag)
    assert resolve(exported[outputs.OUT_SERVICE_URLS]) == {
        name: f"https://{prefix}.{name}.penpal-ai.maksou.dev" for name in (DB_SERVICE, API)
    }
    assert resolve(exported[outputs.OUT_IMAGE_REFS]) == {
        name: f"ghcr.io/penpal-ai/{name}:{tag}" for name in (DB_SERVICE, API)
    }


@pytest.mark.parametrize(
    ("environment", "node_env", "log_level"), [("staging", "staging", "debug"), ("production", "production", "info")]
)
def test_env_vars_per_stack(install_mocks: InstallMocks, environment: str, node_env: str, log_level: str) -> None:
    mocks, _ = deploy(install_mocks, environment)
    by_app = {e.plain("application_uuid"): e.plain("variables") for e in mocks.of_type(T.C_ENV_VARS)}
    mongo_base = f"mongodb://root:{MONGO_PASSWORD}@mongodb-database-uuid:27017"
    assert by_app[f"{DB_SERVICE}-app-uuid"] == {
        "NODE_ENV": node_env,
        "PORT": "3000",
        "LOG_LEVEL": log_level,
        "JWT_SECRET": JWT_SECRET[environment],
        "MONGODB_URI": f"{mongo_base}/penpal_ai_db_service?directConnection=true&authSource=admin",
    }
    assert by_app[f"{API}-app-uuid"] == {
        "NODE_ENV": node_env,
        "PORT": "8080",
        "MONGODB_URI": f"{mongo_base}/penpal_ai_api?directConnection=true&authSource=admin",
    }


def test_everything_lands_on_this_stacks_server_and_environment(install_mocks: InstallMocks) -> None:
    mocks, _ = deploy(install_mocks, "staging")
    placed = [*mocks.of_type(T.C_APPLICATION), mocks.one(T.C_MONGODB)]
    for registration in placed:
        assert (
            registration.plain("project_uuid"),
            registration.plain("environment_name"),
            registration.plain("server_uuid"),
        ) == ("coolify-project-uuid", "staging", "host-coolify-server-uuid")


@pytest.mark.parametrize(("environment", "protected"), [("staging", False), ("production", True)])
def test_prod_database_is_protected_and_retained(
    install_mocks: InstallMocks, environment: str, protected: bool
) -> None:
    mocks, _ = deploy(install_mocks, environment)
    database = mocks.one(T.C_MONGODB)
    assert (database.protect, database.retain_on_delete) == (protected, protected)
    # Production backups also leave the server: through a protected S3 storage in Coolify.
    storages = mocks.of_type(T.C_S3_STORAGE)
    assert [s.protect for s in storages] == ([True] if protected else [])
    if protected:
        assert database.plain("backup_retention_s3") == 30


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_outputs_and_their_secretness(install_mocks: InstallMocks, environment: str) -> None:
    _, exported = deploy(install_mocks, environment)
    secret = {outputs.OUT_MONGODB_URL, outputs.OUT_WEBHOOK_URLS}
    assert {key for key, value in exported.items() if is_secret(value)} == secret
    webhook = f"{COOLIFY_URL}/api/v1/deploy?uuid={{}}-app-uuid&force=false"
    assert resolve(exported[outputs.OUT_WEBHOOK_URLS]) == {n: webhook.format(n) for n in (DB_SERVICE, API)}
    assert resolve(exported[outputs.OUT_APPLICATION_UUIDS]) == {n: f"{n}-app-uuid" for n in (DB_SERVICE, API)}
    assert resolve(exported[outputs.OUT_SERVER_IPV4]) == SERVER_IPV4
    assert resolve(exported[outputs.OUT_ENVIRONMENT]) == environment
    assert resolve(exported[outputs.OUT_COOLIFY_ENVIRONMENT]) == environment
    assert resolve(exported[outputs.OUT_COOLIFY_SERVER_UUID]) == "host-coolify-server-uuid"
    assert resolve(exported[outputs.OUT_MONGODB_URL]).startswith("mongodb://root:")


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_no_secret_reaches_state_in_plain_text(install_mocks: InstallMocks, environment: str) -> None:
    mocks, _ = deploy(install_mocks, environment)
    secrets = [
        COOLIFY_TOKEN,
        DEPLOY_TOKEN,
        MONGO_PASSWORD,
        SSH_PRIVATE_KEY.strip(),
        JWT_SECRET[environment],
        GITHUB_TOKEN,
        HCLOUD_TOKEN,
        S3_ACCESS_KEY,
        S3_SECRET_KEY,
    ]
    leaks = [
        (r.name, path)
        for r in mocks.registered
        for path, text in _plain_strings(r.inputs)
        if any(secret in text for secret in secrets)
    ]
    assert leaks == []
    # ...and the secret values did reach the resources that need them, wrapped.
    assert mocks.one(T.C_MONGODB).plain("root_password") == MONGO_PASSWORD
    assert mocks.one(T.C_PRIVATE_KEY).plain("private_key") == SSH_PRIVATE_KEY
    if environment == "production":
        storage = mocks.one(T.C_S3_STORAGE)
        assert (storage.plain("access_key"), storage.plain("secret_key")) == (S3_ACCESS_KEY, S3_SECRET_KEY)


def test_api_token_secret_is_owned_by_prod_only(install_mocks: InstallMocks) -> None:
    staging, _ = deploy(install_mocks, "staging")
    staging_names = {s.plain("secretName") for s in staging.of_type(T.GITHUB_SECRET)}
    assert staging_names == {"COOLIFY_STAGING_WEBHOOK_URL"}


def test_prod_stack_writes_the_api_token(install_mocks: InstallMocks) -> None:
    prod, _ = deploy(install_mocks, "production")
    tokens = [s for s in prod.of_type(T.GITHUB_SECRET) if s.plain("secretName") == "COOLIFY_API_TOKEN"]
    assert sorted(s.plain("repository") for s in tokens) == sorted([DB_SERVICE, API])
    # The repos get the deploy-only token; the stacks' own Coolify token never leaves the stacks.
    assert {s.plain("plaintextValue") for s in tokens} == {DEPLOY_TOKEN}


def test_rollback_and_digest_pinning(install_mocks: InstallMocks) -> None:
    config = stack_config("production", {"penpal:resolveDigests": "true"})
    config["penpal:services"][0]["tag"] = "sha-0abc123"
    mocks = install_mocks(stack="prod", config=config)
    exported = run_program(lambda: build_stack(load_config()))
    db_ref = f"ghcr.io/penpal-ai/{DB_SERVICE}:sha-0abc123"
    api_ref = f"ghcr.io/penpal-ai/{API}:main-latest"
    assert sorted(c.args["name"] for c in mocks.calls) == sorted([db_ref, api_ref])
    assert resolve(exported[outputs.OUT_IMAGE_REFS]) == {
        DB_SERVICE: f"ghcr.io/penpal-ai/{DB_SERVICE}@{fake_digest(db_ref)}",
        API: f"ghcr.io/penpal-ai/{API}@{fake_digest(api_ref)}",
    }
    apps = {a.plain("name"): a for a in mocks.of_type(T.C_APPLICATION)}
    assert apps[DB_SERVICE].plain("tag") == fake_digest(db_ref)


def test_onboarding_a_service_is_one_config_entry(install_mocks: InstallMocks) -> None:
    before, _ = deploy(install_mocks, "staging")
    config = stack_config("staging")
    config["penpal:services"].append({"name": "penpal-ai-notifier", "port": 4000})
    after = install_mocks(stack="staging", config=config)
    run_program(lambda: build_stack(load_config()))
    added = sorted(_names(after.registered) - _names(before.registered))
    assert added == sorted(
        [
            "penpal-ai-notifier",
            "penpal-ai-notifier-image",
            "penpal-ai-notifier-app",
            "penpal-ai-notifier-env",
            "penpal-ai-notifier-deployment",
                "penpal-ai-notifier-health",
                "penpal-ai-notifier-dns",
                "penpal-ai-notifier-dns-a",
                "penpal-ai-notifier-dns-aaaa",
            "penpal-ai-notifier-github-secrets",
            "penpal-ai-notifier-github-secrets-coolify-staging-webhook-url",
        ]
    )
    app = after.named("penpal-ai-notifier-app")
    assert app.plain("domains") == ["https://staging.penpal-ai-notifier.penpal-ai.maksou.dev"]
    assert app.plain("ports_exposes") == "4000"


def _names(registered: list[Registration]) -> set[str]:
    return {r.name for r in registered}


def _plain_strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string in an input tree that is not inside a secret wrapper."""
    if is_rpc_secret(value):
        return []
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [hit for key, item in value.items() for hit in _plain_strings(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [hit for index, item in enumerate(value) for hit in _plain_strings(item, f"{path}[{index}]")]
    return []
