"""`make bench`: engine time, API requests, state size and peak memory per operation, as services grow.

For each service count (default 10, 30 and 100, in one stack `staging`) and each network latency
(default 0 and 50 ms round trip, Coolify's rate limit of 200 requests per minute on) it starts the
simulators, runs the real engine on a file backend through the Automation API, and measures seven
operations in order: a preview of the empty stack, `up` from empty, a no-op preview, `preview
--refresh`, a no-op `up`, `refresh`, and an `up` that changes one service's env var. Every request the
simulators receive is compared with the minimum the operation needs, worked out from the steps the
engine reported (see `NEEDED`). A baseline row times the preview of an empty Python program on the
same toolchain.

    python -m tests.harness.bench [--services 10,30,100] [--latency-ms 0,50] [--output BENCHMARKS.md | --no-write]

Exits 1 if a no-op `up` sends any write to any simulator.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from resource import RUSAGE_CHILDREN, getrusage
from typing import Any

from pulumi import automation as auto

from tests.harness.local import (
    REPO_ROOT,
    LocalProject,
    ServiceSpec,
    local_deployment,
    pulumi_bin_dir,
    stack_config,
)
from tests.simulators.network import COOLIFY_RATE_LIMIT_PER_MINUTE, NetworkProfile

STACK = "staging"
DEFAULT_SERVICE_COUNTS = (10, 30, 100)
DEFAULT_LATENCIES_MS = (0, 50)
OPERATIONS = ("preview (empty stack)", "up (from empty)", "preview (no-op)", "preview --refresh", "up (no-op)",
              "refresh", "up (one env var)")
NOOP_PREVIEW = "preview (no-op)"
NOOP_UP = "up (no-op)"
# Timed as the median of this many runs: a fixed cost of a few seconds is noisy on a shared machine.
PREVIEW_REPEATS = 3
# Coolify in the benchmark: each deployment builds for BUILD_S, CONCURRENT_BUILDS at a time on the server
# (the server's `concurrent_builds`, 2 unless the operator raises it; 10 here, Terraform's parallelism),
# and its queue takes them all (`deployment_queue_limit`, 25 by default).
BUILD_S = 2.0
CONCURRENT_BUILDS = 10
QUEUE_LIMIT = 500
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SIMULATORS = ("coolify", "hcloud", "github")
SIMULATOR_TITLES = {"coolify": "Coolify", "hcloud": "Hetzner", "github": "GitHub"}

Route = tuple[str, str, str]
"""(simulator, method, route template) of one request."""
Step = tuple[str, str]
"""(resource type, action) of one engine step; actions: create, update, read, delete."""

C, H, G = "coolify", "hcloud", "github"
CV1 = "/api/v1"
GV3 = "/api/v3"

# The requests each step needs at the least, by resource type. A create is one write and one
# read-back of what the API stored (the outputs come from it); a read (refresh) is one read. The
# exceptions, and why they are needed, are commented. A no-op up and a no-op preview need nothing.
NEEDED: dict[Step, tuple[Route, ...]] = {
    # Both stacks declare the project: the second adopts it by name, so a create first lists projects.
    ("coolify:Project", "create"): ((C, "GET", f"{CV1}/projects"), (C, "POST", f"{CV1}/projects"),
                                    (C, "GET", f"{CV1}/projects/{{uuid}}")),
    ("coolify:Project", "read"): ((C, "GET", f"{CV1}/projects/{{uuid}}"),),
    # Every project comes with a `production` environment, which the prod stack adopts: list first.
    ("coolify:Environment", "create"): ((C, "GET", f"{CV1}/projects/{{uuid}}/environments"),
                                        (C, "POST", f"{CV1}/projects/{{uuid}}/environments"),
                                        (C, "GET", f"{CV1}/projects/{{uuid}}/{{environment_name_or_uuid}}")),
    ("coolify:Environment", "read"): ((C, "GET", f"{CV1}/projects/{{uuid}}/{{environment_name_or_uuid}}"),),
    # Coolify refuses a second key with the same fingerprint, so a re-run must find and adopt it.
    ("coolify:PrivateKey", "create"): ((C, "GET", f"{CV1}/security/keys"), (C, "POST", f"{CV1}/security/keys"),
                                       (C, "GET", f"{CV1}/security/keys/{{uuid}}")),
    ("coolify:PrivateKey", "read"): ((C, "GET", f"{CV1}/security/keys/{{uuid}}"),),
    # An IP can be registered once, so a re-run must find and adopt it; validation is a separate call.
    ("coolify:Server", "create"): ((C, "GET", f"{CV1}/servers"), (C, "POST", f"{CV1}/servers"),
                                   (C, "POST", f"{CV1}/servers/{{uuid}}/validate"),
                                   (C, "GET", f"{CV1}/servers/{{uuid}}")),
    ("coolify:Server", "read"): ((C, "GET", f"{CV1}/servers/{{uuid}}"),),
    # The database and its backup schedule are two API objects: a write and a read of each.
    ("coolify:MongoDatabase", "create"): ((C, "POST", f"{CV1}/databases/mongodb"),
                                          (C, "GET", f"{CV1}/databases/{{uuid}}"),
                                          (C, "POST", f"{CV1}/databases/{{uuid}}/backups"),
                                          (C, "GET", f"{CV1}/databases/{{uuid}}/backups")),
    ("coolify:MongoDatabase", "read"): ((C, "GET", f"{CV1}/databases/{{uuid}}"),
                                        (C, "GET", f"{CV1}/databases/{{uuid}}/backups")),
    ("coolify:Application", "create"): ((C, "POST", f"{CV1}/applications/dockerimage"),
                                        (C, "GET", f"{CV1}/applications/{{uuid}}")),
    ("coolify:Application", "update"): ((C, "PATCH", f"{CV1}/applications/{{uuid}}"),
                                        (C, "GET", f"{CV1}/applications/{{uuid}}")),
    ("coolify:Application", "read"): ((C, "GET", f"{CV1}/applications/{{uuid}}"),),
    # One bulk upsert for the whole set; on create its answer is the read-back (each row as stored,
    # ApplicationsController::create_bulk_envs). An update also lists, to see keys changed by hand.
    ("coolify:ApplicationEnvVars", "create"): ((C, "PATCH", f"{CV1}/applications/{{uuid}}/envs/bulk"),),
    ("coolify:ApplicationEnvVars", "update"): ((C, "PATCH", f"{CV1}/applications/{{uuid}}/envs/bulk"),
                                               (C, "GET", f"{CV1}/applications/{{uuid}}/envs")),
    ("coolify:ApplicationEnvVars", "read"): ((C, "GET", f"{CV1}/applications/{{uuid}}/envs"),),
    # A Deployment only queues; the stack's DeploymentWait reads each one's outcome (see minimum_requests).
    ("coolify:Deployment", "create"): ((C, "POST", f"{CV1}/deploy"),),
    ("coolify:Deployment", "read"): (),  # a deployment is an event: nothing of it can drift
    ("coolify:Deployment", "delete"): (),  # nor be deleted in Coolify
    ("coolify:DeploymentWait", "create"): ((C, "GET", f"{CV1}/deployments"),),
    ("coolify:DeploymentWait", "update"): ((C, "GET", f"{CV1}/deployments"),),
    ("coolify:DeploymentWait", "read"): (),
    ("coolify:DeploymentWait", "delete"): (),
    ("hcloud:SshKey", "create"): ((H, "POST", "/v1/ssh_keys"), (H, "GET", "/v1/ssh_keys/{id}")),
    ("hcloud:SshKey", "read"): ((H, "GET", "/v1/ssh_keys/{id}"),),
    ("hcloud:Firewall", "create"): ((H, "POST", "/v1/firewalls"), (H, "GET", "/v1/firewalls/{id}")),
    ("hcloud:Firewall", "read"): ((H, "GET", "/v1/firewalls/{id}"),),
    ("hcloud:Server", "create"): ((H, "POST", "/v1/servers"), (H, "GET", "/v1/servers/{id}")),
    ("hcloud:Server", "read"): ((H, "GET", "/v1/servers/{id}"),),
    # An RRset create is answered with its action; the provider reads the RRset back afterwards.
    ("hcloud:ZoneRrset", "create"): ((H, "POST", "/v1/zones/{zone}/rrsets"),
                                     (H, "GET", "/v1/zones/{zone}/rrsets/{rr_name}/{rr_type}")),
    ("hcloud:ZoneRrset", "read"): ((H, "GET", "/v1/zones/{zone}/rrsets/{rr_name}/{rr_type}"),),
    ("hcloud:ZoneRrset", "update"): ((H, "POST", "/v1/zones/{zone}/rrsets/{rr_name}/{rr_type}/actions/set_records"),
                                     (H, "PUT", "/v1/zones/{zone}/rrsets/{rr_name}/{rr_type}")),
    ("hcloud:ZoneRrset", "delete"): ((H, "DELETE", "/v1/zones/{zone}/rrsets/{rr_name}/{rr_type}"),),
    # The stack's random fingerprint key lives only in state: no request at all.
    ("coolify:FingerprintKey", "create"): (),
    ("coolify:FingerprintKey", "read"): (),
    # The health check talks to the service itself, not to an API this benchmark counts.
    ("penpal:HealthCheck", "create"): (),
    ("penpal:HealthCheck", "update"): (),
    ("penpal:HealthCheck", "read"): (),
    # A secret is sealed with the repository's public key, which has to be read first.
    ("github:ActionsSecret", "create"): (
        (G, "GET", f"{GV3}/repos/{{owner}}/{{repo}}/actions/secrets/public-key"),
        (G, "PUT", f"{GV3}/repos/{{owner}}/{{repo}}/actions/secrets/{{name}}"),
        (G, "GET", f"{GV3}/repos/{{owner}}/{{repo}}/actions/secrets/{{name}}")),
    ("github:ActionsSecret", "read"): ((G, "GET", f"{GV3}/repos/{{owner}}/{{repo}}/actions/secrets/{{name}}"),),
}
# Needed once per operation that does any Coolify work (a step other than check/diff).
COOLIFY_VERSION_PROBE: Route = (C, "GET", f"{CV1}/version")  # refuses Coolify < 4.1.0, gates fields by version
# Coolify lets names repeat, so applications and databases are adopted by name (a re-run after a lost
# create answer must not duplicate): one listing of the environment per resource type and operation.
ENVIRONMENT_LISTING: Route = (C, "GET", f"{CV1}/projects/{{uuid}}/{{environment_name_or_uuid}}")
ADOPTS_FROM_ENVIRONMENT = frozenset({"coolify:Application", "coolify:MongoDatabase"})

# The program's own checks before it registers anything (__main__.py), sent by every preview and up (a
# refresh does not run the program). A refused write is recorded with its status (see `_recorded`).
# The token checks (components/access.py): each token can do what the run needs; a preview reads.
TOKEN_CHECKS_PREVIEW: tuple[Route, ...] = (
    (C, "GET", f"{CV1}/version"),  # coolify:token holds `read`
    (C, "GET", f"{CV1}/security/keys"),  # coolify:token holds `read:sensitive` (a key's private_key shows)
    (H, "GET", "/v1/ssh_keys"),  # hcloud:token can read
)
TOKEN_CHECKS_UP: tuple[Route, ...] = (
    *TOKEN_CHECKS_PREVIEW,
    (C, "POST (refused 422)", f"{CV1}/projects"),  # coolify:token holds `write`: validation, not 403
    (C, "POST (refused 400)", f"{CV1}/deploy"),  # coolify:token holds `deploy`
    (C, "POST (refused 400)", f"{CV1}/deploy"),  # penpal:deployToken holds `deploy`
    (C, "POST (refused 403)", f"{CV1}/projects"),  # penpal:deployToken lacks `write`
)
# hcloud:token can write: with an SSH key in the project, an update of it without fields (200, no change);
# in an empty project (an up from empty), a create without fields (validation, not token_readonly).
HCLOUD_WRITE_CHECK_WITH_KEY: Route = (H, "PUT (no fields)", "/v1/ssh_keys/{id}")
HCLOUD_WRITE_CHECK_EMPTY: Route = (H, "POST (refused 400)", "/v1/ssh_keys")
# Per service repository: github:token can read it. The benchmark's token is a classic one: the
# X-OAuth-Scopes header of that read tells write access (a fine-grained token would add one refused
# `PUT .../actions/secrets/{name}` per repository in an up).
TOKEN_CHECKS_PER_REPO: tuple[Route, ...] = ((G, "GET", f"{GV3}/repos/{{owner}}/{{repo}}"),)
# The staging stack looks up the DNS zone prod owns (components/shared_zone.py), at preview and up.
SHARED_ZONE_LOOKUP: Route = (H, "GET", "/v1/zones/{zone}")


def program_checks(up: bool, repos: int, hcloud_has_ssh_key: bool = True) -> Counter[Route]:
    """The requests the staging program sends before registering anything: in an up, or in a preview."""
    needed = Counter(TOKEN_CHECKS_UP if up else TOKEN_CHECKS_PREVIEW)
    if up:
        needed[HCLOUD_WRITE_CHECK_WITH_KEY if hcloud_has_ssh_key else HCLOUD_WRITE_CHECK_EMPTY] += 1
    for route in TOKEN_CHECKS_PER_REPO:
        needed[route] += repos
    needed[SHARED_ZONE_LOOKUP] += 1
    return needed

# Dynamic resources of the coolify module that never call Coolify (so need no version probe).
LOCAL_ONLY = frozenset({"coolify:FingerprintKey"})

DEPLOYMENT_OUTCOME: Route = (C, "GET", f"{CV1}/deployments/{{uuid}}")
# Requests beyond the minimum that are not ours to remove, by route.
WAITING: dict[Route, str] = {
    (C, "GET", f"{CV1}/deployments"): "one listing of running deployments per poll while any still runs",
    DEPLOYMENT_OUTCOME: "Coolify deployment status polls until it finishes",
    (C, "GET", f"{CV1}/servers/{{uuid}}"): "Coolify server polls until validation marks it usable",
}
PROVIDER_INTERNAL: dict[Route, str] = {
    (H, "GET", "/v1/actions"): "pulumi-hcloud polls the actions of a create until they finish",
    (H, "GET", "/v1/images"): "pulumi-hcloud resolves the image name to an id",
    (H, "GET", "/v1/server_types"): "pulumi-hcloud resolves the server type name",
    (G, "GET", f"{GV3}/orgs/{{org}}"): "pulumi-github reads the owner once per operation when it is configured",
    (G, "GET", f"{GV3}/repos/{{owner}}/{{repo}}"): "pulumi-github reads the repository before writing a secret",
}

# Processes whose peak resident memory (VmHWM) is reported, matched on their command line.
PROCESS_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("program", re.compile(r"run_program\.py")),
    ("dynamic provider", re.compile(r"-m\s+pulumi\.dynamic")),
    ("language host", re.compile(r"language_host\.py")),
    ("hcloud plugin", re.compile(r"pulumi-resource-hcloud")),
    ("github plugin", re.compile(r"pulumi-resource-github")),
    ("engine (CLI)", re.compile(r"(^|/)pulumi(\s|$)")),
)
MEMORY_ROLES = tuple(role for role, _ in PROCESS_ROLES)


# --- what one operation and one run measured ------------------------------------------------------------


@dataclass
class OperationResult:
    name: str
    seconds: float
    requests: Counter[Route]
    steps: Counter[Step]
    changes: dict[str, int]
    peak_kib: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    """A preview: its steps are planned, not performed, so it needs no request but its refresh reads."""
    throttled: int = 0
    """Requests Coolify's rate limiter refused (429); the client waits `Retry-After` and sends them again."""
    checks: Counter[Route] = field(default_factory=Counter)
    """Requests the program sends before it registers anything (`program_checks`); none in a refresh."""

    def minimum(self) -> Counter[Route]:
        if self.dry_run:
            return minimum_requests({step: n for step, n in self.steps.items() if step[1] == "read"}) + self.checks
        return minimum_requests(self.steps) + self.checks

    def writes(self) -> list[Route]:
        return sorted(route for route in self.requests.elements() if route[1] in WRITE_METHODS)


@dataclass
class RunResult:
    services: int
    operations: list[OperationResult]
    state_bytes: int
    provider_bytes: dict[str, int]
    """Dynamic resource type -> size in the state file of one serialized (encrypted) `__provider`."""
    provider_plain_bytes: dict[str, int]
    """Dynamic resource type -> size of the base64 pickle the SDK makes of the provider."""
    latency_ms: float = 0.0

    def operation(self, name: str) -> OperationResult:
        return next(op for op in self.operations if op.name == name)


# --- the minimum and the comparison ------------------------------------------------------------------------


def short_type(resource_type: str) -> str:
    """`pulumi-python:dynamic/coolify:Application` -> `coolify:Application`; `hcloud:index/server:Server` ->
    `hcloud:Server`."""
    if resource_type.startswith("pulumi-python:dynamic/"):
        return resource_type.removeprefix("pulumi-python:dynamic/")
    package, _, rest = resource_type.partition(":")
    return f"{package}:{rest.rsplit(':', 1)[-1]}"


def step_action(op: str) -> str | None:
    """The engine's step op as the API work it implies; None for steps that call no API."""
    return {
        "create": "create",
        "create-replacement": "create",
        "update": "update",
        "delete": "delete",
        "delete-replaced": "delete",
        "refresh": "read",
        "read": "read",
    }.get(op)


def is_api_resource(resource_type: str) -> bool:
    """Custom resources backed by an API: not the stack, components or provider resources."""
    return resource_type.startswith(("pulumi-python:dynamic/", "hcloud:", "github:"))


def minimum_requests(steps: Mapping[Step, int]) -> Counter[Route]:
    """The least set of requests that performs these steps (see `NEEDED`); raises on an unknown step."""
    needed: Counter[Route] = Counter()
    steps = {key: n for key, n in steps.items() if n}
    for (resource_type, action), count in steps.items():
        key = (resource_type, action)
        if key not in NEEDED:
            raise KeyError(f"no minimum defined for {action} of {resource_type}: add it to NEEDED")
        for route in NEEDED[key]:
            needed[route] += count
    if any(rtype.startswith("coolify:") and rtype not in LOCAL_ONLY and n for (rtype, _action), n in steps.items()):
        needed[COOLIFY_VERSION_PROBE] += 1
    waits = sum(n for (rtype, action), n in steps.items() if rtype == "coolify:DeploymentWait"
                and action in ("create", "update"))
    queued = steps.get(("coolify:Deployment", "create"), 0)
    if waits and queued:
        needed[DEPLOYMENT_OUTCOME] += queued  # the wait reads each new deployment's outcome once
    adopting = {rtype for (rtype, action), n in steps.items() if rtype in ADOPTS_FROM_ENVIRONMENT
                and action == "create" and n}
    if adopting:
        needed[ENVIRONMENT_LISTING] += len(adopting)
    return needed


@dataclass(frozen=True)
class RouteComparison:
    route: Route
    actual: int
    minimum: int

    @property
    def excess(self) -> int:
        return max(self.actual - self.minimum, 0)

    @property
    def excess_kind(self) -> str:
        """`avoidable` (ours to remove), `waiting` (polls of an asynchronous job) or `provider` (a plugin's own)."""
        if not self.excess:
            return ""
        if self.route in WAITING:
            return "waiting"
        if self.route in PROVIDER_INTERNAL:
            return "provider"
        return "avoidable"


def compare(actual: Mapping[Route, int], minimum: Mapping[Route, int]) -> list[RouteComparison]:
    routes = sorted(set(actual) | set(minimum))
    return [RouteComparison(route, actual.get(route, 0), minimum.get(route, 0)) for route in routes]


@dataclass(frozen=True)
class SimulatorTotals:
    actual: int
    minimum: int
    avoidable: int
    waiting: int
    provider: int
    writes: int

    @property
    def controllable(self) -> int:
        """Requests that are not polls of a running job nor a plugin's own."""
        return self.actual - self.waiting - self.provider


def totals(comparisons: Iterable[RouteComparison], simulator: str) -> SimulatorTotals:
    rows = [c for c in comparisons if c.route[0] == simulator]

    def excess(kind: str) -> int:
        return sum(c.excess for c in rows if c.excess_kind == kind)

    return SimulatorTotals(
        actual=sum(c.actual for c in rows),
        minimum=sum(c.minimum for c in rows),
        avoidable=excess("avoidable"),
        waiting=excess("waiting"),
        provider=excess("provider"),
        writes=sum(c.actual for c in rows if c.route[1] in WRITE_METHODS),
    )


def ratio(actual: int, minimum: int) -> str:
    if minimum == 0:
        return "1.00x" if actual == 0 else f"+{actual}"
    return f"{actual / minimum:.2f}x"


def noop_up_writes(results: Iterable[RunResult]) -> list[tuple[int, Route]]:
    return [(run.services, route) for run in results for route in run.operation(NOOP_UP).writes()]


# --- rendering ---------------------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _cell(t: SimulatorTotals) -> str:
    """`actual / minimum`, then the excess by kind when there is one."""
    text = f"{t.actual} / {t.minimum}"
    notes = [f"{n} {kind}" for n, kind in ((t.avoidable, "avoidable"), (t.waiting, "waiting"),
                                           (t.provider, "provider")) if n]
    return text + (f" ({', '.join(notes)})" if notes else "")


def summary_table(results: Sequence[RunResult]) -> list[str]:
    header = ["services", "latency ms", "operation", "wall s",
              *(f"{SIMULATOR_TITLES[s]} req / min" for s in SIMULATORS), "ours / min", "429s", "writes", "changes"]
    rows = []
    for run in results:
        for op in run.operations:
            comparisons = compare(op.requests, op.minimum())
            sims = [totals(comparisons, s) for s in SIMULATORS]
            controllable = sum(t.controllable for t in sims)
            minimum = sum(t.minimum for t in sims)
            changes = ", ".join(f"{k} {v}" for k, v in sorted(op.changes.items())) or "none"
            rows.append([run.services, f"{run.latency_ms:g}", op.name, f"{op.seconds:.1f}", *(_cell(t) for t in sims),
                         ratio(controllable, minimum), op.throttled, sum(t.writes for t in sims), changes])
    return _table(header, rows)


def routes_table(results: Sequence[RunResult]) -> list[str]:
    """Per route, `actual/minimum` for each service count, and what any excess is."""
    cells: dict[tuple[str, Route], dict[int, RouteComparison]] = {}
    for run in results:
        for op in run.operations:
            for comparison in compare(op.requests, op.minimum()):
                cells.setdefault((op.name, comparison.route), {})[run.services] = comparison
    counts = [run.services for run in results]
    header = ["operation", "simulator", "request", *(f"{n} svc" for n in counts), "excess is"]
    order = {name: i for i, name in enumerate(OPERATIONS)}
    rows = []
    for (op_name, route), by_count in sorted(cells.items(), key=lambda item: (order.get(item[0][0], 99),
                                                                              item[0][1])):
        kinds = {c.excess_kind for c in by_count.values() if c.excess_kind}
        reasons = sorted({WAITING.get(route) or PROVIDER_INTERNAL.get(route) or kind for kind in kinds})
        values = [f"{c.actual}/{c.minimum}" if (c := by_count.get(n)) else "0/0" for n in counts]
        rows.append([op_name, SIMULATOR_TITLES[route[0]], f"`{route[1]} {route[2]}`", *values, "; ".join(reasons)])
    return _table(header, rows)


def memory_table(results: Sequence[RunResult]) -> list[str]:
    header = ["services", "operation", *(f"{role} MiB" for role in MEMORY_ROLES)]
    rows = []
    for run in results:
        for op in run.operations:
            rows.append([run.services, op.name, *(_mib(op.peak_kib.get(role)) for role in MEMORY_ROLES)])
    return _table(header, rows)


def _mib(kib: int | None) -> str:
    return "-" if not kib else f"{kib / 1024:.0f}"


def state_table(results: Sequence[RunResult]) -> list[str]:
    header = ["services", "state file KiB", "KiB per service", "`__provider` in state, bytes (one copy)",
              "`__provider` pickle, bytes"]
    rows = []
    for run in results:
        per_service = run.state_bytes / 1024 / run.services
        in_state = _range(run.provider_bytes.values())
        plain = _range(run.provider_plain_bytes.values())
        rows.append([run.services, f"{run.state_bytes / 1024:.0f}", f"{per_service:.1f}", in_state, plain])
    return _table(header, rows)


def _range(values: Iterable[int]) -> str:
    values = sorted(values)
    if not values:
        return "-"
    return str(values[0]) if values[0] == values[-1] else f"{values[0]}-{values[-1]}"


def scaling_table(results: Sequence[RunResult]) -> list[str]:
    """From the smallest count above 1 to the largest: how time and requests grow per service."""
    runs = [run for run in results if run.services > 1]
    if len(runs) < 2:
        return []
    low, high = runs[0], runs[-1]
    growth = high.services / low.services
    header = ["operation", f"wall s {low.services} -> {high.services}", "time ratio",
              f"requests {low.services} -> {high.services}", "request ratio", f"linear (ratio <= {growth:g})"]
    rows = []
    for name in OPERATIONS:
        a, b = low.operation(name), high.operation(name)
        req_a, req_b = sum(a.requests.values()), sum(b.requests.values())
        t_ratio = b.seconds / a.seconds if a.seconds else 0.0
        r_ratio = req_b / req_a if req_a else 0.0
        linear = t_ratio <= growth * 1.1 and r_ratio <= growth * 1.1
        rows.append([name, f"{a.seconds:.1f} -> {b.seconds:.1f}", f"{t_ratio:.2f}", f"{req_a} -> {req_b}",
                     f"{r_ratio:.2f}", "yes" if linear else "NO"])
    return _table(header, rows)


def fixed_cost_table(results: Sequence[RunResult], baseline_s: float) -> list[str]:
    """The no-op preview against the preview of an empty Python program on the same toolchain."""
    header = ["services", "latency ms", "no-op preview s", "empty program preview s", "ratio"]
    rows = [[run.services, f"{run.latency_ms:g}", f"{(s := run.operation(NOOP_PREVIEW).seconds):.2f}",
             f"{baseline_s:.2f}", f"{s / baseline_s:.2f}x" if baseline_s else "-"] for run in results]
    return _table(header, rows)


def latency_table(results: Sequence[RunResult]) -> list[str]:
    """Wall time per operation at each latency, side by side (one column per latency)."""
    latencies = sorted({run.latency_ms for run in results})
    counts = sorted({run.services for run in results})
    by_key = {(run.services, run.latency_ms): run for run in results}
    header = ["services", "operation", *(f"wall s at {ms:g} ms" for ms in latencies),
              *(f"429s at {ms:g} ms" for ms in latencies)]
    rows = []
    for count in counts:
        for name in OPERATIONS:
            runs = [by_key.get((count, ms)) for ms in latencies]
            rows.append([count, name, *(f"{r.operation(name).seconds:.1f}" if r else "-" for r in runs),
                         *(r.operation(name).throttled if r else "-" for r in runs)])
    return _table(header, rows)


def render_report(results: Sequence[RunResult], machine: str, when: str, baseline_s: float = 0.0) -> str:
    lowest = min((run.latency_ms for run in results), default=0.0)
    base = [run for run in results if run.latency_ms == lowest]
    lines = [f"Measured {when} on {machine}.", "",
             f"Coolify simulator: rate limit 200 requests per minute; each deployment builds for {BUILD_S:g} s, "
             f"{CONCURRENT_BUILDS} at a time on the server (`concurrent_builds`). Previews of no-op stacks "
             f"and of the empty program: median of {PREVIEW_REPEATS} runs.", "",
             "### Time and requests per operation", "",
             "`req / min`: requests the simulator received / the minimum the engine's steps need (see "
             "`NEEDED` in `tests/harness/bench.py`). Excess: *avoidable* is ours to remove; *waiting* are "
             "polls of a job still running; *provider* are requests the hcloud/github plugins make on their "
             "own. `ours / min` leaves out waiting and provider requests. `429s`: requests Coolify's rate "
             "limiter refused (the client waited `Retry-After` and sent them again).", "",
             *summary_table(results), "",
             "### Latency", "", *latency_table(results), "",
             "### Fixed cost: no-op preview against an empty Python program", "",
             *fixed_cost_table(results, baseline_s), "",
             f"### Scaling (latency {lowest:g} ms)", "", *scaling_table(base), "",
             "### State", "", *state_table(base), "",
             f"### Peak resident memory (VmHWM) per process (latency {lowest:g} ms)", "", *memory_table(base), "",
             f"### Requests per route (actual/minimum, latency {lowest:g} ms)", "", *routes_table(base), ""]
    return "\n".join(lines)


# --- measuring -----------------------------------------------------------------------------------------------


class PeakMemory:
    """Samples VmHWM of this process's descendants by role (see PROCESS_ROLES) until stopped."""

    def __init__(self, interval_s: float = 0.05) -> None:
        self._interval_s = interval_s
        self._peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peaks(self) -> dict[str, int]:
        return dict(self._peaks)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self._interval_s)

    def sample(self) -> None:
        for pid in descendants(os.getpid()):
            role = process_role(_read(f"/proc/{pid}/cmdline").replace("\0", " "))
            hwm = vm_hwm_kib(_read(f"/proc/{pid}/status"))
            if role and hwm:
                self._peaks[role] = max(self._peaks.get(role, 0), hwm)


def process_role(cmdline: str) -> str | None:
    return next((role for role, pattern in PROCESS_ROLES if pattern.search(cmdline)), None)


def vm_hwm_kib(status: str) -> int | None:
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _read(f"/proc/{entry}/stat")
            # The command name in parentheses may contain spaces: the parent pid follows the last `)`.
            fields = stat[stat.rfind(")") + 2:].split()
            if len(fields) > 1:
                children.setdefault(int(fields[1]), []).append(int(entry))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def bench_services(count: int) -> list[ServiceSpec]:
    return [ServiceSpec(f"bench-svc-{i:03d}", 3000 + i, env={"LOG_LEVEL": "info"}) for i in range(count)]


def _recorded(sims: Any) -> Counter[Route]:
    requests: Counter[Route] = Counter()
    for name in SIMULATORS:
        for request in getattr(sims, name).requests:
            method = request.method
            if method in WRITE_METHODS and (request.status or 0) >= 400:
                # A write the API refused changed nothing: the token checks (components/access.py) send some.
                method = f"{method} (refused {request.status})"
            elif method == "PUT" and request.route == "/v1/ssh_keys/{id}" and request.body == b"{}":
                # The Hetzner token check's update of an SSH key without fields (components/access.py): no change.
                method = "PUT (no fields)"
            requests[(name, method, request.route or request.path)] += 1
    return requests


def _step_recorder(steps: Counter[Step]) -> Callable[[auto.EngineEvent], None]:
    def record(event: auto.EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre is None:
            return
        action = step_action(pre.metadata.op.value)
        if action and is_api_resource(pre.metadata.type):
            steps[(short_type(pre.metadata.type), action)] += 1

    return record


def measure(name: str, sims: Any, run: Callable[..., Any], *, dry_run: bool, repeats: int = 1,
            checks: Counter[Route] | None = None, **options: Any) -> OperationResult:
    """Run the operation `repeats` times (only for operations that change nothing); the median time counts."""
    times: list[float] = []
    for _ in range(repeats):
        sims.reset_counts()
        steps: Counter[Step] = Counter()
        with PeakMemory() as memory:
            started = time.monotonic()
            result = run(color="never", on_output=lambda _line: None, on_event=_step_recorder(steps), **options)
            times.append(time.monotonic() - started)
            memory.sample()
    return OperationResult(name, statistics.median(times), _recorded(sims), steps, change_counts(result),
                           memory.peaks, dry_run, sims.coolify.throttled, checks or Counter())


def empty_program_preview_seconds(repeats: int = PREVIEW_REPEATS) -> float:
    """Median time of `pulumi preview` of an empty Python program on the same toolchain and backend kind."""
    with tempfile.TemporaryDirectory(prefix="penpal-baseline-") as tmp:
        project = LocalProject(Path(tmp))
        (project.project_dir / "__main__.py").write_text('"""An empty program: the baseline of a preview."""\n')
        stack = project.stack("baseline", {})
        times = []
        for _ in range(repeats):
            started = time.monotonic()
            stack.preview(color="never", on_output=lambda _line: None)
            times.append(time.monotonic() - started)
        return statistics.median(times)


@dataclass(frozen=True)
class FixedCost:
    """No-op previews of a deployed stack and previews of the empty program, run in turn (A B A B ...).

    Wall seconds, and CPU seconds of the whole process tree (the CLI, language host, program and plugins,
    all waited for by their parents): on a shared machine the CPU is the steadier of the two.
    """

    services: int
    noop_s: tuple[float, ...]
    baseline_s: tuple[float, ...]
    noop_cpu_s: tuple[float, ...] = ()
    baseline_cpu_s: tuple[float, ...] = ()

    @property
    def ratio(self) -> float:
        """Median of the pairwise ratios: pairing keeps it meaningful when the machine's speed drifts."""
        return _paired_ratio(self.noop_s, self.baseline_s)

    @property
    def cpu_ratio(self) -> float:
        return _paired_ratio(self.noop_cpu_s, self.baseline_cpu_s)

    def line(self) -> str:
        text = (f"  {self.services:>3} services  no-op preview {statistics.median(self.noop_s):.2f} s  "
                f"empty program {statistics.median(self.baseline_s):.2f} s  ratio {self.ratio:.2f}x (median of "
                f"{len(self.noop_s)} pairs; no-op {_spread(self.noop_s)}, empty {_spread(self.baseline_s)})")
        if self.noop_cpu_s:
            text += (f"\n  {self.services:>3} services  CPU: no-op preview {statistics.median(self.noop_cpu_s):.2f} s  "
                     f"empty program {statistics.median(self.baseline_cpu_s):.2f} s  ratio {self.cpu_ratio:.2f}x "
                     f"(no-op {_spread(self.noop_cpu_s)}, empty {_spread(self.baseline_cpu_s)})")
        return text


def _paired_ratio(a: Sequence[float], b: Sequence[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def _spread(values: Sequence[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f} s"


def _children_cpu_s() -> float:
    usage = getrusage(RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall s, CPU s of the finished child processes, result) of one engine operation."""
    cpu, started = _children_cpu_s(), time.monotonic()
    result = run()
    return time.monotonic() - started, _children_cpu_s() - cpu, result


def measure_fixed_cost(count: int, rounds: int, program_root: Path = REPO_ROOT) -> FixedCost:
    """`up` from empty (no rate limit, no latency: only the state matters), then `rounds` pairs of previews."""
    services = bench_services(count)
    network = NetworkProfile(latency_s=0.0, coolify_rate_limit_per_minute=None)
    noop: list[tuple[float, float]] = []
    baseline: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="penpal-baseline-") as tmp, \
            local_deployment([s.name for s in services], network, program_root) as (sims, project, ssh_keys):
        empty = LocalProject(Path(tmp))
        (empty.project_dir / "__main__.py").write_text('"""An empty program: the baseline of a preview."""\n')
        empty_stack = empty.stack("baseline", {})
        sims.add_shared_zone()
        sims.coolify.set_deploy_timing(in_progress_s=0.0, by_time=True)
        sims.coolify.config.server_settings = {"concurrent_builds": CONCURRENT_BUILDS,
                                               "deployment_queue_limit": QUEUE_LIMIT}
        stack = project.stack(STACK, stack_config(sims, STACK, services, ssh_keys))
        stack.up(color="never", on_output=lambda _line: None)
        for _ in range(rounds):
            wall, cpu, _ = _timed(lambda: empty_stack.preview(color="never", on_output=lambda _line: None))
            baseline.append((wall, cpu))
            wall, cpu, result = _timed(lambda: stack.preview(color="never", on_output=lambda _line: None))
            noop.append((wall, cpu))
            if change_counts(result):
                raise RuntimeError(f"the no-op preview of {count} services plans changes: {change_counts(result)}")
    return FixedCost(count, tuple(w for w, _ in noop), tuple(w for w, _ in baseline),
                     tuple(c for _, c in noop), tuple(c for _, c in baseline))


def change_counts(result: auto.PreviewResult | auto.UpResult | auto.RefreshResult) -> dict[str, int]:
    """The engine's own summary of the operation, without the resources left the same."""
    if isinstance(result, auto.PreviewResult):
        summary: Mapping[Any, int] = result.change_summary
    else:
        summary = result.summary.resource_changes or {}
    return {getattr(op, "value", op): n for op, n in summary.items() if getattr(op, "value", op) != "same" and n}


def provider_sizes(state_file: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Per dynamic type: bytes of one `__provider` value in the state file, and of the SDK's pickle."""
    resources = json.loads(state_file.read_text())["checkpoint"]["latest"]["resources"]
    in_state: dict[str, int] = {}
    plain: dict[str, int] = {}
    for resource in resources:
        value = (resource.get("inputs") or {}).get("__provider")
        if value is not None:
            in_state[short_type(resource["type"])] = len(json.dumps(value, separators=(",", ":")))
    for short, provider in _dynamic_providers().items():
        if short in in_state:
            plain[short] = len(_serialize_provider(provider))
    return in_state, plain


def _dynamic_providers() -> dict[str, Any]:
    from components.coolify.resources import (
        application,
        deployment,
        deployment_wait,
        env_vars,
        environment,
        mongodb,
        private_key,
        project,
        server,
    )

    return {
        "coolify:Application": application.ApplicationProvider(),
        "coolify:ApplicationEnvVars": env_vars.ApplicationEnvVarsProvider(),
        "coolify:Deployment": deployment.DeploymentProvider(),
        "coolify:DeploymentWait": deployment_wait.DeploymentWaitProvider(),
        "coolify:Environment": environment.EnvironmentProvider(),
        "coolify:MongoDatabase": mongodb.MongoDatabaseProvider(),
        "coolify:PrivateKey": private_key.PrivateKeyProvider(),
        "coolify:Project": project.ProjectProvider(),
        "coolify:Server": server.ServerProvider(),
    }


def _serialize_provider(provider: Any) -> str:
    from pulumi.dynamic.dynamic import serialize_provider

    return serialize_provider(provider)


def run_benchmark(count: int, log: Callable[[str], None], latency_ms: float = 0.0,
                  preview_repeats: int = PREVIEW_REPEATS, program_root: Path = REPO_ROOT,
                  rate_limit: int | None = COOLIFY_RATE_LIMIT_PER_MINUTE) -> RunResult:
    services = bench_services(count)
    network = NetworkProfile(latency_s=latency_ms / 1000, coolify_rate_limit_per_minute=rate_limit)
    with local_deployment([s.name for s in services], network, program_root) as (sims, project, ssh_keys):
        sims.add_shared_zone()  # owned by the prod stack
        sims.coolify.set_deploy_timing(in_progress_s=BUILD_S, by_time=True)
        sims.coolify.config.server_settings = {"concurrent_builds": CONCURRENT_BUILDS,
                                               "deployment_queue_limit": QUEUE_LIMIT}
        stack = project.stack(STACK, stack_config(sims, STACK, services, ssh_keys))
        operations = []

        def step(name: str, run: Callable[..., Any], repeats: int = 1, **options: Any) -> None:
            runs_program = run in (stack.preview, stack.up)
            checks = (program_checks(up=run == stack.up, repos=count, hcloud_has_ssh_key=bool(sims.hcloud.ssh_keys()))
                      if runs_program else None)
            result = measure(name, sims, run, dry_run=run == stack.preview, repeats=repeats, checks=checks, **options)
            total = sum(result.requests.values())
            log(f"  {count:>3} services {latency_ms:>3g} ms  {name:<22} {result.seconds:6.1f} s  {total:5} requests"
                f"  {result.throttled} throttled")
            operations.append(result)

        step(OPERATIONS[0], stack.preview)
        step(OPERATIONS[1], stack.up)
        step(OPERATIONS[2], stack.preview, repeats=preview_repeats)
        step(OPERATIONS[3], stack.preview, refresh=True)
        step(OPERATIONS[4], stack.up)
        step(OPERATIONS[5], stack.refresh)
        services[0] = replace(services[0], env={"LOG_LEVEL": "warn"})
        stack.set_all_config(stack_config(sims, STACK, services, ssh_keys))
        step(OPERATIONS[6], stack.up)
        state_file = project.backend_dir / ".pulumi" / "stacks" / "penpal" / f"{STACK}.json"
        in_state, plain = provider_sizes(state_file)
        return RunResult(count, operations, state_file.stat().st_size, in_state, plain, latency_ms)


def machine_description() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.machine())
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", _read("/proc/meminfo")).group(1))  # type: ignore[union-attr]
    cli = subprocess.run([str(pulumi_bin_dir() / "pulumi"), "version"], capture_output=True, text=True,
                         check=False).stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}), {mem_kib / 1024 / 1024:.0f} GiB, Linux {platform.release()}, "
            f"Python {platform.python_version()}, pulumi CLI {cli}")


def parse_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or any(n < 1 for n in counts):
        raise argparse.ArgumentTypeError("give positive service counts separated by commas, e.g. 10,30,100")
    return sorted(set(counts))


def parse_latencies(text: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        values = []
    if not values or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError("give round-trip latencies in ms separated by commas, e.g. 0,50")
    return sorted(set(values))


def write_results(path: Path, report: str) -> None:
    """Replace the generated part of the results file (below the marker), keeping the notes above it."""
    marker = "<!-- bench results: generated by `make bench` below this line -->"
    head = path.read_text().split(marker)[0].rstrip() + "\n\n" if path.exists() else "# Benchmarks\n\n"
    path.write_text(f"{head}{marker}\n\n{report}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.harness.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=parse_counts, default=list(DEFAULT_SERVICE_COUNTS),
                        help="service counts, comma-separated (default 10,30,100)")
    parser.add_argument("--latency-ms", type=parse_latencies, default=list(DEFAULT_LATENCIES_MS),
                        help="round-trip latencies of every simulator in ms, comma-separated (default 0,50)")
    parser.add_argument("--program-root", type=Path, default=REPO_ROOT,
                        help="run the program of another checkout (Pulumi.yaml, __main__.py, components/) on the "
                             "same simulators, to compare two versions (default: this one)")
    parser.add_argument("--no-rate-limit", action="store_true",
                        help="turn Coolify's rate limit off (as the simulator was before it had one)")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "BENCHMARKS.md", help="results file")
    parser.add_argument("--no-write", action="store_true", help="print the results only")
    parser.add_argument("--fixed-cost", type=int, metavar="ROUNDS", default=0,
                        help="only the fixed cost: per service count, `up` from empty, then ROUNDS no-op previews "
                             "in turn with ROUNDS previews of the empty program; prints, writes nothing")
    args = parser.parse_args(argv)

    if args.fixed_cost:
        for count in args.services:
            print(measure_fixed_cost(count, args.fixed_cost, args.program_root).line(), flush=True)
        return 0

    print("Baseline: preview of an empty Python program", flush=True)
    baseline_s = empty_program_preview_seconds()
    print(f"  {baseline_s:.2f} s", flush=True)
    results = []
    for latency_ms in args.latency_ms:
        for count in args.services:
            print(f"Benchmark: {count} service(s), {latency_ms:g} ms", flush=True)
            results.append(run_benchmark(count, lambda line: print(line, flush=True), latency_ms,
                                         program_root=args.program_root,
                                         rate_limit=None if args.no_rate_limit else COOLIFY_RATE_LIMIT_PER_MINUTE))
    report = render_report(results, machine_description(), dt.date.today().isoformat(), baseline_s)
    print("\n" + report)
    if not args.no_write:
        write_results(args.output, report)
        print(f"Written to {args.output}")
    writes = noop_up_writes(results)
    if writes:
        for count, route in writes:
            print(f"FAIL: a no-op up with {count} services wrote: {' '.join(route)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
