"""RegistryLogin: a dynamic resource that keeps a server's root user logged in to a container registry.

Created: `docker login` over SSH. Updated (token, user, target or key changed): logged in again.
Deleted: `docker logout` (best effort: a server that is already gone has nothing left to forget).
The token and the SSH key are Pulumi secrets in inputs and outputs; neither is ever on a command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, Resource, UpdateResult

from components.state_kept import StateKeptProvider

from .target import RegistryLoginError, SshTarget

# Inputs whose change needs a new login; a new registry is a new resource (the old one is logged out).
LOGIN_KEYS = ("host", "port", "user", "username", "token", "private_key")
SECRET_KEYS = ("token", "private_key")


@dataclass(frozen=True)
class RegistryLoginArgs:
    host: pulumi.Input[str]
    """Where to SSH to: the server's address (or an override such as 127.0.0.1 in tests)."""
    username: pulumi.Input[str]
    token: pulumi.Input[str]
    """Registry password or token (for GHCR a token with read:packages); kept secret."""
    private_key: pulumi.Input[str]
    """The SSH private key Coolify uses for this server; kept secret."""
    port: pulumi.Input[int] = 22
    user: pulumi.Input[str] = "root"
    """The server user Coolify connects as: its Docker credentials are the ones Coolify pulls with."""
    registry: pulumi.Input[str] = "ghcr.io"
    timeout_s: pulumi.Input[float] = 30.0


def _target(props: dict[str, Any]) -> SshTarget:
    return SshTarget(str(props["host"]), int(props.get("port") or 22), str(props.get("user") or "root"))


def _same_target(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    return all(olds.get(key) == news.get(key) for key in ("host", "port", "user"))


class RegistryLoginProvider(StateKeptProvider):
    """Holds no state (instances are pickled by reference into Pulumi state)."""

    compared = (*LOGIN_KEYS, "registry")
    replace_on = ("registry",)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        for key in ("host", "username", "token", "private_key", "registry"):
            value = news.get(key)
            if isinstance(value, str) and not value.strip():
                failures.append(CheckFailure(key, f"{key} must not be empty"))
        port = news.get("port")
        if isinstance(port, (int, float)) and not 0 < int(port) < 65536:
            failures.append(CheckFailure("port", "port must be between 1 and 65535"))
        return CheckResult(news, failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = self._login(props, expected_host_key=None)
        return CreateResult(f"{props['registry']}@{_target(props)}", outs)

    # read (StateKeptProvider's): nothing to read back without logging in again, the credentials file is
    # the server's own.

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Same server: its host key must be the one seen at the first login. A new address is a new server.
        expected = olds.get("host_key") if _same_target(olds, news) else None
        return UpdateResult(self._login(news, expected_host_key=expected))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        from .ssh import docker_logout  # paramiko only in the provider process

        try:
            docker_logout(
                _target(props),
                str(props["private_key"]),
                registry=str(props["registry"]),
                expected_host_key=props.get("host_key") or None,
                timeout_s=float(props.get("timeout_s") or 30.0),
            )
        except RegistryLoginError:
            # The server is gone or unreachable (e.g. destroyed in the same `pulumi destroy`): nothing to undo.
            return

    def _login(self, props: dict[str, Any], *, expected_host_key: str | None) -> dict[str, Any]:
        from .ssh import docker_login  # paramiko only in the provider process

        target = _target(props)
        registry = str(props["registry"])
        try:
            result = docker_login(
                target,
                str(props["private_key"]),
                registry=registry,
                username=str(props["username"]),
                token=str(props["token"]),
                expected_host_key=expected_host_key,
                timeout_s=float(props.get("timeout_s") or 30.0),
            )
        except RegistryLoginError as error:
            advice = "" if error.has_advice else (
                " Check penpal:ghcrUsername / penpal:ghcrToken (a token with read:packages) and that the server "
                "accepts the stack's SSH key from this machine, then run `pulumi up` again."
            )
            raise RegistryLoginError(f"Registry login to {registry} on {target}: {error}.{advice}") from error
        return {**props, "host_key": result.host_key}


class RegistryLogin(Resource, module="penpal", name="RegistryLogin"):
    """A server's root user logged in to a registry (`pulumi-python:dynamic/penpal:RegistryLogin`)."""

    host_key: pulumi.Output[str]

    def __init__(self, resource_name: str, args: RegistryLoginArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props: dict[str, Any] = {
            "host": args.host,
            "port": args.port,
            "user": args.user,
            "registry": args.registry,
            "username": args.username,
            "token": pulumi.Output.secret(args.token),
            "private_key": pulumi.Output.secret(args.private_key),
            "timeout_s": args.timeout_s,
            "host_key": None,
        }
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=list(SECRET_KEYS))
        merged = pulumi.ResourceOptions.merge(opts, secret_outputs)
        super().__init__(RegistryLoginProvider(), resource_name, props, merged)
