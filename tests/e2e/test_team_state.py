"""Team operation end to end: the shared state in an S3 bucket, and least-privilege tokens.

The real engine runs this repo's program for stack `staging` (one service) against the simulators, with
its state in a bucket of a real S3 server (versitygw, POSIX backend in a temporary folder, on 127.0.0.1),
through Pulumi's S3 backend exactly as the team uses Hetzner Object Storage. The tests of this module
share one deployment and run in order: login, up, a read-only preview, a refused up with read-only
tokens, a concurrent up refused by the lock, a killed up and `pulumi cancel`, history, export, destroy.

What the S3 ("diy") backend of this CLI does, read in pkg/backend/diy of pulumi v3.274.1: an `up`,
`refresh` or `destroy` writes a lock object `.pulumi/locks/<org>/<project>/<stack>/<uuid>.json` and lists
that folder before and after; any other lock there refuses the operation. A preview takes no lock.
`pulumi cancel` deletes every lock object of the stack (it cannot stop a running process).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pulumi import automation as auto

from tests.harness.local import (
    COOLIFY_READ_TOKEN,
    EXAMPLE_SERVICES,
    GITHUB_READ_TOKEN,
    HCLOUD_READ_TOKEN,
    MONGO_ROOT_PASSWORD,
    LocalProject,
    ServiceSpec,
    Simulators,
    local_deployment,
    stack_config,
)
from tests.harness.processes import kill, kill_session, session_members, wait_until_gone
from tests.harness.s3 import VersityGateway
from tools.state_backend import login

BUCKET = "penpal-infra-state"
SERVICE = EXAMPLE_SERVICES[0]
LOCKS = ".pulumi/locks/organization/penpal/staging/"
CHECKPOINT = ".pulumi/stacks/penpal/staging.json"
T = TypeVar("T")


@dataclass
class Team:
    gateway: VersityGateway
    sims: Simulators
    project: LocalProject
    ssh_keys: tuple[str, str]
    stack: auto.Stack
    service: ServiceSpec

    def config(self, **tokens: str) -> dict[str, auto.ConfigValue]:
        config = stack_config(self.sims, "staging", [self.service], self.ssh_keys)
        for key, value in tokens.items():
            config[key.replace("_", ":", 1)] = auto.ConfigValue(value, secret=True)
        return config

    def set_log_level(self, level: str) -> None:
        """A change that makes the next up replace the service's deployment (and wait for it)."""
        self.service = ServiceSpec(SERVICE.name, SERVICE.port, env={"LOG_LEVEL": level},
                                   secret_env=SERVICE.secret_env)
        self.stack.set_all_config(self.config())

    def locks(self) -> list[str]:
        return [key for key in self.gateway.objects(BUCKET) if key.startswith(LOCKS)]

    def start_up(self) -> subprocess.Popen[str]:
        """`pulumi up` in a session of its own (id: its pid), so that a test can kill it with all it started."""
        return subprocess.Popen(
            ["pulumi", "up", "--yes", "--skip-preview", "--stack", "staging", "--non-interactive"],
            cwd=self.project.project_dir, env={**os.environ, **self.project.env}, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def _poll(self, process: subprocess.Popen[str], seconds: float, probe: Callable[[], T | None], never: str) -> T:
        """`probe()`'s first non-empty answer, while `process` runs; fails with its output if it ended."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            assert process.poll() is None, process.communicate()[0]
            time.sleep(0.05)
        raise AssertionError(never)

    @contextmanager
    def up_held_at_its_deployment(self, log_level: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
        """An up (its own process) that changed LOG_LEVEL and waits for a deployment Coolify keeps queued,
        with the lock it holds; Coolify's deployment timing is back to normal on leaving."""
        self.sims.coolify.set_deploy_timing(queued_polls=100_000, in_progress_polls=1)
        try:
            self.set_log_level(log_level)
            up = self.start_up()
            [lock] = self._poll(up, 120, self.locks, "the up never took the lock")
            # Until the up has queued the new deployment (it then polls it until it finishes).
            self._poll(up, 180, lambda: [d for d in self.sims.coolify.state.deployments
                                         if d["status"] in ("queued", "in_progress")],
                       "the up never queued a deployment")
            yield up, lock
        finally:
            self.sims.coolify.set_deploy_timing(queued_polls=1, in_progress_polls=1)


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    workdir = tmp_path_factory.mktemp("team")
    with VersityGateway(workdir / "s3") as gateway:
        gateway.create_bucket(BUCKET)
        # An own PULUMI_HOME: `pulumi login` must not change the backend of this machine's other runs.
        home = workdir / "pulumi-home"
        home.mkdir()
        (home / "plugins").symlink_to(Path(os.environ.get("PULUMI_HOME", Path.home() / ".pulumi")) / "plugins")
        env = {**gateway.credentials(), "PULUMI_HOME": str(home)}
        url = gateway.backend_url(BUCKET)
        with local_deployment([SERVICE.name], backend_url=url, extra_env=env) as (sims, project, ssh_keys):
            sims.add_shared_zone()  # owned by the prod stack
            team = Team(gateway, sims, project, ssh_keys, None, SERVICE)  # type: ignore[arg-type]
            team.stack = project.stack("staging", team.config())
            yield team
    # Every CLI these tests started, and all it started, has ended (the killed up's plugins included);
    # any left is killed after it is reported, so that a failure does not leak processes either.
    left = wait_until_gone("PULUMI_HOME", str(home))
    kill(left)
    assert left == {}


def cli(team: Team, *args: str) -> subprocess.CompletedProcess[str]:
    return team.project.cli(*args, "--stack", "staging", "--non-interactive")


def test_login_uses_the_bucket(team: Team) -> None:
    url = team.gateway.backend_url(BUCKET)
    code, line = login(url, {**os.environ, **team.project.env})
    assert (code, line) == (0, f"Logged in to the s3 state backend s3://{BUCKET}")
    whoami = team.project.cli("whoami", "--verbose")
    assert f"Backend URL: {url}" in whoami.stdout, whoami.stdout + whoami.stderr
    # The CLI created the backend's metadata in the bucket (project-scoped layout).
    assert ".pulumi/meta.yaml" in team.gateway.objects(BUCKET)


def test_bad_credentials_end_with_one_clear_line(team: Team) -> None:
    env = {**os.environ, **team.project.env, **team.gateway.credentials(secret_key="not-the-secret")}
    code, line = login(team.gateway.backend_url(BUCKET), env)
    assert code == 1
    assert line == (
        f"state backend: the S3 credentials were refused by {team.gateway.endpoint} for bucket '{BUCKET}': check "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the Object Storage keys of the project that owns the bucket)"
    )
    assert "not-the-secret" not in line


def test_a_missing_bucket_ends_with_one_clear_line(team: Team) -> None:
    code, line = login(team.gateway.backend_url("no-such-bucket"), {**os.environ, **team.project.env})
    assert code == 1
    assert line.startswith(f"state backend: bucket 'no-such-bucket' does not exist at {team.gateway.endpoint}: ")


def test_missing_credentials_end_with_one_clear_line(team: Team) -> None:
    env = {k: v for k, v in {**os.environ, **team.project.env}.items() if not k.startswith("AWS_")}
    assert login(team.gateway.backend_url(BUCKET), env) == (
        1, "state backend: no S3 credentials: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")


def test_up_keeps_the_state_in_the_bucket_and_releases_the_lock(team: Team) -> None:
    result = team.stack.up(color="never", on_output=lambda _line: None)
    assert result.summary.result == "succeeded"
    objects = team.gateway.objects(BUCKET)
    assert CHECKPOINT in objects
    assert any(key.startswith(".pulumi/history/penpal/staging/") for key in objects)
    assert team.locks() == []
    state = json.loads((team.gateway.root / BUCKET / CHECKPOINT).read_text())
    types = {resource["type"] for resource in state["checkpoint"]["latest"]["resources"]}
    assert "hcloud:index/server:Server" in types


def test_a_preview_with_read_only_tokens_shows_no_change(team: Team) -> None:
    team.stack.set_all_config(team.config(coolify_token=COOLIFY_READ_TOKEN, hcloud_token=HCLOUD_READ_TOKEN,
                                          github_token=GITHUB_READ_TOKEN))
    try:
        team.sims.reset_counts()
        preview = team.stack.preview(color="never")
        assert {op for op, n in preview.change_summary.items() if n} == {auto.OpType.SAME}, preview.stdout
        # Read-only tokens could not have written anything, and no write got through.
        writes = [r for sim in (team.sims.coolify, team.sims.hcloud, team.sims.github) for r in sim.requests
                  if r.method != "GET" and r.status < 400]
        assert writes == []
    finally:
        team.stack.set_all_config(team.config())


def test_an_up_with_read_only_tokens_stops_at_once_naming_each_token(team: Team) -> None:
    team.stack.set_all_config(team.config(coolify_token=COOLIFY_READ_TOKEN, hcloud_token=HCLOUD_READ_TOKEN,
                                          github_token=GITHUB_READ_TOKEN))
    try:
        completed = cli(team, "up", "--yes", "--skip-preview")
    finally:
        team.stack.set_all_config(team.config())
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "API tokens cannot do what an up (write access) needs (4 problem(s)):" in output
    assert "coolify:token lacks the Coolify ability 'write'" in output
    assert "coolify:token lacks the Coolify ability 'deploy'" in output
    assert "hcloud:token cannot write (token_readonly:" in output
    assert f"github:token cannot write Actions secrets of penpal-ai/{SERVICE.name}" in output
    assert "Traceback" not in output
    assert team.locks() == []


def test_a_second_concurrent_up_is_refused_by_the_lock(team: Team) -> None:
    with team.up_held_at_its_deployment("warn") as (first, lock):
        second = cli(team, "up", "--yes", "--skip-preview")
        output = second.stdout + second.stderr
        assert second.returncode != 0
        assert "the stack is currently locked by 1 lock(s)" in output, output
        assert lock in output  # the message names the lock object, in the bucket
        # The refused up left its own lock nowhere.
        assert team.locks() == [lock]
    output, _ = first.communicate(timeout=300)
    assert first.returncode == 0, output
    assert team.locks() == []


def test_a_killed_up_leaves_its_lock_until_pulumi_cancel(team: Team) -> None:
    with team.up_held_at_its_deployment("error") as (up, lock):
        # A CI runner that dies takes the whole process tree: the CLI, its language host, the program and
        # every plugin (each in a process group of its own, all in the CLI's session). No cleanup at all.
        assert any("pulumi-resource-" in command for command in session_members(up.pid).values())
        kill_session(up.pid)
        up.wait(timeout=30)
        assert session_members(up.pid) == {}
    # Coolify goes on without the killed CLI: the deployment it had queued runs to its end meanwhile (left
    # queued, the next up's deploy of the same commit would meet Coolify's duplicate-deploy skip: issue 10).
    team.sims.coolify.finish_deployments()
    assert team.locks() == [lock]

    refused = cli(team, "up", "--yes", "--skip-preview")
    assert refused.returncode != 0
    assert "the stack is currently locked by 1 lock(s)" in refused.stdout + refused.stderr

    cancel = cli(team, "cancel", "--yes")
    assert cancel.returncode == 0, cancel.stdout + cancel.stderr
    assert team.locks() == []

    # The killed up had a step in flight (waiting for the deployment): the next up performs it again.
    again = cli(team, "up", "--yes", "--skip-preview")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "updated" in again.stdout or "replaced" in again.stdout, again.stdout
    assert team.locks() == []
    assert team.sims.coolify.state.applications[0]["name"] == SERVICE.name


def test_stack_history_lists_every_finished_update(team: Team) -> None:
    completed = cli(team, "stack", "history", "--json")
    assert completed.returncode == 0, completed.stderr
    history: list[dict[str, Any]] = json.loads(completed.stdout)
    # Newest first: the up after cancel, the concurrent up that held the lock, the up with read-only tokens
    # (the program stopped it: an update that failed), the first up. The ups refused by the lock never
    # started an update, and the killed one never finished its own.
    assert [(h["kind"], h["result"]) for h in history] == [
        ("update", "succeeded"), ("update", "succeeded"), ("update", "failed"), ("update", "succeeded")], history
    assert [any(n for op, n in h["resourceChanges"].items() if op != "same") for h in history[:2]] == [True, True]


def test_stack_export_keeps_secrets_encrypted(team: Team) -> None:
    completed = cli(team, "stack", "export")
    assert completed.returncode == 0, completed.stderr
    exported = completed.stdout
    deployment = json.loads(exported)["deployment"]
    assert deployment["secrets_providers"]["type"] == "passphrase"
    assert '"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"' in exported
    stored = (team.gateway.root / BUCKET / CHECKPOINT).read_text()
    for plaintext in (MONGO_ROOT_PASSWORD, team.sims.coolify.token, team.ssh_keys[1].strip().splitlines()[1],
                      SERVICE.secret_env["JWT_SECRET"]):
        assert plaintext not in exported
        assert plaintext not in stored


def test_destroy_empties_the_stack_and_keeps_the_state_history(team: Team) -> None:
    result = team.stack.destroy(color="never", on_output=lambda _line: None)
    assert result.summary.result == "succeeded"
    assert team.sims.hcloud.summary()["servers"] == []
    assert team.sims.coolify.state.applications == []
    assert team.locks() == []
    state = json.loads((team.gateway.root / BUCKET / CHECKPOINT).read_text())
    assert state["checkpoint"]["latest"].get("resources") in (None, [])
