"""The rules that catch typos and mistakes before they become deletes (issue 12): unknown keys, crons
Coolify would refuse, orphan secrets, shared repositories, wide SSH sources, numbers as env values."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import ConfigError, StackConfig, load_config
from tests.unit.conftest import InstallMocks
from tests.unit.stack_configs import COOLIFY_TOKEN, DB_SERVICE, MONGO_PASSWORD, SECRET_KEYS, stack_config


def load(install_mocks: InstallMocks, config: dict[str, Any], secret_keys: list[str] | None = None) -> StackConfig:
    install_mocks(stack="staging", config=config, secret_keys=secret_keys)
    return load_config()


def problems(
    install_mocks: InstallMocks, config: dict[str, Any], secret_keys: list[str] | None = None
) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as raised:
        load(install_mocks, config, secret_keys)
    return raised.value.problems


def with_mongo(**fields: Any) -> dict[str, Any]:
    return stack_config("staging", {"penpal:mongo": fields})


# Unknown keys ------------------------------------------------------------------------------------


def test_a_typo_in_a_top_level_key_is_an_error_with_a_suggestion(install_mocks: InstallMocks) -> None:
    config = stack_config("staging")
    config["penpal:servces"] = config.pop("penpal:services")
    assert problems(install_mocks, config) == (
        "penpal:servces: unknown key; did you mean penpal:services? (every key is listed in docs/config.md)",
    )


def test_an_unknown_key_without_a_near_name(install_mocks: InstallMocks) -> None:
    assert problems(install_mocks, stack_config("staging", {"penpal:zzz": "1"})) == (
        "penpal:zzz: unknown key (every key is listed in docs/config.md)",
    )


def test_an_unknown_key_is_reported_with_the_other_problems_and_first(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"penpal:domainBase": "https://x.dev", "penpal:resolveDigest": "true"})
    assert problems(install_mocks, config) == (
        "penpal:resolveDigest: unknown key; did you mean penpal:resolveDigests? "
        "(every key is listed in docs/config.md)",
        "penpal:domainBase: expected a lower-case DNS name such as 'penpal-ai.maksou.dev' (no scheme, no path), "
        "got 'https://x.dev'",
    )


def test_an_unknown_secret_key_never_shows_its_value(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"penpal:mongoRootPasword": MONGO_PASSWORD})
    found = problems(install_mocks, config, secret_keys=[*SECRET_KEYS, "penpal:mongoRootPasword"])
    assert found == (
        "penpal:mongoRootPasword: unknown key; did you mean penpal:mongoRootPassword? "
        "(every key is listed in docs/config.md)",
    )
    assert MONGO_PASSWORD not in "".join(found)


def test_keys_of_other_namespaces_belong_to_their_providers(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"hcloud:endpoint": "http://127.0.0.1:1/v1", "coolify:insecure": "true"})
    assert load(install_mocks, config).environment.value == "staging"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "penpal:server",
            {"type": "cx22", "locaton": "fsn1"},
            (
                "penpal:server: unknown key 'locaton'; did you mean 'location'? "
                "(allowed: type, location, image, volumeSizeGb)",
                "penpal:server.location is required (a Hetzner location such as 'fsn1')",
            ),
        ),
        (
            "penpal:mongo",
            {"backupCorn": "daily"},
            (
                "penpal:mongo: unknown key 'backupCorn'; did you mean 'backupCron'? "
                "(allowed: version, backupCron, backupRetention, s3)",
            ),
        ),
    ],
)
def test_unknown_fields_of_objects(install_mocks: InstallMocks, key: str, value: Any, message: tuple[str]) -> None:
    assert problems(install_mocks, stack_config("staging", {key: value})) == message


# Cron as Coolify validates it (validate_cron_expression + poliander/cron 3.3.1) ------------------


@pytest.mark.parametrize(
    "cron",
    [
        "0 3 * * *",
        "daily",
        "every_minute",
        "@weekly",
        "@yearly",
        "*/15 * * * *",
        "0 2-5/1 * * 1-5",
        "0,30 */6 1,15 * *",
        "0 3 * * sun",
        "0 3 1 JAN *",
        "0 0 29 2 *",
        "0 3 * * 7",
        "  0   3 * * *  ",
        "5/1 3 * * *",  # a single value with step 1 is that value (poliander/cron validateValue)
    ],
)
def test_crons_coolify_accepts(install_mocks: InstallMocks, cron: str) -> None:
    assert load(install_mocks, with_mongo(backupCron=cron)).mongo.backup_cron == cron


@pytest.mark.parametrize(
    ("cron", "reason"),
    [
        ("0 3 * *", "5 fields are needed (minute hour day month weekday), got 4"),
        ("0 0 * * * *", "5 fields are needed (minute hour day month weekday), got 6"),
        ("@midnight", "5 fields are needed (minute hour day month weekday), got 1"),
        ("0 3 * * mon-fri", "weekday: 'mon-fri' is not a number, '*', a range a-b or a step"),
        ("0 3 * jan,feb *", "month: 'jan' is not a number, '*', a range a-b or a step"),
        ("5/10 * * * *", "minute: a single value takes no step but 1: '5/10'"),
        ("0 3 * *\u00a0*", "5 fields are needed (minute hour day month weekday), got 4"),  # ASCII spaces only
        ("0 0 30 2/1 *", "no date matches this day of month, month and weekday together"),  # 2/1 is February
        ("*/60 * * * *", "minute: the step in '*/60' must be a number from 1 to 59"),
        ("*/0 * * * *", "minute: the step in '*/0' must be a number from 1 to 59"),
        ("0 24 * * *", "hour: '24' is outside 0-23"),
        ("0 3 0 * *", "day of month: '0' is outside 1-31"),
        ("5-3 * * * *", "minute: the range '5-3' runs backwards"),
        ("0 3 L * *", "day of month: 'L' is not a number, '*', a range a-b or a step"),
        ("0 3 * * 1#2", "weekday: '1#2' is not a number, '*', a range a-b or a step"),
        ("0 3 ? * *", "day of month: '?' is not a number, '*', a range a-b or a step"),
        ("0 0 30 2 *", "no date matches this day of month, month and weekday together"),
        # Coolify's parser requires the day of month AND the weekday: 31 February is never a Monday.
        ("0 0 31 2 1", "no date matches this day of month, month and weekday together"),
    ],
)
def test_crons_coolify_refuses(install_mocks: InstallMocks, cron: str, reason: str) -> None:
    assert problems(install_mocks, with_mongo(backupCron=cron)) == (
        f"penpal:mongo.backupCron: expected a 5-field cron expression such as '0 3 * * *' or 'daily', "
        f"got {cron!r}: {reason}",
    )


# Across keys -------------------------------------------------------------------------------------


def test_secrets_for_a_service_that_does_not_exist(install_mocks: InstallMocks) -> None:
    config = stack_config("staging")
    config["penpal:serviceSecrets"]["penpal-ai-apj"] = {"TOKEN": "x"}
    assert problems(install_mocks, config) == (
        "penpal:serviceSecrets: has values for 'penpal-ai-apj', which is not in penpal:services; "
        "did you mean 'penpal-ai-api'?",
    )


def test_secret_values_stay_hidden_when_the_shape_is_wrong(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"penpal:serviceSecrets": {DB_SERVICE: {"JWT_SECRET": ["s3cr3t-value"]}}})
    found = problems(install_mocks, config)
    assert found == ("penpal:serviceSecrets: expected an object {<service>: {<ENV_KEY>: <secret value>}}",)
    assert "s3cr3t-value" not in "".join(found)


@pytest.mark.parametrize(
    ("services", "message"),
    [
        (
            [{"name": "penpal-ai-api", "port": 1}, {"name": "penpal-ai-web", "port": 2, "repo": "penpal-ai-api"}],
            "penpal:services[1].repo: repository 'penpal-ai-api' is already used by 'penpal-ai-api' "
            "(penpal:services[0]); each service deploys from its own repository",
        ),
        (
            [
                {"name": "penpal-ai-api", "port": 1, "repo": "Penpal-API"},
                {"name": "penpal-ai-web", "port": 2},
                {"name": "penpal-ai-job", "port": 3, "repo": "penpal-api"},
            ],
            "penpal:services[2].repo: repository 'penpal-api' is already used by 'penpal-ai-api' "
            "(penpal:services[0]); each service deploys from its own repository",
        ),
    ],
)
def test_two_services_with_the_same_repo(install_mocks: InstallMocks, services: list[Any], message: str) -> None:
    config = stack_config("staging", {"penpal:services": services, "penpal:serviceSecrets": None})
    assert problems(install_mocks, config) == (message,)


# SSH sources -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cidr", "narrowest"), [("10.0.0.0/7", 8), ("0.0.0.0/1", 8), ("2001:d00::/24", 32)])
def test_wide_admin_cidrs_are_refused(install_mocks: InstallMocks, cidr: str, narrowest: int) -> None:
    config = stack_config("staging", {"penpal:adminCidrs": ["203.0.113.7/32", cidr]})
    assert problems(install_mocks, config) == (
        f"penpal:adminCidrs[1]: {cidr} lets a network wider than /{narrowest} reach SSH; narrow it, "
        "or set penpal:allowWideAdminCidrs true if that is really meant",
    )


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "2001:db8::/32"])
def test_the_widest_allowed_admin_cidrs(install_mocks: InstallMocks, cidr: str) -> None:
    assert load(install_mocks, stack_config("staging", {"penpal:adminCidrs": [cidr]})).admin_cidrs == (cidr,)


def test_wide_admin_cidrs_when_allowed(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"penpal:adminCidrs": ["10.0.0.0/7"], "penpal:allowWideAdminCidrs": "true"})
    assert load(install_mocks, config).admin_cidrs == ("10.0.0.0/7",)


def test_the_whole_internet_is_refused_even_when_wide_is_allowed(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"penpal:adminCidrs": ["::/0"], "penpal:allowWideAdminCidrs": "true"})
    assert problems(install_mocks, config) == (
        "penpal:adminCidrs[0]: SSH must not be open to the whole internet, got '::/0'",
    )


def test_allow_wide_admin_cidrs_must_be_boolean(install_mocks: InstallMocks) -> None:
    assert problems(install_mocks, stack_config("staging", {"penpal:allowWideAdminCidrs": "sure"})) == (
        "penpal:allowWideAdminCidrs: expected true or false, got 'sure'",
    )


# Env values set with `pulumi config set --path` ------------------------------------------------


def test_numbers_and_booleans_as_env_values_become_their_text(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"penpal:serviceSecrets": None})
    config["penpal:services"][0] = {"name": DB_SERVICE, "port": 3000, "env": {"RETRIES": 3, "DEBUG": True, "R": 0.5}}
    assert dict(load(install_mocks, config).services[0].env) == {"RETRIES": "3", "DEBUG": "true", "R": "0.5"}


@pytest.mark.parametrize("value", [["a"], {"a": 1}, None])
def test_other_env_values_are_refused(install_mocks: InstallMocks, value: Any) -> None:
    config = stack_config("staging", {"penpal:serviceSecrets": None})
    config["penpal:services"][0] = {"name": DB_SERVICE, "port": 3000, "env": {"X": value}}
    assert problems(install_mocks, config) == (
        f"penpal:services[0].env.X: expected a string, number or boolean, got {value!r}",
    )


# Two mistakes at once: a rule across keys still speaks when another key fails its own check -----------


def test_a_rule_across_keys_is_not_hidden_by_a_bad_value_elsewhere(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"penpal:deployToken": COOLIFY_TOKEN,
                                      "penpal:server": {"type": 5, "location": "fsn1"}})
    assert problems(install_mocks, config) == (
        "penpal:deployToken: must not be the stacks' own coolify:token (it never leaves the stacks): create one "
        "in Coolify under Keys & Tokens -> API Tokens with only the 'deploy' permission, then pulumi config set "
        "--secret penpal:deployToken <token>",
        "penpal:server.type: expected a Hetzner server type such as 'cx22', got 5",
    )


def test_rules_across_keys_wait_for_the_keys_they_read(install_mocks: InstallMocks) -> None:
    # The services fail their own check: the rules about services and their secrets wait, the others speak.
    config = stack_config("staging", {"penpal:services": [{"name": DB_SERVICE, "port": 0}],
                                      "penpal:ghcrUsername": "penpal-bot"})
    assert problems(install_mocks, config) == (
        "penpal:services[0].port: expected an integer from 1 to 65535, got 0",
        "penpal:ghcrToken: required when penpal:ghcrUsername is set (private GHCR images need both)",
    )


def test_a_misspelt_key_does_not_make_the_rules_read_its_default(install_mocks: InstallMocks) -> None:
    # `penpal:services` unset by a typo is not "no services": its secrets are not reported as orphans.
    config = stack_config("staging", {"penpal:ghcrUsername": "penpal-bot"})
    config["penpal:servces"] = config.pop("penpal:services")
    assert problems(install_mocks, config) == (
        "penpal:servces: unknown key; did you mean penpal:services? (every key is listed in docs/config.md)",
        "penpal:ghcrToken: required when penpal:ghcrUsername is set (private GHCR images need both)",
    )


def test_a_secret_in_plain_text_does_not_hide_a_rule_across_other_keys(install_mocks: InstallMocks) -> None:
    config = stack_config("staging", {"penpal:ghcrUsername": "penpal-bot"})
    found = problems(install_mocks, config, secret_keys=[k for k in SECRET_KEYS if k != "penpal:mongoRootPassword"])
    assert found == (
        "penpal:mongoRootPassword must be stored as a secret: pulumi config set --secret penpal:mongoRootPassword "
        "<value>",
        "penpal:ghcrToken: required when penpal:ghcrUsername is set (private GHCR images need both)",
    )
    assert MONGO_PASSWORD not in "".join(found)
