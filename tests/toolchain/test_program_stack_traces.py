"""Stack traces trimmed to the project's frames: the rule, and the real engine storing what the runner sends.

The end-to-end tests run a small program with our language host (from `make setup`) and a file backend:
they pin that the SDK still looks `_get_stack_trace` up at each registration (an SDK upgrade that stops
doing so brings the full traces back and fails them), and that a state written with full traces, as every
existing stack has, still previews without changes, updates, refreshes and destroys.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import source_pb2

from tests.harness.local import pulumi_bin_dir, scratch_project
from toolchain.program_stack_traces import is_project_file, trimmed

STACK = "traces"
PASSPHRASE = "stack-traces-test"

# A component made in a project module, called from __main__, with a dynamic resource as its child.
# FULL_TRACES=1 puts the SDK's own `_get_stack_trace` back: the state then is what earlier runs wrote.
MAIN = '''\
import os

import pulumi.runtime.resource as sdk_resource

from infra.things import Thing

if os.environ.get("FULL_TRACES") == "1":
    sdk_resource._get_stack_trace = sdk_resource._get_stack_trace.__wrapped__
Thing("thing")
'''
THINGS = '''\
import pulumi
from pulumi import dynamic


class Provider(dynamic.ResourceProvider):
    def create(self, props):
        return dynamic.CreateResult("item-1", {"size": props["size"]})


class Item(dynamic.Resource):
    def __init__(self, name, opts=None):
        super().__init__(Provider(), name, {"size": 3}, opts)


class Thing(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("test:index:Thing", name)
        Item(f"{name}-item", pulumi.ResourceOptions(parent=self))
        self.register_outputs({})
'''
ITEM_TRACE = ["project:///infra/things.py#12", "project:///infra/things.py#18", "project:///__main__.py#9"]


def _frame(path: str, line: int) -> source_pb2.StackFrame:
    return source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=Path(path).as_uri(), line=line))


def test_project_files_exclude_installed_packages_and_files_outside() -> None:
    root = Path("/srv/app")
    assert is_project_file("file:///srv/app/components/stack.py", root)
    assert is_project_file("file:///srv/app/my%20dir/x.py", root)
    assert not is_project_file("file:///srv/app/.venv/lib/python3.11/site-packages/pulumi/x.py", root)
    assert not is_project_file("file:///srv/app/../tool/run_program.py", root)
    assert not is_project_file("file:///srv/application/x.py", root)
    assert not is_project_file("project:///x.py", root)


def test_trimmed_keeps_the_first_frame_and_the_project_frames_in_order() -> None:
    root = Path("/srv/app")
    trace = source_pb2.StackTrace(frames=[
        _frame("/usr/lib/python3.11/site-packages/pulumi_x/thing.py", 10),  # the source position, kept
        _frame("/srv/app/components/a.py", 20),
        source_pb2.StackFrame(),  # a frame without position (runpy's frozen module)
        _frame("/opt/cli/run_program.py", 30),
        _frame("/srv/app/__main__.py", 40),
        _frame("/usr/lib/python3.11/asyncio/events.py", 50),
    ])
    kept = trimmed(trace, root)
    assert [(f.pc.uri, f.pc.line) for f in kept.frames] == [
        ("file:///usr/lib/python3.11/site-packages/pulumi_x/thing.py", 10),
        ("file:///srv/app/components/a.py", 20),
        ("file:///srv/app/__main__.py", 40),
    ]
    assert trimmed(source_pb2.StackTrace(), root).frames == []


def _pulumi(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(pulumi_bin_dir() / "pulumi"), *args, "--stack", STACK], cwd=project, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"pulumi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _resources(project: Path, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    exported = json.loads(_pulumi(project, env, "stack", "export").stdout)
    return {r["urn"].rsplit("::", 1)[-1]: r for r in exported["deployment"].get("resources", [])}


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    installed = pulumi_bin_dir() / "program_stack_traces.py"
    assert installed.exists(), f"{installed} is missing: run `make setup` to install the program runner"
    project, env = scratch_project(tmp_path, "traces", STACK, PASSPHRASE, FULL_TRACES="0")
    (project / "infra").mkdir()
    (project / "__main__.py").write_text(MAIN)
    (project / "infra" / "__init__.py").write_text("")
    (project / "infra" / "things.py").write_text(THINGS)
    return project, env


def _trace(resource: dict[str, Any]) -> list[str]:
    return [frame.get("sourcePosition", "") for frame in resource.get("stackTrace", [])]


def test_the_engine_stores_only_the_project_frames(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    _pulumi(root, env, "up", "--yes", "--skip-preview")
    resources = _resources(root, env)
    thing, item = resources["thing"], resources["thing-item"]
    # The component: made in __main__.py (line 9), the SDK's frames and the runner's are gone.
    assert thing["sourcePosition"] == "project:///__main__.py#9"
    assert _trace(thing) == ["project:///__main__.py#9"]
    # The child: made in infra/things.py, by the component made in __main__.py.
    # The child: its position is Item's constructor (the SDK skips three `__init__`s: Resource's,
    # CustomResource's, dynamic.Resource's), then the component's line that made it, then __main__.py.
    assert item["sourcePosition"] == "project:///infra/things.py#12"
    assert _trace(item) == ITEM_TRACE


def test_a_state_with_full_traces_previews_unchanged_updates_refreshes_and_destroys(
        project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    _pulumi(root, {**env, "FULL_TRACES": "1"}, "up", "--yes", "--skip-preview")
    before = _resources(root, env)
    # As existing stacks have it: the runner's, asyncio's and the SDK's frames after the project's.
    full = _trace(before["thing-item"])
    assert full[:3] == ITEM_TRACE
    assert any("run_program.py" in f for f in full) and any("site-packages" in f for f in full)

    _pulumi(root, env, "preview", "--expect-no-changes")
    _pulumi(root, env, "up", "--yes", "--expect-no-changes")
    after = _resources(root, env)
    assert _trace(after["thing-item"]) == ITEM_TRACE
    assert after["thing-item"]["outputs"]["size"] == 3
    assert after["thing-item"]["id"] == before["thing-item"]["id"]

    _pulumi(root, env, "refresh", "--yes", "--expect-no-changes")
    _pulumi(root, env, "destroy", "--yes")
    assert set(_resources(root, env)) == set()
