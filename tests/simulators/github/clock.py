"""GitHub timestamps (`2026-01-10T14:59:22Z`), strictly increasing so every change is visible.

The provider detects secret drift by comparing `updated_at` strings; two writes within the same second
would otherwise look identical.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class MonotonicClock:
    def __init__(self) -> None:
        self._last: datetime | None = None

    def now(self) -> str:
        current = datetime.now(UTC).replace(microsecond=0)
        if self._last is not None and current <= self._last:
            current = self._last + timedelta(seconds=1)
        self._last = current
        return current.strftime("%Y-%m-%dT%H:%M:%SZ")
