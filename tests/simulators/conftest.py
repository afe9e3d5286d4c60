"""Fixtures of the Coolify simulator's tests: a fresh simulator per test, a session on it, its seed.

The Hetzner and GitHub simulator tests define their own `sim` and `api` in their modules (a module's
fixture overrides these); test_coolify_sim_auth.py defines its own `sim` with several tokens.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.simulators.coolify import CoolifySimulator, Seed
from tests.simulators.coolify.testing import SimSession


@pytest.fixture
def sim() -> Iterator[CoolifySimulator]:
    with CoolifySimulator() as simulator:
        yield simulator


@pytest.fixture
def api(sim: CoolifySimulator) -> SimSession:
    return SimSession(sim)


@pytest.fixture
def seed(sim: CoolifySimulator) -> Seed:
    """A private key, a usable server and project `penpal` with its `production` environment."""
    return sim.seed()
