"""Typed stack configuration, read and validated once from the engine's config.

`load_config()` returns one frozen `StackConfig` tree or raises a single `ConfigError` that lists
every problem found, each naming the config key and the expected form. Secret values are checked
synchronously (so a bad password fails before any resource is registered), then handed on only as
secret `pulumi.Output`s; they never appear in error text.

Modules: `values` (the public dataclasses), `schema` (pydantic models: shape and rules), `errors`
(pydantic errors -> one line per key), `loader` (reads the engine's config, builds StackConfig).
Every key is documented in docs/config.md.
"""

from components.config import values
from components.config.loader import load_config
from components.config.values import *  # noqa: F403 (the public dataclasses, listed once in values.__all__)

__all__ = [*values.__all__, "load_config"]
