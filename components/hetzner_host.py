"""The Hetzner server one environment runs on, registered in Coolify as a deployment target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_hcloud as hcloud

from components.config import Environment, GhcrLoginConfig
from components.coolify import PrivateKey, PrivateKeyArgs, Server, ServerArgs
from components.registry_login import RegistryLogin, RegistryLoginArgs

GHCR = "ghcr.io"
# The user Coolify connects as: its Docker credentials are the ones Coolify pulls images with.
SERVER_USER = "root"

PROJECT_LABEL = "penpal"
WORLD = ("0.0.0.0/0", "::/0")


@dataclass(frozen=True)
class HetznerHostArgs:
    environment: Environment
    server_type: str
    """Hetzner server type, e.g. `cx22`; changing it resizes the server (reboot)."""
    location: str
    """Hetzner location, e.g. `fsn1`; changing it replaces the server, and the volume with an empty one."""
    image: str
    """OS image, e.g. `ubuntu-24.04`; changing it replaces the server."""
    admin_cidrs: Sequence[str]
    """The only sources allowed to reach SSH (port 22)."""
    ssh_public_key: str
    ssh_private_key: pulumi.Input[str]
    """Secret PEM key Coolify uses to reach the server; must match `ssh_public_key`."""
    volume_size_gb: int | None = None
    """Size of an extra ext4 volume attached to the server; None for no volume."""
    labels: dict[str, str] = field(default_factory=dict)
    protected: bool = False
    """Production: the server and volume are `protect`ed in Pulumi and delete/rebuild-protected in Hetzner."""
    ghcr_login: GhcrLoginConfig | None = None
    """Log the server's root user in to ghcr.io (private images); None when the images are public."""


def volume_name(environment: Environment) -> str:
    """The Hetzner name of the environment's volume (unique per Hetzner project)."""
    return f"penpal-{environment.value}-data"


def firewall_rules(admin_cidrs: Sequence[str]) -> list[hcloud.FirewallRuleArgs]:
    """Inbound rules: SSH from the admin CIDRs only, HTTP and HTTPS from anywhere, nothing else."""
    return [
        hcloud.FirewallRuleArgs(
            direction="in",
            protocol="tcp",
            port="22",
            source_ips=list(admin_cidrs),
            description="SSH from admins and Coolify",
        ),
        hcloud.FirewallRuleArgs(direction="in", protocol="tcp", port="80", source_ips=list(WORLD), description="HTTP"),
        hcloud.FirewallRuleArgs(
            direction="in", protocol="tcp", port="443", source_ips=list(WORLD), description="HTTPS"
        ),
    ]


class HetznerHost(pulumi.ComponentResource):
    """SSH key, firewall, server and optional volume in Hetzner, plus the key and server in Coolify."""

    TYPE = "penpal:infra:HetznerHost"

    ipv4_address: pulumi.Output[str]
    ipv6_address: pulumi.Output[str]
    server_id: pulumi.Output[str]
    coolify_server_uuid: pulumi.Output[str]

    def __init__(self, name: str, args: HetznerHostArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        physical_name = f"penpal-{args.environment.value}"
        labels = {"project": PROJECT_LABEL, "environment": args.environment.value, **args.labels}

        ssh_key = hcloud.SshKey(
            f"{name}-ssh-key", name=physical_name, public_key=args.ssh_public_key, labels=labels, opts=child
        )
        firewall = hcloud.Firewall(
            f"{name}-firewall", name=physical_name, rules=firewall_rules(args.admin_cidrs), labels=labels, opts=child
        )
        # Pulumi refuses to delete or replace a protected resource; Hetzner refuses to delete or rebuild it.
        guarded = pulumi.ResourceOptions(parent=self, protect=args.protected)
        # Hetzner server names are unique per project (uniqueness_error): a replacement deletes the old one first.
        replaced_in_place = pulumi.ResourceOptions.merge(guarded, pulumi.ResourceOptions(delete_before_replace=True))
        server = hcloud.Server(
            f"{name}-server",
            name=physical_name,
            server_type=args.server_type,
            location=args.location,
            image=args.image,
            ssh_keys=[ssh_key.id],
            # Hetzner ids are numbers; the provider's firewall_ids field is typed as a list of ints.
            firewall_ids=[firewall.id.apply(int)],
            labels=labels,
            public_nets=[hcloud.ServerPublicNetArgs(ipv4_enabled=True, ipv6_enabled=True)],
            # Hetzner: "currently delete and rebuild attribute needs to have the same value" (change_protection).
            delete_protection=args.protected,
            rebuild_protection=args.protected,
            opts=replaced_in_place,
        )
        if args.volume_size_gb is not None:
            # A volume can only be attached to a server in its own location (docs.hetzner.cloud, Volumes), and
            # hcloud-go refuses `location` together with `server` at create: a new location replaces the
            # volume with the server (an empty one there), deleting the old one first (names are unique).
            volume_opts = pulumi.ResourceOptions.merge(
                guarded, pulumi.ResourceOptions(replacement_trigger=args.location, delete_before_replace=True)
            )
            hcloud.Volume(
                f"{name}-volume",
                name=volume_name(args.environment),
                size=args.volume_size_gb,
                server_id=server.id.apply(int),
                automount=True,
                format="ext4",
                labels=labels,
                delete_protection=args.protected,
                opts=volume_opts,
            )

        coolify_key = PrivateKey(
            f"{name}-coolify-key",
            PrivateKeyArgs(
                name=physical_name,
                private_key=pulumi.Output.secret(args.ssh_private_key),
                description="SSH key for the penpal Hetzner host (managed by Pulumi)",
            ),
            opts=child,
        )
        coolify_server = Server(
            f"{name}-coolify-server",
            ServerArgs(
                name=physical_name,
                ip=server.ipv4_address,
                private_key_uuid=coolify_key.uuid,
                description=f"penpal {args.environment.value} host (managed by Pulumi)",
            ),
            opts=child,
        )

        self.ipv4_address = server.ipv4_address
        self.ipv6_address = server.ipv6_address
        self.server_id = server.id
        self.coolify_server_uuid = coolify_server.uuid
        self.image_pull_ready: list[pulumi.Resource] = [coolify_server]
        if args.ghcr_login is not None:
            login = args.ghcr_login
            target = login.ssh_override
            registry_login = RegistryLogin(
                f"{name}-ghcr-login",
                RegistryLoginArgs(
                    host=target.host if target else server.ipv4_address,
                    port=target.port if target else 22,
                    user=target.user if target else SERVER_USER,
                    username=login.username,
                    token=login.token,
                    private_key=args.ssh_private_key,
                    registry=GHCR,
                ),
                # After validation: Coolify has installed Docker by then.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[coolify_server]),
            )
            self.image_pull_ready.append(registry_login)
        self.register_outputs(
            {
                "ipv4_address": self.ipv4_address,
                "ipv6_address": self.ipv6_address,
                "server_id": self.server_id,
                "coolify_server_uuid": self.coolify_server_uuid,
            }
        )
