"""Running a Pulumi program under the mocks to completion, then reading what it produced."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import pulumi

T = TypeVar("T")


def run_program(program: Callable[[], T]) -> T:
    """Runs `program` like the engine would and returns its result once every registration is done."""
    results: list[T] = []

    @pulumi.runtime.test
    def run() -> None:
        results.append(program())

    run()
    return results[0]


def resolve(output: pulumi.Input[Any]) -> Any:
    """The value of an Output of a finished program (see run_program)."""
    return asyncio.get_event_loop().run_until_complete(pulumi.Output.from_input(output).future())


def is_secret(output: pulumi.Input[Any]) -> bool:
    return asyncio.get_event_loop().run_until_complete(pulumi.Output.from_input(output).is_secret())
