"""A real OpenSSH server on 127.0.0.1 for tests and the demo, with a recording `docker` stand-in.

Debian's `openssh-server` (installed by `make setup`) runs as a non-daemon child (`sshd -D`) with its
own host key, port, authorized key and config; the login user is the one running the tests. Its
sessions find `docker` first on PATH (sshd_config `SetEnv`): a shell script that records each call's
argv, environment and stdin into a directory, so tests can see exactly what reached the server.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/bin/sshd")
# sshd started as root chroots its pre-auth child into this directory (Debian's privsep path).
PRIVSEP_DIR = Path("/run/sshd")
# The stand-in fails a login whose password is this, as a registry refusing a token would.
REFUSED_TOKEN = "refused-token"

DOCKER_STAND_IN = """#!/bin/sh
# Recording stand-in for docker: one directory per call with argv, env and stdin.
calls="{calls}"
n=$(ls "$calls" | wc -l)
call="$calls/$(printf '%03d' "$n")"
mkdir -p "$call"
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$call/argv"
env > "$call/env"
if [ "$1" = "login" ]; then
  cat > "$call/stdin"
  if grep -qx '{refused}' "$call/stdin"; then
    echo 'Error response from daemon: Get "https://ghcr.io/v2/": denied: denied' >&2
    exit 1
  fi
  echo "Login Succeeded"
else
  : > "$call/stdin"
  echo "Removing login credentials for $2"
fi
"""


@dataclass(frozen=True)
class DockerCall:
    argv: list[str]
    env: dict[str, str]
    stdin: str


@dataclass(frozen=True)
class SshServer:
    host: str
    port: int
    user: str
    client_private_key: str
    host_key_fingerprint: str
    calls_dir: Path

    def docker_calls(self) -> list[DockerCall]:
        calls = []
        for call in sorted(self.calls_dir.iterdir()):
            env_lines = (call / "env").read_text().splitlines()
            env = dict(line.split("=", 1) for line in env_lines if "=" in line)
            calls.append(DockerCall((call / "argv").read_text().splitlines(), env, (call / "stdin").read_text()))
        return calls


def sshd_binary() -> str:
    for candidate in SSHD_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    raise RuntimeError("OpenSSH server not installed: run `make setup` (installs Debian's openssh-server)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def keygen(path: Path, comment: str) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True)


def _fingerprint(public_key: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(public_key)], check=True,
                         capture_output=True, text=True).stdout
    return out.split()[1]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"sshd exited with {process.returncode}: {errors}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"sshd did not listen on 127.0.0.1:{port} within {timeout_s:g}s")


@contextmanager
def running_sshd(workdir: Path) -> Iterator[SshServer]:
    """sshd on a free port of 127.0.0.1 for the current user; stopped (and its files removed) afterwards."""
    binary = sshd_binary()
    workdir.mkdir(parents=True, exist_ok=True)
    host_key = workdir / "ssh_host_ed25519_key"
    client_key = workdir / "client_ed25519"
    keygen(host_key, "penpal-test-host")
    keygen(client_key, "penpal-test-client")
    authorized = workdir / "authorized_keys"
    shutil.copy(client_key.with_suffix(".pub"), authorized)
    bin_dir, calls = workdir / "bin", workdir / "docker-calls"
    bin_dir.mkdir()
    calls.mkdir()
    stand_in = bin_dir / "docker"
    stand_in.write_text(DOCKER_STAND_IN.format(calls=calls, refused=REFUSED_TOKEN))
    stand_in.chmod(0o755)
    if os.geteuid() == 0:
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    user, port = getpass.getuser(), _free_port()
    config = workdir / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}",
        "ListenAddress 127.0.0.1",
        f"HostKey {host_key}",
        f"PidFile {workdir / 'sshd.pid'}",
        f"AuthorizedKeysFile {authorized}",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "PermitRootLogin prohibit-password",
        f"AllowUsers {user}",
        f"SetEnv PATH={bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "LogLevel ERROR",
        "",
    ]))
    process = subprocess.Popen([binary, "-D", "-e", "-f", str(config)], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, process)
        yield SshServer("127.0.0.1", port, user, client_key.read_text(), _fingerprint(host_key.with_suffix(".pub")),
                        calls)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
