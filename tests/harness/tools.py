"""Where the command-line tools the tests run (actionlint, versitygw) are: `make setup` installs them.

The same place as toolchain/env.sh and tools/install_<name>.sh: PENPAL_TOOLS_BIN when set, else
`bin` in the toolchain cache (PENPAL_CACHE, else $XDG_CACHE_HOME or ~/.cache, then penpal-infra).
"""

from __future__ import annotations

import os
from pathlib import Path


class ToolMissing(RuntimeError):
    """A tool `make setup` installs is not there; the message says how to install it."""


def tool_path(name: str) -> Path:
    """Where `name` is when installed (it may not be)."""
    tools_bin = os.environ.get("PENPAL_TOOLS_BIN")
    if tools_bin:
        return Path(tools_bin) / name
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    cache = os.environ.get("PENPAL_CACHE") or str(Path(cache_home) / "penpal-infra")
    return Path(cache) / "bin" / name


def require_tool(name: str) -> Path:
    """The installed `name`; raises ToolMissing, naming where it looked and the installer, if it is not."""
    candidate = tool_path(name)
    if not candidate.is_file():
        raise ToolMissing(
            f"{name} is not installed (looked for {candidate}): run 'make setup' (or tools/install_{name}.sh)"
        )
    return candidate
