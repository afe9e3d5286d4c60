"""Typed errors for the Coolify API. No message ever contains the API token or a request body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FieldErrors = dict[str, tuple[str, ...]]

ENABLE_API_HINT = (
    "Enable it in Coolify under Settings > Advanced > API Access, "
    "or call POST /api/v1/enable with a token of the root team."
)
TOKEN_HINT = (
    "Check the provider setting `coolify:token` "
    "(`pulumi config set --secret coolify:token '<id>|<secret>'`): "
    "it must be the whole token, including the `<id>|` prefix, and must not have expired."
)
ABILITIES_HINT = (
    "The provider needs a token with the `root` ability, or with `read`, `write`, `deploy` and `read:sensitive`."
)


class CoolifyError(Exception):
    """Root of every error raised by the Coolify client and provider."""

    # Set once a provider has prefixed the message with the resource and operation (provider.reported).
    reported: bool = False


class CoolifyConfigError(CoolifyError):
    """The provider settings (`coolify:url`, `coolify:token`) are missing or invalid."""


class CoolifyRequestError(CoolifyError):
    """A request that got no HTTP answer; `method` and `path` name it."""

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        self.method = method
        self.path = path
        super().__init__(message)


class CoolifyConnectionError(CoolifyRequestError):
    """Coolify could not be reached at all."""


class CoolifyTimeoutError(CoolifyRequestError):
    """A request got no answer within the read timeout, after the retries allowed for it."""


CONNECTION_HINT = "Check `coolify:url` and that Coolify is up and reachable from here, then run `pulumi up` again."
TIMEOUT_HINT = "Coolify is slow or stuck: check that it is healthy, then run `pulumi up` again."
# What to do when Coolify's answer carries no more specific advice, by status.
_STATUS_HINTS: dict[int, str] = {
    400: "Coolify refused the request as sent (its message says why): fix that, then run `pulumi up` again.",
    404: "It is gone from Coolify (deleted outside Pulumi?): run `pulumi refresh`, then `pulumi up`.",
    409: "Another Coolify resource already uses it: rename or remove that one, then run `pulumi up` again.",
    422: "Fix the value named above in the stack config, then run `pulumi up` again.",
    429: (
        "Coolify's API rate limit (API_RATE_LIMIT, 200 per minute by default) was still hit after every retry: "
        "wait a minute, then run `pulumi up` again."
    ),
}
SERVER_ERROR_HINT = (
    "Coolify failed internally: check its log (storage/logs/laravel.log on the Coolify host), "
    "then run `pulumi up` again."
)
OTHER_HINT = "Run `pulumi up` again; if it persists, check Coolify's log."


def is_transient(error: BaseException) -> bool:
    """A 5xx or a connection error: worth repeating a whole create (which adopts by name first).

    Not a read timeout: Coolify may still be applying that request, and a repeat racing it could duplicate.
    """
    return isinstance(error, (ServerError, CoolifyConnectionError))


class CoolifyVersionError(CoolifyError):
    """The running Coolify is older than the provider supports, or its version cannot be read."""


class WaitTimeoutError(CoolifyError):
    """Coolify did not reach an expected state (teardown, validation, deployment) in time."""


class ServerNotUsableError(WaitTimeoutError):
    """Validation did not make the server reachable and usable; carries Coolify's `validation_logs`."""

    def __init__(
        self,
        label: str,
        validation_logs: str,
        *,
        request: str,
        install_requested: bool,
        gave_up: bool = False,
        timeout_s: float | None = None,
        can_install: bool = True,
    ) -> None:
        self.label = label
        self.validation_logs = validation_logs
        if gave_up:
            what = "Coolify's validation with Docker installation gave up"
        else:
            what = f"it was not reachable and usable after {timeout_s:g}s" if timeout_s is not None else "timed out"
        logs = "Coolify wrote no validation_logs"
        if validation_logs:
            logs = f"Coolify's validation_logs: {validation_logs}"
        advice = _server_advice(validation_logs, install_requested=install_requested, can_install=can_install)
        super().__init__(f"Coolify server {label} is not usable after {request}: {what}. {logs}. {advice}")


def _server_advice(logs: str, *, install_requested: bool, can_install: bool) -> str:
    if "not reachable" in logs:
        return ("Make sure Coolify can SSH to the server (address, port, user, the stack's key, the firewall), "
                "then run `pulumi up` again.")
    if not can_install:
        return ("This Coolify version cannot install Docker through its API (needs 4.2.0): upgrade Coolify, or "
                "install Docker on the server (or use Validate & Install in Coolify's UI), then run `pulumi up` again.")
    if "not installed" in logs or "could not be installed" in logs or "not supported" in logs:
        return ("Install Docker on the server by hand (https://docs.docker.com/engine/install/) or use a supported "
                "OS image, then run `pulumi up` again.")
    advice = "Coolify may still be installing Docker: " if install_requested else ""
    return (f"{advice}check the server in Coolify's UI, then run `pulumi up` again "
            "(or raise the server's validate_timeout_s).")


class DeploymentFailedError(CoolifyError):
    """A deployment ended in `failed` or `cancelled-by-user`; carries the tail of its log."""

    def __init__(self, deployment_uuid: str, status: str, log_tail: list[str], note: str = "") -> None:
        self.deployment_uuid = deployment_uuid
        self.status = status
        self.log_tail = log_tail
        lines = "\n".join(log_tail) if log_tail else "(no log lines available)"
        suffix = f" {note}" if note else ""
        super().__init__(
            f"Coolify deployment {deployment_uuid} (GET /deployments/{deployment_uuid}) ended with status "
            f"'{status}'.{suffix} "
            "Fix what its log below shows (image, tag, registry login, env), then run `pulumi up` again.\n"
            f"Last {len(log_tail)} log lines:\n{lines}"
        )



class DeploymentsFailedError(CoolifyError):
    """Deployments waited for together ended unsuccessfully; one section per service with its log tail."""

    def __init__(self, failures: dict[str, DeploymentFailedError], total: int) -> None:
        self.failures = failures
        names = ", ".join(f"{name} ({error.status})" for name, error in sorted(failures.items()))
        sections = "\n\n".join(f"{name}: {error}" for name, error in sorted(failures.items()))
        super().__init__(
            f"{len(failures)} of {total} deployments failed: {names}. Fix what their logs below show (image, tag, "
            f"registry login, env); the next `pulumi up` deploys them again.\n\n{sections}"
        )

def normalize_field_errors(raw: Any) -> FieldErrors:
    """Coolify's `errors` values are a list of strings or a plain string; some handlers send a list of names."""
    if isinstance(raw, Mapping):
        normalized: FieldErrors = {}
        for field_name, value in raw.items():
            if isinstance(value, str):
                normalized[str(field_name)] = (value,)
            elif isinstance(value, list):
                normalized[str(field_name)] = tuple(str(item) for item in value)
            else:
                normalized[str(field_name)] = (str(value),)
        return normalized
    if isinstance(raw, list):
        # POST /databases/{type} answers {"errors": ["<field>", ...]} for unknown top-level fields.
        return {str(field_name): ("This field is not allowed.",) for field_name in raw}
    return {}


class CoolifyApiError(CoolifyError):
    """Coolify answered with an HTTP error status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        method: str,
        path: str,
        field_errors: FieldErrors | None = None,
        hint: str = "",
        details: Any = None,
    ) -> None:
        self.status = status
        self.message = message
        self.method = method
        self.path = path
        self.field_errors: FieldErrors = dict(field_errors or {})
        self.hint = hint
        self.details = details
        super().__init__(self._render())

    def _render(self) -> str:
        text = f"Coolify API {self.method} {self.path} failed with HTTP {self.status}: {self.message}"
        if self.field_errors:
            parts = [f"{name}: {' '.join(messages) or 'invalid'}" for name, messages in self.field_errors.items()]
            text += " (" + "; ".join(parts) + ")"
        if self.details:
            text += f" Details: {self.details}"
        if self.hint:
            text += f" {self.hint}"
        return text


class UnauthorizedError(CoolifyApiError):
    """401: the token is wrong, expired, or no longer belongs to a team."""


class ForbiddenError(CoolifyApiError):
    """403: missing ability or role, or a policy denial."""


class ApiDisabledError(ForbiddenError):
    """403 `API is disabled.`: API access is off on the instance (the default on fresh installs)."""


class NotFoundError(CoolifyApiError):
    """404: the resource does not exist (or belongs to another team)."""


class ConflictError(CoolifyApiError):
    """409: duplicate name or key, or a domain used by another resource."""


class UnprocessableError(CoolifyApiError):
    """422: validation failed, including `This field is not allowed.`."""


class RateLimitedError(CoolifyApiError):
    """429 after every retry allowed was used."""


class BadRequestError(CoolifyApiError):
    """400: invalid body, or a precondition such as `Project has resources`."""


class ServerError(CoolifyApiError):
    """5xx after every retry allowed was used."""


_CLASS_BY_STATUS: dict[int, type[CoolifyApiError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableError,
    429: RateLimitedError,
}


def api_error(status: int, body: Any, *, method: str, path: str) -> CoolifyApiError:
    """Map a Coolify error response to its typed error, with a hint where the fix is known."""
    message = ""
    raw_errors: Any = None
    details: Any = None
    if isinstance(body, Mapping):
        message = str(body.get("message") or "")
        raw_errors = body.get("errors")
        details = body.get("conflicts") or body.get("details")
    elif isinstance(body, str):
        message = body.strip()[:300]
    if not message:
        message = "(no message)"
    field_errors = normalize_field_errors(raw_errors)
    hint = ""
    error_class: type[CoolifyApiError] = _CLASS_BY_STATUS.get(status, ServerError if status >= 500 else CoolifyApiError)
    if status == 401:
        hint = "Coolify rejected the API token. " + TOKEN_HINT
    elif status == 403 and "API is disabled" in message:
        error_class = ApiDisabledError
        hint = "The Coolify API is disabled on this instance. " + ENABLE_API_HINT
    elif status == 403 and "not allowed to access the API" in message:
        hint = "This machine's IP is outside the instance's API allowlist (Settings > Advanced > Allowed IPs)."
    elif status == 403 and ("Missing required" in message or "exceed your current role" in message):
        hint = ABILITIES_HINT
    if not hint:
        hint = _STATUS_HINTS.get(status, SERVER_ERROR_HINT if status >= 500 else OTHER_HINT)
    return error_class(status, message, method=method, path=path, field_errors=field_errors, hint=hint, details=details)
