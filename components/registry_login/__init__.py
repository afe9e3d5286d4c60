"""Logging a server's Docker in to a private registry (GHCR) so Coolify can pull private images.

The SSH side (`ssh.py`, paramiko) is imported by the provider only, when it logs in or out.
"""

from .resource import RegistryLogin, RegistryLoginArgs, RegistryLoginProvider
from .target import RegistryLoginError, SshTarget

__all__ = [
    "RegistryLogin",
    "RegistryLoginArgs",
    "RegistryLoginError",
    "RegistryLoginProvider",
    "SshTarget",
]
