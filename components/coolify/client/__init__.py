"""Plain-Python client for the Coolify REST API (no Pulumi imports)."""

from .coolify import CoolifyClient
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
    "UnauthorizedError",
    "UnprocessableError",
    "WaitTimeoutError",
]
