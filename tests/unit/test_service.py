"""Service, the onboarding unit: application, env vars, deployment, repo secrets and optional CI file."""

from __future__ import annotations

from types import MappingProxyType

import pulumi
import pytest

from components.config import Environment, ServiceConfig
from components.coolify import DeploymentWait, DeploymentWaitArgs
from components.service import CoolifyPlacement, Service, ServiceArgs, env_fingerprint, service_url
from tests.unit.mocks import COOLIFY_URL, RecordingMocks, T
from tests.unit.outputs import is_secret, resolve, run_program

INTERNAL_URL = "mongodb://root:pw@mongo-uuid:27017/?directConnection=true"
API_TOKEN = "7|token"


def service_config(write_workflow: bool = False, tag: str | None = None) -> ServiceConfig:
    return ServiceConfig(
        name="penpal-ai-db-service",
        image="penpal-ai-db-service",
        port=3000,
        repo="penpal-ai-db-service",
        tag_override=tag,
        env=MappingProxyType({"LOG_LEVEL": "info"}),
        secret_env=MappingProxyType({"JWT_SECRET": pulumi.Output.secret("jwt")}),
        write_workflow=write_workflow,
        node_version="20",
    )


def service(environment: Environment, write_workflow: bool = False, tag: str | None = None) -> Service:
    return Service(
        "db",
        ServiceArgs(
            service=service_config(write_workflow, tag),
            environment=environment,
            domain_base="penpal-ai.maksou.dev",
            image_owner="penpal-ai",
            placement=CoolifyPlacement(
                project_uuid="project-uuid", environment_name=environment.value, server_uuid="server-uuid"
            ),
            mongodb_internal_url=pulumi.Output.secret(INTERNAL_URL),
            coolify_api_token=pulumi.Output.secret(API_TOKEN),
        ),
    )


def test_resources_and_names(mocks: RecordingMocks) -> None:
    def program() -> None:
        component = service(Environment.STAGING)
        wait = DeploymentWait("deployments", DeploymentWaitArgs(deployments={
            "db": {"application_uuid": component.application_uuid, "deployment_uuid": component.deployment_uuid}}))
        component.check_health(wait)  # the stack adds it once the wait exists

    run_program(program)
    assert sorted((r.typ, r.name) for r in mocks.registered) == sorted(
        [
            (T.C_DEPLOYMENT_WAIT, "deployments"),
            (T.SERVICE, "db"),
            (T.GHCR_IMAGE, "db-image"),
            (T.C_APPLICATION, "db-app"),
            (T.C_ENV_VARS, "db-env"),
            (T.C_FINGERPRINT_KEY, "db-fingerprint-key"),
            (T.C_DEPLOYMENT, "db-deployment"),
            (T.HEALTH_CHECK, "db-health"),
            (T.REPO_SECRETS, "db-github-secrets"),
            (T.GITHUB_SECRET, "db-github-secrets-coolify-staging-webhook-url"),
        ]
    )
    component = mocks.one(T.SERVICE)
    direct_children = {r.name for r in mocks.registered if r.parent_urn == component.urn}
    assert direct_children == {"db-image", "db-app", "db-env", "db-fingerprint-key", "db-deployment", "db-health",
                               "db-github-secrets"}


@pytest.mark.parametrize(
    ("environment", "url", "tag"),
    [
        (Environment.STAGING, "https://staging.penpal-ai-db-service.penpal-ai.maksou.dev", "develop-latest"),
        (Environment.PRODUCTION, "https://prod.penpal-ai-db-service.penpal-ai.maksou.dev", "main-latest"),
    ],
)
def test_application(mocks: RecordingMocks, environment: Environment, url: str, tag: str) -> None:
    component = run_program(lambda: service(environment))
    app = mocks.one(T.C_APPLICATION)
    assert app.plain("name") == "penpal-ai-db-service"
    assert (app.plain("project_uuid"), app.plain("environment_name"), app.plain("server_uuid")) == (
        "project-uuid",
        environment.value,
        "server-uuid",
    )
    assert (app.plain("image"), app.plain("tag")) == ("ghcr.io/penpal-ai/penpal-ai-db-service", tag)
    assert app.plain("ports_exposes") == "3000"
    assert app.plain("domains") == [url]
    assert app.plain("health_check_path") == "/health"
    assert resolve(component.url) == url == service_url(environment, "penpal-ai-db-service", "penpal-ai.maksou.dev")
    assert resolve(component.application_uuid) == "db-app-uuid"
    assert resolve(component.image_ref) == f"ghcr.io/penpal-ai/penpal-ai-db-service:{tag}"


@pytest.mark.parametrize(
    ("environment", "node_env"), [(Environment.STAGING, "staging"), (Environment.PRODUCTION, "production")]
)
def test_env_vars(mocks: RecordingMocks, environment: Environment, node_env: str) -> None:
    run_program(lambda: service(environment))
    env = mocks.one(T.C_ENV_VARS)
    assert env.plain("application_uuid") == "db-app-uuid"
    assert env.plain("variables") == {
        "NODE_ENV": node_env,
        "PORT": "3000",
        "MONGODB_URI": "mongodb://root:pw@mongo-uuid:27017/penpal_ai_db_service?directConnection=true&authSource=admin",
        "LOG_LEVEL": "info",
        "JWT_SECRET": "jwt",
    }
    assert pulumi.runtime.rpc.is_rpc_secret(env.inputs["variables"])


def test_deployment_triggers_on_image_and_env(mocks: RecordingMocks) -> None:
    run_program(lambda: service(Environment.PRODUCTION, tag="1.4.2"))
    deployment = mocks.one(T.C_DEPLOYMENT)
    variables = mocks.one(T.C_ENV_VARS).plain("variables")
    assert deployment.plain("application_uuid") == "db-app-uuid"
    assert deployment.plain("triggers") == {
        "image": "ghcr.io/penpal-ai/penpal-ai-db-service:1.4.2",
        "env": env_fingerprint(variables),
    }
    assert pulumi.runtime.rpc.is_rpc_secret(deployment.inputs["triggers"])
    # Env vars are written before Coolify is asked to deploy.
    assert mocks.one(T.C_ENV_VARS).urn in deployment.dependencies


def test_env_fingerprint_changes_with_any_key_or_value() -> None:
    base = {"NODE_ENV": "staging", "PORT": "3000"}
    assert env_fingerprint(base) == env_fingerprint(dict(reversed(base.items())))
    assert env_fingerprint(base) != env_fingerprint({**base, "PORT": "3001"})
    assert env_fingerprint(base) != env_fingerprint({**base, "EXTRA": ""})
    assert env_fingerprint({"A": "b=c"}) != env_fingerprint({"A=b": "c"})


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        (
            Environment.STAGING,
            {"COOLIFY_STAGING_WEBHOOK_URL": f"{COOLIFY_URL}/api/v1/deploy?uuid=db-app-uuid&force=false"},
        ),
        (
            Environment.PRODUCTION,
            {
                "COOLIFY_PROD_WEBHOOK_URL": f"{COOLIFY_URL}/api/v1/deploy?uuid=db-app-uuid&force=false",
                "COOLIFY_API_TOKEN": API_TOKEN,
            },
        ),
    ],
)
def test_github_secrets_owned_by_this_stack(
    mocks: RecordingMocks, environment: Environment, expected: dict[str, str]
) -> None:
    run_program(lambda: service(environment))
    secrets = mocks.of_type(T.GITHUB_SECRET)
    assert {s.plain("secretName"): s.plain("plaintextValue") for s in secrets} == expected
    assert {s.plain("repository") for s in secrets} == {"penpal-ai-db-service"}


def test_webhook_url_is_a_secret_output(mocks: RecordingMocks) -> None:
    component = run_program(lambda: service(Environment.STAGING))
    assert is_secret(component.webhook_url)
    assert resolve(component.webhook_url) == f"{COOLIFY_URL}/api/v1/deploy?uuid=db-app-uuid&force=false"
    assert not is_secret(component.url) and not is_secret(component.application_uuid)


def test_workflow_only_when_enabled(mocks: RecordingMocks) -> None:
    run_program(lambda: service(Environment.PRODUCTION, write_workflow=True))
    file = mocks.one(T.GITHUB_FILE)
    assert file.name == "db-ci-workflow-file"
    assert file.plain("repository") == "penpal-ai-db-service"
    assert "IMAGE_NAME: penpal-ai-db-service" in file.plain("content")


def test_production_needs_the_api_token(mocks: RecordingMocks) -> None:
    args = ServiceArgs(
        service=service_config(),
        environment=Environment.PRODUCTION,
        domain_base="penpal-ai.maksou.dev",
        image_owner="penpal-ai",
        placement=CoolifyPlacement("p", "production", "s"),
        mongodb_internal_url=INTERNAL_URL,
    )
    with pytest.raises(ValueError, match="COOLIFY_API_TOKEN is owned by the production stack"):
        run_program(lambda: Service("db", args))
