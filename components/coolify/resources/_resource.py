"""Helpers shared by the `dynamic.Resource` subclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

import pulumi


def args_to_props(args: Any, *outputs: str) -> dict[str, Any]:
    """Args fields by their snake_case names (the agreed engine keys), plus output placeholders."""
    props: dict[str, Any] = {field.name: getattr(args, field.name) for field in fields(args)}
    for name in ("uuid", *outputs):
        props.setdefault(name, None)
    return props


def with_secret_outputs(opts: pulumi.ResourceOptions | None, *names: str) -> pulumi.ResourceOptions:
    """Outputs Coolify generates have no same-named secret input, so the engine must be told they are secret."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=list(names)))


def secret_values(mapping: Any) -> Any:
    """Each value its own secret, so a diff can name the changed key without showing any value.

    A mapping that is itself an Output (keys unknown until run time) is kept secret as a whole.
    """
    if isinstance(mapping, Mapping):
        return {key: pulumi.Output.secret(value) for key, value in mapping.items()}
    return pulumi.Output.secret(mapping)
