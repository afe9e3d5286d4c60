"""Where to log in and how it failed: what the program process needs, without paramiko (the provider's)."""

from __future__ import annotations

from dataclasses import dataclass


class RegistryLoginError(Exception):
    """The SSH connection or `docker login` failed; the message never contains the token."""

    def __init__(self, message: str, *, has_advice: bool = False) -> None:
        self.has_advice = has_advice
        super().__init__(message)


@dataclass(frozen=True)
class SshTarget:
    host: str
    port: int = 22
    user: str = "root"

    def __str__(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"
