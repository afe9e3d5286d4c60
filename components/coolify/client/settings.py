"""Connection settings for one Coolify instance. Never pickled, never printed with the token."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClientSettings:
    """How to reach Coolify and how patient to be with it.

    `url` is the instance base URL (`https://coolify.example.com`); a trailing `/api/v1` is accepted.
    The timing fields exist so tests can run with zero backoff and short polls.
    """

    url: str
    token: str = field(repr=False)
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    max_retries: int = 5
    backoff_factor_s: float = 0.5
    backoff_max_s: float = 30.0
    # Coolify answers a full deploy queue with `Retry-After: 60`; wait at most this long per retry.
    retry_after_max_s: float = 120.0
    poll_interval_s: float = 2.0
    # Coolify's rate limit window (`Limit::perMinute` in RouteServiceProvider); the limit comes from its headers.
    rate_window_s: float = 60.0
    delete_timeout_s: float = 300.0

    @property
    def instance_url(self) -> str:
        """The base URL without a trailing slash or `/api/v1`, as used in the deploy webhook."""
        url = self.url.strip().rstrip("/")
        for suffix in ("/api/v1", "/api"):
            if url.endswith(suffix):
                url = url[: -len(suffix)]
        return url

    @property
    def api_url(self) -> str:
        return f"{self.instance_url}/api/v1"
