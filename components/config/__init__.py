"""Typed stack configuration, read and validated once from the engine's config.

`load_config()` returns one frozen `StackConfig` tree or raises a single `ConfigError` that lists
every problem found, each naming the config key and the expected form. Secret values are checked
synchronously (so a bad password fails before any resource is registered), then handed on only as
secret `pulumi.Output`s; they never appear in error text.

Modules: `values` (the public dataclasses), `schema` (pydantic models: shape and rules), `errors`
(pydantic errors -> one line per key), `loader` (reads the engine's config, builds StackConfig).
Every key is documented in docs/config.md.

`load_config` (and with it pydantic and the schema, ~0.25 s CPU) is imported on first use: the dynamic
provider process unpickles the stack guard, which needs only the dataclasses in `values`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.config import values
from components.config.values import *  # noqa: F403 (the public dataclasses, listed once in values.__all__)

if TYPE_CHECKING:
    from components.config.loader import load_config

__all__ = [*values.__all__, "load_config"]


def __getattr__(name: str) -> Any:
    if name == "load_config":
        from components.config.loader import load_config

        return load_config
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
