"""Where the provider tests find the pulumi CLI and our plugins (exported by `make setup`).

Shared by test_providers_schema.py and test_providers_e2e.py; it holds no tests of its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

SETUP_HINT = "run `make setup` (or `. toolchain/env.sh` after it) so the toolchain is built and exported"


@dataclass(frozen=True)
class Toolchain:
    pulumi_bin_dir: Path
    plugin_dir: Path

    @property
    def pulumi(self) -> Path:
        return self.pulumi_bin_dir / "pulumi"

    def plugin(self, name: str) -> Path:
        return self.plugin_dir / f"pulumi-resource-{name}"

    def env(self, **extra: str) -> dict[str, str]:
        """An environment whose PATH finds this CLI and, as ambient plugins, our providers."""
        env = {
            **os.environ,
            "PATH": os.pathsep.join([str(self.pulumi_bin_dir), str(self.plugin_dir), os.environ.get("PATH", "")]),
            # Offline: a plugin that is not ours must fail at once instead of trying a download.
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }
        env.update(extra)
        return env


def locate_toolchain() -> Toolchain:
    """The CLI and plugin directories from PENPAL_PULUMI_BIN_DIR / PENPAL_PLUGIN_DIR, or a test failure."""
    problems: list[str] = []
    dirs: dict[str, Path] = {}
    for var in ("PENPAL_PULUMI_BIN_DIR", "PENPAL_PLUGIN_DIR"):
        value = os.environ.get(var)
        if not value:
            problems.append(f"{var} is not set")
        else:
            dirs[var] = Path(value)
    if not problems:
        toolchain = Toolchain(dirs["PENPAL_PULUMI_BIN_DIR"], dirs["PENPAL_PLUGIN_DIR"])
        for binary in (toolchain.pulumi, toolchain.plugin("hcloud"), toolchain.plugin("github")):
            if not os.access(binary, os.X_OK):
                problems.append(f"{binary} is missing or not executable")
        if not problems:
            return toolchain
    pytest.fail(f"provider toolchain not found ({'; '.join(problems)}): {SETUP_HINT}", pytrace=False)
