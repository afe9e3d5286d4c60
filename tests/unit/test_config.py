"""Config is validated once, up front, with one message per bad key that names the expected form."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import ConfigError, Environment, StackConfig, load_config
from tests.unit.conftest import InstallMocks
from tests.unit.outputs import is_secret, resolve
from tests.unit.stack_configs import (
    COOLIFY_TOKEN,
    DB_SERVICE,
    DEPLOY_TOKEN,
    HCLOUD_TOKEN,
    JWT_SECRET,
    MONGO_PASSWORD,
    MONGO_S3,
    SECRET_KEYS,
    SSH_PRIVATE_KEY,
    stack_config,
)


def load(
    install_mocks: InstallMocks, config: dict[str, Any], stack: str = "unit", secret_keys: list[str] | None = None
) -> StackConfig:
    install_mocks(stack=stack, config=config, secret_keys=secret_keys)
    return load_config()


def problems(
    install_mocks: InstallMocks, config: dict[str, Any], stack: str = "unit", secret_keys: list[str] | None = None
) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as raised:
        load(install_mocks, config, stack, secret_keys)
    return raised.value.problems


def with_service(environment: str = "staging", **fields: Any) -> dict[str, Any]:
    service = {"name": DB_SERVICE, "port": 3000, **fields}
    return stack_config(environment, {"penpal:services": [service], "penpal:serviceSecrets": None})


# Valid stacks ----------------------------------------------------------------------------------


def test_staging_config_is_typed_and_defaulted(install_mocks: InstallMocks) -> None:
    cfg = load(install_mocks, stack_config("staging"), stack="staging")
    assert cfg.environment is Environment.STAGING
    assert cfg.domain_base == "penpal-ai.maksou.dev"
    assert cfg.github_owner == "Penpal-AI"
    assert cfg.image_owner == "penpal-ai"  # GHCR references must be lower-case
    assert cfg.server.server_type == "cx22" and cfg.server.location == "fsn1"
    assert cfg.server.image == "ubuntu-24.04" and cfg.server.volume_size_gb is None
    assert cfg.admin_cidrs == ("203.0.113.7/32", "2001:db8::/48")
    assert (cfg.mongo.image, cfg.mongo.backup_cron, cfg.mongo.backup_retention) == ("mongo:7.0", "0 3 * * *", 14)
    assert cfg.resolve_digests is False
    assert [s.name for s in cfg.services] == [DB_SERVICE, "penpal-ai-api"]
    db, api = cfg.services
    assert (db.image, db.repo, db.port, db.tag_override, db.write_workflow) == (
        DB_SERVICE,
        DB_SERVICE,
        3000,
        None,
        False,
    )
    assert dict(db.env) == {"LOG_LEVEL": "debug"}
    assert sorted(db.secret_env) == ["JWT_SECRET"]
    assert dict(api.env) == {} and dict(api.secret_env) == {}

    for output, expected in [
        (cfg.coolify_token, COOLIFY_TOKEN),
        (cfg.deploy_token, DEPLOY_TOKEN),
        (cfg.ssh_private_key, SSH_PRIVATE_KEY),
        (cfg.mongo_root_password, MONGO_PASSWORD),
        (db.secret_env["JWT_SECRET"], JWT_SECRET["staging"]),
    ]:
        assert is_secret(output)
        assert resolve(output) == expected


def test_prod_config(install_mocks: InstallMocks) -> None:
    config = stack_config(
        "production",
        {
            "penpal:resolveDigests": "true",
            "penpal:githubOwner": "penpal-images",
            "penpal:server": {"type": "cpx31", "location": "nbg1", "image": "ubuntu-22.04", "volumeSizeGb": 50},
            "penpal:mongo": {"s3": MONGO_S3},
        },
    )
    config["penpal:services"][0]["tag"] = "sha-0abc123"
    cfg = load(install_mocks, config, stack="prod")
    assert cfg.environment is Environment.PRODUCTION
    assert cfg.resolve_digests is True
    assert cfg.image_owner == "penpal-images"
    assert cfg.server.volume_size_gb == 50 and cfg.server.image == "ubuntu-22.04"
    assert (cfg.mongo.image, cfg.mongo.backup_cron, cfg.mongo.backup_retention) == ("mongo:7", "0 3 * * *", 7)
    assert cfg.services[0].tag_override == "sha-0abc123"
    assert cfg.services[0].write_workflow is True


def test_environment_properties() -> None:
    assert [
        (e.stack_name, e.domain_prefix, e.node_env, e.default_image_tag, e.webhook_secret_name) for e in Environment
    ] == [
        ("staging", "staging", "staging", "develop-latest", "COOLIFY_STAGING_WEBHOOK_URL"),
        ("prod", "prod", "production", "main-latest", "COOLIFY_PROD_WEBHOOK_URL"),
    ]


@pytest.mark.parametrize("tag", ["sha-abcdef0", "sha-0123456", "1.2.3", "0.10.0", "10.0.12"])
def test_valid_tag_overrides(install_mocks: InstallMocks, tag: str) -> None:
    assert load(install_mocks, with_service(tag=tag)).services[0].tag_override == tag


def test_services_may_be_absent(install_mocks: InstallMocks) -> None:
    cfg = load(install_mocks, stack_config("staging", {"penpal:services": None, "penpal:serviceSecrets": None}))
    assert cfg.services == ()


# The errors the issue names, with their exact messages ------------------------------------------


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            "coolify:token",
            "coolify:token is required (a Coolify API token): export COOLIFY_TOKEN=<token> (team setup, CI), or "
            "pulumi config set --secret coolify:token <token>",
        ),
        (
            "hcloud:token",
            "hcloud:token is required (a Hetzner Cloud API token): export HCLOUD_TOKEN=<token> (team setup, CI), or "
            "pulumi config set --secret hcloud:token <token>",
        ),
        (
            "github:token",
            "github:token is required (a GitHub token that can write Actions secrets and repository "
            "contents): export GITHUB_TOKEN=<token> (team setup, CI), or "
            "pulumi config set --secret github:token <token>",
        ),
        (
            "penpal:mongoRootPassword",
            "penpal:mongoRootPassword is required (the MongoDB root password): "
            "pulumi config set --secret penpal:mongoRootPassword <value>",
        ),
    ],
)
def test_missing_token(install_mocks: InstallMocks, key: str, message: str) -> None:
    assert problems(install_mocks, stack_config("staging", {key: None})) == (message,)


def test_token_set_in_plain_text_is_rejected(install_mocks: InstallMocks) -> None:
    secret_keys = [k for k in SECRET_KEYS if k != "coolify:token"]
    assert problems(install_mocks, stack_config(), secret_keys=secret_keys) == (
        "coolify:token must be stored as a secret: export COOLIFY_TOKEN=<token> (team setup, CI), or "
        "pulumi config set --secret coolify:token <token>",
    )


def test_missing_deploy_token_says_how_to_create_one(install_mocks: InstallMocks) -> None:
    (message,) = problems(install_mocks, stack_config("production", {"penpal:deployToken": None}))
    assert message.startswith("penpal:deployToken is required (the deploy-only Coolify token")
    assert "Keys & Tokens -> API Tokens with only the 'deploy' permission" in message
    assert message.endswith("pulumi config set --secret penpal:deployToken <token>")


def test_deploy_token_in_plain_text_is_rejected(install_mocks: InstallMocks) -> None:
    secret_keys = [k for k in SECRET_KEYS if k != "penpal:deployToken"]
    (message,) = problems(install_mocks, stack_config(), secret_keys=secret_keys)
    assert message.startswith("penpal:deployToken must be stored as a secret: create one in Coolify")
    assert message.endswith("pulumi config set --secret penpal:deployToken <token>")


def test_deploy_token_must_not_be_the_stacks_own_token(install_mocks: InstallMocks) -> None:
    (message,) = problems(install_mocks, stack_config("staging", {"penpal:deployToken": COOLIFY_TOKEN}))
    assert message.startswith("penpal:deployToken: must not be the stacks' own coolify:token")
    assert COOLIFY_TOKEN not in message


def test_unknown_environment(install_mocks: InstallMocks) -> None:
    assert problems(install_mocks, stack_config("qa")) == (
        "penpal:environment: expected 'staging' or 'production', got 'qa'",
    )


def test_missing_environment(install_mocks: InstallMocks) -> None:
    assert problems(install_mocks, stack_config("staging", {"penpal:environment": None})) == (
        "penpal:environment is required (staging or production): pulumi config set penpal:environment <value>",
    )


def test_environment_must_match_stack_name(install_mocks: InstallMocks) -> None:
    assert problems(install_mocks, stack_config("staging"), stack="prod") == (
        "penpal:environment: stack 'prod' must use environment 'production', got 'staging'",
    )


@pytest.mark.parametrize(
    "domain",
    [
        "https://penpal-ai.maksou.dev",
        "penpal-ai.maksou.dev/",
        "localhost",
        "Penpal-AI.maksou.dev",
        "-bad.maksou.dev",
        "penpal ai.dev",
    ],
)
def test_bad_domain(install_mocks: InstallMocks, domain: str) -> None:
    assert problems(install_mocks, stack_config("staging", {"penpal:domainBase": domain})) == (
        "penpal:domainBase: expected a lower-case DNS name such as 'penpal-ai.maksou.dev' (no scheme, no path), "
        f"got {domain!r}",
    )


def test_duplicate_service_names(install_mocks: InstallMocks) -> None:
    config = stack_config(
        "staging",
        {
            "penpal:services": [
                {"name": "penpal-ai-api", "port": 8080},
                {"name": "penpal-ai-web", "port": 8081},
                {"name": "penpal-ai-api", "port": 8082},
            ],
            "penpal:serviceSecrets": None,
        },
    )
    assert problems(install_mocks, config) == ("penpal:services[2].name: duplicate service name 'penpal-ai-api'",)


@pytest.mark.parametrize("port", [0, 65536, 70000, -1, "3000", True])
def test_port_out_of_range(install_mocks: InstallMocks, port: Any) -> None:
    assert problems(install_mocks, with_service(port=port)) == (
        f"penpal:services[0].port: expected an integer from 1 to 65535, got {port!r}",
    )


@pytest.mark.parametrize(
    "tag",
    [
        "v1.2.3",
        "latest",
        "develop-latest",
        "main-latest",
        "sha-ABCDEF0",
        "sha-abc",
        "sha-abcdef01",
        "1.2",
        "01.2.3",
        "1.2.3-rc1",
    ],
)
def test_invalid_tag(install_mocks: InstallMocks, tag: str) -> None:
    assert problems(install_mocks, with_service(tag=tag)) == (
        f"penpal:services[0].tag: expected an image tag 'sha-<7 hex digits>' or 'X.Y.Z' (no 'v' prefix), got {tag!r}",
    )


# Other checks ------------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"coolify:token": None, "penpal:domainBase": "https://x.dev"})
    config["penpal:services"][1]["port"] = 0
    with pytest.raises(ConfigError) as raised:
        load(install_mocks, config)
    assert raised.value.problems == (
        "penpal:domainBase: expected a lower-case DNS name such as 'penpal-ai.maksou.dev' (no scheme, no path), "
        "got 'https://x.dev'",
        "coolify:token is required (a Coolify API token): export COOLIFY_TOKEN=<token> (team setup, CI), or "
        "pulumi config set --secret coolify:token <token>",
        "penpal:services[1].port: expected an integer from 1 to 65535, got 0",
    )
    assert str(raised.value).startswith("Invalid stack configuration (3 problem(s)):\n  - penpal:domainBase")


def test_secret_values_never_appear_in_errors(install_mocks: InstallMocks) -> None:
    bad_token = "short-" + HCLOUD_TOKEN[:10]
    bad_password = "has@at:sign/and-more-chars"
    config = stack_config(
        "staging",
        {"hcloud:token": bad_token, "penpal:mongoRootPassword": bad_password, "penpal:sshPrivateKey": "not a pem"},
    )
    with pytest.raises(ConfigError) as raised:
        load(install_mocks, config)
    assert raised.value.problems == (
        "hcloud:token: expected a Hetzner Cloud API token of 64 letters and digits",
        "penpal:sshPrivateKey: expected a PEM private key ('-----BEGIN ... PRIVATE KEY-----')",
        "penpal:mongoRootPassword: expected 16 to 128 characters from A-Z a-z 0-9 . _ ~ - "
        "(other characters would break MONGODB_URI)",
    )
    for secret in (bad_token, bad_password, "not a pem"):
        assert secret not in str(raised.value)


@pytest.mark.parametrize(
    ("cidrs", "message"),
    [
        (["0.0.0.0/0"], "penpal:adminCidrs[0]: SSH must not be open to the whole internet, got '0.0.0.0/0'"),
        (["203.0.113.7/32", "::/0"], "penpal:adminCidrs[1]: SSH must not be open to the whole internet, got '::/0'"),
        (
            ["203.0.113.7/24"],
            "penpal:adminCidrs[0]: expected a CIDR with no host bits set such as '203.0.113.7/32', "
            "got '203.0.113.7/24'",
        ),
        ([], 'penpal:adminCidrs: expected a non-empty list of CIDRs such as ["203.0.113.7/32"], got []'),
    ],
)
def test_admin_cidrs(install_mocks: InstallMocks, cidrs: list[str], message: str) -> None:
    assert problems(install_mocks, stack_config("staging", {"penpal:adminCidrs": cidrs})) == (message,)


def test_reserved_and_invalid_env_keys(install_mocks: InstallMocks) -> None:
    config = with_service(env={"PORT": "1", "bad-key": "x", "OK": "y"})
    assert problems(install_mocks, config) == (
        "penpal:services[0].env: PORT is set by the stack (NODE_ENV, PORT, MONGODB_URI) and cannot be overridden",
        "penpal:services[0].env: expected env var names matching [A-Za-z_][A-Za-z0-9_]*, got 'bad-key'",
    )


def test_secret_env_needs_a_value(install_mocks: InstallMocks) -> None:
    assert problems(install_mocks, with_service(secretEnv=["STRIPE_KEY"])) == (
        "penpal:services[0].secretEnv: STRIPE_KEY has no value: "
        f"pulumi config set --secret --path 'penpal:serviceSecrets.{DB_SERVICE}.STRIPE_KEY' <value>",
    )


def test_service_secrets_must_be_secret(install_mocks: InstallMocks) -> None:
    secret_keys = [k for k in SECRET_KEYS if k != "penpal:serviceSecrets"]
    assert problems(install_mocks, stack_config(), secret_keys=secret_keys) == (
        "penpal:serviceSecrets must be stored as a secret: "
        "pulumi config set --secret --path 'penpal:serviceSecrets.<service>.<ENV_KEY>' <value>",
    )


def test_workflow_is_owned_by_the_prod_stack(install_mocks: InstallMocks) -> None:
    assert problems(install_mocks, with_service("staging", writeWorkflow=True)) == (
        "penpal:services[0].writeWorkflow: the ci.yml file is repository-wide and owned by the prod stack; "
        "set it in Pulumi.prod.yaml only",
    )


def test_unknown_service_key_and_bad_name(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"penpal:services": [{"name": "Penpal_API", "port": 80, "prot": 1}]})
    assert problems(install_mocks, config) == (
        "penpal:services[0]: unknown key 'prot'; did you mean 'port'? (allowed: name, image, port, repo, tag, "
        "env, secretEnv, writeWorkflow, nodeVersion)",
        "penpal:services[0].name: expected lower-case letters, digits and '-', starting with a letter, "
        "at most 50 characters, got 'Penpal_API'",
    )


def test_server_and_mongo_shapes(install_mocks: InstallMocks) -> None:
    config = stack_config(
        "staging",
        {
            "penpal:server": {"location": "fsn1", "volumeSizeGb": 5},
            "penpal:mongo": {"backupCron": "every day", "backupRetention": 0},
        },
    )
    assert problems(install_mocks, config) == (
        "penpal:server.type is required (a Hetzner server type such as 'cx22')",
        "penpal:server.volumeSizeGb: expected an integer from 10 to 10240, got 5",
        "penpal:mongo.backupCron: expected a 5-field cron expression such as '0 3 * * *' or 'daily', "
        "got 'every day': 5 fields are needed (minute hour day month weekday), got 2",
        "penpal:mongo.backupRetention: expected an integer from 1 to 365 (backups kept), got 0",
    )


def test_coolify_url_must_be_a_base_url(install_mocks: InstallMocks) -> None:
    assert problems(install_mocks, stack_config("staging", {"coolify:url": "coolify.example.test/api"})) == (
        "coolify:url: expected an http(s) base URL with no path, such as 'https://coolify.example.com', "
        "got 'coolify.example.test/api'",
    )


def test_resolve_digests_must_be_boolean(install_mocks: InstallMocks) -> None:
    assert problems(install_mocks, stack_config("staging", {"penpal:resolveDigests": "yes"})) == (
        "penpal:resolveDigests: expected true or false, got 'yes'",
    )
