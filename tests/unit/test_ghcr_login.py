"""Private GHCR images: `penpal:ghcrUsername` + `penpal:ghcrToken` (secret) make the host log in to ghcr.io."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.config import ConfigError, Environment, GhcrLoginConfig, SshTargetConfig, load_config
from components.hetzner_host import HetznerHost, HetznerHostArgs
from tests.unit.conftest import InstallMocks
from tests.unit.mocks import SERVER_IPV4, RecordingMocks
from tests.unit.outputs import is_secret, resolve, run_program
from tests.unit.stack_configs import SECRET_KEYS, SSH_PRIVATE_KEY, SSH_PUBLIC_KEY, stack_config

GHCR_TOKEN = "ghp_readPackages0123456789abcdefghijkl"
REGISTRY_LOGIN = "pulumi-python:dynamic/penpal:RegistryLogin"


def load(install_mocks: InstallMocks, overrides: dict[str, Any], secret_keys: list[str]) -> Any:
    install_mocks(stack="staging", config=stack_config("staging", overrides), secret_keys=secret_keys)
    return load_config()


def test_no_ghcr_keys_means_public_images(install_mocks: InstallMocks) -> None:
    assert load(install_mocks, {}, SECRET_KEYS).ghcr_login is None


def test_ghcr_keys_are_read_with_the_token_secret(install_mocks: InstallMocks) -> None:
    cfg = load(install_mocks, {"penpal:ghcrUsername": "penpal-bot", "penpal:ghcrToken": GHCR_TOKEN,
                               "penpal:ghcrLoginSsh": {"host": "127.0.0.1", "port": 2222, "user": "tester"}},
               [*SECRET_KEYS, "penpal:ghcrToken"])
    login = cfg.ghcr_login
    assert login is not None and login.username == "penpal-bot"
    assert resolve(login.token) == GHCR_TOKEN and is_secret(login.token)
    assert login.ssh_override == SshTargetConfig("127.0.0.1", 2222, "tester")


@pytest.mark.parametrize(
    ("overrides", "secret", "expected"),
    [
        ({"penpal:ghcrUsername": "penpal-bot"}, False,
         "penpal:ghcrToken: required when penpal:ghcrUsername is set"),
        ({"penpal:ghcrToken": GHCR_TOKEN}, True, "penpal:ghcrUsername: required when penpal:ghcrToken is set"),
        ({"penpal:ghcrUsername": "penpal-bot", "penpal:ghcrToken": GHCR_TOKEN}, False,
         "penpal:ghcrToken must be stored as a secret"),
        ({"penpal:ghcrUsername": "penpal-bot", "penpal:ghcrToken": GHCR_TOKEN,
          "penpal:ghcrLoginSsh": {"host": "h", "port": 0}}, True,
         "penpal:ghcrLoginSsh.port: expected a port number from 1 to 65535, got 0"),
        ({"penpal:ghcrUsername": "penpal-bot", "penpal:ghcrToken": GHCR_TOKEN,
          "penpal:ghcrLoginSsh": {"host": "h", "proxy": "x"}}, True, "penpal:ghcrLoginSsh: unknown key 'proxy'"),
        ({"penpal:ghcrUsername": "not a user", "penpal:ghcrToken": GHCR_TOKEN}, True,
         "penpal:ghcrUsername: expected a GitHub user name"),
    ],
)
def test_bad_ghcr_keys_are_named(install_mocks: InstallMocks, overrides: dict[str, Any], secret: bool,
                                 expected: str) -> None:
    secrets = [*SECRET_KEYS, "penpal:ghcrToken"] if secret else SECRET_KEYS
    with pytest.raises(ConfigError) as raised:
        load(install_mocks, overrides, secrets)
    assert any(problem.startswith(expected) for problem in raised.value.problems), raised.value.problems


def host(login: GhcrLoginConfig | None) -> HetznerHost:
    return HetznerHost("host", HetznerHostArgs(
        environment=Environment.STAGING, server_type="cx22", location="fsn1", image="ubuntu-24.04",
        admin_cidrs=("203.0.113.7/32",), ssh_public_key=SSH_PUBLIC_KEY,
        ssh_private_key=pulumi.Output.secret(SSH_PRIVATE_KEY), ghcr_login=login))


def test_the_host_logs_root_in_to_ghcr_after_coolify_validated_it(mocks: RecordingMocks) -> None:
    run_program(lambda: host(GhcrLoginConfig("penpal-bot", pulumi.Output.secret(GHCR_TOKEN))))
    login = mocks.one(REGISTRY_LOGIN)
    assert (login.plain("host"), login.plain("port"), login.plain("user")) == (SERVER_IPV4, 22, "root")
    assert (login.plain("registry"), login.plain("username"), login.plain("token")) == (
        "ghcr.io", "penpal-bot", GHCR_TOKEN)
    assert login.plain("private_key") == SSH_PRIVATE_KEY
    # Secrets on the wire to the engine, so state keeps them encrypted.
    assert login.inputs["token"] != GHCR_TOKEN and login.inputs["private_key"] != SSH_PRIVATE_KEY
    assert mocks.one("pulumi-python:dynamic/coolify:Server").urn in login.dependencies


def test_the_ssh_target_can_be_overridden(mocks: RecordingMocks) -> None:
    target = SshTargetConfig("127.0.0.1", 2222, "tester")
    run_program(lambda: host(GhcrLoginConfig("penpal-bot", pulumi.Output.secret(GHCR_TOKEN), target)))
    login = mocks.one(REGISTRY_LOGIN)
    assert (login.plain("host"), login.plain("port"), login.plain("user")) == ("127.0.0.1", 2222, "tester")


def test_without_ghcr_keys_there_is_no_login(mocks: RecordingMocks) -> None:
    run_program(lambda: host(None))
    assert not [r for r in mocks.registered if r.typ == REGISTRY_LOGIN]
