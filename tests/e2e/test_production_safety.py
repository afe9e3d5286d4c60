"""End to end (issue 12): with the real engine against the simulators, a typo'd key, a prod server
replacement and a MongoDB password change are refused before anything changes, `up --skip-preview`
included; staging may still be replaced."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from tests.harness.local import (
    EXAMPLE_SERVICES,
    LocalProject,
    Simulators,
    local_deployment,
    ssh_key_pair,
    stack_config,
)

SERVICE = replace(EXAMPLE_SERVICES[0], secret_env={})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PROCEDURE = "see 'Production safety' in README.md"
NBG1 = {"type": "cx22", "location": "nbg1"}

Deployment = tuple[Simulators, LocalProject, tuple[str, str]]


def _quiet(_line: str) -> None:
    pass


@pytest.fixture(scope="module")
def local() -> Iterator[Deployment]:
    with local_deployment([SERVICE.name]) as deployment:
        yield deployment


def config(
    local: Deployment, stack: str, keys: tuple[str, str] | None = None, base: Mapping[str, Any] | None = None
) -> dict[str, auto.ConfigValue]:
    sims, _, prod_keys = local
    values = {"penpal:services": [SERVICE.config_entry()], **(base or {})}
    return stack_config(sims, stack, [SERVICE], keys or prod_keys, base=values)


def set_exactly(stack: auto.Stack, values: Mapping[str, auto.ConfigValue]) -> None:
    """The stack's config becomes `values`: keys not in it are removed."""
    stale = [key for key in stack.get_all_config() if key not in values]
    if stale:
        stack.remove_all_config(stale)
    stack.set_all_config(dict(values))


def writes(sims: Simulators) -> list[str]:
    """Every write the Hetzner and Coolify simulators accepted since their counts were reset. The token
    checks (components/access.py) send writes the APIs refuse (400/403/422), and on Hetzner an update of an
    SSH key without fields (200), all of which change nothing."""
    return [f"{r.method} {r.path}" for sim in (sims.hcloud, sims.coolify) for r in sim.requests
            if r.method in WRITES and r.status not in (400, 403, 422) and not field_less_key_update(r)]


def field_less_key_update(request: Any) -> bool:
    return request.method == "PUT" and request.route == "/v1/ssh_keys/{id}" and request.body == b"{}"


def resources(stack: auto.Stack) -> list[dict[str, Any]]:
    return list((stack.export_stack().deployment or {})["resources"])


def managed(stack: auto.Stack) -> list[dict[str, Any]]:
    """The state's resources without provider records: the engine configures the default provider of
    dynamic resources with the whole stack config before the guard's check, and records that config
    (state only: no API call)."""
    return [r for r in resources(stack) if not r["type"].startswith("pulumi:providers:")]


def server_named(sims: Simulators, name: str) -> dict[str, Any]:
    server = sims.hcloud.server(name)
    assert server is not None
    return server


@pytest.fixture(scope="module")
def prod(local: Deployment) -> auto.Stack:
    sims, project, _ = local
    sims.coolify.set_deploy_outcome(None, "finished")
    stack = project.stack("prod", config(local, "prod"))
    stack.up(color="never", on_output=_quiet)
    return stack


def refused(project: LocalProject, *args: str) -> str:
    result = project.cli(*args, "--stack", "prod", "--non-interactive", "--color", "never")
    assert result.returncode != 0, result.stdout
    return result.stdout + result.stderr


def test_prod_server_is_protected_in_hetzner(local: Deployment, prod: auto.Stack) -> None:
    sims, _, _ = local
    assert server_named(sims, "penpal-production")["protection"] == {"delete": True, "rebuild": True}
    server = next(r for r in resources(prod) if r["type"] == "hcloud:index/server:Server")
    assert server.get("protect") is True


def test_a_typo_in_a_key_fails_preview_and_up_and_changes_nothing(local: Deployment, prod: auto.Stack) -> None:
    sims, project, _ = local
    typo = config(local, "prod")
    typo["penpal:servces"] = typo.pop("penpal:services")
    set_exactly(prod, typo)
    before = resources(prod)
    sims.reset_counts()
    for command in (("preview",), ("up", "--yes", "--skip-preview")):
        output = refused(project, *command)
        assert "penpal:servces: unknown key; did you mean penpal:services?" in output
        assert "delete" not in output.lower().replace("deleted", "")
    assert writes(sims) == []
    assert resources(prod) == before
    set_exactly(prod, config(local, "prod"))


def test_prod_location_change_is_refused_before_any_write(local: Deployment, prod: auto.Stack) -> None:
    sims, project, _ = local
    server_before = server_named(sims, "penpal-production")
    set_exactly(prod, config(local, "prod", base={"penpal:server": NBG1}))
    before = managed(prod)
    sims.reset_counts()
    for command in (("up", "--yes", "--skip-preview"), ("preview",)):
        output = refused(project, *command)
        assert (
            "penpal:server.location: changing it from 'fsn1' to 'nbg1' would replace the prod server and lose the "
            f"MongoDB data on it; refused before anything changed ({PROCEDURE})"
        ) in output
    assert writes(sims) == []
    assert managed(prod) == before
    assert server_named(sims, "penpal-production") == server_before
    set_exactly(prod, config(local, "prod"))


def test_prod_mongo_password_change_is_refused_without_showing_it(local: Deployment, prod: auto.Stack) -> None:
    sims, project, _ = local
    new_password = "a-brand-new-root-password-42"
    values = config(local, "prod")
    values["penpal:mongoRootPassword"] = auto.ConfigValue(new_password, secret=True)
    set_exactly(prod, values)
    before = managed(prod)
    sims.reset_counts()
    output = refused(project, "up", "--yes", "--skip-preview")
    assert "penpal:mongoRootPassword: changed, but MongoDB reads its root password only when" in output
    assert new_password not in output
    assert writes(sims) == []
    assert managed(prod) == before
    set_exactly(prod, config(local, "prod"))
    # Back to the deployed values: nothing to do.
    summary = prod.preview(color="never", on_output=_quiet).change_summary
    assert {getattr(op, "value", op): n for op, n in summary.items() if getattr(op, "value", op) != "same"} == {}


def test_staging_location_change_replaces_the_server(local: Deployment, tmp_path: Path) -> None:
    sims, project, _ = local
    keys = ssh_key_pair(tmp_path)  # Hetzner refuses a second copy of the prod stack's key
    stack = project.stack("staging", config(local, "staging", keys))
    stack.up(color="never", on_output=_quiet)
    old = server_named(sims, "penpal-staging")
    assert old["protection"] == {"delete": False, "rebuild": False}
    set_exactly(stack, config(local, "staging", keys, {"penpal:server": NBG1}))
    result = stack.up(color="never", on_output=_quiet)
    counts = {getattr(op, "value", op): n for op, n in (result.summary.resource_changes or {}).items()}
    assert counts.get("replace") == 1, counts
    new = server_named(sims, "penpal-staging")
    assert new["id"] != old["id"] and new["location"]["name"] == "nbg1"
    assert sims.hcloud.server(old["id"]) is None


@pytest.mark.parametrize("closed", ["api disabled", "ip not allowed"])
def test_a_closed_coolify_api_stops_preview_and_up_with_one_line(local: Deployment, prod: auto.Stack,
                                                                 closed: str) -> None:
    sims, project, _ = local
    before = managed(prod)
    sims.reset_counts()
    if closed == "api disabled":
        sims.coolify.api_enabled = False
        expected = (f"The Coolify API of {sims.coolify.url} is disabled (Coolify answered 403 \"API is disabled.\"). "
                    "Enable it in Coolify under Settings > Advanced > API Access")
    else:
        sims.coolify.allowed_ips = "203.0.113.0/24"
        expected = (f"The Coolify instance {sims.coolify.url} does not accept API calls from this machine's IP "
                    "address")
    try:
        for command in (("preview",), ("up", "--yes", "--skip-preview")):
            output = refused(project, *command)
            assert expected in output
            assert "lacks the Coolify ability" not in output
            assert "Traceback" not in output
    finally:
        sims.coolify.api_enabled = True
        sims.coolify.allowed_ips = None
    assert writes(sims) == []
    assert managed(prod) == before
