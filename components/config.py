"""Typed stack configuration, read and validated once from `pulumi.Config`.

`load_config()` returns one frozen `StackConfig` tree or raises a single `ConfigError` that lists
every problem found, each naming the config key and the expected form. Secret values are checked
synchronously (so a bad password fails before any resource is registered), then handed on only as
secret `pulumi.Output`s; they never appear in error text.

Every key is documented in docs/config.md.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pulumi

PROJECT_NAMESPACE = "penpal"

# Keys the Service component sets itself; a service's own env may not override them.
RESERVED_ENV_KEYS = frozenset({"NODE_ENV", "PORT", "MONGODB_URI"})

_SERVICE_NAME = re.compile(r"^[a-z](?:[a-z0-9-]{0,48}[a-z0-9])?$")
_REPO_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_IMAGE_NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")
_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$")
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_SHA_TAG = re.compile(r"^sha-[0-9a-f]{7}$")
_SEMVER_TAG = re.compile(r"^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)$")
_MONGO_VERSION = re.compile(r"^[0-9]+(?:\.[0-9]+){0,2}$")
_CRON_FIELD = re.compile(r"^[0-9*/,\-A-Za-z]+$")
_CRON_ALIASES = frozenset(
    {"every_minute", "hourly", "daily", "weekly", "monthly", "yearly"}
    | {"@hourly", "@daily", "@weekly", "@monthly", "@yearly"}
)
# Only URI-unreserved characters: Coolify embeds the password unescaped in its internal_url.
_MONGO_PASSWORD = re.compile(r"^[A-Za-z0-9._~-]{16,128}$")
_SSH_PUBLIC_KEY = re.compile(r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/]+={0,2}( .*)?$")
_PEM_PRIVATE_KEY = re.compile(r"^-----BEGIN [A-Z ]*PRIVATE KEY-----\n.+\n-----END [A-Z ]*PRIVATE KEY-----\n?$", re.S)
_HCLOUD_TOKEN = re.compile(r"^[A-Za-z0-9]{64}$")

_SERVICE_KEYS = ("name", "image", "port", "repo", "tag", "env", "secretEnv", "writeWorkflow", "nodeVersion")
_SERVER_KEYS = ("type", "location", "image", "volumeSizeGb")
_MONGO_KEYS = ("version", "backupCron", "backupRetention")


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
class MongoConfig:
    """`penpal:mongo`: the environment's MongoDB."""

    version: str
    backup_cron: str
    backup_retention: int

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
class StackConfig:
    """The whole, validated configuration of one stack."""

    environment: Environment
    domain_base: str
    github_owner: str
    image_owner: str
    coolify_url: str
    coolify_token: pulumi.Output[str]
    server: ServerConfig
    admin_cidrs: tuple[str, ...]
    ssh_public_key: str
    ssh_private_key: pulumi.Output[str]
    mongo: MongoConfig
    mongo_root_password: pulumi.Output[str]
    services: tuple[ServiceConfig, ...]
    resolve_digests: bool


_T = TypeVar("_T")


class _Reader:
    """Reads raw config values and collects problems instead of stopping at the first one."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    @staticmethod
    def raw(key: str) -> Any:
        return pulumi.runtime.get_config(key)

    def optional_str(self, key: str) -> str | None:
        value = self.raw(key)
        if value is None or value == "":
            return None
        return str(value)

    def required_str(self, key: str, what: str) -> str | None:
        value = self.optional_str(key)
        if value is None:
            self.fail(f"{key} is required ({what}): pulumi config set {key} <value>")
        return value

    def required_secret(self, key: str, what: str) -> str | None:
        value = self.optional_str(key)
        if value is None:
            self.fail(f"{key} is required ({what}): pulumi config set --secret {key} <value>")
            return None
        if not pulumi.runtime.is_config_secret(key):
            self.fail(f"{key} must be stored as a secret: pulumi config set --secret {key} <value>")
            return None
        return value

    def optional_json(self, key: str, expected: str) -> tuple[bool, Any]:
        """(present, value); objects and lists arrive as JSON text from the engine."""
        value = self.raw(key)
        if value is None or value == "":
            return False, None
        if not isinstance(value, str):
            return True, value
        try:
            return True, json.loads(value)
        except json.JSONDecodeError:
            self.fail(f"{key}: expected {expected}, got text that is not JSON")
            return True, None

    def optional_bool(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is None or value == "":
            return default
        text = str(value).lower()
        if text in ("true", "false"):
            return text == "true"
        self.fail(f"{key}: expected true or false, got {value!r}")
        return default


def _qualified(key: str) -> str:
    return f"{PROJECT_NAMESPACE}:{key}"


def _check(reader: _Reader, key: str, value: _T | None, valid: Callable[[_T], bool], expected: str) -> _T | None:
    """Returns the value when valid; otherwise records `<key>: expected <form>, got <value>`."""
    if value is None:
        return None
    if valid(value):
        return value
    reader.fail(f"{key}: expected {expected}, got {value!r}")
    return None


def _is_dns_name(value: str) -> bool:
    labels = value.split(".")
    return len(value) <= 200 and len(labels) >= 2 and all(_DNS_LABEL.match(label) for label in labels)


def _is_http_base_url(value: str) -> bool:
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_valid_tag(tag: str) -> bool:
    return bool(_SHA_TAG.match(tag) or _SEMVER_TAG.match(tag))


def _is_cron(value: str) -> bool:
    if value in _CRON_ALIASES:
        return True
    fields = value.split()
    return len(fields) == 5 and all(_CRON_FIELD.match(field) for field in fields)


def _unknown_keys(reader: _Reader, where: str, item: Mapping[str, Any], allowed: Sequence[str]) -> None:
    for key in sorted(set(item) - set(allowed)):
        reader.fail(f"{where}: unknown key {key!r} (allowed: {', '.join(allowed)})")


def _read_environment(reader: _Reader) -> Environment | None:
    key = _qualified("environment")
    value = reader.required_str(key, "staging or production")
    if value is None:
        return None
    try:
        environment = Environment(value)
    except ValueError:
        reader.fail(f"{key}: expected 'staging' or 'production', got {value!r}")
        return None
    stack = pulumi.get_stack()
    # Guards against running one environment's config on the other environment's stack.
    if stack in ("staging", "prod") and stack != environment.stack_name:
        reader.fail(f"{key}: stack {stack!r} must use environment {_stack_environment(stack)!r}, got {value!r}")
        return None
    return environment


def _stack_environment(stack: str) -> str:
    return Environment.STAGING.value if stack == "staging" else Environment.PRODUCTION.value


def _read_server(reader: _Reader) -> ServerConfig | None:
    key = _qualified("server")
    expected = "an object {type, location, image?, volumeSizeGb?}"
    present, raw = reader.optional_json(key, expected)
    if not present:
        reader.fail(
            f"{key} is required (the Hetzner server): pulumi config set --path '{key}.type' cx22 "
            f"and pulumi config set --path '{key}.location' fsn1"
        )
        return None
    if not isinstance(raw, dict):
        if raw is not None:
            reader.fail(f"{key}: expected {expected}, got {raw!r}")
        return None
    _unknown_keys(reader, key, raw, _SERVER_KEYS)
    problems_before = len(reader.problems)
    server_type = _required_field(reader, key, raw, "type", "a Hetzner server type such as 'cx22'")
    location = _required_field(reader, key, raw, "location", "a Hetzner location such as 'fsn1'")
    image = raw.get("image", "ubuntu-24.04")
    if not isinstance(image, str) or not image:
        reader.fail(f"{key}.image: expected a Hetzner image name such as 'ubuntu-24.04', got {image!r}")
    volume = raw.get("volumeSizeGb")
    if volume is not None and not (_is_int(volume) and 10 <= volume <= 10240):
        reader.fail(f"{key}.volumeSizeGb: expected an integer from 10 to 10240, got {volume!r}")
    if len(reader.problems) != problems_before or server_type is None or location is None:
        return None
    return ServerConfig(server_type=server_type, location=location, image=image, volume_size_gb=volume)


def _required_field(reader: _Reader, where: str, item: Mapping[str, Any], field: str, expected: str) -> str | None:
    value = item.get(field)
    if value is None:
        reader.fail(f"{where}.{field} is required ({expected})")
        return None
    if not isinstance(value, str) or not value.strip():
        reader.fail(f"{where}.{field}: expected {expected}, got {value!r}")
        return None
    return value


def _read_admin_cidrs(reader: _Reader) -> tuple[str, ...]:
    key = _qualified("adminCidrs")
    expected = 'a non-empty list of CIDRs such as ["203.0.113.7/32"]'
    present, raw = reader.optional_json(key, expected)
    if not present:
        reader.fail(f"{key} is required (who may reach SSH): pulumi config set --path '{key}[0]' 203.0.113.7/32")
        return ()
    if not isinstance(raw, list) or not raw:
        if raw is not None:
            reader.fail(f"{key}: expected {expected}, got {raw!r}")
        return ()
    cidrs: list[str] = []
    for index, value in enumerate(raw):
        where = f"{key}[{index}]"
        try:
            network = ipaddress.ip_network(value, strict=True) if isinstance(value, str) else None
        except ValueError:
            network = None
        if network is None:
            reader.fail(f"{where}: expected a CIDR with no host bits set such as '203.0.113.7/32', got {value!r}")
        elif network.prefixlen == 0:
            reader.fail(f"{where}: SSH must not be open to the whole internet, got {value!r}")
        else:
            cidrs.append(str(network))
    return tuple(cidrs)


def _read_mongo(reader: _Reader) -> MongoConfig | None:
    key = _qualified("mongo")
    expected = "an object {version?, backupCron?, backupRetention?}"
    _, raw = reader.optional_json(key, expected)
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        reader.fail(f"{key}: expected {expected}, got {raw!r}")
        return None
    _unknown_keys(reader, key, raw, _MONGO_KEYS)
    problems_before = len(reader.problems)
    version = _check(
        reader,
        f"{key}.version",
        raw.get("version", "7"),
        lambda v: isinstance(v, str) and bool(_MONGO_VERSION.match(v)),
        "a MongoDB version such as '7' or '7.0'",
    )
    cron = _check(
        reader,
        f"{key}.backupCron",
        raw.get("backupCron", "0 3 * * *"),
        lambda v: isinstance(v, str) and _is_cron(v),
        "a 5-field cron expression such as '0 3 * * *' or 'daily'",
    )
    retention = _check(
        reader,
        f"{key}.backupRetention",
        raw.get("backupRetention", 7),
        lambda v: _is_int(v) and 1 <= v <= 365,
        "an integer from 1 to 365 (backups kept)",
    )
    if len(reader.problems) != problems_before or version is None or cron is None or retention is None:
        return None
    return MongoConfig(version=version, backup_cron=cron, backup_retention=retention)


def _read_services(reader: _Reader, environment: Environment | None) -> tuple[ServiceConfig, ...]:
    key = _qualified("services")
    expected = "a list of objects {name, port, image?, repo?, tag?, env?, secretEnv?, writeWorkflow?, nodeVersion?}"
    present, raw = reader.optional_json(key, expected)
    if not present:
        return ()
    if not isinstance(raw, list):
        if raw is not None:
            reader.fail(f"{key}: expected {expected}, got {raw!r}")
        return ()
    secrets = _read_service_secrets(reader)
    services: list[ServiceConfig] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        service = _read_service(reader, f"{key}[{index}]", item, environment, secrets)
        if service is None:
            continue
        if service.name in seen:
            reader.fail(f"{key}[{index}].name: duplicate service name {service.name!r}")
            continue
        seen.add(service.name)
        services.append(service)
    return tuple(services)


def _read_service_secrets(reader: _Reader) -> Mapping[str, Mapping[str, str]] | None:
    """The secret values of every service, or None when the key is unusable (already reported)."""
    key = _qualified("serviceSecrets")
    expected = "an object {<service>: {<ENV_KEY>: <secret value>}}"
    present, raw = reader.optional_json(key, expected)
    if not present:
        return {}
    if raw is None:
        return None
    if not pulumi.runtime.is_config_secret(key):
        reader.fail(
            f"{key} must be stored as a secret: pulumi config set --secret --path '{key}.<service>.<ENV_KEY>' <value>"
        )
        return None
    valid = isinstance(raw, dict) and all(
        isinstance(values, dict) and all(isinstance(v, str) for v in values.values()) for values in raw.values()
    )
    if not valid:
        # The value is secret: describe the shape only, never echo it.
        reader.fail(f"{key}: expected {expected}")
        return None
    return raw


def _read_service(
    reader: _Reader,
    where: str,
    item: Any,
    environment: Environment | None,
    secrets: Mapping[str, Mapping[str, str]] | None,
) -> ServiceConfig | None:
    if not isinstance(item, dict):
        reader.fail(f"{where}: expected an object {{name, port, ...}}, got {item!r}")
        return None
    _unknown_keys(reader, where, item, _SERVICE_KEYS)
    problems_before = len(reader.problems)

    name = item.get("name")
    if name is None:
        reader.fail(f"{where}.name is required (the service name, e.g. 'penpal-ai-db-service')")
    name = _check(
        reader,
        f"{where}.name",
        name,
        lambda v: isinstance(v, str) and bool(_SERVICE_NAME.match(v)),
        "lower-case letters, digits and '-', starting with a letter, at most 50 characters",
    )
    image = _check(
        reader,
        f"{where}.image",
        item.get("image", name),
        lambda v: isinstance(v, str) and bool(_IMAGE_NAME.match(v)),
        "a lower-case GHCR image name",
    )
    port = item.get("port")
    if port is None:
        reader.fail(f"{where}.port is required (the port the service listens on)")
    port = _check(reader, f"{where}.port", port, lambda v: _is_int(v) and 1 <= v <= 65535, "an integer from 1 to 65535")
    repo = _check(
        reader,
        f"{where}.repo",
        item.get("repo", name),
        lambda v: isinstance(v, str) and bool(_REPO_NAME.match(v)),
        "a GitHub repository name without owner",
    )
    tag = _check(
        reader,
        f"{where}.tag",
        item.get("tag"),
        lambda v: isinstance(v, str) and _is_valid_tag(v),
        "an image tag 'sha-<7 hex digits>' or 'X.Y.Z' (no 'v' prefix)",
    )
    env = _read_plain_env(reader, f"{where}.env", item.get("env", {}))
    secret_env = _read_secret_env(reader, f"{where}.secretEnv", item.get("secretEnv", []), name, secrets)
    write_workflow = _check(
        reader,
        f"{where}.writeWorkflow",
        item.get("writeWorkflow", False),
        lambda v: isinstance(v, bool),
        "true or false",
    )
    node_version = _check(
        reader,
        f"{where}.nodeVersion",
        str(item.get("nodeVersion", "20")),
        lambda v: bool(re.match(r"^[0-9]+(\.[0-9]+){0,2}$", v)),
        "a Node.js version such as '20'",
    )
    if write_workflow and environment is Environment.STAGING:
        reader.fail(
            f"{where}.writeWorkflow: the ci.yml file is repository-wide and owned by the prod stack; "
            "set it in Pulumi.prod.yaml only"
        )
    overlap = sorted(set(env) & set(secret_env))
    if overlap:
        reader.fail(f"{where}: keys in both env and secretEnv: {', '.join(overlap)}")
    if len(reader.problems) != problems_before:
        return None
    assert name is not None and image is not None and port is not None and repo is not None
    assert node_version is not None
    return ServiceConfig(
        name=name,
        image=image,
        port=port,
        repo=repo,
        tag_override=tag,
        env=MappingProxyType(dict(env)),
        secret_env=MappingProxyType(dict(secret_env)),
        write_workflow=bool(write_workflow),
        node_version=node_version,
    )


def _read_plain_env(reader: _Reader, where: str, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        reader.fail(f"{where}: expected an object of string values {{KEY: 'value'}}, got {raw!r}")
        return {}
    _check_env_keys(reader, where, list(raw))
    return dict(raw)


def _read_secret_env(
    reader: _Reader,
    where: str,
    raw: Any,
    service: str | None,
    secrets: Mapping[str, Mapping[str, str]] | None,
) -> dict[str, pulumi.Output[str]]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        reader.fail(f"{where}: expected a list of env var names such as ['JWT_SECRET'], got {raw!r}")
        return {}
    _check_env_keys(reader, where, raw)
    if service is None or secrets is None:
        return {}
    values = secrets.get(service, {})
    result: dict[str, pulumi.Output[str]] = {}
    for env_key in raw:
        secret_key = f"{_qualified('serviceSecrets')}.{service}.{env_key}"
        if env_key not in values or values[env_key] == "":
            reader.fail(f"{where}: {env_key} has no value: pulumi config set --secret --path '{secret_key}' <value>")
            continue
        result[env_key] = pulumi.Output.secret(values[env_key])
    return result


def _check_env_keys(reader: _Reader, where: str, keys: Sequence[str]) -> None:
    for env_key in keys:
        if not _ENV_KEY.match(env_key):
            reader.fail(f"{where}: expected env var names matching [A-Za-z_][A-Za-z0-9_]*, got {env_key!r}")
        elif env_key in RESERVED_ENV_KEYS:
            reader.fail(
                f"{where}: {env_key} is set by the stack (NODE_ENV, PORT, MONGODB_URI) and cannot be overridden"
            )
    duplicates = sorted({k for k in keys if list(keys).count(k) > 1})
    if duplicates:
        reader.fail(f"{where}: duplicate keys: {', '.join(duplicates)}")


def load_config() -> StackConfig:
    """Reads and validates the whole stack configuration; raises ConfigError listing every problem."""
    reader = _Reader()
    environment = _read_environment(reader)

    domain_key = _qualified("domainBase")
    domain_base = _check(
        reader,
        domain_key,
        reader.required_str(domain_key, "e.g. penpal-ai.maksou.dev"),
        _is_dns_name,
        "a lower-case DNS name such as 'penpal-ai.maksou.dev' (no scheme, no path)",
    )

    github_owner = _check(
        reader,
        "github:owner",
        reader.required_str("github:owner", "the GitHub user or organisation"),
        lambda v: bool(_GITHUB_OWNER.match(v)),
        "a GitHub user or organisation name",
    )
    image_owner_key = _qualified("githubOwner")
    image_owner = _check(
        reader,
        image_owner_key,
        reader.optional_str(image_owner_key),
        lambda v: bool(_GITHUB_OWNER.match(v)),
        "a GitHub user or organisation name",
    )
    image_owner = image_owner or github_owner

    reader.required_secret("github:token", "a GitHub token that can write Actions secrets and repository contents")
    hcloud_token = reader.required_secret("hcloud:token", "a Hetzner Cloud API token")
    if hcloud_token is not None and not _HCLOUD_TOKEN.match(hcloud_token):
        reader.fail("hcloud:token: expected a Hetzner Cloud API token of 64 letters and digits")

    coolify_url = _check(
        reader,
        "coolify:url",
        reader.required_str("coolify:url", "the Coolify instance base URL"),
        _is_http_base_url,
        "an http(s) base URL with no path, such as 'https://coolify.example.com'",
    )
    coolify_token = reader.required_secret("coolify:token", "a Coolify API token")

    server = _read_server(reader)
    admin_cidrs = _read_admin_cidrs(reader)

    public_key_key = _qualified("sshPublicKey")
    ssh_public_key = _check(
        reader,
        public_key_key,
        reader.required_str(public_key_key, "an OpenSSH public key"),
        lambda v: bool(_SSH_PUBLIC_KEY.match(v.strip())),
        "an OpenSSH public key such as 'ssh-ed25519 AAAA...'",
    )
    private_key_key = _qualified("sshPrivateKey")
    ssh_private_key = reader.required_secret(private_key_key, "the PEM private key matching penpal:sshPublicKey")
    if ssh_private_key is not None and not _PEM_PRIVATE_KEY.match(ssh_private_key.strip() + "\n"):
        reader.fail(f"{private_key_key}: expected a PEM private key ('-----BEGIN ... PRIVATE KEY-----')")

    mongo = _read_mongo(reader)
    password_key = _qualified("mongoRootPassword")
    mongo_password = reader.required_secret(password_key, "the MongoDB root password")
    if mongo_password is not None and not _MONGO_PASSWORD.match(mongo_password):
        reader.fail(
            f"{password_key}: expected 16 to 128 characters from A-Z a-z 0-9 . _ ~ - "
            "(other characters would break MONGODB_URI)"
        )

    services = _read_services(reader, environment)
    resolve_digests = reader.optional_bool(_qualified("resolveDigests"), default=False)

    if reader.problems:
        raise ConfigError(reader.problems)
    assert environment is not None and domain_base is not None and github_owner is not None
    assert image_owner is not None and coolify_url is not None and coolify_token is not None
    assert server is not None and mongo is not None and ssh_public_key is not None
    assert ssh_private_key is not None and mongo_password is not None
    return StackConfig(
        environment=environment,
        domain_base=domain_base,
        github_owner=github_owner,
        image_owner=image_owner.lower(),
        coolify_url=coolify_url.rstrip("/"),
        coolify_token=pulumi.Output.secret(coolify_token),
        server=server,
        admin_cidrs=admin_cidrs,
        ssh_public_key=ssh_public_key.strip(),
        ssh_private_key=pulumi.Output.secret(ssh_private_key.strip() + "\n"),
        mongo=mongo,
        mongo_root_password=pulumi.Output.secret(mongo_password),
        services=services,
        resolve_digests=resolve_digests,
    )
