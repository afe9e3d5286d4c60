"""RegistryLogin: `docker login` over SSH with the token on stdin only; logs in again when the token rotates."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import CreateResult, UpdateResult

from components.registry_login import RegistryLoginError, RegistryLoginProvider
from tests.harness.sshd import REFUSED_TOKEN, SshServer

TOKEN = "ghp_readPackagesToken0123456789abcdefXYZ"
ROTATED = "ghp_rotatedToken9876543210zyxwvutsrqpONM"


def outs(result: CreateResult | UpdateResult) -> dict[str, Any]:
    assert result.outs is not None
    return result.outs


def login_props(sshd: SshServer, token: str = TOKEN, **overrides: Any) -> dict[str, Any]:
    return {
        "host": sshd.host,
        "port": sshd.port,
        "user": sshd.user,
        "registry": "ghcr.io",
        "username": "penpal-bot",
        "token": token,
        "private_key": sshd.client_private_key,
        "timeout_s": 10.0,
        **overrides,
    }


def test_token_reaches_docker_on_stdin_only(sshd: SshServer) -> None:
    created = RegistryLoginProvider().create(login_props(sshd))

    [call] = sshd.docker_calls()
    assert call.argv == ["login", "--username", "penpal-bot", "--password-stdin", "ghcr.io"]
    assert call.stdin == TOKEN + "\n"
    assert all(TOKEN not in arg for arg in call.argv)
    assert all(TOKEN not in value for value in call.env.values())
    # The host key seen on first use is pinned in the outputs.
    assert outs(created)["host_key"] == sshd.host_key_fingerprint
    assert created.id == f"ghcr.io@{sshd.user}@{sshd.host}:{sshd.port}"


def test_a_new_registry_is_a_new_login_after_the_old_one_is_logged_out(sshd: SshServer) -> None:
    provider = RegistryLoginProvider()
    created = provider.create(login_props(sshd))
    diff = provider.diff(created.id, outs(created), login_props(sshd, registry="registry.example.com"))
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, ["registry"], True)
    # A refresh keeps the state: the credentials file is the server's own.
    assert provider.read(created.id, outs(created)).outs == outs(created)
    assert len(sshd.docker_calls()) == 1


def test_rotation_logs_in_again_and_an_unchanged_token_does_nothing(sshd: SshServer) -> None:
    provider = RegistryLoginProvider()
    created = provider.create(login_props(sshd))
    assert provider.diff(created.id, outs(created), login_props(sshd)).changes is False

    rotated = login_props(sshd, ROTATED)
    diff = provider.diff(created.id, outs(created), rotated)
    assert diff.changes is True and diff.replaces == []
    updated = provider.update(created.id, outs(created), rotated)

    first, second = sshd.docker_calls()
    assert (first.stdin, second.stdin) == (TOKEN + "\n", ROTATED + "\n")
    assert all(ROTATED not in arg for arg in second.argv) and ROTATED not in "".join(second.env.values())
    assert outs(updated)["host_key"] == sshd.host_key_fingerprint


def test_a_changed_host_key_on_the_same_server_is_refused(sshd: SshServer) -> None:
    provider = RegistryLoginProvider()
    created = provider.create(login_props(sshd))
    tampered = {**outs(created), "host_key": "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
    changed = r"host key of \[127\.0\.0\.1\]:\d+ changed .* run `pulumi up --replace` on its registry login\.$"
    with pytest.raises(RegistryLoginError, match=changed):
        provider.update(created.id, tampered, login_props(sshd, ROTATED))
    assert len(sshd.docker_calls()) == 1  # nothing was sent to the impostor


def test_a_refused_login_is_one_line_without_the_token(sshd: SshServer) -> None:
    with pytest.raises(RegistryLoginError) as raised:
        RegistryLoginProvider().create(login_props(sshd, REFUSED_TOKEN))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"Registry login to ghcr.io on {sshd.user}@127.0.0.1:{sshd.port}:")
    assert "denied" in message and "penpal:ghcrToken" in message
    assert REFUSED_TOKEN not in message


def test_unreachable_server_and_wrong_key_are_reported(sshd: SshServer, tmp_path: Any) -> None:
    from tests.harness.sshd import keygen

    keygen(tmp_path / "other", "other")
    with pytest.raises(RegistryLoginError, match="cannot SSH to"):
        RegistryLoginProvider().create(login_props(sshd, private_key=(tmp_path / "other").read_text()))
    assert sshd.docker_calls() == []


def test_delete_logs_out_and_tolerates_a_gone_server(sshd: SshServer) -> None:
    provider = RegistryLoginProvider()
    created = provider.create(login_props(sshd))
    provider.delete(created.id, outs(created))
    logout = sshd.docker_calls()[-1]
    assert logout.argv == ["logout", "ghcr.io"] and logout.stdin == ""
    # A server already destroyed: nothing to undo, no failure.
    provider.delete(created.id, {**outs(created), "port": 1, "host_key": None})
