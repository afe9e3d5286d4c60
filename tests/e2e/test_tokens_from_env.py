"""The team setup's tokens end to end: provider tokens only in the environment, never in config or state.

The real engine runs this repo's program for stack `staging` (one service) against the simulators, with
the three provider tokens passed as the team setup passes them (docs/ci.md): environment variables
`COOLIFY_TOKEN`, `HCLOUD_TOKEN`, `GITHUB_TOKEN`, none in the stack config. An `up` runs with the write
tokens; then a preview, which holds the passphrase and so can decrypt whatever the state and the stack
config hold, runs with read-only tokens: nothing it can decrypt is a token that can write.

The tests of this module share one deployment and run in order.
"""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi import automation as auto

from tests.harness.local import (
    EXAMPLE_SERVICES,
    HCLOUD_READ_TOKEN,
    MONGO_ROOT_PASSWORD,
    LocalProject,
    Simulators,
    local_deployment,
    stack_config,
    token_env,
)

SERVICE = EXAMPLE_SERVICES[0]
TOKEN_KEYS = ("coolify:token", "hcloud:token", "github:token")


@dataclass
class Team:
    sims: Simulators
    project: LocalProject
    stack: auto.Stack
    first_up: auto.UpResult

    def write_tokens(self) -> dict[str, str]:
        return token_env(self.sims)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.project.cli(*args, "--stack", "staging", "--non-interactive")

    def export(self) -> str:
        completed = self.cli("stack", "export", "--show-secrets")
        assert completed.returncode == 0, completed.stderr
        return completed.stdout

    def config_json(self) -> str:
        completed = self.cli("config", "--show-secrets", "--json")
        assert completed.returncode == 0, completed.stderr
        return completed.stdout

    def successful_writes(self) -> list[str]:
        return [f"{r.method} {r.path}" for sim in (self.sims.coolify, self.sims.hcloud, self.sims.github)
                for r in sim.requests if r.method != "GET" and r.status < 400]


@pytest.fixture(scope="module")
def team() -> Iterator[Team]:
    with local_deployment([SERVICE.name]) as (sims, project, ssh_keys):
        sims.add_shared_zone()  # owned by the prod stack
        project.use_env(token_env(sims))
        stack = project.stack("staging", stack_config(sims, "staging", [SERVICE], ssh_keys, tokens_in_config=False))
        yield Team(sims, project, stack, stack.up(color="never", on_output=lambda _line: None))


def _plain(value: Any) -> Any:
    """A value of `stack export --show-secrets`: a secret is {<sig>: ..., "plaintext": <JSON text>}."""
    if isinstance(value, dict) and "plaintext" in value:
        return json.loads(value["plaintext"])
    return value


def _pickled_providers(export: str) -> list[bytes]:
    """Every dynamic resource's `__provider` (the serialized provider instance), decoded, from inputs and outputs."""
    found = []
    for resource in json.loads(export)["deployment"]["resources"]:
        for props in (resource.get("inputs") or {}, resource.get("outputs") or {}):
            if "__provider" in props:
                found.append(base64.b64decode(_plain(props["__provider"])))
    return found


def test_an_up_with_write_tokens_from_the_environment_only(team: Team) -> None:
    assert team.first_up.summary.result == "succeeded"
    assert not set(TOKEN_KEYS) & set(team.stack.get_all_config())
    assert team.sims.coolify.state.applications[0]["name"] == SERVICE.name
    assert team.sims.hcloud.summary()["servers"] != []


def test_no_write_token_in_the_state_nor_the_stack_config(team: Team) -> None:
    export, config = team.export(), team.config_json()
    # The export really shows the secrets it holds (the check below could find a token if one were there).
    assert MONGO_ROOT_PASSWORD in export and MONGO_ROOT_PASSWORD in config
    pickles = _pickled_providers(export)
    assert len(pickles) > 10  # every Coolify resource, the health check, the guard
    for variable, token in team.write_tokens().items():
        assert token not in export, f"{variable}'s token is in the state"
        assert token not in config, f"{variable}'s token is in the stack config"
        assert not any(token.encode() in pickled for pickled in pickles), f"{variable}'s token is in a __provider"
    # The bridged default providers' stored configuration has no token (they read it from the environment).
    providers = {r["type"]: r for r in json.loads(export)["deployment"]["resources"]
                 if r["type"] in ("pulumi:providers:hcloud", "pulumi:providers:github")}
    assert set(providers) == {"pulumi:providers:hcloud", "pulumi:providers:github"}
    for provider in providers.values():
        assert "token" not in provider["inputs"] and "token" not in provider["outputs"]


def test_a_preview_with_read_only_tokens_from_the_environment_succeeds(team: Team) -> None:
    team.project.use_env(token_env(team.sims, read_only=True))
    try:
        team.sims.reset_counts()
        preview = team.stack.preview(color="never")
    finally:
        team.project.use_env(team.write_tokens())
    assert {op for op, n in preview.change_summary.items() if n} == {auto.OpType.SAME}, preview.stdout
    assert team.successful_writes() == []


def _failed_up_with(team: Team, tokens: dict[str, str]) -> str:
    """An `up` with these token variables, which must fail; its output. The write tokens are put back after."""
    team.project.use_env(tokens)
    try:
        team.sims.reset_counts()
        completed = team.cli("up", "--yes", "--skip-preview")
    finally:
        team.project.use_env(team.write_tokens())
    assert completed.returncode != 0
    return completed.stdout + completed.stderr


def test_an_up_with_read_only_tokens_names_each_token_and_writes_nothing(team: Team) -> None:
    before = json.loads(team.export())["deployment"]["resources"]
    output = _failed_up_with(team, token_env(team.sims, read_only=True))
    assert "API tokens cannot do what an up (write access) needs (4 problem(s)):" in output
    assert "coolify:token (from COOLIFY_TOKEN) lacks the Coolify ability 'write'" in output
    assert "hcloud:token (from HCLOUD_TOKEN) cannot write (token_readonly:" in output
    assert f"github:token (from GITHUB_TOKEN) cannot write Actions secrets of penpal-ai/{SERVICE.name}" in output
    assert "Traceback" not in output
    assert team.successful_writes() == []
    assert json.loads(team.export())["deployment"]["resources"] == before


def test_an_up_with_one_read_only_token_fails_with_one_line_naming_it(team: Team) -> None:
    output = _failed_up_with(team, {**team.write_tokens(), "HCLOUD_TOKEN": HCLOUD_READ_TOKEN})
    assert "API tokens cannot do what an up (write access) needs (1 problem(s)):" in output
    problems = {line.strip() for line in output.splitlines() if line.strip().startswith("- ")}
    assert len(problems) == 1, output
    assert next(iter(problems)).startswith("- hcloud:token (from HCLOUD_TOKEN) cannot write"), output
    assert "Traceback" not in output
    assert team.successful_writes() == []


def test_a_second_up_with_the_write_tokens_changes_nothing(team: Team) -> None:
    result = team.stack.up(color="never", on_output=lambda _line: None)
    assert {op for op, n in (result.summary.resource_changes or {}).items() if n} == {"same"}
    for token in team.write_tokens().values():
        assert token not in team.export()
