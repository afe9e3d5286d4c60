"""How far away the simulated APIs are: a round trip added to every answer, and Coolify's rate limit."""

from __future__ import annotations

import time
from dataclasses import dataclass

# Coolify's `api` rate limiter allows API_RATE_LIMIT requests per minute per user, 200 unless the
# instance sets it (config/api.php, app/Providers/RouteServiceProvider.php).
COOLIFY_RATE_LIMIT_PER_MINUTE = 200


@dataclass(frozen=True)
class NetworkProfile:
    """`latency_s`: the round-trip time each request costs; `coolify_rate_limit_per_minute`: None turns it off."""

    latency_s: float = 0.0
    coolify_rate_limit_per_minute: int | None = COOLIFY_RATE_LIMIT_PER_MINUTE

    def __post_init__(self) -> None:
        if self.latency_s < 0:
            raise ValueError("latency_s must not be negative")
        if self.coolify_rate_limit_per_minute is not None and self.coolify_rate_limit_per_minute < 1:
            raise ValueError("coolify_rate_limit_per_minute must be at least 1 (or None for no limit)")

    def round_trip(self) -> None:
        """Spend the round trip; called once per request, outside any simulator lock."""
        if self.latency_s > 0:
            time.sleep(self.latency_s)

    @property
    def label(self) -> str:
        limit = self.coolify_rate_limit_per_minute
        return f"{self.latency_s * 1000:g} ms, " + (f"{limit}/min" if limit else "no rate limit")
