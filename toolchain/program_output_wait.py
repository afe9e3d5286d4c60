"""Let the program wait for its outputs in one pass before the SDK's own wait (issue 15: program CPU).

At the end of a run the SDK's `wait_for_rpcs` (pulumi/runtime/stack.py) waits for every pending output
with `asyncio.wait(..., FIRST_COMPLETED)` and starts over after each one resolves: callbacks are added
to and removed from all pending outputs (about 10,000 at 30 services) once per resolution, about 10 s of
CPU in an `up` from empty of 30 services. Here the same outputs are waited for with FIRST_EXCEPTION,
which registers each callback once, and then the SDK's `wait_for_rpcs` runs unchanged: it finds only
failed outputs and later ones, and reports errors as before. This wait gives way as soon as an output
fails or an RPC records an error, so the SDK reports it exactly as it would have.

Relies on `run_pulumi_func` looking `wait_for_rpcs` up as a module global and on `SETTINGS.outputs`:
tests/toolchain/test_program_output_wait.py pins both under the real engine.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from pulumi.runtime import settings as sdk_settings
from pulumi.runtime import stack as sdk_stack

# How often the wait looks at the RPC manager for an error recorded without a failed output.
_RECHECK_S = 1.0


def _tracked_outputs() -> list[asyncio.Future[Any]]:
    with sdk_settings.SETTINGS.lock:
        return list(sdk_settings.SETTINGS.outputs)


def _failed(task: asyncio.Future[Any]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)


async def settle_outputs() -> None:
    """Wait until no output is pending, or one failed, or an RPC recorded an error."""
    rpc_manager = sdk_settings._get_rpc_manager()
    while rpc_manager.unhandled_exception is None:
        tracked = _tracked_outputs()
        # A failed output stays tracked (the SDK's done-callback removes only successful ones).
        if any(_failed(task) for task in tracked):
            return
        pending = [task for task in tracked if not task.done()]
        if not pending:
            return
        await asyncio.wait(pending, timeout=_RECHECK_S, return_when=asyncio.FIRST_EXCEPTION)


def wait_outputs_first() -> bool:
    """Make the SDK's end-of-run wait start after `settle_outputs`; False if this SDK has no `wait_for_rpcs`."""
    original: Callable[..., Awaitable[None]] | None = getattr(sdk_stack, "wait_for_rpcs", None)
    if original is None:
        return False

    @functools.wraps(original)
    async def wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
        if await_all_outstanding_tasks:
            await settle_outputs()
        await original(await_all_outstanding_tasks)

    sdk_stack.wait_for_rpcs = wait_for_rpcs
    return True
