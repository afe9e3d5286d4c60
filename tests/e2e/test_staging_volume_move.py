"""End to end: the staging server moves to another location while it has a volume (penpal:server.volumeSizeGb).

A Hetzner volume is bound to its location: it can only be attached to a server in the same location
(docs.hetzner.cloud, Volumes). Moving the server replaces it; the volume must be replaced with it, in
the new location, and the preview says that its data is not carried over. (Prod refuses the move before
anything changes: components/guard.py, tests/e2e/test_production_safety.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pulumi import automation as auto

from tests.harness.local import EXAMPLE_SERVICES, LocalProject, Simulators, local_deployment, stack_config

SERVICE = replace(EXAMPLE_SERVICES[0], secret_env={})
VOLUME = "penpal-staging-data"
VOLUME_TYPE = "hcloud:index/volume:Volume"
SERVER_TYPE = "hcloud:index/server:Server"
WARNING = (
    "penpal:server.location: the staging server moves from 'fsn1' to 'nbg1'; Hetzner volumes cannot leave their "
    "location, so volume 'penpal-staging-data' is replaced by an empty one in 'nbg1' and the data on the old one "
    "is deleted, not carried over"
)


def _server(location: str) -> dict[str, Any]:
    return {"type": "cx22", "location": location, "image": "ubuntu-24.04", "volumeSizeGb": 10}


@pytest.fixture(scope="module")
def local() -> Iterator[tuple[Simulators, LocalProject, tuple[str, str]]]:
    with local_deployment([SERVICE.name]) as deployment:
        deployment[0].add_shared_zone()  # owned by the prod stack
        yield deployment


class Recorder:
    """The engine's events of one operation: each resource's step and the warnings."""

    def __init__(self) -> None:
        self.ops: dict[tuple[str, str], set[str]] = {}
        self.warnings: list[str] = []

    def __call__(self, event: auto.EngineEvent) -> None:
        if event.resource_pre_event is not None:
            meta = event.resource_pre_event.metadata
            self.ops.setdefault((meta.type, meta.urn.rsplit("::", 1)[-1]), set()).add(meta.op.value)
        if event.diagnostic_event is not None and event.diagnostic_event.severity == "warning":
            self.warnings.append(event.diagnostic_event.message.strip())


def _quiet(_line: str) -> None:
    pass


def test_moving_staging_replaces_its_volume_in_the_new_location(
    local: tuple[Simulators, LocalProject, tuple[str, str]],
) -> None:
    sims, project, keys = local
    stack = project.stack("staging", stack_config(sims, "staging", [SERVICE], keys,
                                                  base={"penpal:server": _server("fsn1")}))
    first = Recorder()
    stack.up(color="never", on_output=_quiet, on_event=first)
    [old_volume] = sims.hcloud.volumes()
    old_server = sims.hcloud.server("penpal-staging")
    assert old_server is not None
    assert (old_volume["name"], old_volume["location"]["name"], old_volume["server"]) == (VOLUME, "fsn1",
                                                                                           old_server["id"])
    assert not [w for w in first.warnings if "volume" in w], first.warnings

    stack.set_all_config(stack_config(sims, "staging", [SERVICE], keys, base={"penpal:server": _server("nbg1")}))
    preview = Recorder()
    stack.preview(color="never", on_output=_quiet, on_event=preview)
    assert "create-replacement" in preview.ops[(SERVER_TYPE, "host-server")], preview.ops
    assert "create-replacement" in preview.ops[(VOLUME_TYPE, "host-volume")], preview.ops
    assert WARNING in preview.warnings, preview.warnings

    up = Recorder()
    result = stack.up(color="never", on_output=_quiet, on_event=up)
    assert result.summary.result == "succeeded"
    assert WARNING in up.warnings, up.warnings
    new_server = sims.hcloud.server("penpal-staging")
    assert new_server is not None and new_server["id"] != old_server["id"]
    [new_volume] = sims.hcloud.volumes()
    assert new_volume["id"] != old_volume["id"]
    assert (new_volume["name"], new_volume["location"]["name"], new_volume["server"]) == (VOLUME, "nbg1",
                                                                                          new_server["id"])

    again = Recorder()
    summary = stack.preview(color="never", on_output=_quiet, on_event=again).change_summary
    assert {getattr(op, "value", op): n for op, n in summary.items() if getattr(op, "value", op) != "same"} == {}
    assert not [w for w in again.warnings if "volume" in w], again.warnings
