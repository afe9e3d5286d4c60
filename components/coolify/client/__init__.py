"""Plain-Python client for the Coolify REST API (no Pulumi imports).

`CoolifyClient` (and with it `requests`) is imported on first use: the Pulumi program imports the
resource modules, but only the provider process sends requests.
"""

from typing import TYPE_CHECKING, Any

from .errors import (
    ApiDisabledError,
    BadRequestError,
    ConflictError,
    CoolifyApiError,
    CoolifyConfigError,
    CoolifyConnectionError,
    CoolifyError,
    CoolifyTimeoutError,
    CoolifyVersionError,
    DeploymentFailedError,
    DeploymentsFailedError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    ServerNotUsableError,
    UnauthorizedError,
    UnprocessableError,
    WaitTimeoutError,
)
from .settings import ClientSettings
from .version import MINIMUM_VERSION, CoolifyVersion

__all__ = [
    "MINIMUM_VERSION",
    "ApiDisabledError",
    "BadRequestError",
    "ClientSettings",
    "ConflictError",
    "CoolifyApiError",
    "CoolifyClient",
    "CoolifyConfigError",
    "CoolifyConnectionError",
    "CoolifyError",
    "CoolifyTimeoutError",
    "CoolifyVersion",
    "CoolifyVersionError",
    "DeploymentFailedError",
    "DeploymentsFailedError",
    "ForbiddenError",
    "NotFoundError",
    "RateLimitedError",
    "ServerError",
    "ServerNotUsableError",
    "UnauthorizedError",
    "UnprocessableError",
    "WaitTimeoutError",
]

if TYPE_CHECKING:
    from .coolify import CoolifyClient


def __getattr__(name: str) -> Any:
    if name == "CoolifyClient":
        from .coolify import CoolifyClient

        return CoolifyClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
