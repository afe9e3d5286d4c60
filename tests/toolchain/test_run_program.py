"""Our program executor (toolchain/run_program.py) under the real engine: what it sends besides the program.

The engine and language host are the ones `make setup` built, but the host and executor scripts are this
checkout's (found first on PATH), so the test does not depend on which clone last ran `make setup`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi import automation as auto

from tests.harness.local import REPO_ROOT, LocalProject, pulumi_bin_dir

# A component and a child: the SDK logs "registering resource ..." and the like for each.
PROGRAM = '''"""Two resources and nothing else."""
import pulumi

parent = pulumi.ComponentResource("test:index:Parent", "parent")
pulumi.ComponentResource("test:index:Child", "child", opts=pulumi.ResourceOptions(parent=parent))
'''
SDK_DEBUG_LINE = "resource registration successful"  # pulumi/runtime/resource.py, one per registered resource


def _this_checkouts_host(bin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CLI directory with the built `pulumi` and this checkout's host: the engine prefers the language host
    on PATH, and the Automation API puts the CLI's directory first on it."""
    bin_dir.mkdir()
    toolchain = REPO_ROOT / "toolchain"
    for source in (pulumi_bin_dir() / "pulumi", toolchain / "bin" / "pulumi-language-python",
                   toolchain / "language_host.py"):
        (bin_dir / source.name).symlink_to(source)  # language_host.py finds run_program.py beside its target
    monkeypatch.setenv("PENPAL_PULUMI_BIN_DIR", str(bin_dir))


def _debug_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra_env: dict[str, str]) -> list[str]:
    _this_checkouts_host(tmp_path / "bin", monkeypatch)
    project = LocalProject(tmp_path / "work", extra_env=extra_env)
    (project.project_dir / "__main__.py").write_text(PROGRAM)
    stack = project.stack("debug", {})
    lines: list[str] = []

    def record(event: auto.EngineEvent) -> None:
        diagnostic = event.diagnostic_event
        if diagnostic is not None and diagnostic.severity == "debug":
            lines.append(diagnostic.message)

    stack.preview(debug=True, color="never", on_output=lambda _line: None, on_event=record)
    return lines


@pytest.mark.parametrize("setting", ["", "0"])
def test_the_sdks_debug_lines_are_not_sent_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      setting: str) -> None:
    # Each one would be a blocking Engine.Log call and an engine event: ~5 per resource of every run.
    env = {"PENPAL_SDK_DEBUG": setting} if setting else {}
    assert [line for line in _debug_lines(tmp_path, monkeypatch, env) if SDK_DEBUG_LINE in line] == []


def test_penpal_sdk_debug_sends_them_for_pulumi_debug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [line for line in _debug_lines(tmp_path, monkeypatch, {"PENPAL_SDK_DEBUG": "1"}) if SDK_DEBUG_LINE in line]
    for type_token in ("pulumi:pulumi:Stack", "test:index:Parent", "test:index:Child"):
        assert any(f"ty={type_token}," in line for line in lines), lines
