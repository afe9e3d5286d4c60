"""End to end: a first `up` on a bare server, private GHCR images, and an up overlapping the CI webhook.

One stack `staging` is shared by the tests of this module, which run in order. The Coolify simulator's
server is bare (no Docker) until validated with install, as a fresh Hetzner server is. The registry
login goes over SSH to a real OpenSSH server on 127.0.0.1 (the simulated Hetzner IP is not reachable),
whose `docker` is a recording stand-in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from pulumi import automation as auto

from tests.harness.local import EXAMPLE_SERVICES, LocalProject, ServiceSpec, Simulators, local_deployment, stack_config
from tests.harness.sshd import SshServer, running_sshd
from tests.simulators.coolify.testing import SimSession

DB_SERVICE, CHAT_SERVICE = EXAMPLE_SERVICES
GHCR_USER = "penpal-bot"
GHCR_TOKEN = "ghp_firstUpReadPackagesToken0123456789AB"
ROTATED_TOKEN = "ghp_rotatedReadPackagesToken9876543210ZY"
CI_TOKEN = "9|ci-deploy-webhook-token-0123456789abcdefgh"


@dataclass
class FirstUp:
    sims: Simulators
    project: LocalProject
    ssh_keys: tuple[str, str]
    sshd: SshServer
    services: list[ServiceSpec]
    token: str
    stack: auto.Stack | None = None
    first: auto.UpResult | None = None

    def config(self) -> dict[str, auto.ConfigValue]:
        config = stack_config(self.sims, "staging", self.services, self.ssh_keys)
        config["penpal:ghcrUsername"] = auto.ConfigValue(GHCR_USER)
        config["penpal:ghcrToken"] = auto.ConfigValue(self.token, secret=True)
        config["penpal:ghcrLoginSsh"] = auto.ConfigValue(
            json.dumps({"host": self.sshd.host, "port": self.sshd.port, "user": self.sshd.user})
        )
        return config

    def up(self) -> auto.UpResult:
        assert self.stack is not None
        self.stack.set_all_config(self.config())
        return self.stack.up(color="never", on_output=lambda _line: None)


@pytest.fixture(scope="module")
def first_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstUp]:
    sshd_dir = tmp_path_factory.mktemp("first-up") / "sshd"
    with local_deployment([s.name for s in EXAMPLE_SERVICES]) as (sims, project, ssh_keys), \
            running_sshd(sshd_dir) as sshd:
        sims.add_shared_zone()  # owned by the prod stack
        # The stack's own key pair is the one the server accepts (as Hetzner installs it for root).
        (sshd_dir / "authorized_keys").write_text(ssh_keys[0] + "\n")
        deployment = FirstUp(sims, project, ssh_keys, sshd, list(EXAMPLE_SERVICES), GHCR_TOKEN)
        deployment.stack = project.stack("staging", deployment.config())
        deployment.first = deployment.up()
        yield deployment


def _validate_requests(sims: Simulators) -> list[Any]:
    return [(r.method, r.body) for r in sims.coolify.requests if r.path.endswith("/validate")]


def test_first_up_installs_docker_through_coolify(first_up: FirstUp) -> None:
    sims = first_up.sims
    [server] = sims.coolify.state.servers
    assert server["_settings"]["is_usable"] is True and server["_settings"]["is_reachable"] is True
    assert _validate_requests(sims) == [("POST", {"install": True})]
    assert sims.coolify.config.host(server["ip"]).docker_installed is True
    assert all(d["status"] == "finished" for d in sims.coolify.state.deployments)


def test_first_up_logs_root_in_to_ghcr_with_the_token_on_stdin(first_up: FirstUp) -> None:
    [login] = first_up.sshd.docker_calls()
    assert login.argv == ["login", "--username", GHCR_USER, "--password-stdin", "ghcr.io"]
    assert login.stdin == GHCR_TOKEN + "\n"
    assert GHCR_TOKEN not in "".join(login.argv) + "".join(login.env.values())


def test_state_holds_no_plaintext_registry_token(first_up: FirstUp) -> None:
    exported = first_up.project.cli("stack", "export", "--stack", "staging")
    assert exported.returncode == 0, exported.stderr
    assert GHCR_TOKEN not in exported.stdout
    assert first_up.ssh_keys[1].splitlines()[1] not in exported.stdout


def test_a_rotated_token_logs_in_again_and_changes_nothing_else(first_up: FirstUp) -> None:
    first_up.token = ROTATED_TOKEN
    result = first_up.up()
    assert {op: n for op, n in (result.summary.resource_changes or {}).items() if op != "same"} == {"update": 1}
    logins = first_up.sshd.docker_calls()
    assert [call.stdin for call in logins] == [GHCR_TOKEN + "\n", ROTATED_TOKEN + "\n"]
    exported = first_up.project.cli("stack", "export", "--stack", "staging")
    assert ROTATED_TOKEN not in exported.stdout


def test_up_while_the_ci_webhook_deploys_runs_what_up_wrote(first_up: FirstUp) -> None:
    sims = first_up.sims
    [app] = [a for a in sims.coolify.state.applications if a["name"] == DB_SERVICE.name]
    # The service's CI posts the deploy webhook with its own deploy-only token, right before `up`.
    sims.coolify.add_token(CI_TOKEN, {"deploy"})
    webhook = SimSession(sims.coolify, CI_TOKEN).post("/deploy", params={"uuid": app["uuid"], "force": "false"})
    [ci_deployment] = webhook.json()["deployments"]
    assert ci_deployment["message"].endswith("deployment queued.")
    sims.coolify.run_deployment(ci_deployment["deployment_uuid"], until="in_progress")

    first_up.services = [replace(DB_SERVICE, env={"LOG_LEVEL": "warn"}), CHAT_SERVICE]
    sims.reset_counts()
    first_up.up()

    deploys = [r for r in sims.coolify.requests if r.path.endswith("/deploy") and r.status == 200]
    assert len(deploys) == 2  # the first answered "already queued", the second queued ours after the CI one
    rows = sorted((d for d in sims.coolify.state.deployments if d["_application_uuid"] == app["uuid"]),
                  key=lambda d: d["id"])
    ci_row, last = rows[-2], rows[-1]
    assert ci_row["deployment_uuid"] == ci_deployment["deployment_uuid"] and ci_row["status"] == "finished"
    assert last["status"] == "finished" and last["created_at"] >= ci_row["finished_at"]
    # The last deployment started after the env write: it ran with the new value, the CI one with the old.
    assert last["_env_at_start"]["LOG_LEVEL"] == "warn"
    assert ci_row["_env_at_start"]["LOG_LEVEL"] == "info"
    env_row = next(e for e in sims.coolify.state.env_vars
                   if e["_application_uuid"] == app["uuid"] and e["key"] == "LOG_LEVEL" and not e["is_preview"])
    assert env_row["updated_at"] <= last["created_at"]

    assert first_up.stack is not None
    preview = first_up.stack.preview(color="never")
    assert {op: n for op, n in preview.change_summary.items() if op != auto.OpType.SAME} == {}, preview.stdout


def test_destroy_logs_out(first_up: FirstUp) -> None:
    assert first_up.stack is not None
    first_up.stack.destroy(color="never")
    assert first_up.sshd.docker_calls()[-1].argv == ["logout", "ghcr.io"]
