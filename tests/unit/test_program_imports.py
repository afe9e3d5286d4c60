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
