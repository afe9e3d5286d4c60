"""End to end: the prod stack (protected MongoDB, repo-wide secrets and CI file), the committed stack
files, and the preview review (`tools.preview_summary`) rendered from the engine's real JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import yaml

from tests.harness.local import (
    BACKUP_S3,
    BACKUP_S3_KEYS,
    COOLIFY_DEPLOY_TOKEN,
    DNS_ZONE,
    EXAMPLE_SERVICES,
    GITHUB_OWNER,
    REPO_ROOT,
    LocalProject,
    ServiceSpec,
    Simulators,
    local_deployment,
    stack_config,
)
from tools.preview_summary import render_summary

DB_SERVICE = EXAMPLE_SERVICES[0]
PROD_SERVICE = replace(DB_SERVICE, secret_env={})


def committed_config(stack: str) -> dict[str, Any]:
    """The non-secret config of a committed Pulumi.<stack>.yaml."""
    data = yaml.safe_load((REPO_ROOT / f"Pulumi.{stack}.yaml").read_text())
    return dict(data["config"])


def _quiet(_line: str) -> None:
    pass


@pytest.fixture(scope="module")
def local() -> Iterator[tuple[Simulators, LocalProject, tuple[str, str]]]:
    with local_deployment([s.name for s in EXAMPLE_SERVICES]) as deployment:
        yield deployment


def _preview_json(project: LocalProject, stack: str, *, succeeds: bool = True) -> dict[str, Any]:
    result = project.cli("preview", "--json", "--stack", stack)
    assert (result.returncode == 0) == succeeds, result.stderr + result.stdout
    return json.loads(result.stdout)


def test_staging_before_prod_created_the_shared_zone_stops_with_one_line(
    local: tuple[Simulators, LocalProject, tuple[str, str]]
) -> None:
    sims, project, keys = local
    project.stack("zone-first", stack_config(sims, "staging", [DB_SERVICE], keys))
    preview = _preview_json(project, "zone-first", succeeds=False)
    messages = [d.get("message", "").strip() for d in preview.get("diagnostics") or [] if d.get("severity") == "error"]
    assert messages == [
        f"error: penpal:dns.zone: DNS zone '{DNS_ZONE}' does not exist in the Hetzner project of hcloud:token. "
        "The prod stack owns and creates it: run `pulumi up --stack prod` first, or set `penpal:dns.manage: false` "
        "(then create the records of the dnsRecords output by hand)"
    ], messages
    assert [step["op"] for step in preview.get("steps") or []] in ([], ["create"])  # the stack itself at most


def test_prod_lifecycle(local: tuple[Simulators, LocalProject, tuple[str, str]]) -> None:
    sims, project, keys = local
    sims.coolify.set_deploy_outcome(None, "finished")
    stack = project.stack("prod", stack_config(sims, "prod", [PROD_SERVICE], keys,
                                               base={"penpal:services": [PROD_SERVICE.config_entry()
                                                                         | {"writeWorkflow": True}]}))
    outputs = stack.up(color="never", on_output=_quiet).outputs
    assert outputs["environment"].value == "production"
    assert outputs["serviceUrls"].value == {DB_SERVICE.name: f"https://prod.{DB_SERVICE.name}.penpal-ai.maksou.dev"}

    # The prod stack owns the shared DNS zone: created with delete protection, holding prod's records.
    [zone] = sims.hcloud.zones()
    assert (zone["name"], zone["protection"]) == (DNS_ZONE, {"delete": True})
    assert {r["id"] for r in sims.hcloud.rrsets(DNS_ZONE)} == {
        "@/NS", "@/SOA", f"prod.{DB_SERVICE.name}.penpal-ai/A", f"prod.{DB_SERVICE.name}.penpal-ai/AAAA"}

    # Repo-wide things belong to the prod stack: the API token, its webhook URL and the CI workflow.
    github = sims.github
    assert github.secret_plaintext(GITHUB_OWNER, DB_SERVICE.name, "COOLIFY_API_TOKEN") == COOLIFY_DEPLOY_TOKEN
    assert github.secret_plaintext(GITHUB_OWNER, DB_SERVICE.name, "COOLIFY_PROD_WEBHOOK_URL") == (
        outputs["webhookUrls"].value[DB_SERVICE.name])
    workflow = github.file_content(GITHUB_OWNER, DB_SERVICE.name, ".github/workflows/ci.yml", branch="develop")
    assert workflow is not None and "COOLIFY_PROD_WEBHOOK_URL" in workflow

    # Backups leave the server: the schedule uploads to the bucket through an S3 storage Coolify could list.
    [storage] = sims.coolify.state.s3_storages
    assert (storage["name"], storage["bucket"], storage["is_usable"]) == (
        "penpal-production-mongodb-backups", BACKUP_S3["bucket"], True)
    [backup] = sims.coolify.state.backups
    assert (backup["save_s3"], backup["s3_storage_id"], backup["database_backup_retention_amount_s3"]) == (
        True, storage["id"], 30)
    exported = project.cli("stack", "export", "--stack", "prod")
    assert exported.returncode == 0 and BACKUP_S3_KEYS["secretKey"] not in exported.stdout
    assert BACKUP_S3_KEYS["accessKey"] not in exported.stdout

    # The review of a change, from the engine's own JSON: one env var changed, named, value hidden.
    changed = replace(PROD_SERVICE, env={"LOG_LEVEL": "silly-level-value"})
    stack.set_all_config(stack_config(sims, "prod", [changed], keys,
                                      base={"penpal:services": [changed.config_entry() | {"writeWorkflow": True}]}))
    summary = render_summary(_preview_json(project, "prod"), "prod")
    assert "LOG_LEVEL" in summary
    assert "silly-level-value" not in summary and sims.coolify.token not in summary
    # The env vars, the stack's DeploymentWait (it waits for the new deployment) and its health check.
    assert "3 to update" in summary
    assert 'deployments["penpal-ai-db-service"].deployment_uuid' in summary
    stack.up(color="never", on_output=_quiet)

    # A bigger server type is an in-place resize on Hetzner (same server, IP and disk): an update.
    resized = stack_config(sims, "prod", [changed], keys, base={
        "penpal:services": [changed.config_entry() | {"writeWorkflow": True}],
        "penpal:server": {"type": "cx32", "location": "fsn1", "image": "ubuntu-24.04"}})
    stack.set_all_config(resized)
    summary = render_summary(_preview_json(project, "prod"), "prod")
    assert "serverType" in summary and "REPLACE" not in summary and "1 to update" in summary

    # Moving the server to another location would replace it and the MongoDB data on it: the stack
    # guard refuses before any step is planned, and the review says the preview failed on it.
    moved = stack_config(sims, "prod", [changed], keys, base={
        "penpal:services": [changed.config_entry() | {"writeWorkflow": True}],
        "penpal:server": {"type": "cx22", "location": "nbg1", "image": "ubuntu-24.04"}})
    stack.set_all_config(moved)
    preview = _preview_json(project, "prod", succeeds=False)
    messages = [d.get("message", "") for d in preview.get("diagnostics") or [] if d.get("severity") == "error"]
    assert any("penpal:server.location: changing it from 'fsn1' to 'nbg1'" in m for m in messages), messages
    summary = render_summary(preview, "prod")
    assert "The preview failed" in summary and "`guard`" in summary
    assert "REPLACE" not in summary

    # Destroy everything that is not protected: the prod MongoDB (and what it stands on) stays.
    stack.set_all_config(stack_config(sims, "prod", [PROD_SERVICE], keys, base={
        "penpal:services": [PROD_SERVICE.config_entry() | {"writeWorkflow": True}]}))
    stack.destroy(color="never", on_output=_quiet, exclude_protected=True)
    state = sims.coolify.state
    prod_apps = [a for a in state.applications if a.get("fqdn", "").startswith("https://prod.")]
    assert prod_apps == []
    assert [d["name"] for d in state.databases if "production" in d["name"]] == ["penpal-production-mongodb"]
    assert github.secret_names(GITHUB_OWNER, DB_SERVICE.name) == []
    remaining = [r["type"] for r in (stack.export_stack().deployment or {})["resources"]]
    assert "pulumi-python:dynamic/coolify:MongoDatabase" in remaining
    # The zone is never deleted by a stack; the service's records went with the service.
    assert "hcloud:index/zone:Zone" in remaining
    assert [r["id"] for r in sims.hcloud.rrsets(DNS_ZONE)] == ["@/NS", "@/SOA"]
    assert "pulumi-python:dynamic/coolify:Application" not in remaining


# After test_prod_lifecycle: the staging stack adds its records to the zone the prod stack created.
@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_committed_stack_files_preview_cleanly(local: tuple[Simulators, LocalProject, tuple[str, str]],
                                               stack: str) -> None:
    sims, project, keys = local
    base = committed_config(stack)
    services = [ServiceSpec(s["name"], s["port"]) for s in base["penpal:services"]]
    config = stack_config(sims, stack, services, keys, base={k: v for k, v in base.items()
                                                             if not k.startswith(("coolify:", "github:"))})
    project.stack(f"committed-{stack}", config)
    steps = _preview_json(project, f"committed-{stack}")["steps"]
    assert {step["op"] for step in steps} == {"create"}
    created = {step["urn"].split("::")[-2].split("$")[-1] for step in steps}
    assert {
        "hcloud:index/server:Server", "hcloud:index/firewall:Firewall", "hcloud:index/sshKey:SshKey",
        "pulumi-python:dynamic/coolify:Project", "pulumi-python:dynamic/coolify:Environment",
        "pulumi-python:dynamic/coolify:Server", "pulumi-python:dynamic/coolify:MongoDatabase",
        "pulumi-python:dynamic/coolify:Application", "pulumi-python:dynamic/coolify:ApplicationEnvVars",
        "pulumi-python:dynamic/coolify:Deployment", "github:index/actionsSecret:ActionsSecret",
        "pulumi-python:dynamic/penpal:HealthCheck", "hcloud:index/zoneRrset:ZoneRrset",
    } <= created
    # The preview lists each service's DNS records.
    records = {step["urn"].split("::")[-1] for step in steps if step["urn"].split("::")[-2].endswith("ZoneRrset")}
    assert records == {f"{s.name}-dns-{t}" for s in services for t in ("a", "aaaa")}
    # The shared zone is created by its owner, the prod stack, only.
    assert ("hcloud:index/zone:Zone" in created) == (stack == "prod")
    if stack == "prod":  # the prod stack file commits the service's CI workflow
        assert "github:index/repositoryFile:RepositoryFile" in created
