"""The one HTTP session to Coolify: auth, JSON headers, timeouts, retry policy and error mapping."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from .errors import CONNECTION_HINT, TIMEOUT_HINT, CoolifyConnectionError, CoolifyTimeoutError, api_error
from .rate_budget import RateBudget
from .settings import ClientSettings

# 5xx and read timeouts are retried only where repeating the call cannot duplicate a write.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
RETRIED_SERVER_ERRORS = frozenset({502, 503, 504})


class CoolifyRetry(Retry):
    """urllib3 `Retry` that also retries 429 for every method (Coolify's throttle rejects before any write)."""

    RETRY_AFTER_STATUS_CODES = frozenset({429, 503})

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429:
            return bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)


def build_retry(settings: ClientSettings) -> CoolifyRetry:
    return CoolifyRetry(
        total=settings.max_retries,
        connect=settings.max_retries,
        read=settings.max_retries,
        status=settings.max_retries,
        other=0,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=RETRIED_SERVER_ERRORS,
        backoff_factor=settings.backoff_factor_s,
        backoff_max=settings.backoff_max_s,
        backoff_jitter=min(settings.backoff_factor_s, 1.0),
        retry_after_max=int(settings.retry_after_max_s),
        respect_retry_after_header=True,
        # Hand the last error response back so it becomes a typed error instead of a RetryError.
        raise_on_status=False,
        redirect=0,
    )


class CoolifyHttp:
    """Sends requests under `<url>/api/v1` and returns parsed bodies, or raises a typed error."""

    def __init__(self, settings: ClientSettings, budget: RateBudget | None = None) -> None:
        if not settings.url.strip():
            raise ValueError("Coolify URL is empty")
        self._api_url = settings.api_url
        # Paces every request to Coolify's rate limit; shared by the clients of one token in a process.
        self.budget = budget if budget is not None else RateBudget(window_s=settings.rate_window_s)
        self._timeout = (settings.connect_timeout_s, settings.read_timeout_s)
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {settings.token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": "penpal-infra-coolify-provider",
            }
        )
        adapter = HTTPAdapter(max_retries=build_retry(settings), pool_connections=4, pool_maxsize=8)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"CoolifyHttp({self._api_url!r})"

    @property
    def session(self) -> requests.Session:
        """The underlying session (tests attach response hooks to it)."""
        return self._session

    def close(self) -> None:
        self._session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """Call `<api>/<path>`; returns decoded JSON (or text for plain-text answers such as /version)."""
        url = f"{self._api_url}{path}"
        self.budget.acquire()
        answered: requests.structures.CaseInsensitiveDict[str] | None = None
        try:
            response = self._session.request(
                method, url, json=body, params=_query(params), timeout=self._timeout, allow_redirects=False
            )
            answered = response.headers
        except requests.exceptions.Timeout as error:
            raise self._timeout_error(method, path) from error
        except requests.exceptions.ConnectionError as error:
            if _is_read_timeout(error):
                raise self._timeout_error(method, path) from error
            raise CoolifyConnectionError(
                f"Cannot reach Coolify at {self._api_url} ({method} {path}): {_reason(error)}. {CONNECTION_HINT}",
                method=method,
                path=path,
            ) from error
        finally:
            self.budget.release(answered)
        decoded = _decode(response)
        if response.status_code >= 400:
            raise api_error(response.status_code, decoded, method=method, path=path)
        return decoded

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        return self.request("POST", path, body=body, params=params)

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, body=body)

    def delete(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("DELETE", path, params=params)

    def _timeout_error(self, method: str, path: str) -> CoolifyTimeoutError:
        connect_s, read_s = self._timeout
        return CoolifyTimeoutError(
            f"Coolify did not answer {method} {path} within {read_s:g}s (connect timeout {connect_s:g}s)"
            f" at {self._api_url}. {TIMEOUT_HINT}",
            method=method,
            path=path,
        )


def _query(params: dict[str, Any] | None) -> dict[str, str] | None:
    if params is None:
        return None
    # Coolify parses "true"/"false"; Python's str(True) would send "True".
    return {key: (str(value).lower() if isinstance(value, bool) else str(value)) for key, value in params.items()}


def _decode(response: requests.Response) -> Any:
    if not response.content:
        return None
    if "json" in response.headers.get("Content-Type", ""):
        try:
            return response.json()
        except ValueError:
            return response.text
    return response.text


def _is_read_timeout(error: requests.exceptions.ConnectionError) -> bool:
    cause = error.args[0] if error.args else None
    return isinstance(cause, MaxRetryError) and isinstance(cause.reason, ReadTimeoutError)


def _reason(error: requests.exceptions.ConnectionError) -> str:
    cause = error.args[0] if error.args else error
    if isinstance(cause, MaxRetryError) and cause.reason is not None:
        return str(cause.reason)
    return str(cause)
