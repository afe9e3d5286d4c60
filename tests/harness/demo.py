"""`make demo`: the main job on this machine, with no cloud account.

Starts the Coolify, Hetzner Cloud and GitHub simulators on 127.0.0.1, runs `pulumi up` of stack
`staging` with two example services against them (file backend in a temporary folder), prints the
stack outputs and what the simulators now hold, then runs a `pulumi preview` that must show no change.
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from typing import Any

from pulumi import automation as auto

from tests.harness.local import EXAMPLE_SERVICES, Simulators, local_deployment, stack_config


def simulator_summary(sims: Simulators, repos: list[str]) -> dict[str, Any]:
    state = sims.coolify.state
    apps = state.applications
    return {
        "hetzner": sims.hcloud.summary(),
        "coolify": {
            "projects": [p["name"] for p in state.projects],
            "environments": [e["name"] for e in state.environments],
            "servers": [f"{s['name']} ({s['ip']})" for s in state.servers],
            "databases": [d["name"] for d in state.databases],
            "applications": {a["name"]: a.get("fqdn") for a in apps},
            "env vars": {a["name"]: sorted({e["key"] for e in state.env_vars if e["_application_uuid"] == a["uuid"]})
                         for a in apps},
            "deployments": [f"{d.get('application_name')}: {d['status']}" for d in state.deployments],
        },
        "github secrets": {repo: sims.github.secret_names(sims.github.owner, repo) for repo in repos},
    }


def service_reachability(sims: Simulators, outputs: MutableMapping[str, auto.OutputValue]) -> dict[str, Any]:
    """Per service: its records in the Hetzner zone and the health check requests its stand-in answered."""
    zone = outputs["dnsZone"].value["zone"]
    rrsets = {r["id"]: r for r in sims.hcloud.rrsets(zone)}
    report: dict[str, Any] = {}
    for service, url in outputs["serviceUrls"].value.items():
        domain = url.removeprefix("https://")
        name = domain.removesuffix("." + zone)
        standin = sims.services.by_domain[domain]
        checks = [f"GET {r.path} Host={r.host} SNI={r.sni} -> {standin.behaviour.status}" for r in standin.requests]
        report[service] = {
            "records": [f"{domain}. {rrsets[f'{name}/{t}']['ttl']} IN {t} {v['value']}"
                        for t in ("A", "AAAA") if f"{name}/{t}" in rrsets for v in rrsets[f"{name}/{t}"]["records"]],
            "health check": checks or ["(no request)"],
        }
    return report


def _print_tree(value: Any, indent: int = 2) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                print(f"{pad}{key}:")
                _print_tree(item, indent + 2)
            else:
                print(f"{pad}{key}: {item}")
    else:
        for item in value:
            print(f"{pad}- {item}")


def main() -> int:
    repos = [s.name for s in EXAMPLE_SERVICES]
    with local_deployment(repos) as (sims, project, ssh_keys):
        print(f"Simulators: coolify {sims.coolify.url}  hetzner {sims.hcloud.endpoint}  github {sims.github.base_url}")
        print(f"File backend: {project.backend_dir}\n")
        # The DNS zone is shared by both stacks and owned by prod; here it exists as prod left it.
        sims.add_shared_zone()
        stack = project.stack("staging", stack_config(sims, "staging", EXAMPLE_SERVICES, ssh_keys))
        for domain, standin in sims.services.by_domain.items():
            print(f"Stand-in for https://{domain}: {standin.address} (TLS, test CA {sims.services.ca_file})")
        print()
        result = stack.up(on_output=print, color="never")
        print("\nStack outputs:")
        for name, output in sorted(result.outputs.items()):
            print(f"  {name}: {'[secret]' if output.secret else output.value}")
        print("\nDNS records and health checks per service:")
        _print_tree(service_reachability(sims, result.outputs))
        print("\nWhat the simulators now hold:")
        _print_tree(simulator_summary(sims, repos))
        print("\nSecond run: `pulumi preview` of the same program and config")
        preview = stack.preview(on_output=print, color="never")
        changes = {op: n for op, n in preview.change_summary.items() if op != auto.OpType.SAME and n}
        if changes:
            print(f"\nUnexpected changes on the second preview: {changes}", file=sys.stderr)
            return 1
        print("\nNo changes: the stack is converged.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
