"""Service: the onboarding unit. One instance deploys one Node.js service into this stack."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from components.ci_workflow import CiWorkflow, CiWorkflowArgs
from components.config import Environment, ServiceConfig
from components.coolify import (
    Application,
    ApplicationArgs,
    ApplicationEnvVars,
    ApplicationEnvVarsArgs,
    Deployment,
    DeploymentArgs,
)
from components.ghcr_image import GhcrImage, GhcrImageArgs
from components.github_secrets import API_TOKEN_SECRET, RepoSecrets, RepoSecretsArgs, owned_secret_names
from components.mongodb import database_uri

HEALTH_CHECK_PATH = "/health"


def service_url(environment: Environment, service: str, domain_base: str) -> str:
    """`https://staging.<service>.<domainBase>` or `https://prod.<service>.<domainBase>`."""
    return f"https://{environment.domain_prefix}.{service}.{domain_base}"


def database_name(service: str) -> str:
    """Each service gets its own database on the environment's MongoDB."""
    return service.replace("-", "_")


def env_fingerprint(variables: Mapping[str, str]) -> str:
    """A stable hash of every key and value, so any env change triggers a new deployment."""
    canonical = json.dumps(sorted(variables.items()), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class CoolifyPlacement:
    """Where in Coolify the application goes: the environment's project, environment and server."""

    project_uuid: pulumi.Input[str]
    environment_name: pulumi.Input[str]
    server_uuid: pulumi.Input[str]


@dataclass(frozen=True)
class ServiceArgs:
    service: ServiceConfig
    environment: Environment
    domain_base: str
    image_owner: str
    """GHCR namespace, lower-case."""
    placement: CoolifyPlacement
    mongodb_internal_url: pulumi.Input[str]
    """Secret URL of the environment's MongoDB; the service gets its own database on it."""
    coolify_api_token: pulumi.Input[str] | None = None
    """Stored as the repo's COOLIFY_API_TOKEN when this stack owns that secret (prod), else unused."""
    resolve_digest: bool = False


class Service(pulumi.ComponentResource):
    """Image, Coolify application with its env vars and a waited-for deployment, repo secrets and CI.

    Outputs: `url`, `application_uuid`, `webhook_url` (secret) and `image_ref`.
    """

    TYPE = "penpal:infra:Service"

    url: pulumi.Output[str]
    application_uuid: pulumi.Output[str]
    webhook_url: pulumi.Output[str]
    image_ref: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        service = args.service
        url = service_url(args.environment, service.name, args.domain_base)

        image = GhcrImage(
            f"{name}-image",
            GhcrImageArgs(
                owner=args.image_owner,
                image=service.image,
                environment=args.environment,
                tag_override=service.tag_override,
                resolve_digest=args.resolve_digest,
            ),
            opts=child,
        )
        application = Application(
            f"{name}-app",
            ApplicationArgs(
                name=service.name,
                project_uuid=args.placement.project_uuid,
                environment_name=args.placement.environment_name,
                server_uuid=args.placement.server_uuid,
                image=image.repository,
                tag=image.tag,
                ports_exposes=str(service.port),
                domains=[url],
                health_check_path=HEALTH_CHECK_PATH,
                description=f"{service.name} ({args.environment.value}, managed by Pulumi)",
            ),
            opts=child,
        )
        variables = self._variables(args)
        env_vars = ApplicationEnvVars(
            f"{name}-env",
            ApplicationEnvVarsArgs(application_uuid=application.uuid, variables=variables),
            opts=child,
        )
        env_hash = pulumi.Output.all(**variables).apply(env_fingerprint)
        Deployment(
            f"{name}-deployment",
            DeploymentArgs(
                application_uuid=application.uuid,
                # Secret: a hash of low-entropy secret values could be brute-forced from state.
                triggers={"image": image.ref, "env": pulumi.Output.secret(env_hash)},
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[env_vars]),
        )

        self.url = pulumi.Output.from_input(url)
        self.application_uuid = application.uuid
        self.webhook_url = pulumi.Output.secret(application.webhook_url)
        self.image_ref = image.ref

        RepoSecrets(
            f"{name}-github-secrets",
            RepoSecretsArgs(repository=service.repo, secrets=self._owned_secrets(args)),
            opts=child,
        )
        if service.write_workflow:
            CiWorkflow(
                f"{name}-ci-workflow",
                CiWorkflowArgs(
                    repository=service.repo,
                    owner=args.image_owner,
                    image_name=service.image,
                    node_version=service.node_version,
                ),
                opts=child,
            )

        self.register_outputs(
            {
                "url": self.url,
                "application_uuid": self.application_uuid,
                "webhook_url": self.webhook_url,
                "image_ref": self.image_ref,
            }
        )

    @staticmethod
    def _variables(args: ServiceArgs) -> dict[str, pulumi.Input[str]]:
        service = args.service
        mongodb_uri = pulumi.Output.from_input(args.mongodb_internal_url).apply(
            lambda internal_url: database_uri(internal_url, database_name(service.name))
        )
        return {
            **service.env,
            **service.secret_env,
            "NODE_ENV": args.environment.node_env,
            "PORT": str(service.port),
            "MONGODB_URI": pulumi.Output.secret(mongodb_uri),
        }

    def _owned_secrets(self, args: ServiceArgs) -> dict[str, pulumi.Input[str]]:
        owned = owned_secret_names(args.environment)
        secrets: dict[str, pulumi.Input[str]] = {args.environment.webhook_secret_name: self.webhook_url}
        if API_TOKEN_SECRET in owned:
            if args.coolify_api_token is None:
                raise ValueError(
                    f"{API_TOKEN_SECRET} is owned by the {args.environment.value} stack: "
                    "ServiceArgs.coolify_api_token is required"
                )
            secrets[API_TOKEN_SECRET] = args.coolify_api_token
        return secrets
