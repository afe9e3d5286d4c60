"""DNS for service domains in a Hetzner DNS zone (Hetzner Cloud API zones and RRsets, pulumi-hcloud 1.31).

The zone is shared by both stacks and has exactly one owner, the prod stack: it creates the zone
with Hetzner delete protection, `protect` and `retain_on_delete`, so no stack ever deletes it. The
staging stack adopts it by name (an RRset's `zone` is "ID or Name of the parent Zone"). Each
service's A and AAAA RRsets are children of its `Service`, so they go away with the service.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_hcloud as hcloud

from components.config import Environment
from components.reachability_config import DnsConfig

ZONE_OWNER = Environment.PRODUCTION
RECORD_TYPES = ("A", "AAAA")


def record_name(fqdn: str, zone: str) -> str:
    """The RRset name relative to the zone: `staging.svc.penpal-ai` in `maksou.dev`; `@` for the apex.

    Hetzner Cloud API, POST /zones/{id_or_name}/rrsets: the name "must not end with a dot or the
    Zone name"; "For the Zone apex, use `@`".
    """
    if fqdn == zone:
        return "@"
    suffix = "." + zone
    if not fqdn.endswith(suffix):
        raise ValueError(f"{fqdn} is not inside DNS zone {zone}")
    return fqdn[: -len(suffix)]


@dataclass(frozen=True)
class PlannedRecord:
    """One record as a person would type it into a DNS console."""

    name: str
    """Fully qualified, without the final dot."""
    type: str
    value: pulumi.Input[str]
    ttl: int

    def as_output(self) -> pulumi.Output[dict[str, object]]:
        return pulumi.Output.from_input(self.value).apply(
            lambda value: {"name": self.name, "type": self.type, "value": value, "ttl": self.ttl}
        )


def planned_records(fqdn: str, ipv4: pulumi.Input[str], ipv6: pulumi.Input[str], ttl: int) -> list[PlannedRecord]:
    return [PlannedRecord(fqdn, "A", ipv4, ttl), PlannedRecord(fqdn, "AAAA", ipv6, ttl)]


def shared_zone(dns: DnsConfig, environment: Environment, labels: dict[str, str]) -> pulumi.Output[str]:
    """The zone reference for RRsets: the owner's Zone resource (ordering records after it), or its name."""
    if environment is not ZONE_OWNER:
        # Adopted: created by the prod stack; deploy prod first (an RRset in a missing zone is a 404).
        return pulumi.Output.from_input(dns.zone)
    zone = hcloud.Zone(
        "dns-zone",
        name=dns.zone,
        mode="primary",
        delete_protection=True,
        labels=labels,
        # Shared by both stacks: never replaced or deleted by one of them.
        opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True),
    )
    return zone.name


@dataclass(frozen=True)
class ServiceDnsArgs:
    fqdn: str
    zone: pulumi.Input[str]
    """Zone name or id, from `shared_zone`."""
    zone_name: str
    ipv4: pulumi.Input[str]
    ipv6: pulumi.Input[str]
    ttl: int
    labels: dict[str, str]


class ServiceDns(pulumi.ComponentResource):
    """The A and AAAA RRsets of one service domain, pointing at the environment's server."""

    TYPE = "penpal:infra:ServiceDns"

    def __init__(self, name: str, args: ServiceDnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        rr_name = record_name(args.fqdn, args.zone_name)
        values = {"A": args.ipv4, "AAAA": args.ipv6}
        self.rrsets = {
            record_type: hcloud.ZoneRrset(
                f"{name}-{record_type.lower()}",
                zone=args.zone,
                name=rr_name,
                type=record_type,
                ttl=args.ttl,
                records=[hcloud.ZoneRrsetRecordArgs(value=values[record_type])],
                labels=args.labels,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for record_type in RECORD_TYPES
        }
        self.register_outputs({"ids": {t: r.id for t, r in self.rrsets.items()}})
