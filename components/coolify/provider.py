"""Base class of every Coolify dynamic provider: settings from `configure()`, a lazy client, no state.

Provider instances are pickled into Pulumi state by reference to this package, so they must carry no
data: the URL and token arrive through `configure()` (stack config `coolify:url`; the token from
`coolify:token` or the environment's COOLIFY_TOKEN) in the provider process and live only there, in memory.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pulumi.dynamic import ConfigureRequest, DiffResult, ReadResult, ResourceProvider

from components.tokens import COOLIFY, resolve_token

from .client import ClientSettings, CoolifyApiError, CoolifyConfigError, CoolifyError, NotFoundError
from .client.errors import CoolifyRequestError, is_transient
from .client.rate_budget import RateBudget
from .client.waiting import poll, wait_until_gone
from .resources._diff import FieldRule, changed_fields
from .resources._listing import EnvironmentListing

if TYPE_CHECKING:
    from .client.coolify import CoolifyClient

URL_KEY = "coolify:url"
# Optional tuning keys, mostly for tests and demos against a local simulator.
POLL_INTERVAL_KEY = "coolify:pollIntervalSeconds"
DELETE_TIMEOUT_KEY = "coolify:deleteTimeoutSeconds"
MAX_RETRIES_KEY = "coolify:maxRetries"
BACKOFF_KEY = "coolify:retryBackoffSeconds"

_CLIENTS: dict[ClientSettings, CoolifyClient] = {}
_CLIENTS_LOCK = threading.Lock()
_LISTINGS_LOCK = threading.Lock()
_WARNED: set[str] = set()
_WARNED_LOCK = threading.Lock()

ProviderT = TypeVar("ProviderT", bound="CoolifyProvider")
Operation = Callable[..., Any]
# The engine-facing operations whose Coolify failures are reported as one line naming the resource.
REPORTED_OPERATIONS = ("create", "read", "update", "delete")


def reported(error: CoolifyError, subject: str, operation: str) -> CoolifyError:
    """Prefix the error's message with the resource and the operation, keeping its type and fields.

    The Python dynamic-provider server prints a traceback after the message, so the line a user needs
    (what, which request, Coolify's own words, what to do) comes first.
    """
    if not getattr(error, "reported", False):
        first, _, rest = str(error).partition("\n")
        error.args = (f"{subject}: {operation} failed: {first}" + (f"\n{rest}" if rest else ""),)
        error.reported = True
    return error


def _was_write(error: CoolifyError) -> bool:
    method = getattr(error, "method", "")
    return isinstance(error, (CoolifyApiError, CoolifyRequestError)) and method == "POST"


def _reporting(operation: str, method: Operation) -> Operation:
    """Wrap an engine operation: one-line errors naming the resource; transient failures of a create retried."""

    @functools.wraps(method)
    def wrapper(self: CoolifyProvider, *args: Any) -> Any:
        props = args[-1] if args and isinstance(args[-1], dict) else {}
        retries = 0
        while True:
            try:
                return method(self, *args)
            except CoolifyError as error:
                # A POST that failed with a 5xx or a lost connection may or may not have been applied.
                # Every create adopts an existing row by name (or upserts by key) before it creates, so running
                # the whole create again, like a 429, cannot duplicate what the first attempt did.
                if operation == "create" and is_transient(error) and _was_write(error):
                    settings = self.settings
                    if retries < settings.max_retries:
                        time.sleep(min(settings.backoff_factor_s * (2**retries), settings.backoff_max_s))
                        retries += 1
                        continue
                reported(error, self.subject(props), operation)
                raise

    wrapper._reports_errors = True  # type: ignore[attr-defined]
    return wrapper


def settings_from_config(config: Any) -> ClientSettings | None:
    """Read the provider settings from stack config (`req.config`), falling back to COOLIFY_URL / COOLIFY_TOKEN.

    The token is resolved as the program's config loader and token check resolve it; it lives only in this
    process's memory, never in a resource's inputs, outputs or the pickled provider.
    """
    url = config.get(URL_KEY) or os.environ.get("COOLIFY_URL")
    token = resolve_token(COOLIFY, config)
    if not url or token is None:
        return None
    tuning: dict[str, Any] = {}
    for key, field_name, kind in (
        (POLL_INTERVAL_KEY, "poll_interval_s", float),
        (DELETE_TIMEOUT_KEY, "delete_timeout_s", float),
        (MAX_RETRIES_KEY, "max_retries", int),
        (BACKOFF_KEY, "backoff_factor_s", float),
    ):
        raw = config.get(key)
        if raw is not None:
            try:
                tuning[field_name] = kind(raw)
            except ValueError as error:
                raise CoolifyConfigError(f"Config `{key}` must be a number, got {raw!r}.") from error
    return ClientSettings(url=str(url), token=token.value, **tuning)


def warn_once(message: str) -> None:
    """Tell the user `message` once per provider process (one run), however many resources hit it.

    A dynamic provider has no engine connection for `pulumi.log`; the engine shows the plugin's
    stderr lines to the user as diagnostics.
    """
    with _WARNED_LOCK:
        if message in _WARNED:
            return
        _WARNED.add(message)
    print(f"warning: {message}", file=sys.stderr, flush=True)


def client_for(settings: ClientSettings) -> CoolifyClient:
    """One client (one session, one version probe) per distinct settings in this process; one rate budget per token."""
    from .client.coolify import CoolifyClient  # only the provider process needs requests

    with _CLIENTS_LOCK:
        client = _CLIENTS.get(settings)
        if client is None:
            # Coolify's rate limit counts per user, not per settings: clients of one token share one budget.
            budget = next((other.http.budget for known, other in _CLIENTS.items()
                           if (known.api_url, known.token) == (settings.api_url, settings.token)), None)
            if budget is None:
                budget = RateBudget(settings.rate_window_s, on_wait=_rate_limit_notice)
            client = CoolifyClient(settings, budget)
            _CLIENTS[settings] = client
        return client


def _rate_limit_notice(limit: int, _seconds: float) -> None:
    warn_once(
        f"Coolify's API rate limit ({limit} requests per minute for this token's user, API_RATE_LIMIT) is used up: "
        "waiting for the next minute before sending more, instead of being refused."
    )


class CoolifyProvider(ResourceProvider):
    """Shared plumbing: configure, client, field-rule diff. Subclasses implement check/create/read/update/delete."""

    # Keep the pickled provider secret in state even though it holds nothing (defence in depth).
    serialize_as_secret_always = True
    # Inputs compared by diff; a change in one of `replace_keys` replaces the resource.
    field_rules: ClassVar[tuple[FieldRule, ...]] = ()
    replace_keys: ClassVar[frozenset[str]] = frozenset()
    # Set where the replacement would collide with the old resource (e.g. the same domains).
    delete_before_replace: ClassVar[bool] = False

    _settings: ClientSettings | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for operation in REPORTED_OPERATIONS:
            method = cls.__dict__.get(operation)
            if callable(method) and not getattr(method, "_reports_errors", False):
                setattr(cls, operation, _reporting(operation, method))

    def subject(self, props: dict[str, Any]) -> str:
        """How errors name the resource: its kind and Coolify name, else the application it belongs to."""
        kind = type(self).__name__.removesuffix("Provider")
        name = props.get("name")
        if isinstance(name, str) and name.strip():
            return f"Coolify {kind} '{name.strip()}'"
        application = props.get("application_uuid")
        if isinstance(application, str) and application:
            return f"Coolify {kind} of application {application}"
        return f"Coolify {kind}"

    def __getstate__(self) -> dict[str, Any]:
        # Nothing of an instance is ever pickled: no settings, no client, no token.
        return {}

    def __setstate__(self, _state: dict[str, Any]) -> None:
        return None

    def configure(self, req: ConfigureRequest) -> None:
        self._settings = settings_from_config(req.config)

    @classmethod
    def configured(cls: type[ProviderT], settings: ClientSettings) -> ProviderT:
        """A provider bound to `settings` without the engine's configure() call (direct calls in tests)."""
        provider = cls()
        provider._settings = settings
        return provider

    @property
    def settings(self) -> ClientSettings:
        if self._settings is None:
            raise CoolifyConfigError(
                "The Coolify provider is not configured: set `pulumi config set coolify:url https://<coolify-host>` "
                f"on this stack, and the token: {COOLIFY.hint()}."
            )
        return self._settings

    @property
    def client(self) -> CoolifyClient:
        client = client_for(self.settings)
        # The first call in a process probes GET /version and rejects Coolify older than 4.1.0.
        _ = client.version
        return client

    def environment_listing(self, kind: str) -> EnvironmentListing:
        """This instance's names of `kind` rows per environment, for adoption (never pickled, like all state)."""
        with _LISTINGS_LOCK:
            listings: dict[str, EnvironmentListing] = self.__dict__.setdefault("_listings", {})
            return listings.setdefault(kind, EnvironmentListing(kind))

    def read_or_gone(self, id_: str, outs: Callable[[], dict[str, Any]]) -> ReadResult:
        """`ReadResult(id_, outs())`, or the empty result that tells the engine the resource is gone (404)."""
        try:
            return ReadResult(id_, outs())
        except NotFoundError:
            return ReadResult(None, {})

    def wait_until_gone(self, fetch: Callable[[], object], describe: str) -> None:
        """Poll `fetch` until Coolify answers 404, for at most the configured delete timeout."""
        settings = self.settings
        wait_until_gone(
            fetch, timeout_s=settings.delete_timeout_s, interval_s=settings.poll_interval_s, describe=describe
        )

    def delete_when_free(
        self,
        delete: Callable[[], object],
        fetch: Callable[[], object],
        *,
        busy_error: type[CoolifyApiError],
        busy_message: str,
        subject: str,
        until: str,
    ) -> None:
        """Delete `subject`, then wait until `fetch` answers 404; a 404 on delete counts as deleted.

        While Coolify refuses with `busy_error` and a message containing `busy_message` (what uses
        `subject` is still being torn down in the background), the delete is retried until `until` holds.
        """
        settings = self.settings

        def attempt() -> bool:
            try:
                delete()
            except NotFoundError:
                return True
            except busy_error as error:
                if busy_message in error.message:
                    return False
                raise
            return True

        poll(
            attempt,
            bool,
            timeout_s=settings.delete_timeout_s,
            interval_s=settings.poll_interval_s,
            describe=f"{subject} {until} so it can be deleted",
        )
        self.wait_until_gone(fetch, f"{subject} to be deleted")

    def changed_fields(self, olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
        return changed_fields(self.field_rules, olds, news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = self.changed_fields(olds, news)
        replaces = [key for key in changed if key in self.replace_keys]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=self.delete_before_replace if replaces else None,
        )
