"""Pacing to Coolify's rate limit from the headers of its answers, so that a run waits before it is refused.

Coolify's `api` limiter allows `API_RATE_LIMIT` (200) requests per minute per user
(`RouteServiceProvider::configureRateLimiting`, `Limit::perMinute`), in a fixed window that starts with
the first request and lasts 60 s (`Illuminate\\Cache\\RateLimiter::hit`). Every answer of a throttled
route carries `X-RateLimit-Limit` and `X-RateLimit-Remaining`; a refused one (429) also `Retry-After`
and `X-RateLimit-Reset` (`Illuminate\\Routing\\Middleware\\ThrottleRequests::getHeaders`). No header says
when the current window ends, so the budget assumes the latest end it can be sure of.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

LIMIT_HEADER = "X-RateLimit-Limit"
REMAINING_HEADER = "X-RateLimit-Remaining"
RETRY_AFTER_HEADER = "Retry-After"
# Laravel's cache keeps the window's timer for `decaySeconds`; a second covers its whole-second rounding.
MARGIN_S = 1.0


class RateBudget:
    """How many requests may still be sent in Coolify's current window, shared by the threads of one process.

    `acquire()` before each request (waits while the window is used up), `release(headers)` with the
    answer's headers after it. What the answers say already counts the requests of every other process
    using the same user (the Pulumi program's token checks, CI, another run).
    """

    def __init__(
        self,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[int, float], None] | None = None,
    ) -> None:
        self._window_s = window_s
        self._clock = clock
        # Told (limit, seconds) each time a request starts waiting for the next window.
        self._on_wait = on_wait
        self._changed = threading.Condition()
        self._limit: int | None = None
        # Requests left in the window; None until an answer said (no limit is assumed before that).
        self._left: int | None = None
        # The latest time the current window can end; None until an answer of this window arrived.
        self._ends_at: float | None = None
        self._in_flight = 0
        # The most requests ever in flight at once: how far apart the order of answers and of counting can be.
        self._peak_in_flight = 0
        self._waited_s = 0.0

    def __repr__(self) -> str:
        return f"RateBudget(limit={self._limit}, left={self._left}, in_flight={self._in_flight})"

    @property
    def waited_s(self) -> float:
        """Seconds spent waiting for a window in total (all threads together)."""
        with self._changed:
            return self._waited_s

    def wait_s(self) -> float:
        """How long a request sent now would wait (0 if it may go at once)."""
        with self._changed:
            self._roll_over(self._clock())
            if self._left is None or self._left > 0 or self._ends_at is None:
                return 0.0  # may go (the answers in flight may still make it wait)
            return max(0.0, self._ends_at - self._clock())

    def acquire(self) -> None:
        """Take one request of the window, first waiting for the next window when none is left."""
        with self._changed:
            while True:
                now = self._clock()
                self._roll_over(now)
                if self._left is None or self._left > 0 or (self._ends_at is None and not self._in_flight):
                    break  # allowed, or nothing left to learn the window's end from: let the answer tell
                # None left: wait for the window's end, or (end not known yet) for answers in flight to tell.
                timeout = self._ends_at - now if self._ends_at is not None else None
                if timeout is not None and self._on_wait is not None:
                    self._on_wait(self._limit or 0, timeout)
                self._changed.wait(timeout)
                self._waited_s += self._clock() - now
            if self._left is not None:
                self._left -= 1
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)

    def release(self, headers: Mapping[str, str] | None) -> None:
        """Account the answer of an acquired request (`headers` None when no answer came)."""
        with self._changed:
            self._in_flight -= 1
            limit = _number(headers, LIMIT_HEADER) if headers is not None else None
            remaining = _number(headers, REMAINING_HEADER) if headers is not None else None
            if limit is not None and remaining is not None:
                # Only the throttle's own 429 leaves nothing; a full deploy queue also answers 429 with
                # `Retry-After: 60` (DeployController::by_uuids) while requests are left.
                retry_after = _number(headers or {}, RETRY_AFTER_HEADER) if remaining == 0 else None
                self._observe(limit, remaining, retry_after)
            self._changed.notify_all()

    def _observe(self, limit: int, remaining: int, retry_after: int | None) -> None:
        now = self._clock()
        self._limit = limit
        if retry_after is not None:
            # Refused (429): the only answer that says when the window ends.
            self._left = 0
            self._ends_at = now + retry_after + MARGIN_S
            return
        # Requests still in flight may be counted after this answer was computed: count them as used.
        known = max(0, remaining - self._in_flight)
        if self._ends_at is None:
            # The first answer of a window: it started at the latest when this answer was computed.
            self._left = known if self._left is None else min(self._left, known)
            self._ends_at = now + self._window_s + MARGIN_S
        elif self._left is not None and known > self._left + max(limit // 4, 2 * self._peak_in_flight):
            # Far more left than this window can have, more than answers overtaking each other explain
            # (each says what was left when it was computed): a new window started, earlier than assumed.
            self._left = known
            self._ends_at = now + self._window_s + MARGIN_S
        else:
            self._left = known if self._left is None else min(self._left, known)

    def _roll_over(self, now: float) -> None:
        if self._ends_at is not None and now >= self._ends_at:
            # The window surely ended; the next one starts with the next request (ours or another process's).
            self._left = self._limit
            self._ends_at = None


def _number(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        return None
