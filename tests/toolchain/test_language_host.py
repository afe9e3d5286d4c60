"""Our language host's own logic; the end-to-end tier runs it under the real engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import language_pb2

from toolchain import language_host


def _info(root: Path, **options: str) -> language_pb2.ProgramInfo:
    opts = struct_pb2.Struct()
    opts.update(options)
    return language_pb2.ProgramInfo(root_directory=str(root), program_directory=str(root), entry_point=".",
                                    options=opts)


def test_required_packages_come_from_installed_pulumi_plugin_json() -> None:
    plugins = {p["name"]: p["version"] for p in language_host.installed_plugin_packages(sys.executable)}
    # The pinned provider SDKs ship pulumi-plugin.json; the core `pulumi` package has no plugin.
    assert plugins["hcloud"] == "1.31.0"
    assert plugins["github"] == "6.12.1"
    assert "pulumi" not in plugins


def test_interpreter_is_the_virtualenv_named_in_pulumi_yaml(tmp_path: Path) -> None:
    venv_python = tmp_path / "env" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("")
    assert language_host.interpreter_for(_info(tmp_path, virtualenv="env")) == str(venv_python)


def test_missing_virtualenv_says_to_run_setup(tmp_path: Path) -> None:
    try:
        language_host.interpreter_for(_info(tmp_path, virtualenv=".venv"))
    except FileNotFoundError as err:
        assert "make setup" in str(err)
    else:
        raise AssertionError("a missing virtualenv must be reported")


def test_run_passes_engine_arguments(tmp_path: Path) -> None:
    host = language_host.LanguageHost("127.0.0.1:1234")
    request = language_pb2.RunRequest(
        project="penpal", stack="staging", pwd=str(tmp_path), monitor_address="127.0.0.1:99", dryRun=True,
        parallel=4, info=_info(tmp_path), config={"penpal:environment": "staging"}, configSecretKeys=["a:b"],
    )
    args = host._arguments(request)
    assert args[args.index("--monitor") + 1] == "127.0.0.1:99"
    assert args[args.index("--engine") + 1] == "127.0.0.1:1234"
    assert args[args.index("--dry_run") + 1] == "true"
    assert args[-1] == "."


def test_plugin_scan_of_our_own_environment_matches_a_separate_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    here = language_host.installed_plugin_packages(sys.executable)
    monkeypatch.setattr(language_host, "_is_this_environment", lambda _python: False)
    assert language_host.installed_plugin_packages(sys.executable) == here


def test_the_host_loads_the_grpc_stubs_without_the_pulumi_sdk() -> None:
    # The engine starts the host twice per command: the SDK's __init__ would cost ~0.2 s CPU each time.
    host = Path(language_host.__file__)
    watched = ("pulumi.runtime.mocks", "pulumi.automation", "pulumi.runtime.proto.language_pb2")
    probe = (f"import runpy, sys; sys.argv = ['host', '--version']; runpy.run_path({str(host)!r}, "
             f"run_name='__main__'); print(sorted(m for m in {watched!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == [language_host.HOST_VERSION, "['pulumi.runtime.proto.language_pb2']"]
