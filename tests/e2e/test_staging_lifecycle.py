"""End to end: the real engine runs this repo's program for stack `staging` against the simulators.

One deployment is shared by the tests of this module, which run in order, like an operator's day:
up from empty, a no-op up, an env var change, a rollback, drift, a failing deployment, the state
export, and destroy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pulumi import automation as auto

from tests.harness.local import (
    DNS_ZONE,
    EXAMPLE_SERVICES,
    GITHUB_OWNER,
    MONGO_ROOT_PASSWORD,
    LocalProject,
    ServiceSpec,
    Simulators,
    local_deployment,
    stack_config,
)
from tests.harness.standin import Behaviour

DB_SERVICE, CHAT_SERVICE = EXAMPLE_SERVICES
DYNAMIC = "pulumi-python:dynamic/coolify:"


class Staging:
    """The deployed stack and the handles to change its config."""

    def __init__(self, sims: Simulators, project: LocalProject, ssh_keys: tuple[str, str]) -> None:
        self.sims = sims
        self.project = project
        self.ssh_keys = ssh_keys
        self.services: list[ServiceSpec] = list(EXAMPLE_SERVICES)
        self.stack = project.stack("staging", self.config())

    def config(self) -> dict[str, auto.ConfigValue]:
        return stack_config(self.sims, "staging", self.services, self.ssh_keys)

    def set_services(self, services: list[ServiceSpec]) -> None:
        self.services = services
        self.stack.set_all_config(self.config())

    def up(self) -> auto.UpResult:
        return self.stack.up(color="never", on_output=lambda _line: None)


@pytest.fixture(scope="module")
def staging() -> Iterator[Staging]:
    with local_deployment([s.name for s in EXAMPLE_SERVICES]) as (sims, project, ssh_keys):
        sims.add_shared_zone()  # owned by the prod stack
        deployment = Staging(sims, project, ssh_keys)
        deployment.first_up = deployment.up()  # type: ignore[attr-defined]
        yield deployment


def _updated_urns(result: auto.UpResult) -> dict[str, int]:
    return {op: n for op, n in (result.summary.resource_changes or {}).items() if op != "same"}


def _app(sims: Simulators, name: str) -> dict[str, Any]:
    [app] = [a for a in sims.coolify.state.applications if a["name"] == name]
    return app


def _env(sims: Simulators, app: dict[str, Any]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in sims.coolify.state.env_vars
            if e["_application_uuid"] == app["uuid"] and not e["is_preview"]}


def test_up_from_empty_outputs(staging: Staging) -> None:
    outputs = staging.first_up.outputs  # type: ignore[attr-defined]
    assert outputs["environment"].value == "staging"
    assert outputs["serviceUrls"].value == {
        DB_SERVICE.name: f"https://staging.{DB_SERVICE.name}.penpal-ai.maksou.dev",
        CHAT_SERVICE.name: f"https://staging.{CHAT_SERVICE.name}.penpal-ai.maksou.dev",
    }
    apps = {a["name"]: a["uuid"] for a in staging.sims.coolify.state.applications}
    assert outputs["applicationUuids"].value == apps
    assert outputs["imageRefs"].value == {
        s.name: f"ghcr.io/{GITHUB_OWNER}/{s.name}:develop-latest" for s in EXAMPLE_SERVICES
    }
    assert outputs["webhookUrls"].secret and outputs["mongodbInternalUrl"].secret
    assert outputs["webhookUrls"].value[DB_SERVICE.name] == (
        f"{staging.sims.coolify.url}/api/v1/deploy?uuid={apps[DB_SERVICE.name]}&force=false"
    )
    [server] = staging.sims.hcloud.servers()
    assert outputs["serverIpv4"].value == server["public_net"]["ipv4"]["ip"]


def test_up_from_empty_simulators_hold_everything(staging: Staging) -> None:
    sims = staging.sims
    [server] = sims.hcloud.servers()
    assert (server["labels"]["project"], server["labels"]["environment"]) == ("penpal", "staging")
    [firewall] = sims.hcloud.firewalls()
    ports = sorted((r["port"], tuple(r["source_ips"])) for r in firewall["rules"])
    assert ports == [("22", ("203.0.113.7/32",)), ("443", ("0.0.0.0/0", "::/0")), ("80", ("0.0.0.0/0", "::/0"))]
    assert firewall["applied_to"][0]["server"]["id"] == server["id"]
    assert len(sims.hcloud.ssh_keys()) == 1

    state = sims.coolify.state
    assert [p["name"] for p in state.projects] == ["penpal-ai"]
    assert "staging" in [e["name"] for e in state.environments]
    [coolify_server] = state.servers
    assert coolify_server["ip"] == server["public_net"]["ipv4"]["ip"]
    [database] = state.databases
    assert database["mongo_initdb_root_password"] == MONGO_ROOT_PASSWORD
    assert database["is_public"] is False and database["image"] == "mongo:7"
    backups = [b for b in state.backups if b["database_id"] == database["id"]]
    assert [(b["frequency"], b["database_backup_retention_amount_locally"]) for b in backups] == [("0 3 * * *", 7)]

    db_app = _app(sims, DB_SERVICE.name)
    assert db_app["fqdn"] == f"https://staging.{DB_SERVICE.name}.penpal-ai.maksou.dev"
    assert db_app["docker_registry_image_name"] == f"ghcr.io/{GITHUB_OWNER}/{DB_SERVICE.name}"
    assert db_app["docker_registry_image_tag"] == "develop-latest"
    assert db_app["health_check_path"] == "/health"
    env = _env(sims, db_app)
    assert env["NODE_ENV"] == "staging"
    assert env["PORT"] == "3000"
    assert env["LOG_LEVEL"] == "info"
    assert env["JWT_SECRET"] == "jwt-local-1"
    assert env["MONGODB_URI"].startswith("mongodb://") and "/penpal_ai_db_service?" in env["MONGODB_URI"]
    assert all(d["status"] == "finished" for d in state.deployments)
    assert {d["application_name"] for d in state.deployments} == {s.name for s in EXAMPLE_SERVICES}


def test_github_secrets_hold_the_webhook_urls(staging: Staging) -> None:
    outputs = staging.stack.outputs()
    github = staging.sims.github
    for service in EXAMPLE_SERVICES:
        webhook = github.secret_plaintext(GITHUB_OWNER, service.name, "COOLIFY_STAGING_WEBHOOK_URL")
        assert webhook == outputs["webhookUrls"].value[service.name]
        # The token secret is owned by the prod stack; staging never writes it.
        assert github.secret_names(GITHUB_OWNER, service.name) == ["COOLIFY_STAGING_WEBHOOK_URL"]


def test_each_service_domain_has_records_and_passed_its_health_check(staging: Staging) -> None:
    sims = staging.sims
    [server] = sims.hcloud.servers()
    ipv4 = server["public_net"]["ipv4"]["ip"]
    ipv6 = server["public_net"]["ipv6"]["ip"].split("/")[0] + "1"
    records = {r["id"]: (r["records"], r["ttl"]) for r in sims.hcloud.rrsets(DNS_ZONE)}
    for service in EXAMPLE_SERVICES:
        name = f"staging.{service.name}.penpal-ai"
        assert records[f"{name}/A"] == ([{"value": ipv4}], 300)
        assert records[f"{name}/AAAA"] == ([{"value": ipv6}], 300)
        # The health check reached the stand-in by the service's real name, over TLS.
        seen = sims.services.by_domain[f"{name}.maksou.dev"].requests
        assert seen and all((r.path, r.host, r.sni) == ("/health", f"{name}.maksou.dev", f"{name}.maksou.dev")
                            for r in seen)
    outputs = staging.stack.outputs()
    assert outputs["dnsZone"].value == {"zone": DNS_ZONE, "managed": True}
    assert [r["type"] for r in outputs["dnsRecords"].value[DB_SERVICE.name]] == ["A", "AAAA"]


def test_second_up_changes_nothing_and_writes_nothing(staging: Staging) -> None:
    staging.sims.reset_counts()
    checks_before = staging.sims.services.request_count()
    result = staging.up()
    assert _updated_urns(result) == {}
    requests = [r for sim in (staging.sims.coolify, staging.sims.hcloud, staging.sims.github) for r in sim.requests]
    writes = [r for r in requests if r.method in ("POST", "PUT", "PATCH", "DELETE")]
    # The only write requests are the token checks (components/access.py), each refused by the API with
    # a validation error or (the deploy-only token's write check) a 403, or (Hetzner) an update of the
    # stack's SSH key without fields, so none changed anything.
    assert writes, "the up checks the tokens' write access"
    noop_key_update = [r for r in writes if r.method == "PUT" and r.route == "/v1/ssh_keys/{id}" and r.body == b"{}"]
    assert [(r.method, r.status) for r in noop_key_update] == [("PUT", 200)]
    assert [(r.method, r.path, r.status) for r in writes
            if r.status not in (400, 403, 422) and r not in noop_key_update] == []
    # No new deployment, so no health check request either.
    assert staging.sims.services.request_count() == checks_before


def test_one_env_var_change_updates_only_that_service(staging: Staging) -> None:
    before = {d["deployment_uuid"] for d in staging.sims.coolify.state.deployments}
    changed = replace(DB_SERVICE, env={"LOG_LEVEL": "warn"})
    staging.set_services([changed, CHAT_SERVICE])
    preview = staging.stack.preview(color="never", diff=True)
    # The env var set of that service is updated and its deployment replaced by a new one (env vars
    # reach a container only through a new deployment), which the stack's DeploymentWait waits for (an
    # update); the new deployment is checked again (an update of its HealthCheck); nothing else changes.
    assert {op: n for op, n in preview.change_summary.items() if op != auto.OpType.SAME} == {
        auto.OpType.UPDATE: 3, auto.OpType.REPLACE: 1}, preview.stdout
    # Values stay hidden; the key that changed is named through its fingerprint.
    changed_lines = [line.strip() for line in preview.stdout.splitlines() if line.strip().startswith("~ ")]
    assert any(line.startswith("~ LOG_LEVEL") for line in changed_lines), preview.stdout
    assert "warn" not in preview.stdout
    db_checks = staging.sims.services.by_domain[f"staging.{DB_SERVICE.name}.penpal-ai.maksou.dev"]
    chat_checks = staging.sims.services.by_domain[f"staging.{CHAT_SERVICE.name}.penpal-ai.maksou.dev"]
    counts = (db_checks.request_count(), chat_checks.request_count())
    result = staging.up()
    assert _updated_urns(result) == {"update": 3, "replace": 1}
    assert (db_checks.request_count(), chat_checks.request_count()) == (counts[0] + 1, counts[1])
    env = _env(staging.sims, _app(staging.sims, DB_SERVICE.name))
    assert env["LOG_LEVEL"] == "warn"
    new = [d for d in staging.sims.coolify.state.deployments if d["deployment_uuid"] not in before]
    assert [d["application_name"] for d in new] == [DB_SERVICE.name]


def test_rollback_by_tag_updates_the_application_and_redeploys(staging: Staging) -> None:
    before = {d["deployment_uuid"] for d in staging.sims.coolify.state.deployments}
    pinned = replace(DB_SERVICE, env={"LOG_LEVEL": "warn"}, tag="sha-1a2b3c4")
    staging.set_services([pinned, CHAT_SERVICE])
    result = staging.up()
    assert _updated_urns(result) == {"update": 3, "replace": 1}
    app = _app(staging.sims, DB_SERVICE.name)
    assert app["docker_registry_image_tag"] == "sha-1a2b3c4"
    new = [d for d in staging.sims.coolify.state.deployments if d["deployment_uuid"] not in before]
    assert [(d["application_name"], d["status"]) for d in new] == [(DB_SERVICE.name, "finished")]
    assert result.outputs["imageRefs"].value[DB_SERVICE.name].endswith(":sha-1a2b3c4")


def test_refresh_reports_out_of_band_drift(staging: Staging) -> None:
    app = _app(staging.sims, CHAT_SERVICE.name)
    staging.sims.coolify.edit_application(app["uuid"], health_check_path="/changed-by-hand")
    staging.sims.hcloud.set_server_labels(staging.sims.hcloud.servers()[0]["id"], {"owner": "someone"})
    result = staging.stack.refresh(color="never")
    assert (result.summary.resource_changes or {}).get(auto.OpType.UPDATE, 0) == 2, result.stdout
    # The next up puts the declared values back.
    staging.up()
    assert _app(staging.sims, CHAT_SERVICE.name)["health_check_path"] == "/health"
    assert staging.sims.hcloud.servers()[0]["labels"].get("environment") == "staging"


def test_failed_deployment_fails_up_with_the_log_tail(staging: Staging) -> None:
    app = _app(staging.sims, CHAT_SERVICE.name)
    staging.sims.coolify.set_deploy_outcome(app["uuid"], "failed",
                                            log_lines=[f"step {i}" for i in range(80)] + ["npm ERR! boom"])
    staging.set_services([replace(DB_SERVICE, env={"LOG_LEVEL": "warn"}, tag="sha-1a2b3c4"),
                          replace(CHAT_SERVICE, env={"LOG_LEVEL": "error"})])
    with pytest.raises(auto.CommandError) as failure:
        staging.up()
    text = str(failure.value)
    assert "npm ERR! boom" in text
    assert "step 79" in text and "step 5\n" not in text
    staging.sims.coolify.set_deploy_outcome(app["uuid"], "finished")
    staging.up()


def test_failed_health_check_fails_up_with_url_status_and_body(staging: Staging) -> None:
    domain = f"staging.{CHAT_SERVICE.name}.penpal-ai.maksou.dev"
    standin = staging.sims.services.by_domain[domain]
    standin.behaviour = Behaviour(status=503, body='{"status":"mongodb unreachable"}')
    staging.set_services([replace(DB_SERVICE, env={"LOG_LEVEL": "warn"}, tag="sha-1a2b3c4"),
                          replace(CHAT_SERVICE, env={"LOG_LEVEL": "info"})])
    config = staging.config()
    config["penpal:healthCheck"] = auto.ConfigValue(json.dumps({
        "resolve": staging.sims.services.resolve(), "caBundle": str(staging.sims.services.ca_file),
        "timeoutSeconds": 1, "intervalSeconds": 0.2}))
    staging.stack.set_all_config(config)
    with pytest.raises(auto.CommandError) as failure:
        staging.up()
    text = str(failure.value)
    assert f"Health check failed: https://{domain}/health did not answer 200" in text
    assert "last status 503" in text and "mongodb unreachable" in text
    # The service recovers; the next up checks again (the failed check was not recorded) and passes.
    standin.behaviour = Behaviour()
    staging.stack.set_all_config(staging.config())
    staging.up()
    assert staging.stack.preview(color="never").change_summary.get(auto.OpType.UPDATE, 0) == 0


def test_state_export_holds_no_plaintext_secret(staging: Staging) -> None:
    exported = staging.project.cli("stack", "export", "--stack", "staging")
    assert exported.returncode == 0, exported.stderr
    text = exported.stdout
    json.loads(text)
    sims = staging.sims
    secrets = [sims.coolify.token, sims.hcloud.token, sims.github.token, MONGO_ROOT_PASSWORD, "jwt-local-1",
               staging.ssh_keys[1].splitlines()[1]]
    secrets += [a["uuid"] + "&force=false" for a in sims.coolify.state.applications]
    for secret in secrets:
        assert secret not in text


def test_destroy_removes_everything(staging: Staging) -> None:
    staging.stack.destroy(color="never")
    sims = staging.sims
    assert sims.hcloud.servers() == [] and sims.hcloud.firewalls() == [] and sims.hcloud.ssh_keys() == []
    # The services' records went with them; the shared zone (owned by prod) stays, as Hetzner made it.
    assert [r["id"] for r in sims.hcloud.rrsets(DNS_ZONE)] == ["@/NS", "@/SOA"]
    state = sims.coolify.state
    assert state.applications == [] and state.databases == [] and state.servers == []
    assert [e["name"] for e in state.environments] == ["production"]  # the project's own, never ours
    for service in EXAMPLE_SERVICES:
        assert sims.github.secret_names(GITHUB_OWNER, service.name) == []
