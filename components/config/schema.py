"""The shape of the stack configuration and its rules, as pydantic v2 models.

`StackInput` is validated from the engine's flat config (`namespace:key` -> value). Every model
forbids unknown keys. Each field carries a `Doc`: the form it expects (so a problem reads
`<key>: expected <form>, got <value>`), what a missing key is for, and whether its value is secret
(then it is never repeated). Rules whose message is not "expected ..." raise `rule(...)`; rules that
span several keys raise `rules(...)` from `StackInput`'s after-validator, which pydantic runs only when
every field is valid: for a config with bad fields, `cross_key_problems_of` runs them on the valid ones.
`errors.py` turns pydantic's errors into those lines.

Validation context: `{"stack": <stack name>, "environment": Environment | None}`.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from components.config.values import RESERVED_ENV_KEYS, Environment
from components.cron import cron_problem
from components.health.targets import ResolveError, parse_resolve
from components.reachability_config import (
    DEFAULT_TTL,
    MAX_TTL,
    MIN_TTL,
    PATH_PATTERN,
    read_ca_bundle,
    registrable_domain,
)
from components.tokens import COOLIFY, GITHUB, HCLOUD

RULE = "penpal_rule"
RULES = "penpal_rules"
NOT_JSON = "penpal_not_json"


@dataclass(frozen=True)
class Doc:
    """What a key expects; `required` says what a missing required key is for, `hint` how to set it."""

    expected: str
    required: str | None = None
    hint: str | None = None
    secret: bool = False


def rule(message: str) -> PydanticCustomError:
    """A problem reported as `<key>: <message>`."""
    return PydanticCustomError(RULE, "{message}", {"message": message})


def rules(problems: list[tuple[str, str]]) -> PydanticCustomError:
    """Several problems at once, each `(full key, message)`: rules that span more than one key."""
    return PydanticCustomError(RULES, "{count} problem(s)", {"count": len(problems), "problems": problems})


# Forms -------------------------------------------------------------------------------------------

_SERVICE_NAME = r"^[a-z](?:[a-z0-9-]{0,48}[a-z0-9])?$"
_REPO_NAME = r"^[A-Za-z0-9._-]{1,100}$"
_IMAGE_NAME = r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$"
_GITHUB_OWNER = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$"
_TAG = r"^(?:sha-[0-9a-f]{7}|(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))$"
_VERSION = r"^[0-9]+(?:\.[0-9]+){0,2}$"
# Only URI-unreserved characters: Coolify embeds the password unescaped in its internal_url.
_MONGO_PASSWORD = r"^[A-Za-z0-9._~-]{16,128}$"
_HCLOUD_TOKEN = r"^[A-Za-z0-9]{64}$"
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_SSH_PUBLIC_KEY = re.compile(r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/]+={0,2}( .*)?$")
_PEM_PRIVATE_KEY = re.compile(r"^-----BEGIN [A-Z ]*PRIVATE KEY-----\n.+\n-----END [A-Z ]*PRIVATE KEY-----\n?$", re.S)
# Wider sources need penpal:allowWideAdminCidrs: true.
_NARROWEST_WIDE_PREFIX = {4: 8, 6: 32}


def from_json(value: Any) -> Any:
    """Objects and lists arrive from the engine as JSON text (the loader decodes it; this reports bad JSON)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise PydanticCustomError(NOT_JSON, "text that is not JSON") from None


def _bool_text(value: Any) -> Any:
    """`pulumi config set penpal:key true` arrives as the text 'true'."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _number_as_text(value: Any) -> Any:
    """`pulumi config set --path '...nodeVersion' 20` stores a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _dns_name(value: str) -> str:
    labels = value.split(".")
    if len(value) <= 200 and len(labels) >= 2 and all(_DNS_LABEL.match(label) for label in labels):
        return value
    raise ValueError("not a DNS name")


def _http_base_url(value: str) -> str:
    parts = urlsplit(value)
    ok = (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
    )
    if not ok:
        raise ValueError("not a base URL")
    return value.rstrip("/")


def _ssh_public_key(value: str) -> str:
    if not _SSH_PUBLIC_KEY.match(value.strip()):
        raise ValueError("not an OpenSSH public key")
    return value.strip()


def _pem_private_key(value: str) -> str:
    key = value.strip() + "\n"
    if not _PEM_PRIVATE_KEY.match(key):
        raise ValueError("not a PEM private key")
    return key


def _cron(value: str) -> str:
    problem = cron_problem(value)
    if problem:
        raise rule(f"expected a 5-field cron expression such as '0 3 * * *' or 'daily', got {value!r}: {problem}")
    return value


def _cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ValueError("not a CIDR") from None
    if network.prefixlen == 0:
        raise rule(f"SSH must not be open to the whole internet, got {value!r}")
    return str(network)


def _env_key(value: str) -> str:
    if not _ENV_KEY.match(value):
        raise rule(f"expected env var names matching [A-Za-z_][A-Za-z0-9_]*, got {value!r}")
    if value in RESERVED_ENV_KEYS:
        raise rule(f"{value} is set by the stack (NODE_ENV, PORT, MONGODB_URI) and cannot be overridden")
    return value


def _env_value(value: Any) -> Any:
    """`pulumi config set --path '...env.RETRIES' 3` stores a number (and `true` a boolean): use its text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise rule(f"expected a string, number or boolean, got {value!r}")
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("blank")
    return value


NonBlank = Annotated[StrictStr, AfterValidator(_non_blank)]
EnvKey = Annotated[StrictStr, AfterValidator(_env_key)]
EnvValue = Annotated[StrictStr, BeforeValidator(_env_value)]
Cidr = Annotated[StrictStr, AfterValidator(_cidr), Doc("a CIDR with no host bits set such as '203.0.113.7/32'")]


def _secret(expected: str, required: str | None = None, hint: str | None = None) -> Doc:
    return Doc(expected, required=required, hint=hint, secret=True)


# Objects -----------------------------------------------------------------------------------------


class _Object(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=False)


_SERVER_TYPE = "a Hetzner server type such as 'cx22'"
_LOCATION = "a Hetzner location such as 'fsn1'"


class ServerInput(_Object):
    """`penpal:server`."""

    type: Annotated[NonBlank, Doc(_SERVER_TYPE, required=_SERVER_TYPE)]
    location: Annotated[NonBlank, Doc(_LOCATION, required=_LOCATION)]
    image: Annotated[NonBlank, Doc("a Hetzner image name such as 'ubuntu-24.04'")] = "ubuntu-24.04"
    volume_size_gb: Annotated[StrictInt | None, Field(ge=10, le=10240), Doc("an integer from 10 to 10240")] = None


# Coolify's ValidationPatterns::isValidS3BucketName(): 3-63 of a-z 0-9 . -, no "..", ".-", "-.", no IPv4 form.
_BUCKET = re.compile(r"\A(?=.{3,63}\Z)[a-z0-9][a-z0-9.-]*[a-z0-9]\Z")
_IPV4 = re.compile(r"\A\d{1,3}(\.\d{1,3}){3}\Z")
_MONGO_S3 = "penpal:mongo.s3"


def _s3_bucket(value: str) -> str:
    if _BUCKET.match(value) and not any(pair in value for pair in ("..", ".-", "-.")) and not _IPV4.match(value):
        return value
    raise ValueError("not a bucket name")


def _s3_endpoint(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme == "https" and parts.hostname and not parts.path.strip("/") and not parts.query:
        return value.strip().rstrip("/")
    raise ValueError("not an https endpoint")


class MongoS3Input(_Object):
    """`penpal:mongo.s3`: the S3-compatible bucket backups are also uploaded to (off the server)."""

    endpoint: Annotated[
        StrictStr,
        AfterValidator(_s3_endpoint),
        Doc("an https URL with no path, such as 'https://fsn1.your-objectstorage.com'", required="the S3 endpoint"),
    ]
    bucket: Annotated[
        StrictStr,
        AfterValidator(_s3_bucket),
        Doc("an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens", required="the bucket"),
    ]
    region: Annotated[
        NonBlank, Field(max_length=255), Doc("the bucket's region, such as 'fsn1'", required="the region")
    ]
    access_key: Annotated[
        NonBlank,
        Field(max_length=255),
        _secret("the S3 access key", f"set with --secret --path '{_MONGO_S3}.accessKey'"),
    ]
    secret_key: Annotated[
        NonBlank,
        Field(max_length=255),
        _secret("the S3 secret key", f"set with --secret --path '{_MONGO_S3}.secretKey'"),
    ]
    retention: Annotated[
        StrictInt, Field(ge=1, le=3650), Doc("an integer from 1 to 3650 (backups kept in the bucket)")
    ] = 30


class MongoInput(_Object):
    """`penpal:mongo`."""

    version: Annotated[StrictStr, Field(pattern=_VERSION), Doc("a MongoDB version such as '7' or '7.0'")] = "7"
    backup_cron: Annotated[
        StrictStr, AfterValidator(_cron), Doc("a 5-field cron expression such as '0 3 * * *' or 'daily'")
    ] = "0 3 * * *"
    backup_retention: Annotated[StrictInt, Field(ge=1, le=365), Doc("an integer from 1 to 365 (backups kept)")] = 7
    s3: Annotated[
        MongoS3Input | None,
        Doc("an object {endpoint, bucket, region, accessKey, secretKey, retention?}"),
    ] = None


class ServiceInput(_Object):
    """One entry of `penpal:services`; `image` and `repo` default to `name`."""

    name: Annotated[
        StrictStr,
        Field(pattern=_SERVICE_NAME),
        Doc(
            "lower-case letters, digits and '-', starting with a letter, at most 50 characters",
            required="the service name, e.g. 'penpal-ai-db-service'",
        ),
    ]
    image: Annotated[StrictStr | None, Field(pattern=_IMAGE_NAME), Doc("a lower-case GHCR image name")] = None
    port: Annotated[
        StrictInt,
        Field(ge=1, le=65535),
        Doc("an integer from 1 to 65535", required="the port the service listens on"),
    ]
    repo: Annotated[StrictStr | None, Field(pattern=_REPO_NAME), Doc("a GitHub repository name without owner")] = None
    tag: Annotated[
        StrictStr | None,
        Field(pattern=_TAG),
        Doc("an image tag 'sha-<7 hex digits>' or 'X.Y.Z' (no 'v' prefix)"),
    ] = None
    env: Annotated[dict[EnvKey, EnvValue], Doc("an object of string values {KEY: 'value'}")] = Field(
        default_factory=dict
    )
    secret_env: Annotated[list[EnvKey], Doc("a list of env var names such as ['JWT_SECRET']")] = Field(
        default_factory=list
    )
    write_workflow: Annotated[StrictBool, Doc("true or false")] = False
    node_version: Annotated[
        StrictStr, BeforeValidator(_number_as_text), Field(pattern=_VERSION), Doc("a Node.js version such as '20'")
    ] = "20"

    @field_validator("secret_env")
    @classmethod
    def _no_duplicate_secret_keys(cls, keys: list[str]) -> list[str]:
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise rule(f"duplicate keys: {', '.join(duplicates)}")
        return keys

    @field_validator("write_workflow")
    @classmethod
    def _workflow_owned_by_prod(cls, value: bool, info: ValidationInfo) -> bool:
        if value and (info.context or {}).get("environment") is Environment.STAGING:
            raise rule(
                "the ci.yml file is repository-wide and owned by the prod stack; set it in Pulumi.prod.yaml only"
            )
        return value

    @model_validator(mode="after")
    def _env_and_secret_env_disjoint(self) -> ServiceInput:
        overlap = sorted(set(self.env) & set(self.secret_env))
        if overlap:
            raise rule(f"keys in both env and secretEnv: {', '.join(overlap)}")
        return self


def _resolve_entries(value: dict[str, str]) -> dict[str, str]:
    try:
        parse_resolve(value)
    except ResolveError as error:
        raise rule(str(error)) from None
    return value


def _ca_bundle(value: str) -> str:
    _, problem = read_ca_bundle(value)
    if problem:
        raise rule(problem)
    return value


class DnsInput(_Object):
    """`penpal:dns`; the zone defaults to the registrable domain of `penpal:domainBase`."""

    zone: Annotated[
        StrictStr | None, AfterValidator(_dns_name), Doc("a lower-case DNS name such as 'maksou.dev'")
    ] = None
    ttl: Annotated[
        StrictInt, Field(ge=MIN_TTL, le=MAX_TTL), Doc(f"an integer from {MIN_TTL} to {MAX_TTL} (seconds)")
    ] = DEFAULT_TTL
    manage: Annotated[StrictBool, BeforeValidator(_bool_text), Doc("true or false")] = True


_Seconds = Annotated[StrictInt | StrictFloat, Doc("a number of seconds")]


class HealthCheckInput(_Object):
    """`penpal:healthCheck`."""

    path: Annotated[
        StrictStr, Field(pattern=PATH_PATTERN), Doc("a URL path starting with '/', such as '/health'")
    ] = "/health"
    timeout_seconds: Annotated[
        _Seconds, Field(ge=1, le=3600), Doc("a number of seconds from 1 to 3600")
    ] = 300
    interval_seconds: Annotated[
        _Seconds, Field(gt=0, le=600), Doc("a positive number of seconds up to 600")
    ] = 5
    expected_status: Annotated[
        StrictInt, Field(ge=100, le=599), Doc("an HTTP status from 100 to 599")
    ] = 200
    resolve: Annotated[
        dict[StrictStr, StrictStr],
        AfterValidator(_resolve_entries),
        Doc("an object {<host>: '<address>[:<port>]'}"),
    ] = Field(default_factory=dict)
    ca_bundle: Annotated[
        StrictStr | None, AfterValidator(_ca_bundle), Doc("the path of a PEM file of CA certificates")
    ] = None


class SshTargetInput(_Object):
    """`penpal:ghcrLoginSsh`."""

    host: Annotated[NonBlank, Doc("a host name or IP address", required="where to SSH for the registry login")]
    port: Annotated[StrictInt, Field(ge=1, le=65535), Doc("a port number from 1 to 65535")] = 22
    user: Annotated[
        StrictStr, Field(pattern=r"^[A-Za-z0-9._-]+$"), Doc("a user name of letters, digits, '.', '_' or '-'")
    ] = "root"


_SERVICE_SECRETS = "penpal:serviceSecrets"
# Coolify v4 UI (resources/views/components/security/settings-layout.blade.php): Keys & Tokens -> API Tokens;
# ticking `deploy` there replaces any other selected ability.
DEPLOY_TOKEN_HOWTO = (
    "create one in Coolify under Keys & Tokens -> API Tokens with only the 'deploy' permission, then "
    "pulumi config set --secret penpal:deployToken <token>"
)
_GHCR_USERNAME = "penpal:ghcrUsername"
_GHCR_TOKEN = "penpal:ghcrToken"


class StackInput(BaseModel):
    """The whole stack config as the engine passes it: `penpal:` keys plus the provider keys we read.

    Field order is the order problems are reported in.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    environment: Annotated[
        Environment,
        Field(alias="penpal:environment"),
        Doc("'staging' or 'production'", required="staging or production"),
    ]
    domain_base: Annotated[
        StrictStr,
        AfterValidator(_dns_name),
        Field(alias="penpal:domainBase"),
        Doc(
            "a lower-case DNS name such as 'penpal-ai.maksou.dev' (no scheme, no path)",
            required="e.g. penpal-ai.maksou.dev",
        ),
    ]
    github_owner: Annotated[
        StrictStr,
        Field(alias="github:owner", pattern=_GITHUB_OWNER),
        Doc("a GitHub user or organisation name", required="the GitHub user or organisation"),
    ]
    image_owner: Annotated[
        StrictStr | None,
        Field(alias="penpal:githubOwner", pattern=_GITHUB_OWNER),
        Doc("a GitHub user or organisation name"),
    ] = None
    github_token: Annotated[
        StrictStr,
        Field(alias="github:token"),
        _secret(
            "a GitHub token", "a GitHub token that can write Actions secrets and repository contents", GITHUB.hint()
        ),
    ]
    hcloud_token: Annotated[
        StrictStr,
        Field(alias="hcloud:token", pattern=_HCLOUD_TOKEN),
        _secret("a Hetzner Cloud API token of 64 letters and digits", "a Hetzner Cloud API token", HCLOUD.hint()),
    ]
    coolify_url: Annotated[
        StrictStr,
        AfterValidator(_http_base_url),
        Field(alias="coolify:url"),
        Doc(
            "an http(s) base URL with no path, such as 'https://coolify.example.com'",
            required="the Coolify instance base URL",
        ),
    ]
    coolify_token: Annotated[
        StrictStr, Field(alias="coolify:token"), _secret("a Coolify API token", "a Coolify API token", COOLIFY.hint())
    ]
    deploy_token: Annotated[
        StrictStr,
        Field(alias="penpal:deployToken"),
        _secret(
            "a Coolify API token with only the 'deploy' ability",
            "the deploy-only Coolify token the service repos get as COOLIFY_API_TOKEN",
            hint=DEPLOY_TOKEN_HOWTO,
        ),
    ]
    server: Annotated[
        ServerInput,
        BeforeValidator(from_json),
        Field(alias="penpal:server"),
        Doc(
            "an object {type, location, image?, volumeSizeGb?}",
            required="the Hetzner server",
            hint="pulumi config set --path 'penpal:server.type' cx22 "
            "and pulumi config set --path 'penpal:server.location' fsn1",
        ),
    ]
    allow_wide_admin_cidrs: Annotated[
        StrictBool, BeforeValidator(_bool_text), Field(alias="penpal:allowWideAdminCidrs"), Doc("true or false")
    ] = False
    admin_cidrs: Annotated[
        list[Cidr],
        BeforeValidator(from_json),
        Field(alias="penpal:adminCidrs", min_length=1),
        Doc(
            'a non-empty list of CIDRs such as ["203.0.113.7/32"]',
            required="who may reach SSH",
            hint="pulumi config set --path 'penpal:adminCidrs[0]' 203.0.113.7/32",
        ),
    ]
    ssh_public_key: Annotated[
        StrictStr,
        AfterValidator(_ssh_public_key),
        Field(alias="penpal:sshPublicKey"),
        Doc("an OpenSSH public key such as 'ssh-ed25519 AAAA...'", required="an OpenSSH public key"),
    ]
    ssh_private_key: Annotated[
        StrictStr,
        AfterValidator(_pem_private_key),
        Field(alias="penpal:sshPrivateKey"),
        _secret(
            "a PEM private key ('-----BEGIN ... PRIVATE KEY-----')", "the PEM private key matching penpal:sshPublicKey"
        ),
    ]
    mongo: Annotated[
        MongoInput,
        BeforeValidator(from_json),
        Field(alias="penpal:mongo"),
        Doc("an object {version?, backupCron?, backupRetention?, s3?}"),
    ] = MongoInput()
    mongo_root_password: Annotated[
        StrictStr,
        Field(alias="penpal:mongoRootPassword", pattern=_MONGO_PASSWORD),
        _secret(
            "16 to 128 characters from A-Z a-z 0-9 . _ ~ - (other characters would break MONGODB_URI)",
            "the MongoDB root password",
        ),
    ]
    services: Annotated[
        list[ServiceInput],
        BeforeValidator(from_json),
        Field(alias="penpal:services"),
        Doc("a list of objects {name, port, image?, repo?, tag?, env?, secretEnv?, writeWorkflow?, nodeVersion?}"),
    ] = Field(default_factory=list)
    service_secrets: Annotated[
        dict[StrictStr, dict[StrictStr, StrictStr]],
        BeforeValidator(from_json),
        Field(alias=_SERVICE_SECRETS),
        _secret(
            "an object {<service>: {<ENV_KEY>: <secret value>}}",
            hint=f"pulumi config set --secret --path '{_SERVICE_SECRETS}.<service>.<ENV_KEY>' <value>",
        ),
    ] = Field(default_factory=dict)
    resolve_digests: Annotated[
        StrictBool, BeforeValidator(_bool_text), Field(alias="penpal:resolveDigests"), Doc("true or false")
    ] = False
    dns: Annotated[
        DnsInput,
        BeforeValidator(from_json),
        Field(alias="penpal:dns"),
        Doc("an object {zone?, ttl?, manage?}"),
    ] = DnsInput()
    health_check: Annotated[
        HealthCheckInput,
        BeforeValidator(from_json),
        Field(alias="penpal:healthCheck"),
        Doc("an object {path?, timeoutSeconds?, intervalSeconds?, expectedStatus?, resolve?, caBundle?}"),
    ] = HealthCheckInput()

    @property
    def dns_zone(self) -> str | None:
        """The configured zone, else the registrable domain of domainBase (the zone Hetzner can host)."""
        return self.dns.zone or registrable_domain(self.domain_base)
    allow_prod_replacement: Annotated[
        StrictBool, BeforeValidator(_bool_text), Field(alias="penpal:allowProdReplacement"), Doc("true or false")
    ] = False
    mongo_root_password_rotated: Annotated[
        StrictBool, BeforeValidator(_bool_text), Field(alias="penpal:mongoRootPasswordRotated"), Doc("true or false")
    ] = False
    ghcr_username: Annotated[
        StrictStr | None,
        Field(alias=_GHCR_USERNAME, pattern=_GITHUB_OWNER),
        Doc("a GitHub user name (the owner of the read:packages token)"),
    ] = None
    ghcr_token: Annotated[
        StrictStr | None,
        Field(alias=_GHCR_TOKEN),
        _secret("a GitHub token with read:packages", hint=f"pulumi config set --secret {_GHCR_TOKEN} <token>"),
    ] = None
    ghcr_login_ssh: Annotated[
        SshTargetInput | None,
        BeforeValidator(from_json),
        Field(alias="penpal:ghcrLoginSsh"),
        Doc("an object {host, port?, user?}"),
    ] = None

    @field_validator("environment")
    @classmethod
    def _environment_matches_stack(cls, value: Environment, info: ValidationInfo) -> Environment:
        stack = (info.context or {}).get("stack")
        # Guards against running one environment's config on the other environment's stack.
        if stack in ("staging", "prod") and stack != value.stack_name:
            expected = Environment.STAGING if stack == "staging" else Environment.PRODUCTION
            raise rule(f"stack {stack!r} must use environment {expected.value!r}, got {value.value!r}")
        return value

    @field_validator("admin_cidrs")
    @classmethod
    def _narrow_admin_cidrs(cls, cidrs: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("allow_wide_admin_cidrs"):
            return cidrs
        problems = []
        for index, cidr in enumerate(cidrs):
            network = ipaddress.ip_network(cidr)
            narrowest = _NARROWEST_WIDE_PREFIX[network.version]
            if network.prefixlen < narrowest:
                problems.append(
                    (
                        f"penpal:adminCidrs[{index}]",
                        f"{cidr} lets a network wider than /{narrowest} reach SSH; narrow it, "
                        "or set penpal:allowWideAdminCidrs true if that is really meant",
                    )
                )
        if problems:
            raise rules(problems)
        return cidrs

    @model_validator(mode="after")
    def _across_keys(self, info: ValidationInfo) -> StackInput:
        if (info.context or {}).get("partial"):
            return self
        problems = self.cross_key_problems()
        if problems:
            raise rules(problems)
        return self

    def cross_key_problems(self, invalid: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """The rules that span several keys, as `(full key, message)`.

        `invalid` names the fields that failed their own validation (see `cross_key_problems_of`): a rule
        that reads one of them waits for the next run, the others still say what they find.
        """

        def valid(*fields: str) -> bool:
            return invalid.isdisjoint(fields)

        problems: list[tuple[str, str]] = []
        if valid("environment", "mongo") and self.environment is Environment.PRODUCTION and self.mongo.s3 is None:
            problems.append((
                _MONGO_S3,
                "required in production: backups kept only on the server are lost with it. Set an S3 bucket "
                f"(Hetzner Object Storage works; docs/config.md): pulumi config set --path '{_MONGO_S3}.bucket' "
                "<bucket>, and endpoint, region, accessKey and secretKey (the keys with --secret)",
            ))
        if valid("deploy_token", "coolify_token") and self.deploy_token == self.coolify_token:
            problems.append(
                ("penpal:deployToken", "must not be the stacks' own coolify:token (it never leaves the stacks): "
                 + DEPLOY_TOKEN_HOWTO)
            )
        if valid("services"):
            problems += self._service_problems(secrets_valid=valid("service_secrets"))
        if valid("domain_base", "dns"):
            problems += self._dns_zone_problems()
        # Private images need both: a GitHub user and its read:packages token.
        if valid("ghcr_username", "ghcr_token") and (self.ghcr_username is None) != (self.ghcr_token is None):
            missing, given = (_GHCR_TOKEN, _GHCR_USERNAME) if self.ghcr_token is None else (_GHCR_USERNAME, _GHCR_TOKEN)
            problems.append((missing, f"required when {given} is set (private GHCR images need both)"))
        return problems

    def _service_problems(self, *, secrets_valid: bool) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        seen: set[str] = set()
        repos: dict[str, int] = {}
        for index, service in enumerate(self.services):
            where = f"penpal:services[{index}]"
            if service.name in seen:
                problems.append((f"{where}.name", f"duplicate service name {service.name!r}"))
                continue
            seen.add(service.name)
            # GitHub repository names are case-insensitive.
            repo = (service.repo or service.name).lower()
            if repo in repos:
                other = self.services[repos[repo]].name
                problems.append(
                    (
                        f"{where}.repo",
                        f"repository {service.repo or service.name!r} is already used by {other!r} "
                        f"(penpal:services[{repos[repo]}]); each service deploys from its own repository",
                    )
                )
            repos.setdefault(repo, index)
            if not secrets_valid:
                continue
            values = self.service_secrets.get(service.name, {})
            for env_key in service.secret_env:
                if not values.get(env_key):
                    problems.append(
                        (
                            f"{where}.secretEnv",
                            f"{env_key} has no value: pulumi config set --secret --path "
                            f"'{_SERVICE_SECRETS}.{service.name}.{env_key}' <value>",
                        )
                    )
        if not secrets_valid:
            return problems
        for name in self.service_secrets:
            if name not in seen:
                near = difflib.get_close_matches(name, sorted(seen), n=1)
                suggestion = f"; did you mean {near[0]!r}?" if near else ""
                problems.append(
                    (_SERVICE_SECRETS, f"has values for {name!r}, which is not in penpal:services{suggestion}")
                )
        return problems

    def _dns_zone_problems(self) -> list[tuple[str, str]]:
        zone = self.dns_zone
        if zone is None:
            return [("penpal:dns.zone", f"penpal:domainBase {self.domain_base!r} has no registrable domain")]
        if self.domain_base != zone and not self.domain_base.endswith("." + zone):
            return [("penpal:dns.zone", f"penpal:domainBase {self.domain_base!r} is not inside zone {zone!r}")]
        if self.dns.manage and registrable_domain(zone) != zone:
            # Hetzner Cloud API, POST /zones: "Subdomains are not supported" (public suffix + one label).
            return [("penpal:dns.zone", f"Hetzner hosts zones for registrable domains only, such as "
                                        f"{registrable_domain(zone)!r}, got {zone!r}")]
        return []


def cross_key_problems_of(
    raw: Mapping[str, Any], invalid_keys: set[str], context: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """The rules across keys for a config that failed validation, so that one mistake does not hide another.

    `invalid_keys` are the top-level keys that failed (or were dropped); every other key is validated on
    its own (pydantic runs a model's after-validators only when all its fields are valid).
    """
    invalid: set[str] = set()
    values: dict[str, Any] = {}
    for name, field in StackInput.model_fields.items():
        key = field.alias or name
        if key in invalid_keys:
            invalid.add(name)
        elif key in raw:
            # The field's type with its constraints and validators, as the model validates it.
            annotated: Any = Annotated[field.annotation, *field.metadata]
            adapter: TypeAdapter[Any] = TypeAdapter(annotated)
            try:
                values[name] = adapter.validate_python(raw[key], context=dict(context))
            except ValidationError:
                invalid.add(name)
    # Unset keys take their defaults; a missing required key is among `invalid_keys` already.
    partial = StackInput.model_construct(**values)
    return partial.cross_key_problems(frozenset(invalid))
