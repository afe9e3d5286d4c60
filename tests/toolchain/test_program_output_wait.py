"""The one-pass wait for outputs before the SDK's `wait_for_rpcs`: its rule, and the real engine around it.

The SDK's objects are the real ones (`SETTINGS.outputs`, its RPC manager, `run_pulumi_func`); the
end-to-end tests run programs with our language host (from `make setup`) and a file backend.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import settings as sdk_settings
from pulumi.runtime import stack as sdk_stack
from pulumi.runtime.rpc_manager import RPCManager

from tests.harness.local import pulumi_bin_dir, scratch_project
from toolchain.program_output_wait import settle_outputs

STACK = "wait"


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    settings = sdk_settings.SETTINGS
    saved = (settings.outputs, settings.rpc_manager)
    settings.outputs, settings.rpc_manager = set(), RPCManager()
    yield
    settings.outputs, settings.rpc_manager = saved


def test_the_sdk_looks_wait_for_rpcs_up_at_the_end_of_each_run() -> None:
    # The hook replaces the module global: `run_pulumi_func` must still find it there by name.
    assert "wait_for_rpcs" in sdk_stack.run_pulumi_func.__code__.co_names


def _track(task: asyncio.Future[Any]) -> None:
    with sdk_settings.SETTINGS.lock:
        sdk_settings.SETTINGS.outputs.add(task)


@pytest.mark.usefixtures("fresh_settings")
def test_settle_waits_for_outputs_including_those_created_while_waiting() -> None:
    async def scenario() -> list[str]:
        order: list[str] = []

        async def later(name: str, delay: float, then: str | None = None) -> None:
            await asyncio.sleep(delay)
            order.append(name)
            if then:  # an apply that makes a new output when it runs
                _track(asyncio.ensure_future(later(then, 0.05)))

        _track(asyncio.ensure_future(later("a", 0.01)))
        _track(asyncio.ensure_future(later("b", 0.02, then="c")))
        await settle_outputs()
        order.append("settled")
        return order

    assert asyncio.run(scenario()) == ["a", "b", "c", "settled"]


@pytest.mark.usefixtures("fresh_settings")
def test_settle_gives_way_at_the_first_failed_output() -> None:
    async def scenario() -> tuple[bool, bool]:
        async def fail() -> None:
            raise ValueError("boom")

        slow = asyncio.ensure_future(asyncio.sleep(30))
        failed = asyncio.ensure_future(fail())
        _track(slow)
        _track(failed)
        await asyncio.wait_for(settle_outputs(), timeout=5)
        done = slow.done()
        slow.cancel()
        return done, isinstance(failed.exception(), ValueError)

    assert asyncio.run(scenario()) == (False, True)


@pytest.mark.usefixtures("fresh_settings")
def test_settle_gives_way_when_an_rpc_recorded_an_error() -> None:
    async def scenario() -> bool:
        slow = asyncio.ensure_future(asyncio.sleep(30))
        _track(slow)
        sdk_settings._get_rpc_manager().unhandled_exception = RuntimeError("register failed")
        await asyncio.wait_for(settle_outputs(), timeout=5)
        done = slow.done()
        slow.cancel()
        return done

    assert asyncio.run(scenario()) is False


# Many outputs chained through applies, exported from the stack; FAIL=1 makes one apply raise.
MAIN = '''\
import os

import pulumi

values = [pulumi.Output.from_input(i).apply(lambda v: v * 2) for i in range(2000)]
total = pulumi.Output.all(*values).apply(sum)
if os.environ.get("FAIL") == "1":
    values[7].apply(lambda v: 1 / 0)
pulumi.export("total", total)
pulumi.export("hooked", hasattr(pulumi.runtime.stack.wait_for_rpcs, "__wrapped__"))
'''


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    installed = pulumi_bin_dir() / "program_output_wait.py"
    assert installed.exists(), f"{installed} is missing: run `make setup` to install the program runner"
    project, env = scratch_project(tmp_path, "wait", STACK, "output-wait-test", FAIL="0")
    (project / "__main__.py").write_text(MAIN)
    return project, env


def _pulumi(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(pulumi_bin_dir() / "pulumi"), *args, "--stack", STACK], cwd=project, env=env,
                          capture_output=True, text=True, check=False, timeout=300)


def test_a_run_waits_for_every_output_under_the_real_engine(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    up = _pulumi(root, env, "up", "--yes", "--skip-preview")
    assert up.returncode == 0, up.stdout + up.stderr
    outputs = json.loads(_pulumi(root, env, "stack", "output", "--json").stdout)
    assert outputs == {"total": 2 * sum(range(2000)), "hooked": True}


def test_a_failed_apply_still_fails_the_run_with_its_error(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    up = _pulumi(root, {**env, "FAIL": "1"}, "up", "--yes", "--skip-preview")
    assert up.returncode != 0
    assert "ZeroDivisionError" in up.stdout + up.stderr
