"""Input validation for `check()`: pure functions, no API call, messages that name the field."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from pulumi.dynamic import CheckFailure

from ._diff import is_unknown

# Docker reference without tag or digest: optional registry host[:port], lowercase path components.
IMAGE_NAME = re.compile(
    r"^(?:(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::\d+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
PROJECT_NAME = re.compile(r"^[A-Za-z0-9 \-_./@&()#,:+]+$")
PORTS = re.compile(r"^\d+(,\d+)*$")
SSH_USER = re.compile(r"^[A-Za-z0-9._-]+$")
MONGO_USER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
MONGO_PASSWORD = re.compile(r"^[A-Za-z0-9!@#%^*()_+\-=\[\]{}:,.?/~]{1,128}$")
DOCKER_MEMORY = re.compile(r"^\d+(\.\d+)?[bkmgBKMG]?$")
CPUS = re.compile(r"^\d+(\.\d+)?$")


def whole_numbers_as_int(value: Any) -> Any:
    """22.0 -> 22, recursively; other values unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: whole_numbers_as_int(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_numbers_as_int(v) for v in value]
    return value


class Checker:
    """Collects failures for one resource's inputs; unknown values (preview) are skipped."""

    def __init__(self, news: dict[str, Any]) -> None:
        # The engine sends every number as a float (protobuf Struct): 22 arrives as 22.0.
        for key, value in news.items():
            news[key] = whole_numbers_as_int(value)
        self.news = news
        self.failures: list[CheckFailure] = []

    def fail(self, key: str, reason: str) -> None:
        self.failures.append(CheckFailure(key, f"{key}: {reason}"))

    def known(self, key: str) -> Any:
        """The value if set and known, else None."""
        value = self.news.get(key)
        return None if value is None or is_unknown(value) else value

    def required_text(self, key: str, *, min_length: int = 1, max_length: int = 255) -> str | None:
        value = self.news.get(key)
        if is_unknown(value):
            return None
        if value is None or not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string")
            return None
        text = value.strip()
        if len(text) < min_length:
            self.fail(key, f"must be at least {min_length} characters long, got {text!r}")
        if len(text) > max_length:
            self.fail(key, f"must be at most {max_length} characters long")
        return text

    def optional_text(self, key: str, *, max_length: int = 255) -> str | None:
        value = self.known(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(key, "must be a string")
            return None
        if len(value) > max_length:
            self.fail(key, f"must be at most {max_length} characters long")
        return value

    def port(self, key: str, *, required: bool = True) -> None:
        value = self.known(key)
        if value is None:
            if required and not is_unknown(self.news.get(key)):
                self.fail(key, "is required")
            return
        if isinstance(value, bool) or not isinstance(value, (int, float, str)) or not str(value).isdigit():
            self.fail(key, f"must be a port number between 1 and 65535, got {value!r}")
            return
        if not 1 <= int(value) <= 65535:
            self.fail(key, f"must be between 1 and 65535, got {value}")

    def positive_number(self, key: str) -> None:
        value = self.known(key)
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            self.fail(key, f"must be a positive number, got {value!r}")

    def pattern(self, key: str, regex: re.Pattern[str], expected: str) -> None:
        value = self.known(key)
        if value is not None and (not isinstance(value, str) or not regex.match(value)):
            self.fail(key, f"must be {expected}, got {value!r}")

    def boolean(self, key: str) -> None:
        value = self.known(key)
        if value is not None and not isinstance(value, bool):
            self.fail(key, f"must be true or false, got {value!r}")


def domain_problem(url: str) -> str | None:
    """Why `url` is not a domain Coolify accepts (an http/https URL with a host), or None."""
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https"):
        return "must start with https:// or http://"
    if not parsed.hostname:
        return "has no host name"
    if "," in url:
        return "must not contain a comma"
    return None
