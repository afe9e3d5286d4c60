"""Checking that a deployed service answers: the HealthCheck dynamic resource and what it runs.

The probe (`check.py`, requests) is imported by the provider only, when it checks; the program and the
config (`targets.py`, parsing `resolve` entries) need no HTTP library.
"""

from .resource import HealthCheck, HealthCheckArgs, HealthCheckProvider
from .targets import ResolveError

__all__ = [
    "HealthCheck",
    "HealthCheckArgs",
    "HealthCheckProvider",
    "ResolveError",
]
