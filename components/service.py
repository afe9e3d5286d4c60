"""Service: the onboarding unit. One instance deploys one Node.js service into this stack."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
    FingerprintKey,
)
from components.dns import ServiceDns, ServiceDnsArgs, planned_records
from components.ghcr_image import GhcrImage, GhcrImageArgs
from components.github_secrets import API_TOKEN_SECRET, RepoSecrets, RepoSecretsArgs, owned_secret_names
from components.health.resource import HealthCheck, HealthCheckArgs
from components.mongodb import database_uri
from components.reachability_config import HealthCheckConfig


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
class DnsPlacement:
    """Where a service's records go and what they point at (`penpal:dns` plus the server's addresses)."""

    zone: pulumi.Input[str]
    """Zone name or id for the RRsets (see `components.dns.shared_zone`)."""
    zone_name: str
    ttl: int
    manage: bool
    """False: no RRsets; the records are only listed in the `dns_records` output."""
    ipv4: pulumi.Input[str]
    ipv6: pulumi.Input[str]


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
    """The deploy-only Coolify token (`penpal:deployToken`), stored as the repo's COOLIFY_API_TOKEN when this
    stack owns that secret (prod), else unused. Never the stacks' own Coolify token."""
    resolve_digest: bool = False
    health_check: HealthCheckConfig = field(default_factory=HealthCheckConfig)
    dns: DnsPlacement | None = None
    fingerprint_key: pulumi.Input[str] | None = None
    """Secret per-stack key of env var value fingerprints (one `FingerprintKey` shared by the stack);
    when None, the service makes its own."""
    deploy_after: Sequence[pulumi.Resource] = ()
    """What must be in place before Coolify pulls the image: the validated server, its registry login."""


class Service(pulumi.ComponentResource):
    """Image, Coolify application with its env vars and a queued deployment, repo secrets and CI.

    The stack's `DeploymentWait` waits for the deployment together with the other services' ones; then
    `check_health` adds the HealthCheck: `https://<domain><path>` must answer the expected status.
    Outputs: `url`, `application_uuid`, `webhook_url` (secret), `image_ref`, `dns_records` and
    `deployment_uuid` (the queued deployment).
    """

    TYPE = "penpal:infra:Service"

    url: pulumi.Output[str]
    application_uuid: pulumi.Output[str]
    webhook_url: pulumi.Output[str]
    image_ref: pulumi.Output[str]
    dns_records: pulumi.Output[list[dict[str, object]]]
    deployment_uuid: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        service = args.service
        url = service_url(args.environment, service.name, args.domain_base)
        domain = url.removeprefix("https://")
        health = args.health_check

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
                health_check_path=health.path,
                description=f"{service.name} ({args.environment.value}, managed by Pulumi)",
            ),
            opts=child,
        )
        variables = self._variables(args)
        env_vars = ApplicationEnvVars(
            f"{name}-env",
            ApplicationEnvVarsArgs(
                application_uuid=application.uuid,
                variables=variables,
                fingerprint_key=args.fingerprint_key
                if args.fingerprint_key is not None
                else FingerprintKey(f"{name}-fingerprint-key", opts=child).value,
            ),
            opts=child,
        )
        env_hash = pulumi.Output.all(**variables).apply(env_fingerprint)
        deployment = Deployment(
            f"{name}-deployment",
            DeploymentArgs(
                application_uuid=application.uuid,
                # Secret: a hash of low-entropy secret values could be brute-forced from state.
                triggers={"image": image.ref, "env": pulumi.Output.secret(env_hash)},
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[env_vars, *args.deploy_after]),
        )
        self._name = name
        self._dns_resources = self._dns(name, domain, args)
        self._health_args = (f"{url}{health.path}", health, domain)

        self.url = pulumi.Output.from_input(url)
        self.application_uuid = application.uuid
        self.webhook_url = pulumi.Output.secret(application.webhook_url)
        self.image_ref = image.ref
        self.dns_records = self._planned_records(domain, args.dns)
        self.deployment_uuid = deployment.deployment_uuid

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
                "dns_records": self.dns_records,
                "deployment_uuid": self.deployment_uuid,
            }
        )

    def check_health(self, wait: pulumi.Resource) -> HealthCheck:
        """The service's HealthCheck, run after `wait` (the stack's DeploymentWait) saw the deployment finish.

        This component only queues the deployment, so the check must follow the wait, not the Deployment.
        Its input is the queued deployment's uuid (known in a preview for an unchanged service, so only
        the services with a new deployment show a change).
        """
        url, health, domain = self._health_args
        return HealthCheck(
            f"{self._name}-health",
            HealthCheckArgs(
                url=url,
                deployment=self.deployment_uuid,
                expected_status=health.expected_status,
                timeout_s=health.timeout_s,
                interval_s=health.interval_s,
                resolve=health.resolve_for(domain),
                ca_bundle_pem=health.ca_bundle_pem,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[wait, *self._dns_resources]),
        )

    def _dns(self, name: str, domain: str, args: ServiceArgs) -> list[pulumi.Resource]:
        dns = args.dns
        if dns is None or not dns.manage:
            return []
        records = ServiceDns(
            f"{name}-dns",
            ServiceDnsArgs(
                fqdn=domain,
                zone=dns.zone,
                zone_name=dns.zone_name,
                ipv4=dns.ipv4,
                ipv6=dns.ipv6,
                ttl=dns.ttl,
                labels={"project": "penpal", "environment": args.environment.value, "service": name[:63]},
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return [records]

    @staticmethod
    def _planned_records(domain: str, dns: DnsPlacement | None) -> pulumi.Output[list[dict[str, object]]]:
        if dns is None:
            return pulumi.Output.from_input([])
        return pulumi.Output.all(*(r.as_output() for r in planned_records(domain, dns.ipv4, dns.ipv6, dns.ttl)))

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
