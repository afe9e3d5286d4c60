"""`docker login` on a server over SSH (paramiko), with the token on the command's stdin only.

Coolify pulls a docker-image application with the Docker credentials of the server user it connects
as (root), from that user's ~/.docker/config.json (Coolify docs, "Docker Registry"; ApplicationDeploymentJob
refuses a registry push without that file). Coolify's API has no registry-login action up to 4.3.11
(routes/api.php), so this logs in over SSH, as Coolify itself reaches the server.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shlex
from dataclasses import dataclass

import paramiko

from .target import RegistryLoginError, SshTarget


def host_key_fingerprint(key: paramiko.PKey) -> str:
    """`SHA256:<base64>`, as `ssh-keygen -l` prints it."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def load_private_key(pem: str) -> paramiko.PKey:
    """An OpenSSH or PEM private key of any type paramiko reads (ed25519, ECDSA, RSA)."""
    errors: list[str] = []
    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(io.StringIO(pem))
        except (paramiko.SSHException, ValueError) as error:
            errors.append(f"{key_class.__name__}: {error}")
    raise RegistryLoginError("the SSH private key cannot be read (" + "; ".join(errors) + ")")


class _PinnedHostKey(paramiko.MissingHostKeyPolicy):
    """Trust on first use: accept the key a fresh server presents, but only that key afterwards."""

    def __init__(self, expected: str | None) -> None:
        self.expected = expected
        self.seen: str | None = None

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        self.seen = host_key_fingerprint(key)
        if self.expected and self.seen != self.expected:
            raise RegistryLoginError(
                f"the SSH host key of {hostname} changed (expected {self.expected}, got {self.seen}); if the server "
                "was rebuilt on purpose, run `pulumi up --replace` on its registry login",
                has_advice=True,
            )


@dataclass(frozen=True)
class LoginResult:
    host_key: str
    output: str


def _connect(target: SshTarget, private_key: str, expected_host_key: str | None,
             timeout_s: float) -> tuple[paramiko.SSHClient, _PinnedHostKey]:
    client = paramiko.SSHClient()
    policy = _PinnedHostKey(expected_host_key)
    client.set_missing_host_key_policy(policy)
    try:
        client.connect(
            target.host,
            port=target.port,
            username=target.user,
            pkey=load_private_key(private_key),
            timeout=timeout_s,
            banner_timeout=timeout_s,
            auth_timeout=timeout_s,
            allow_agent=False,
            look_for_keys=False,
        )
    except RegistryLoginError:
        client.close()
        raise
    except (paramiko.SSHException, OSError) as error:
        client.close()
        raise RegistryLoginError(f"cannot SSH to {target}: {error}") from error
    return client, policy


def _run(client: paramiko.SSHClient, command: str, stdin_text: str | None, timeout_s: float) -> tuple[int, str]:
    stdin, stdout, stderr = client.exec_command(command, timeout=timeout_s)
    if stdin_text is not None:
        stdin.write(stdin_text)
    stdin.channel.shutdown_write()
    status = stdout.channel.recv_exit_status()
    output = (stdout.read() + stderr.read()).decode(errors="replace")
    return status, output


def docker_login(
    target: SshTarget,
    private_key: str,
    *,
    registry: str,
    username: str,
    token: str,
    expected_host_key: str | None = None,
    timeout_s: float = 30.0,
) -> LoginResult:
    """Run `docker login --username U --password-stdin REGISTRY` on the target, the token written to stdin."""
    client, policy = _connect(target, private_key, expected_host_key, timeout_s)
    try:
        command = f"docker login --username {shlex.quote(username)} --password-stdin {shlex.quote(registry)}"
        status, output = _run(client, command, token + "\n", timeout_s)
    except (paramiko.SSHException, OSError) as error:
        raise RegistryLoginError(f"`docker login {registry}` over SSH to {target} failed: {error}") from error
    finally:
        client.close()
    output = output.replace(token, "***").strip()
    if status != 0:
        raise RegistryLoginError(
            f"`docker login {registry}` as {username} on {target} exited with {status}: {output or '(no output)'}"
        )
    return LoginResult(policy.seen or expected_host_key or "", output)


def docker_logout(
    target: SshTarget, private_key: str, *, registry: str, expected_host_key: str | None = None, timeout_s: float = 30.0
) -> None:
    """`docker logout REGISTRY` on the target (removes the stored credentials)."""
    client, _policy = _connect(target, private_key, expected_host_key, timeout_s)
    try:
        status, output = _run(client, f"docker logout {shlex.quote(registry)}", None, timeout_s)
    except (paramiko.SSHException, OSError) as error:
        raise RegistryLoginError(f"`docker logout {registry}` over SSH to {target} failed: {error}") from error
    finally:
        client.close()
    if status != 0:
        raise RegistryLoginError(f"`docker logout {registry}` on {target} exited with {status}: {output.strip()}")
