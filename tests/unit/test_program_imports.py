"""What the program process imports: every module costs each preview and up its start-up time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_after(statement: str, modules: tuple[str, ...]) -> list[str]:
    probe = f"import sys; {statement}; print(','.join(m for m in {modules!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return [name for name in result.stdout.strip().split(",") if name]


def test_the_program_imports_neither_pulumi_docker_nor_the_http_client() -> None:
    # pulumi-docker (~0.2 s) only for penpal:resolveDigests; requests/urllib3 (~0.2 s) and paramiko (the
    # registry login over SSH) only in the provider.
    modules = ("pulumi_docker", "requests", "urllib3", "paramiko")
    assert _imported_after("import components.stack", modules) == []


def test_the_provider_still_gets_its_client() -> None:
    statement = "from components.coolify.client import CoolifyClient; import components.coolify.provider"
    assert _imported_after(statement, ("requests",)) == ["requests"]


def test_the_dynamic_provider_unpickles_the_guard_without_pydantic() -> None:
    # Every other resource waits for the guard's check: its provider's imports are on every run's critical path.
    modules = ("pydantic", "components.config.loader", "publicsuffixlist", "requests")
    assert _imported_after("import components.guard", modules) == []


def test_config_loads_pydantic_only_when_the_program_reads_the_config() -> None:
    assert _imported_after("from components.config import Environment, StackConfig", ("pydantic",)) == []
    assert _imported_after("from components.config import load_config", ("pydantic",)) == ["pydantic"]


def test_the_public_suffix_list_is_parsed_once_per_process() -> None:
    # ~65 ms CPU per parse; the config rules ask for the registrable domain up to three times.
    probe = ("import publicsuffixlist as p; n = []; init = p.PublicSuffixList.__init__; "
             "p.PublicSuffixList.__init__ = lambda self, *a, **k: (n.append(1), init(self, *a, **k))[1]; "
             "from components.reachability_config import registrable_domain as r; "
             "print(r('penpal-ai.maksou.dev'), r('maksou.dev'), r('co.uk'), len(n))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["maksou.dev", "maksou.dev", "None", "1"]
