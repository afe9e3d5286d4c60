"""The benchmark's pure parts: minimum requests, comparison, tables, the results file. No engine run."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import pytest

from tests.harness import bench
from tests.harness.bench import (
    COOLIFY_VERSION_PROBE,
    ENVIRONMENT_LISTING,
    NOOP_PREVIEW,
    NOOP_UP,
    OPERATIONS,
    OperationResult,
    RunResult,
    compare,
    minimum_requests,
    totals,
)

APP_POST = ("coolify", "POST", "/api/v1/applications/dockerimage")
APP_GET = ("coolify", "GET", "/api/v1/applications/{uuid}")
DEPLOY_POLL = ("coolify", "GET", "/api/v1/deployments/{uuid}")
DEPLOYMENT_LISTING = ("coolify", "GET", "/api/v1/deployments")
ACTIONS = ("hcloud", "GET", "/v1/actions")


def test_short_type_and_step_action() -> None:
    assert bench.short_type("pulumi-python:dynamic/coolify:Application") == "coolify:Application"
    assert bench.short_type("hcloud:index/sshKey:SshKey") == "hcloud:SshKey"
    assert bench.short_type("github:index/actionsSecret:ActionsSecret") == "github:ActionsSecret"
    assert bench.step_action("create-replacement") == "create"
    assert bench.step_action("refresh") == "read"
    assert bench.step_action("same") is None and bench.step_action("replace") is None
    assert bench.is_api_resource("hcloud:index/server:Server")
    assert not bench.is_api_resource("penpal:infra:Service") and not bench.is_api_resource("pulumi:pulumi:Stack")


def test_minimum_of_application_creates_adds_one_listing_and_one_version_probe() -> None:
    needed = minimum_requests({("coolify:Application", "create"): 3})
    assert needed == Counter({APP_POST: 3, APP_GET: 3, ENVIRONMENT_LISTING: 1, COOLIFY_VERSION_PROBE: 1})
    both = minimum_requests({("coolify:Application", "create"): 2, ("coolify:MongoDatabase", "create"): 1})
    assert both[ENVIRONMENT_LISTING] == 2  # one listing per adopting resource type


def test_minimum_of_an_env_var_set_create_is_its_bulk_upsert_and_an_update_also_lists() -> None:
    bulk = ("coolify", "PATCH", "/api/v1/applications/{uuid}/envs/bulk")
    listing = ("coolify", "GET", "/api/v1/applications/{uuid}/envs")
    assert minimum_requests({("coolify:ApplicationEnvVars", "create"): 2}) == Counter(
        {bulk: 2, COOLIFY_VERSION_PROBE: 1})
    assert minimum_requests({("coolify:ApplicationEnvVars", "update"): 1}) == Counter(
        {bulk: 1, listing: 1, COOLIFY_VERSION_PROBE: 1})


def test_the_fingerprint_key_needs_no_request_not_even_the_version_probe() -> None:
    assert minimum_requests({("coolify:FingerprintKey", "create"): 1}) == Counter()
    assert minimum_requests({("coolify:FingerprintKey", "read"): 1}) == Counter()


def test_minimum_of_a_refresh_is_one_read_per_resource_and_nothing_for_no_step() -> None:
    needed = minimum_requests({("hcloud:Server", "read"): 1, ("github:ActionsSecret", "read"): 4})
    assert needed == Counter({("hcloud", "GET", "/v1/servers/{id}"): 1,
                              ("github", "GET", "/api/v3/repos/{owner}/{repo}/actions/secrets/{name}"): 4})
    assert minimum_requests({}) == Counter()
    deleted = minimum_requests({("coolify:Deployment", "delete"): 1, ("coolify:Application", "create"): 0})
    assert dict(deleted) == {COOLIFY_VERSION_PROBE: 1}  # no zero entries: they would show as 0/0 rows


def test_unknown_step_is_refused() -> None:
    with pytest.raises(KeyError, match="no minimum defined for update of hcloud:Server"):
        minimum_requests({("hcloud:Server", "update"): 1})


def test_excess_is_classified_as_waiting_provider_or_avoidable() -> None:
    actual = Counter({APP_POST: 1, APP_GET: 2, DEPLOY_POLL: 3, ACTIONS: 5})
    minimum = Counter({APP_POST: 1, APP_GET: 1, DEPLOY_POLL: 1})
    kinds = {c.route: (c.excess, c.excess_kind) for c in compare(actual, minimum)}
    assert kinds == {APP_POST: (0, ""), APP_GET: (1, "avoidable"), DEPLOY_POLL: (2, "waiting"),
                     ACTIONS: (5, "provider")}
    coolify = totals(compare(actual, minimum), "coolify")
    assert (coolify.actual, coolify.minimum, coolify.avoidable, coolify.waiting, coolify.writes) == (6, 3, 1, 2, 1)
    assert coolify.controllable == 4
    assert bench.ratio(4, 3) == "1.33x" and bench.ratio(0, 0) == "1.00x" and bench.ratio(2, 0) == "+2"


def _operation(name: str, requests: Counter[bench.Route], steps: Counter[bench.Step], seconds: float,
               dry_run: bool = False) -> OperationResult:
    return OperationResult(name, seconds, requests, steps, {}, {"program": 80 * 1024}, dry_run)


def _run(services: int, scale: float, noop_writes: Counter[bench.Route] | None = None,
         latency_ms: float = 0.0) -> RunResult:
    created = Counter({APP_POST: services, APP_GET: services, ENVIRONMENT_LISTING: 1, COOLIFY_VERSION_PROBE: 1})
    create_steps = Counter({("coolify:Application", "create"): services})
    reads = Counter({APP_GET: services, COOLIFY_VERSION_PROBE: 1})
    read_steps = Counter({("coolify:Application", "read"): services})
    operations = [
        _operation(OPERATIONS[0], Counter(), create_steps, 1.0 * scale, dry_run=True),
        _operation(OPERATIONS[1], created, create_steps, 10.0 * scale),
        _operation(NOOP_PREVIEW, Counter(), Counter(), 1.0 * scale, dry_run=True),
        _operation(OPERATIONS[3], reads, read_steps, 1.2 * scale, dry_run=True),
        _operation(NOOP_UP, noop_writes or Counter(), Counter(), 1.5 * scale),
        _operation(OPERATIONS[5], reads, read_steps, 1.0 * scale),
        _operation(OPERATIONS[6], Counter(), Counter(), 2.0 * scale),
    ]
    return RunResult(services, operations, 20_000 * services, {"coolify:Application": 290},
                     {"coolify:Application": 120}, latency_ms)


def test_report_renders_every_section_with_ratios() -> None:
    results = [_run(1, 1.0), _run(10, 2.0), _run(50, 6.0), _run(10, 3.0, latency_ms=50)]
    results[-1].operations[5].throttled = 7
    report = bench.render_report(results, "2 cores, 24 GiB", "2026-11-25", baseline_s=1.6)
    assert report.startswith("Measured 2026-11-25 on 2 cores, 24 GiB.")
    # Refresh: one read per application plus the version probe is the minimum.
    assert "| 10 | 0 | refresh | 2.0 | 11 / 11 | 0 / 0 | 0 / 0 | 1.00x | 0 | 0 | none |" in report
    assert "| 10 | 50 | refresh | 3.0 | 11 / 11 | 0 / 0 | 0 / 0 | 1.00x | 7 | 0 | none |" in report
    # A preview with refresh needs its reads and nothing else.
    assert "| 10 | 0 | preview --refresh | 2.4 | 11 / 11 | 0 / 0 | 0 / 0 | 1.00x | 0 | 0 | none |" in report
    assert "| 50 | 0 | up (from empty) | 60.0 | 102 / 102 | 0 / 0 | 0 / 0 | 1.00x | 0 | 50 | none |" in report
    # Latencies side by side; the fixed cost against the empty program.
    assert "| 10 | refresh | 2.0 | 3.0 | 0 | 7 |" in report
    assert "| 50 | refresh | 6.0 | - | 0 | - |" in report  # measured at 0 ms only
    assert "| 10 | 0 | 2.00 | 1.60 | 1.25x |" in report
    # Scaling is judged from 10 to 50 services at the lowest latency: 3x the time for 5x the services is linear.
    assert "| up (from empty) | 20.0 -> 60.0 | 3.00 | 22 -> 102 | 4.64 | yes |" in report
    assert "| 50 | 977 | 19.5 | 290 | 120 |" in report
    assert "| Coolify | `POST /api/v1/applications/dockerimage` | 1/1 | 10/10 | 50/50 |" in report


def test_scaling_flags_superlinear_time() -> None:
    results = [_run(10, 1.0), _run(50, 8.0)]
    lines = bench.scaling_table(results)
    assert any(line.startswith("| preview (no-op) | 1.0 -> 8.0 | 8.00 |") and line.endswith("| NO |")
               for line in lines)


def test_noop_up_writes_are_found() -> None:
    clean = _run(1, 1.0)
    dirty = _run(10, 1.0, noop_writes=Counter({("github", "PUT", "/api/v3/repos/{owner}/{repo}"): 1}))
    assert bench.noop_up_writes([clean]) == []
    assert bench.noop_up_writes([clean, dirty]) == [(10, ("github", "PUT", "/api/v3/repos/{owner}/{repo}"))]


def test_parse_counts_and_latencies() -> None:
    assert bench.parse_counts("50,1,10,10") == [1, 10, 50]
    with pytest.raises(argparse.ArgumentTypeError):
        bench.parse_counts("0,5")
    assert bench.parse_latencies("50,0,12.5") == [0.0, 12.5, 50.0]
    for bad in ("-1", "fast", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            bench.parse_latencies(bad)


def test_minimum_of_deployments_waited_for_together() -> None:
    queued_and_waited = minimum_requests({("coolify:Deployment", "create"): 3, ("coolify:DeploymentWait", "update"): 1})
    assert queued_and_waited == Counter({("coolify", "POST", "/api/v1/deploy"): 3, DEPLOYMENT_LISTING: 1,
                                         DEPLOY_POLL: 3, COOLIFY_VERSION_PROBE: 1})
    # A refresh of both reads nothing in Coolify: a deployment is an event.
    assert minimum_requests({("coolify:Deployment", "read"): 3, ("coolify:DeploymentWait", "read"): 1}) == Counter(
        {COOLIFY_VERSION_PROBE: 1})
    # Further listings while deployments still run are waiting, not ours to remove.
    listings = compare(Counter({DEPLOYMENT_LISTING: 4}), Counter({DEPLOYMENT_LISTING: 1}))
    assert {c.route: c.excess_kind for c in listings} == {DEPLOYMENT_LISTING: "waiting"}


def test_results_file_keeps_notes_above_the_marker(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    bench.write_results(path, "first")
    assert path.read_text().startswith("# Benchmarks\n")
    path.write_text(path.read_text().replace("# Benchmarks\n", "# Benchmarks\n\nHand-written findings.\n"))
    bench.write_results(path, "second")
    text = path.read_text()
    assert "Hand-written findings." in text and text.endswith("second") and "first" not in text


def test_process_role_and_vm_hwm() -> None:
    assert bench.process_role("/x/.venv/bin/python -u -m pulumi.dynamic") == "dynamic provider"
    assert bench.process_role("python /x/toolchain/run_program.py --engine 1") == "program"
    assert bench.process_role("/root/.cache/penpal-infra/cli/bin/pulumi up --yes") == "engine (CLI)"
    assert bench.process_role("/p/pulumi-resource-hcloud 127.0.0.1:1") == "hcloud plugin"
    assert bench.process_role("bash -c true") is None
    assert bench.vm_hwm_kib("Name:\tpython\nVmHWM:\t   81234 kB\nVmRSS:\t 1 kB\n") == 81234
    assert bench.vm_hwm_kib("Name:\tkthreadd\n") is None


def test_program_checks_are_needed_by_every_preview_and_up_of_staging() -> None:
    version = ("coolify", "GET", "/api/v1/version")
    repo = ("github", "GET", "/api/v3/repos/{owner}/{repo}")
    zone = ("hcloud", "GET", "/v1/zones/{zone}")
    preview = bench.program_checks(up=False, repos=3)
    keys = ("coolify", "GET", "/api/v1/security/keys")
    assert preview == Counter({version: 1, keys: 1, ("hcloud", "GET", "/v1/ssh_keys"): 1, repo: 3, zone: 1})
    up = bench.program_checks(up=True, repos=3)
    assert (up[version], up[repo], up[zone]) == (1, 3, 1)
    assert up[("coolify", "POST (refused 400)", "/api/v1/deploy")] == 2  # coolify:token, then penpal:deployToken
    assert sum(up.values()) == 12  # 8 token checks, 1 per repo (a classic token's scopes), the zone
    assert up[("hcloud", "PUT (no fields)", "/v1/ssh_keys/{id}")] == 1
    from_empty = bench.program_checks(up=True, repos=3, hcloud_has_ssh_key=False)
    assert from_empty[("hcloud", "POST (refused 400)", "/v1/ssh_keys")] == 1
    assert from_empty[("hcloud", "PUT (no fields)", "/v1/ssh_keys/{id}")] == 0
    noop_up = OperationResult(NOOP_UP, 1.0, Counter(), Counter(), {}, checks=up)
    assert noop_up.minimum() == up  # a no-op up needs its checks and nothing else
    noop_preview = OperationResult(NOOP_PREVIEW, 1.0, Counter(), Counter({("hcloud:Server", "create"): 1}), {},
                                   dry_run=True, checks=preview)
    assert noop_preview.minimum() == preview  # a preview performs no create


def test_fixed_cost_ratio_is_the_median_of_the_pairs() -> None:
    # Pairwise ratios 2, 3, 3, 2, 2 -> 2; the medians of the two columns would give 6 / 2 = 3.
    cost = bench.FixedCost(30, noop_s=(4.0, 9.0, 6.0, 10.0, 2.0), baseline_s=(2.0, 3.0, 2.0, 5.0, 1.0))
    assert cost.ratio == 2.0
    assert "ratio 2.00x (median of 5 pairs" in cost.line()
    assert "CPU" not in cost.line()
    with_cpu = bench.FixedCost(30, (4.0,), (2.0,), noop_cpu_s=(12.0,), baseline_cpu_s=(2.0,))
    assert with_cpu.cpu_ratio == 6.0
    assert "CPU: no-op preview 12.00 s  empty program 2.00 s  ratio 6.00x" in with_cpu.line()
