"""Provider tokens come from the environment (team setup) or the stack config (local demo), resolved in one place."""

from __future__ import annotations

import base64
from typing import Any

import dill
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.access import access_from_config
from components.config import ConfigError, StackConfig, load_config
from components.coolify.provider import settings_from_config
from components.coolify.resources.project import ProjectProvider
from tests.unit.conftest import InstallMocks
from tests.unit.stack_configs import COOLIFY_TOKEN, DEPLOY_TOKEN, GITHUB_TOKEN, HCLOUD_TOKEN, stack_config

ENV_COOLIFY = "9|coolify-token-from-the-environment"
ENV_HCLOUD = "e" * 64
ENV_GITHUB = "github_pat_from_the_environment"
ENVIRON = {"COOLIFY_TOKEN": ENV_COOLIFY, "HCLOUD_TOKEN": ENV_HCLOUD, "GITHUB_TOKEN": ENV_GITHUB}
NO_TOKENS = {"coolify:token": None, "hcloud:token": None, "github:token": None}


def load(install_mocks: InstallMocks, overrides: dict[str, Any], environ: dict[str, str]) -> StackConfig:
    install_mocks(stack="staging", config=stack_config("staging", overrides))
    return load_config(environ)


def test_tokens_from_the_environment_alone(install_mocks: InstallMocks) -> None:
    cfg = load(install_mocks, NO_TOKENS, ENVIRON)
    access = access_from_config(cfg)
    assert (access.coolify_token, access.hcloud_token, access.github_token) == (ENV_COOLIFY, ENV_HCLOUD, ENV_GITHUB)
    assert access.deploy_token == DEPLOY_TOKEN


def test_the_stack_config_wins_as_in_the_providers(install_mocks: InstallMocks) -> None:
    # pulumi-hcloud / pulumi-github use HCLOUD_TOKEN / GITHUB_TOKEN only when their config key is unset.
    access = access_from_config(load(install_mocks, {}, ENVIRON))
    assert (access.coolify_token, access.hcloud_token, access.github_token) == (COOLIFY_TOKEN, HCLOUD_TOKEN,
                                                                                GITHUB_TOKEN)


def test_config_and_environment_may_be_mixed(install_mocks: InstallMocks) -> None:
    access = access_from_config(load(install_mocks, {"hcloud:token": None}, {"HCLOUD_TOKEN": ENV_HCLOUD}))
    assert (access.coolify_token, access.hcloud_token, access.github_token) == (COOLIFY_TOKEN, ENV_HCLOUD,
                                                                                GITHUB_TOKEN)


def test_neither_set_names_the_key_and_the_variable(install_mocks: InstallMocks) -> None:
    # An empty variable counts as unset, as it does for the bridged providers.
    with pytest.raises(ConfigError) as raised:
        load(install_mocks, NO_TOKENS, {"HCLOUD_TOKEN": ""})
    assert raised.value.problems == (
        "github:token is required (a GitHub token that can write Actions secrets and repository contents): "
        "export GITHUB_TOKEN=<token> (team setup, CI), or pulumi config set --secret github:token <token>",
        "hcloud:token is required (a Hetzner Cloud API token): "
        "export HCLOUD_TOKEN=<token> (team setup, CI), or pulumi config set --secret hcloud:token <token>",
        "coolify:token is required (a Coolify API token): "
        "export COOLIFY_TOKEN=<token> (team setup, CI), or pulumi config set --secret coolify:token <token>",
    )


def test_a_bad_token_from_the_environment_names_the_variable_not_the_value(install_mocks: InstallMocks) -> None:
    bad = "short-hcloud-token"
    with pytest.raises(ConfigError) as raised:
        load(install_mocks, {"hcloud:token": None}, {"HCLOUD_TOKEN": bad})
    assert raised.value.problems == (
        "hcloud:token (from HCLOUD_TOKEN): expected a Hetzner Cloud API token of 64 letters and digits",
    )
    assert bad not in str(raised.value)


def test_a_token_in_plain_text_config_is_refused_not_replaced_by_the_environment(
    install_mocks: InstallMocks,
) -> None:
    install_mocks(stack="staging", config=stack_config("staging"),
                  secret_keys=["github:token", "coolify:token", "penpal:deployToken", "penpal:sshPrivateKey",
                               "penpal:mongoRootPassword", "penpal:serviceSecrets", "penpal:mongo"])
    with pytest.raises(ConfigError) as raised:
        load_config(ENVIRON)
    assert raised.value.problems == (
        "hcloud:token must be stored as a secret: export HCLOUD_TOKEN=<token> (team setup, CI), or "
        "pulumi config set --secret hcloud:token <token>",
    )


def test_the_deploy_token_must_differ_from_an_environment_token(install_mocks: InstallMocks) -> None:
    with pytest.raises(ConfigError) as raised:
        load(install_mocks, NO_TOKENS, {**ENVIRON, "COOLIFY_TOKEN": DEPLOY_TOKEN})
    (problem,) = raised.value.problems
    assert problem.startswith("penpal:deployToken: must not be the stacks' own coolify:token")


# The Coolify dynamic provider resolves its token the same way, in its own process ---------------------


def test_coolify_provider_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOLIFY_TOKEN", ENV_COOLIFY)
    settings = settings_from_config({"coolify:url": "https://coolify.example.test"})
    assert settings is not None and settings.token == ENV_COOLIFY
    settings = settings_from_config({"coolify:url": "https://coolify.example.test", "coolify:token": COOLIFY_TOKEN})
    assert settings is not None and settings.token == COOLIFY_TOKEN


def test_coolify_provider_without_a_token_is_unconfigured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOLIFY_TOKEN", "")
    assert settings_from_config({"coolify:url": "https://coolify.example.test"}) is None


def test_a_configured_coolify_provider_pickles_without_its_token(monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK stores each dynamic resource's provider, serialized so, as its `__provider` input and output.
    monkeypatch.setenv("COOLIFY_TOKEN", ENV_COOLIFY)
    settings = settings_from_config({"coolify:url": "https://coolify.example.test"})
    assert settings is not None
    provider = ProjectProvider.configured(settings)
    assert provider.settings.token == ENV_COOLIFY
    pickled = base64.b64decode(serialize_provider(provider))
    assert ENV_COOLIFY.encode() not in pickled
    assert dill.loads(pickled)._settings is None
