"""Server validation as Coolify runs it in the background, against the simulated host behind the IP.

Sources (coollabsio/coolify 4.3.11): `ServersController::validate_server` dispatches `ValidateServer`
(validate only) or, with `{"install": true}`, `ValidateAndInstallServerJob` (installs prerequisites and
Docker, re-dispatching itself up to 3 times); both write `validation_logs` and the settings flags
`is_reachable` / `is_usable`. Messages below are theirs, HTML included.
"""

from __future__ import annotations

from .config import SimConfig
from .store import Row

_SSH_DOCS = "https://coolify.io/docs/knowledge-base/server/openssh"
_DOCKER_DOCS = "https://docs.docker.com/engine/install/#server"
# ValidateAndInstallServerJob::$maxTries.
INSTALL_MAX_TRIES = 3


def _ssh_error(server: Row) -> str:
    return f"ssh: connect to host {server['ip']} port {server['port']}: Connection timed out"


def _unreachable(server: Row, *, install: bool) -> str:
    if install:  # ValidateAndInstallServerJob
        return ("Server is not reachable. Please validate your configuration and connection.<br>Check this "
                f'<a target="_blank" class="underline" href="{_SSH_DOCS}">documentation</a> for further help. '
                f"<br><br>Error: {_ssh_error(server)}")
    return ("Server is not reachable. Please validate your configuration and connection.<br>Check this "
            f'<a target="_blank" class="text-black underline dark:text-white" href="{_SSH_DOCS}">documentation</a> '
            f'for further help. <br><br><div class="text-error">Error: {_ssh_error(server)}</div>')


# ValidateServer when docker/docker compose are missing.
DOCKER_MISSING = ("Docker Engine is not installed. Please install Docker manually before continuing: "
                  f'<a target="_blank" class="text-black underline dark:text-white" href="{_DOCKER_DOCS}">'
                  "documentation</a>.")
# ValidateAndInstallServerJob after its last try.
DOCKER_INSTALL_FAILED = (f"Docker Engine could not be installed after {INSTALL_MAX_TRIES} attempts. Please install "
                         "Docker manually before continuing: "
                         f'<a target="_blank" class="underline" href="{_DOCKER_DOCS}">documentation</a>.')


def start(server: Row, *, install: bool) -> None:
    """The controller dispatched a job; it runs when the server is next read."""
    server["_validation"] = {"install": install, "reads": 0}
    if not install:
        # ValidateServer clears the previous logs first; the install job does not (it overwrites on failure).
        server["validation_logs"] = None


def progress(config: SimConfig, server: Row) -> None:
    """A client read the server: advance a pending validation by one step."""
    job = server.get("_validation")
    if job is None:
        return
    host = config.host(server["ip"])
    settings = server["_settings"]
    install = bool(job["install"])
    job["reads"] += 1
    settings["is_reachable"] = host.reachable
    if not host.reachable:
        settings["is_usable"] = False
        _end(server, _unreachable(server, install=install))
        return
    if host.docker_installed:
        settings["is_usable"] = True
        # Success leaves validation_logs as they were (neither job clears them on success).
        _end(server, server.get("validation_logs"))
        return
    settings["is_usable"] = False
    if not install:
        _end(server, DOCKER_MISSING)
        return
    # Installing: prerequisites, then Docker, each followed by a re-dispatch 30 s later.
    server["is_validating"] = True
    if job["reads"] < max(1, host.install_reads):
        return
    if host.docker_installable:
        host.docker_installed = True
        settings["is_usable"] = True
        _end(server, server.get("validation_logs"))
    else:
        _end(server, DOCKER_INSTALL_FAILED)


def _end(server: Row, logs: str | None) -> None:
    server.pop("_validation", None)
    server["is_validating"] = False
    server["validation_logs"] = logs
