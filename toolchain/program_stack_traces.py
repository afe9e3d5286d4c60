"""Send each resource's stack trace trimmed to the project's own frames (issue 15: the state's size).

The Python SDK attaches the whole call stack below a resource's constructor to every RegisterResource and
ReadResource (`_get_stack_trace` in pulumi/runtime/resource.py), and the engine stores it per resource in
the state (`StackTrace` in pkg/resource/stack/deployment.go). Most frames are the runner's, runpy's,
asyncio's and the SDK's: a third of the state at 30 services, which the file and S3 backends rewrite whole
at every step. Kept: the first frame (the SDK reports it as the resource's `sourcePosition`, which the
engine uses in diagnostics) and every frame of a file under the project root outside `site-packages`.

Installed next to `run_program.py` and hooked by it; with the official `pulumi-language-python-exec`
nothing changes. Relies on the SDK looking `_get_stack_trace` up as a module global at each
registration: tests/toolchain/test_program_stack_traces.py pins that under the real engine.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pulumi.runtime import resource as sdk_resource

# Installed packages inside the project root (the project's own .venv) are not the project's code.
_PACKAGE_DIRS = frozenset({"site-packages", "dist-packages"})


def is_project_file(uri: str, project_root: Path) -> bool:
    """Whether a `file://` URI of a frame names a file of the project itself."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return False
    path = Path(os.path.normpath(unquote(parsed.path)))
    if not path.is_relative_to(project_root):
        return False
    return not _PACKAGE_DIRS.intersection(path.relative_to(project_root).parts)


def trimmed(trace: Any, project_root: Path) -> Any:
    """The trace (a `pulumirpc.StackTrace`) with its first frame and the project's frames only."""
    frames = list(trace.frames)
    kept = frames[:1] + [f for f in frames[1:] if f.HasField("pc") and is_project_file(f.pc.uri, project_root)]
    if len(kept) == len(frames):
        return trace
    return type(trace)(frames=kept)


def trim_stack_traces(project_root: str | os.PathLike[str]) -> bool:
    """Make the SDK send trimmed stack traces from now on; False if this SDK has no `_get_stack_trace`."""
    full: Callable[[], Any] | None = getattr(sdk_resource, "_get_stack_trace", None)
    if full is None:
        return False
    root = Path(os.path.normpath(os.path.abspath(project_root)))

    @functools.wraps(full)
    def get_trimmed_stack_trace() -> Any:
        return trimmed(full(), root)

    sdk_resource._get_stack_trace = get_trimmed_stack_trace
    return True
