"""End to end: env var values changed, deleted or hidden in Coolify, and a rotated Coolify token.

The real engine runs this repo's program for stack `staging` against the simulators; the tests of this
module share one deployment and run in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pulumi import automation as auto

from components.coolify.resources.env_vars import CHANGED_IN_COOLIFY, UNREADABLE_VALUES
from tests.harness.local import LocalProject, ServiceSpec, Simulators, local_deployment, stack_config

SERVICES = [
    ServiceSpec("penpal-ai-db-service", 3000, env={"LOG_LEVEL": "info", "FEATURE_FLAGS": "chat,search"}),
    ServiceSpec("penpal-ai-chat-service", 3001, env={"LOG_LEVEL": "debug"}),
]
DB = SERVICES[0].name
ENV_VARS = "pulumi-python:dynamic/coolify:ApplicationEnvVars"


class Deployment:
    def __init__(self, sims: Simulators, project: LocalProject, ssh_keys: tuple[str, str]) -> None:
        self.sims = sims
        self.project = project
        self.ssh_keys = ssh_keys
        self.token = sims.coolify.token
        self.stack = project.stack("staging", self.config())

    def config(self) -> dict[str, auto.ConfigValue]:
        config = stack_config(self.sims, "staging", SERVICES, self.ssh_keys)
        config["coolify:token"] = auto.ConfigValue(self.token, secret=True)
        return config

    def use_token(self, token: str) -> None:
        self.token = token
        self.stack.set_all_config(self.config())

    def up(self) -> auto.UpResult:
        return self.stack.up(color="never", on_output=lambda _line: None)

    def rows(self, key: str) -> list[dict[str, Any]]:
        [app] = [a for a in self.sims.coolify.state.applications if a["name"] == DB]
        return [r for r in self.sims.coolify.state.env_vars
                if r["_application_uuid"] == app["uuid"] and r["key"] == key]

    def runtime_row(self, key: str) -> dict[str, Any]:
        [row] = [r for r in self.rows(key) if not r["is_preview"]]
        return row

    def env_var_outputs(self) -> dict[str, dict[str, Any]]:
        """Each env var set's outputs as stored in state, secrets shown."""
        exported = self.project.cli("stack", "export", "--show-secrets", "--stack", "staging")
        assert exported.returncode == 0, exported.stderr
        resources = json.loads(exported.stdout)["deployment"]["resources"]
        return {r["urn"].split("::")[-1]: _plain(r["outputs"]) for r in resources if r["type"] == ENV_VARS}


def _plain(value: Any) -> Any:
    """State JSON with `--show-secrets`: secrets are {"4dabf18193072939515e22adb298388d": ..., "plaintext": ...}."""
    if isinstance(value, dict):
        if "plaintext" in value and len(value) == 2:
            return _plain(json.loads(value["plaintext"]))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _changes(summary: Mapping[Any, int] | None) -> dict[str, int]:
    """Operations other than `same`, keyed by their plain names."""
    plain = {str(getattr(op, "value", op)): n for op, n in (summary or {}).items()}
    return {op: n for op, n in plain.items() if op != "same"}


def _warnings(shown: str) -> int:
    """How many times the warning was given: the CLI echoes each diagnostic while it runs and then lists
    it once under `Diagnostics:` (when it prints that section)."""
    _, listed, diagnostics = shown.partition("Diagnostics:")
    return (diagnostics if listed else shown).count(f"warning: {UNREADABLE_VALUES}")


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    with local_deployment([s.name for s in SERVICES]) as (sims, project, ssh_keys):
        sims.add_shared_zone()  # owned by the prod stack
        deployed = Deployment(sims, project, ssh_keys)
        deployed.up()
        yield deployed


def test_value_changed_in_coolify_is_seen_by_refresh_and_put_back_by_up(deployment: Deployment) -> None:
    deployment.sims.coolify.edit_env(deployment.runtime_row("LOG_LEVEL")["uuid"], value="trace-by-hand")
    refreshed = deployment.stack.refresh(color="never")
    assert _changes(refreshed.summary.resource_changes) == {"update": 1}, refreshed.stdout
    preview = deployment.stack.preview(color="never", diff=True)
    assert _changes(preview.change_summary) == {"update": 1}, preview.stdout
    # The preview names the key, never a value.
    changed = [" ".join(line.split()) for line in preview.stdout.splitlines() if line.strip().startswith("~ ")]
    assert f'~ LOG_LEVEL : "r1, {CHANGED_IN_COOLIFY}" => "r1"' in changed, preview.stdout
    assert not any(line.startswith("~ FEATURE_FLAGS") for line in changed), preview.stdout
    assert "trace-by-hand" not in preview.stdout
    result = deployment.up()
    assert _changes(result.summary.resource_changes) == {"update": 1}
    assert deployment.runtime_row("LOG_LEVEL")["value"] == "info"
    assert _changes(deployment.up().summary.resource_changes) == {}
    # The value seen during the drift was kept in state as a secret only.
    exported = deployment.project.cli("stack", "export", "--stack", "staging")
    assert exported.returncode == 0 and "trace-by-hand" not in exported.stdout


def test_deleted_key_is_restored_to_one_runtime_row_and_one_preview_row(deployment: Deployment) -> None:
    deployment.sims.coolify.delete_env_oob(deployment.runtime_row("FEATURE_FLAGS")["uuid"])
    assert [r["is_preview"] for r in deployment.rows("FEATURE_FLAGS")] == [True]  # its preview copy stays
    refreshed = deployment.stack.refresh(color="never")
    assert _changes(refreshed.summary.resource_changes) == {"update": 1}, refreshed.stdout
    deployment.up()
    rows = sorted((r["is_preview"], r["value"]) for r in deployment.rows("FEATURE_FLAGS"))
    assert rows == [(False, "chat,search"), (True, "chat,search")]
    assert _changes(deployment.up().summary.resource_changes) == {}


def test_token_rotation_changes_nothing(deployment: Deployment) -> None:
    before = deployment.env_var_outputs()
    assert all(len(outs["fingerprints"]) >= 1 for outs in before.values())
    rotated = "9|rotatedRootTokenForTheE2eTier0000000000"
    old = deployment.token
    deployment.sims.coolify.add_token(rotated, {"root"})
    deployment.use_token(rotated)
    deployment.sims.coolify.remove_token(old)
    preview = deployment.stack.preview(color="never", diff=True)
    assert _changes(preview.change_summary) == {}, preview.stdout
    # `up` stores the new token in the provider's state; refresh, which does not run the program, uses that.
    assert _changes(deployment.up().summary.resource_changes) == {}
    refreshed = deployment.stack.refresh(color="never")
    assert _changes(refreshed.summary.resource_changes) == {}, refreshed.stdout
    assert deployment.env_var_outputs() == before


def test_token_that_cannot_read_values_warns_once_and_cannot_up(deployment: Deployment) -> None:
    reader = "10|readWriteDeployNoSensitive000000000000"
    deployment.sims.coolify.add_token(reader, {"read", "write", "deploy"})
    deployment.use_token(reader)
    preview = deployment.stack.preview(color="never", diff=True)
    assert _changes(preview.change_summary) == {}, preview.stdout
    # Two env var sets, several keys: one warning (the engine shows the provider's stderr lines).
    shown = preview.stdout + preview.stderr
    assert _warnings(shown) == 1, shown
    # An up needs read:sensitive (components/access.py checks it first): refused, naming the ability.
    with pytest.raises(auto.CommandError) as refused:
        deployment.up()
    assert "coolify:token lacks the Coolify ability 'read:sensitive'" in str(refused.value)
