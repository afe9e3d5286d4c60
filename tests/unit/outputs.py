"""Reading Outputs inside `@pulumi.runtime.test` functions."""

from __future__ import annotations

from typing import Any

import pulumi


async def value_of(output: pulumi.Input[Any]) -> Any:
    return await pulumi.Output.from_input(output).future()


async def is_secret(output: pulumi.Input[Any]) -> bool:
    return await pulumi.Output.from_input(output).is_secret()
