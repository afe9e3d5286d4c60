"""`make demo`: the main job on this machine, with no cloud account.

Starts the Coolify, Hetzner Cloud and GitHub simulators on 127.0.0.1, runs `pulumi up` of stack
`staging` with two example services against them (file backend in a temporary folder), prints the
stack outputs and what the simulators now hold, then runs a `pulumi preview` that must show no change.

The simulated server starts bare (no Docker), as a fresh Hetzner server: the run asks Coolify to validate
it with installation. Images are private: the run logs the server's root in to ghcr.io over SSH, here to a
real sshd on 127.0.0.1 whose `docker` only records what it receives.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from tests.harness.local import EXAMPLE_SERVICES, Simulators, local_deployment, stack_config
from tests.harness.sshd import SshServer, running_sshd

DEMO_GHCR_USER = "penpal-bot"
DEMO_GHCR_TOKEN = "ghp_demoReadPackagesToken0123456789abcd"


def ghcr_config(sshd: SshServer) -> dict[str, auto.ConfigValue]:
    return {
        "penpal:ghcrUsername": auto.ConfigValue(DEMO_GHCR_USER),
        "penpal:ghcrToken": auto.ConfigValue(DEMO_GHCR_TOKEN, secret=True),
        "penpal:ghcrLoginSsh": auto.ConfigValue(json.dumps({"host": sshd.host, "port": sshd.port, "user": sshd.user})),
    }


def registry_logins(sshd: SshServer) -> list[str]:
    return [
        f"docker {' '.join(call.argv)} (token on stdin: {call.stdin.strip() == DEMO_GHCR_TOKEN}, "
        f"in argv or env: {DEMO_GHCR_TOKEN in ' '.join(call.argv) + ' '.join(call.env.values())})"
        for call in sshd.docker_calls()
    ]


def simulator_summary(sims: Simulators, repos: list[str]) -> dict[str, Any]:
    state = sims.coolify.state
    apps = state.applications
    return {
        "hetzner": sims.hcloud.summary(),
        "coolify": {
            "projects": [p["name"] for p in state.projects],
            "environments": [e["name"] for e in state.environments],
            "servers": [f"{s['name']} ({s['ip']}), usable: {s['_settings']['is_usable']}" for s in state.servers],
            "server validations": [f"{r.method} {r.path} {json.dumps(r.body)}" for r in sims.coolify.requests
                                   if r.path.endswith("/validate")],
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
    with local_deployment(repos) as (sims, project, ssh_keys), tempfile.TemporaryDirectory() as tmp, \
            running_sshd(Path(tmp) / "sshd") as sshd:
        # The stand-in server accepts the stack's key for root's registry login, as the Hetzner server does.
        (Path(tmp) / "sshd" / "authorized_keys").write_text(ssh_keys[0] + "\n")
        print(f"Simulators: coolify {sims.coolify.url}  hetzner {sims.hcloud.endpoint}  github {sims.github.base_url}")
        print(f"SSH target for the registry login: {sshd.user}@{sshd.host}:{sshd.port}")
        print(f"File backend: {project.backend_dir}\n")
        # The DNS zone is shared by both stacks and owned by prod; here it exists as prod left it.
        sims.add_shared_zone()
        config = {**stack_config(sims, "staging", EXAMPLE_SERVICES, ssh_keys), **ghcr_config(sshd)}
        stack = project.stack("staging", config)
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
        _print_tree({**simulator_summary(sims, repos), "registry logins on the server": registry_logins(sshd)})
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
