"""The generated ci.yml follows the team's pipeline, and CiWorkflow commits it to the service repo."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from components.ci_workflow import WORKFLOW_PATH, CiWorkflow, CiWorkflowArgs, render_ci_workflow
from tests.harness.tools import tool_path
from tests.unit.mocks import RecordingMocks, T
from tests.unit.outputs import resolve, run_program


def workflow(owner: str = "Penpal-AI", image: str = "penpal-ai-db-service", node: str = "20") -> dict[Any, Any]:
    parsed = yaml.safe_load(render_ci_workflow(owner, image, node))
    assert isinstance(parsed, dict)
    return parsed


def steps(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["name"]: step for step in job["steps"]}


def test_triggers_on_deploy_branches_and_version_tags() -> None:
    on = workflow()[True]  # YAML 1.1 reads the bare key `on` as a boolean
    assert on == {"push": {"branches": ["develop", "main"], "tags": ["v*.*.*"]}}


def test_image_coordinates_are_lower_case() -> None:
    assert workflow(owner="Penpal-AI")["env"] == {"OWNER": "penpal-ai", "IMAGE_NAME": "penpal-ai-db-service"}


def test_tests_run_before_any_image_is_built() -> None:
    jobs = workflow(node="22")["jobs"]
    test_steps = steps(jobs["test"])
    assert [s.get("run") for s in jobs["test"]["steps"] if "run" in s] == [
        "npm ci",
        "npm run lint",
        "npm test -- --runInBand",
        "npm run test:cov -- --runInBand",
        "npm run test:e2e -- --runInBand",
    ]
    assert test_steps["Setup Node.js"]["with"]["node-version"] == 22
    assert jobs["build-and-deploy"]["needs"] == "test"


def test_multi_arch_images_with_the_tag_scheme() -> None:
    build = steps(workflow()["jobs"]["build-and-deploy"])
    prefix = "ghcr.io/${{ env.OWNER }}/${{ env.IMAGE_NAME }}:"
    version = build["Build & push image (version)"]["with"]
    branch = build["Build & push image (branch)"]["with"]
    assert version["platforms"] == branch["platforms"] == "linux/amd64,linux/arm64"
    assert version["tags"].splitlines() == [
        prefix + "${{ steps.tags.outputs.version_tag }}",
        prefix + "${{ steps.tags.outputs.sha_tag }}",
        prefix + "latest",
    ]
    assert branch["tags"].splitlines() == [
        prefix + "${{ steps.tags.outputs.branch_tag }}",
        prefix + "${{ steps.tags.outputs.sha_tag }}",
    ]
    assert build["Log in to GHCR"]["with"]["password"] == "${{ secrets.GITHUB_TOKEN }}"


def test_compute_tags_script_yields_the_protocol_tags(tmp_path: Path) -> None:
    script = steps(workflow()["jobs"]["build-and-deploy"])["Compute tags"]["run"]
    sha = "0123456789abcdef0123456789abcdef01234567"
    cases = {
        ("refs/heads/develop", "develop"): {
            "branch_tag": "develop-latest",
            "is_version": "false",
            "sha_tag": "sha-0123456",
        },
        ("refs/heads/main", "main"): {"branch_tag": "main-latest", "is_version": "false", "sha_tag": "sha-0123456"},
        ("refs/tags/v1.4.2", "v1.4.2"): {"version_tag": "1.4.2", "is_version": "true", "sha_tag": "sha-0123456"},
    }
    for (ref, ref_name), expected in cases.items():
        output = tmp_path / f"{ref_name}.out"
        env = {
            "PATH": os.environ["PATH"],
            "GITHUB_REF": ref,
            "GITHUB_REF_NAME": ref_name,
            "GITHUB_SHA": sha,
            "GITHUB_OUTPUT": str(output),
        }
        subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, check=True)
        assert dict(line.split("=", 1) for line in output.read_text().splitlines()) == expected


def test_deploys_by_posting_the_branch_webhook() -> None:
    build = steps(workflow()["jobs"]["build-and-deploy"])
    staging, production = build["Trigger Coolify deploy (staging)"], build["Trigger Coolify deploy (production)"]
    assert staging["if"] == "github.ref == 'refs/heads/develop'"
    assert production["if"] == "github.ref == 'refs/heads/main'"
    for step, secret in ((staging, "COOLIFY_STAGING_WEBHOOK_URL"), (production, "COOLIFY_PROD_WEBHOOK_URL")):
        assert "-X POST" in step["run"]
        assert "Bearer ${{ secrets.COOLIFY_API_TOKEN }}" in step["run"]
        assert f'"${{{{ secrets.{secret} }}}}"' in step["run"]


def test_actionlint_accepts_the_workflow(tmp_path: Path) -> None:
    installed = tool_path("actionlint")
    actionlint = shutil.which("actionlint") or (str(installed) if installed.is_file() else None)
    assert actionlint is not None, "actionlint is missing: run `make setup` (tools/install_actionlint.sh)"
    path = tmp_path / ".github" / "workflows" / "ci.yml"
    path.parent.mkdir(parents=True)
    path.write_text(render_ci_workflow("Penpal-AI", "penpal-ai-db-service"))
    result = subprocess.run([actionlint, "-no-color", str(path)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_to_the_service_repository(mocks: RecordingMocks) -> None:
    component = run_program(
        lambda: CiWorkflow(
            "api-ci-workflow",
            CiWorkflowArgs(
                repository="penpal-ai-api", owner="penpal-ai", image_name="penpal-ai-api", node_version="20"
            ),
        )
    )
    file = mocks.one(T.GITHUB_FILE)
    assert file.name == "api-ci-workflow-file"
    assert file.plain("repository") == "penpal-ai-api"
    assert file.plain("file") == WORKFLOW_PATH == ".github/workflows/ci.yml"
    assert file.plain("branch") == "develop"
    assert file.plain("overwriteOnCreate") is True
    assert file.plain("content") == render_ci_workflow("penpal-ai", "penpal-ai-api", "20")
    assert resolve(component.content) == file.plain("content")
