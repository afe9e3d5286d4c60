"""Pulumi mocks for the unit tier: installed fresh for every test, reset afterwards (they are process-global)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest

from components.tokens import PROVIDER_TOKENS
from tests.unit.mocks import RecordingMocks, RecordingMonitor
from tests.unit.stack_configs import SECRET_KEYS, to_engine

InstallMocks = Callable[..., RecordingMocks]


@pytest.fixture(autouse=True)
def _no_provider_tokens_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader takes provider tokens the config lacks from the environment: none leak in from this shell."""
    for source in PROVIDER_TOKENS:
        monkeypatch.delenv(source.variable, raising=False)


@pytest.fixture
def install_mocks() -> Iterator[InstallMocks]:
    """`install_mocks(stack="unit", config=None, secret_keys=SECRET_KEYS)` -> the recorder."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def install(
        stack: str = "unit",
        config: dict[str, Any] | None = None,
        secret_keys: list[str] | None = None,
        preview: bool = False,
    ) -> RecordingMocks:
        pulumi.runtime.set_all_config(to_engine(config or {}), SECRET_KEYS if secret_keys is None else secret_keys)
        recorder = RecordingMocks()
        pulumi.runtime.set_mocks(
            recorder, project="penpal", stack=stack, preview=preview, monitor=RecordingMonitor(recorder)
        )
        return recorder

    yield install
    # Outputs a test created but never awaited (e.g. config secrets) finish here, not as "Task was destroyed".
    pending = asyncio.all_tasks(loop)
    if pending:
        loop.run_until_complete(asyncio.wait(pending, timeout=5))
    pulumi.runtime.reset_options()
    pulumi.runtime.set_all_config({}, [])
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture
def mocks(install_mocks: InstallMocks) -> RecordingMocks:
    """Mocks on a stack named `unit` with no config (component tests build their args directly)."""
    return install_mocks()
