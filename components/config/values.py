"""The public, validated configuration: frozen dataclasses that components consume."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi

from components.reachability_config import DnsConfig, HealthCheckConfig

# The package's public names (components/config/__init__.py re-exports them with load_config).
__all__ = [
    "PROJECT_NAMESPACE",
    "RESERVED_ENV_KEYS",
    "ConfigError",
    "Environment",
    "GhcrLoginConfig",
    "MongoConfig",
    "MongoS3Config",
    "ServerConfig",
    "ServiceConfig",
    "SshTargetConfig",
    "StackConfig",
]

PROJECT_NAMESPACE = "penpal"

# Keys the Service component sets itself; a service's own env may not override them.
RESERVED_ENV_KEYS = frozenset({"NODE_ENV", "PORT", "MONGODB_URI"})


class ConfigError(Exception):
    """The stack configuration is invalid; `problems` lists one message per bad key."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"Invalid stack configuration ({len(self.problems)} problem(s)):\n{lines}")


class Environment(StrEnum):
    """A deployment environment; each has exactly one stack."""

    STAGING = "staging"
    PRODUCTION = "production"

    @property
    def stack_name(self) -> str:
        return "staging" if self is Environment.STAGING else "prod"

    @property
    def domain_prefix(self) -> str:
        """First label of a service's domain: `staging.<service>...` or `prod.<service>...`."""
        return self.stack_name

    @property
    def node_env(self) -> str:
        return self.value

    @property
    def default_image_tag(self) -> str:
        """The tag CI pushes on every commit of the branch that deploys to this environment."""
        return "develop-latest" if self is Environment.STAGING else "main-latest"

    @property
    def webhook_secret_name(self) -> str:
        return "COOLIFY_STAGING_WEBHOOK_URL" if self is Environment.STAGING else "COOLIFY_PROD_WEBHOOK_URL"


@dataclass(frozen=True)
class ServerConfig:
    """`penpal:server`: the Hetzner host this environment's services and database run on."""

    server_type: str
    location: str
    image: str
    volume_size_gb: int | None


@dataclass(frozen=True)
class MongoS3Config:
    """`penpal:mongo.s3`: the bucket backups are also uploaded to; the keys are secret Outputs."""

    endpoint: str
    bucket: str
    region: str
    retention: int
    """Backups kept in the bucket (the copies on the server follow `backup_retention`)."""
    access_key: pulumi.Output[str]
    secret_key: pulumi.Output[str]


@dataclass(frozen=True)
class MongoConfig:
    """`penpal:mongo`: the environment's MongoDB."""

    version: str
    backup_cron: str
    backup_retention: int
    s3: MongoS3Config | None = None
    """Off-server copies of the backups; required in production."""

    @property
    def image(self) -> str:
        return f"mongo:{self.version}"


@dataclass(frozen=True)
class ServiceConfig:
    """One entry of `penpal:services`: everything a service needs in this stack."""

    name: str
    image: str
    port: int
    repo: str
    tag_override: str | None
    env: Mapping[str, str]
    secret_env: Mapping[str, pulumi.Output[str]]
    write_workflow: bool
    node_version: str


@dataclass(frozen=True)
class SshTargetConfig:
    """`penpal:ghcrLoginSsh`: where to SSH for the registry login instead of the server's public address."""

    host: str
    port: int
    user: str


@dataclass(frozen=True)
class GhcrLoginConfig:
    """`penpal:ghcrUsername` + `penpal:ghcrToken`: the server's root user logs in to ghcr.io for private images."""

    username: str
    token: pulumi.Output[str]
    ssh_override: SshTargetConfig | None = None


@dataclass(frozen=True)
class ApiTokens:
    """The plaintext API tokens of this run, for the token check at its start only (never registered).

    The provider tokens come from the stack config or the environment (components/tokens.py).
    """

    coolify: str = field(repr=False)
    hcloud: str = field(repr=False)
    github: str = field(repr=False)
    deploy: str = field(repr=False)
    from_environment: Mapping[str, str] = field(default_factory=dict)
    """Config key -> environment variable, for each provider token the environment gave (components/tokens.py)."""


@dataclass(frozen=True)
class StackConfig:
    """The whole, validated configuration of one stack."""

    environment: Environment
    domain_base: str
    github_owner: str
    image_owner: str
    coolify_url: str
    coolify_token: pulumi.Output[str]
    deploy_token: pulumi.Output[str]
    """`penpal:deployToken`: a Coolify token with only the `deploy` ability, the repos' COOLIFY_API_TOKEN."""
    api_tokens: ApiTokens
    server: ServerConfig
    admin_cidrs: tuple[str, ...]
    ssh_public_key: str
    ssh_private_key: pulumi.Output[str]
    mongo: MongoConfig
    mongo_root_password: pulumi.Output[str]
    services: tuple[ServiceConfig, ...]
    resolve_digests: bool
    dns: DnsConfig | None = None
    """`penpal:dns`; None only in hand-built configs (then no DNS records are planned)."""
    health_check: HealthCheckConfig = field(default_factory=HealthCheckConfig)
    """`penpal:healthCheck`."""
    allow_prod_replacement: bool = False
    """`penpal:allowProdReplacement`: lifts the prod server's protection for a planned move."""
    mongo_root_password_rotated: bool = False
    """`penpal:mongoRootPasswordRotated`: the new password was set inside MongoDB first."""
    ghcr_login: GhcrLoginConfig | None = None
