""".github/workflows/infra.yml: actionlint-clean, and wired the way docs/ci.md describes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.harness.tools import ToolMissing, require_tool

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "infra.yml"
PINNED_ACTION = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
SECRET_EXPRESSION = re.compile(r"\$\{\{\s*secrets\.")


def find_actionlint() -> Path:
    try:
        return require_tool("actionlint")
    except ToolMissing as missing:
        pytest.fail(str(missing))


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return document


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if str(step.get("uses", "")).startswith(f"{action}@")]


def test_actionlint_finds_no_problem() -> None:
    actionlint = find_actionlint()
    completed = subprocess.run(
        [str(actionlint), "-no-color", str(WORKFLOW.relative_to(REPO_ROOT))],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_triggers_are_pull_requests_and_pushes_to_develop_and_main(workflow: dict[Any, Any]) -> None:
    # PyYAML reads the bare key `on` as True.
    triggers = workflow[True]
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"]["branches"] == ["develop", "main"]
    assert workflow["permissions"] == {"contents": "read"}


def test_pull_requests_preview_both_stacks_and_edit_one_comment_each(workflow: dict[Any, Any]) -> None:
    preview = workflow["jobs"]["preview"]
    assert "github.event_name == 'pull_request'" in preview["if"]
    assert preview["strategy"]["matrix"]["stack"] == ["staging", "prod"]
    assert preview["permissions"]["pull-requests"] == "write"
    [run] = [step for step in steps_using(preview, "pulumi/actions") if "command" in step.get("with", {})]
    assert run["with"]["command"] == "preview"
    assert run["with"]["stack-name"] == "${{ matrix.stack }}"
    assert run["with"]["comment-on-pr"] is True
    assert run["with"]["edit-pr-comment"] is True


def test_pushes_run_up_on_the_stack_of_their_branch(workflow: dict[Any, Any]) -> None:
    up = workflow["jobs"]["up"]
    assert up["if"] == "github.event_name == 'push'"
    branch_to_stack = "${{ github.ref_name == 'main' && 'prod' || 'staging' }}"
    assert up["env"]["STACK"] == branch_to_stack
    [run] = [step for step in steps_using(up, "pulumi/actions") if "command" in step.get("with", {})]
    assert run["with"]["command"] == "up"
    assert run["with"]["stack-name"] == "${{ env.STACK }}"


def test_one_up_per_stack_at_a_time_and_never_cancelled(workflow: dict[Any, Any]) -> None:
    up = workflow["jobs"]["up"]["concurrency"]
    assert up["group"] == "infra-up-${{ github.ref_name == 'main' && 'prod' || 'staging' }}"
    assert up["cancel-in-progress"] is False
    preview = workflow["jobs"]["preview"]["concurrency"]
    assert "${{ matrix.stack }}" in preview["group"]
    assert preview["group"] != up["group"]


def test_previews_run_in_the_read_only_environment(workflow: dict[Any, Any]) -> None:
    # The pull request's code runs in the preview job: its tokens come from environment `preview`,
    # which holds read-only ones (docs/ci.md), never from staging or production.
    assert workflow["jobs"]["preview"]["environment"] == "preview"


def test_up_runs_in_the_gated_environment_of_its_stack(workflow: dict[Any, Any]) -> None:
    up = workflow["jobs"]["up"]
    assert up["environment"] == "${{ github.ref_name == 'main' && 'production' || 'staging' }}"
    # The environment and the stack follow the same branch test, so prod never runs outside `production`.
    assert up["env"]["STACK"] == "${{ github.ref_name == 'main' && 'prod' || 'staging' }}"


def test_no_job_has_more_permissions_than_it_needs(workflow: dict[Any, Any]) -> None:
    assert workflow["jobs"]["preview"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert workflow["jobs"]["up"]["permissions"] == {"contents": "read"}


def test_every_action_is_pinned_to_a_commit(workflow: dict[Any, Any]) -> None:
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED_ACTION.match(step["uses"]), step["uses"]


def test_pip_is_cached_on_requirements(workflow: dict[Any, Any]) -> None:
    for job in workflow["jobs"].values():
        [setup_python] = steps_using(job, "actions/setup-python")
        assert setup_python["with"]["cache"] == "pip"
        assert setup_python["with"]["cache-dependency-path"] == "requirements.txt"


def test_backend_passphrase_and_tokens_come_from_secrets_only_as_env(workflow: dict[Any, Any]) -> None:
    expected = {
        "PULUMI_BACKEND_URL": "PULUMI_BACKEND_URL",
        "PULUMI_CONFIG_PASSPHRASE": "PULUMI_CONFIG_PASSPHRASE",
        "COOLIFY_TOKEN": "COOLIFY_TOKEN",
        "HCLOUD_TOKEN": "HCLOUD_TOKEN",
        "GITHUB_TOKEN": "INFRA_GITHUB_TOKEN",
        "AWS_ACCESS_KEY_ID": "STATE_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY": "STATE_SECRET_ACCESS_KEY",
    }
    for job in workflow["jobs"].values():
        for variable, secret in expected.items():
            assert job["env"][variable] == f"${{{{ secrets.{secret} }}}}"
        for step in job["steps"]:
            # A secret expression in a script would be pasted into the script text; env keeps it out.
            assert not SECRET_EXPRESSION.search(step.get("run", "")), step


CONFIG_STEP = "Stack config from environment variables"
TOKEN_VARIABLES = ("COOLIFY_TOKEN", "HCLOUD_TOKEN", "GITHUB_TOKEN")


def test_only_the_coolify_url_reaches_the_stack_config_through_stdin(workflow: dict[Any, Any]) -> None:
    for job in workflow["jobs"].values():
        [step] = [step for step in job["steps"] if step.get("name") == CONFIG_STEP]
        script = step["run"]
        assert "set_config coolify:url COOLIFY_URL\n" in script
        assert 'printf \'%s\' "$value" | pulumi config set "$1" --stack "$STACK"' in script
        names = [s.get("name") for s in job["steps"]]
        command_step = next(s for s in job["steps"] if "command" in s.get("with", {}))
        assert names.index(step["name"]) < names.index(command_step["name"])


def test_tokens_stay_in_the_environment_never_in_the_stack_config(workflow: dict[Any, Any]) -> None:
    # A token in the stack config is copied into the state by the providers (issue 14), where a pull
    # request's preview, which holds the passphrase, could decrypt it: the tokens are env only.
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            script = step.get("run", "")
            assert "--secret" not in script, step
            assert not [key for key in ("coolify:token", "hcloud:token", "github:token") if key in script], step
            assert not [v for v in TOKEN_VARIABLES if v in str(step.get("with", {}))], step


def test_no_script_mentions_a_secret_variable(workflow: dict[Any, Any]) -> None:
    secret_variables = ("PULUMI_CONFIG_PASSPHRASE", "COOLIFY_TOKEN", "HCLOUD_TOKEN", "GITHUB_TOKEN", "AWS_SECRET")
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            script = step.get("run", "")
            assert not [v for v in secret_variables if v in script], script


def test_every_job_writes_the_preview_summary_to_the_job_summary(workflow: dict[Any, Any]) -> None:
    for job in workflow["jobs"].values():
        runs = [step.get("run", "") for step in job["steps"]]
        assert any('python -m tools.preview_summary --stack "$STACK" >> "$GITHUB_STEP_SUMMARY"' in run for run in runs)


def test_the_cli_version_is_the_one_the_toolchain_pins(workflow: dict[Any, Any]) -> None:
    versions = (REPO_ROOT / "toolchain" / "versions.env").read_text(encoding="utf-8")
    assert re.search(r"^PULUMI_CLI_VERSION=\d+\.\d+\.\d+$", versions, re.MULTILINE)
    for job in workflow["jobs"].values():
        [read_version] = [step for step in job["steps"] if step.get("id") == "versions"]
        assert "toolchain/versions.env" in read_version["run"]
        for step in steps_using(job, "pulumi/actions"):
            assert step["with"]["pulumi-version"] == "${{ steps.versions.outputs.PULUMI_CLI_VERSION }}"


def test_install_actionlint_is_idempotent(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    installed = find_actionlint()
    shutil.copy2(installed, bin_dir / "actionlint")

    completed = subprocess.run(
        [str(REPO_ROOT / "tools" / "install_actionlint.sh"), str(bin_dir)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": "/usr/bin:/bin"},  # no Go: a rebuild attempt would fail
    )

    assert completed.returncode == 0, completed.stderr
    assert "already installed" in completed.stdout
