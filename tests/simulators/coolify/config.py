"""Knobs that change how the simulated instance behaves (version, API switch, timings, outcomes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .store import Linger

ELEVATED_ABILITIES = frozenset({"root", "write", "write:sensitive", "deploy", "read:sensitive"})
KNOWN_ABILITIES = frozenset({"read", "write", "deploy", "read:sensitive", "write:sensitive", "root"})

DEFAULT_SUCCESS_LOG = [
    "Starting deployment of {image}.",
    "Pulling image {image}.",
    "Image pulled.",
    "Starting container.",
    "New container started.",
    "Rolling update completed.",
]
DEFAULT_FAILURE_LOG = [
    "Starting deployment of {image}.",
    "Pulling image {image}.",
    "Error response from daemon: manifest for {image} not found: manifest unknown",
    "Deployment failed. Removing the new version of your application.",
]


# Hetzner Object Storage endpoints (<location>.your-objectstorage.com for fsn1, nbg1, hel1: Hetzner's
# object storage docs), resolved to placeholder public addresses the simulator never contacts.
OBJECT_STORAGE_DNS = {
    "fsn1.your-objectstorage.com": ["88.198.120.10"],
    "nbg1.your-objectstorage.com": ["88.198.120.11"],
    "hel1.your-objectstorage.com": ["88.198.120.12"],
}


@dataclass
class Token:
    """A Sanctum personal access token. The whole string is the bearer value."""

    value: str
    abilities: frozenset[str]
    team_id: int | None = 0
    role: str = "owner"  # the token owner's role in its team: owner | admin | member
    expires_at: float | None = None  # time.time() deadline; None never expires

    @property
    def can_read_sensitive(self) -> bool:
        holds = "root" in self.abilities or "read:sensitive" in self.abilities
        return holds and self.role in ("owner", "admin")


@dataclass
class DeployOutcome:
    status: str  # "finished" | "failed"
    log_lines: list[str] | None = None  # None: a default log for the status


@dataclass
class DeployTiming:
    """A deployment leaves a state once it was read `*_polls` times there AND `*_s` seconds passed.

    With `by_time`, deployments move on by the clock alone, on any request, read or not (Coolify's queue
    worker runs ApplicationDeploymentJob on its own); the `*_polls` counts are then ignored.
    """

    queued_polls: int = 1
    in_progress_polls: int = 2
    queued_s: float = 0.0
    in_progress_s: float = 0.0
    by_time: bool = False


@dataclass
class SimHost:
    """The machine behind a server's IP, as validation finds it. A fresh Hetzner server has no Docker."""

    reachable: bool = True
    docker_installed: bool = False
    docker_installable: bool = True  # False: ValidateAndInstallServerJob gives up after its tries
    install_reads: int = 2  # reads of the server while an installing validation is still running


@dataclass
class SimConfig:
    version: str = "4.3.11"
    api_enabled: bool = True
    # Settings > Advanced > "Allowed API IPs" (instance_settings.allowed_ips): comma-separated IPs or CIDRs.
    allowed_ips: str | None = None
    delete_linger: Linger = field(default_factory=Linger)
    deploy_timing: DeployTiming = field(default_factory=DeployTiming)
    default_outcome: DeployOutcome = field(default_factory=lambda: DeployOutcome("finished"))
    outcomes: dict[str, DeployOutcome] = field(default_factory=dict)  # per application uuid
    # Coolify's `throttle:api` limiter: API_RATE_LIMIT requests per minute, 200 by default (config/api.php).
    rate_limit_per_minute: int | None = 200
    # The limiter's window: Limit::perMinute decays after 60 s (RouteServiceProvider). Shorter only in tests.
    rate_window_s: float = 60.0
    # Settings a new server gets instead of Coolify's defaults (concurrent_builds 2, deployment_queue_limit 25).
    server_settings: dict[str, Any] = field(default_factory=dict)
    # The only hosts an S3 endpoint may name (the simulator's DNS; it never connects): host -> IPs.
    s3_dns: dict[str, list[str]] = field(default_factory=lambda: dict(OBJECT_STORAGE_DNS))
    # Buckets a ListObjectsV2 would find: (endpoint host, bucket) -> (access key, secret key).
    s3_buckets: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # The host behind each server IP; an IP not listed is a bare, reachable host (no Docker yet).
    hosts: dict[str, SimHost] = field(default_factory=dict)

    def host(self, ip: str) -> SimHost:
        return self.hosts.setdefault(ip, SimHost())

    def outcome_for(self, app_uuid: str) -> DeployOutcome:
        return self.outcomes.get(app_uuid, self.default_outcome)
