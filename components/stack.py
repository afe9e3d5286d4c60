"""Composes one stack from its validated config; `__main__.py` exports what this returns."""

from __future__ import annotations

import pulumi

from components.config import Environment, StackConfig
from components.coolify import DeploymentWait, DeploymentWaitArgs, FingerprintKey
from components.coolify_environment import CoolifyEnvironment, CoolifyEnvironmentArgs
from components.dns import shared_zone
from components.guard import GuardValues, StackGuard, depend_on_guard
from components.hetzner_host import PROJECT_LABEL, HetznerHost, HetznerHostArgs
from components.mongodb import MongoDb, MongoDbArgs
from components.service import CoolifyPlacement, DnsPlacement, Service, ServiceArgs

# Names of the stack outputs; tests and the e2e tier import them so the strings cannot drift.
OUT_ENVIRONMENT = "environment"
OUT_SERVER_IPV4 = "serverIpv4"
OUT_COOLIFY_SERVER_UUID = "coolifyServerUuid"
OUT_COOLIFY_PROJECT_UUID = "coolifyProjectUuid"
OUT_COOLIFY_ENVIRONMENT = "coolifyEnvironment"
OUT_MONGODB_UUID = "mongodbUuid"
OUT_MONGODB_URL = "mongodbInternalUrl"
OUT_SERVICE_URLS = "serviceUrls"
OUT_APPLICATION_UUIDS = "applicationUuids"
OUT_WEBHOOK_URLS = "webhookUrls"
OUT_IMAGE_REFS = "imageRefs"
OUT_DNS_ZONE = "dnsZone"
OUT_DNS_RECORDS = "dnsRecords"


def build_stack(cfg: StackConfig) -> dict[str, pulumi.Output[object]]:
    """Creates the host, the Coolify environment, the MongoDB and every configured service.

    Returns the stack outputs by name. Secret values (the MongoDB URL, webhook URLs) are separate
    outputs, so that the URLs and uuids of the other outputs stay readable.
    """
    # First: nothing else is registered until the guard has checked this run against the last one.
    depend_on_guard(StackGuard(GuardValues.of(cfg), cfg.mongo_root_password))
    host = HetznerHost(
        "host",
        HetznerHostArgs(
            environment=cfg.environment,
            server_type=cfg.server.server_type,
            location=cfg.server.location,
            image=cfg.server.image,
            admin_cidrs=cfg.admin_cidrs,
            ssh_public_key=cfg.ssh_public_key,
            ssh_private_key=cfg.ssh_private_key,
            volume_size_gb=cfg.server.volume_size_gb,
            protected=cfg.environment is Environment.PRODUCTION and not cfg.allow_prod_replacement,
            ghcr_login=cfg.ghcr_login,
        ),
    )
    coolify = CoolifyEnvironment(
        "coolify",
        CoolifyEnvironmentArgs(environment=cfg.environment),
    )
    mongodb = MongoDb(
        "mongodb",
        MongoDbArgs(
            environment=cfg.environment,
            project_uuid=coolify.project_uuid,
            environment_name=coolify.environment_name,
            server_uuid=host.coolify_server_uuid,
            root_password=cfg.mongo_root_password,
            image=cfg.mongo.image,
            backup_cron=cfg.mongo.backup_cron,
            backup_retention=cfg.mongo.backup_retention,
            root_password_rotated=cfg.mongo_root_password_rotated,
            backup_s3=cfg.mongo.s3,
        ),
    )
    placement = CoolifyPlacement(
        project_uuid=coolify.project_uuid,
        environment_name=coolify.environment_name,
        server_uuid=host.coolify_server_uuid,
    )
    dns = _dns_placement(cfg, host)
    if cfg.services and not cfg.resolve_digests:
        pulumi.log.info(
            "Images deploy by tag: penpal:resolveDigests is false (pulumi-docker's plugin cannot be built "
            "offline; with it installed, set penpal:resolveDigests true to pin each deploy to its digest)."
        )
    # Generated on the first `up` and kept secret in state: keys every env var value fingerprint.
    fingerprint_key = FingerprintKey("env-fingerprint-key")
    services = {
        service.name: Service(
            service.name,
            ServiceArgs(
                service=service,
                environment=cfg.environment,
                domain_base=cfg.domain_base,
                image_owner=cfg.image_owner,
                placement=placement,
                mongodb_internal_url=mongodb.internal_url,
                coolify_api_token=cfg.deploy_token,
                resolve_digest=cfg.resolve_digests,
                health_check=cfg.health_check,
                dns=dns,
                fingerprint_key=fingerprint_key.value,
                deploy_after=host.image_pull_ready,
            ),
        )
        for service in cfg.services
    }
    if services:
        # One call waits for every service's deployment (the dynamic-provider server runs 4 calls at once).
        wait = DeploymentWait(
            "deployments",
            DeploymentWaitArgs(
                deployments={
                    name: {"application_uuid": s.application_uuid, "deployment_uuid": s.deployment_uuid}
                    for name, s in services.items()
                }
            ),
        )
        for service in services.values():
            service.check_health(wait)
    return {
        OUT_ENVIRONMENT: pulumi.Output.from_input(cfg.environment.value),
        OUT_SERVER_IPV4: host.ipv4_address,
        OUT_COOLIFY_SERVER_UUID: host.coolify_server_uuid,
        OUT_COOLIFY_PROJECT_UUID: coolify.project_uuid,
        OUT_COOLIFY_ENVIRONMENT: coolify.environment_name,
        OUT_MONGODB_UUID: mongodb.uuid,
        OUT_MONGODB_URL: mongodb.internal_url,
        OUT_SERVICE_URLS: pulumi.Output.from_input({n: s.url for n, s in services.items()}),
        OUT_APPLICATION_UUIDS: pulumi.Output.from_input({n: s.application_uuid for n, s in services.items()}),
        OUT_WEBHOOK_URLS: pulumi.Output.secret({n: s.webhook_url for n, s in services.items()}),
        OUT_IMAGE_REFS: pulumi.Output.from_input({n: s.image_ref for n, s in services.items()}),
        # With penpal:dns.manage false, these are the records to create by hand at the zone's host.
        OUT_DNS_ZONE: pulumi.Output.from_input(
            {"zone": cfg.dns.zone, "managed": cfg.dns.manage} if cfg.dns else {}
        ),
        OUT_DNS_RECORDS: pulumi.Output.from_input({n: s.dns_records for n, s in services.items()}),
    }


def _dns_placement(cfg: StackConfig, host: HetznerHost) -> DnsPlacement | None:
    if cfg.dns is None:
        return None
    if cfg.dns.manage:
        zone = shared_zone(cfg.dns, cfg.environment, {"project": PROJECT_LABEL})
    else:
        zone = pulumi.Output.from_input(cfg.dns.zone)
    return DnsPlacement(
        zone=zone,
        zone_name=cfg.dns.zone,
        ttl=cfg.dns.ttl,
        manage=cfg.dns.manage,
        ipv4=host.ipv4_address,
        ipv6=host.ipv6_address,
    )
