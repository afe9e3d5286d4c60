"""Polling with a deadline, for Coolify's asynchronous operations."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from .errors import NotFoundError, WaitTimeoutError

T = TypeVar("T")


def poll(
    probe: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout_s: float,
    interval_s: float,
    describe: str,
) -> T:
    """Call `probe` until `done(result)`; raises WaitTimeoutError naming `describe` at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = probe()
        if done(result):
            return result
        if time.monotonic() >= deadline:
            raise WaitTimeoutError(f"Timed out after {timeout_s:g}s waiting for {describe}.")
        time.sleep(interval_s)


def wait_until_gone(fetch: Callable[[], object], *, timeout_s: float, interval_s: float, describe: str) -> None:
    """Poll `fetch` until it raises NotFoundError (Coolify deletes many things in a background job)."""

    def probe() -> bool:
        try:
            fetch()
        except NotFoundError:
            return True
        return False

    poll(probe, bool, timeout_s=timeout_s, interval_s=interval_s, describe=describe)
