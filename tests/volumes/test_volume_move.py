"""The volume-move warning against the Hetzner Cloud simulator: one line when a non-prod server with a volume
moves to another location, nothing otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from components.config import Environment, ServerConfig
from components.volume_move import volume_move_warning
from tests.simulators.hcloud import HcloudSimulator

NBG1 = ServerConfig(server_type="cx22", location="nbg1", image="ubuntu-24.04", volume_size_gb=10)
FSN1 = ServerConfig(server_type="cx22", location="fsn1", image="ubuntu-24.04", volume_size_gb=10)


@pytest.fixture
def sim() -> Iterator[HcloudSimulator]:
    with HcloudSimulator() as simulator:
        yield simulator


def add_volume(sim: HcloudSimulator, name: str, location: str) -> None:
    answer = requests.post(f"{sim.endpoint}/volumes", json={"name": name, "size": 10, "location": location},
                           headers={"Authorization": f"Bearer {sim.token}"}, timeout=10)
    assert answer.status_code == 201, answer.text


def volume_lookups(sim: HcloudSimulator) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in sim.requests if r.method == "GET" and r.path == "/v1/volumes"]


def test_staging_moving_away_from_its_volume_is_one_warning(sim: HcloudSimulator) -> None:
    add_volume(sim, "penpal-staging-data", "fsn1")
    add_volume(sim, "penpal-production-data", "nbg1")  # another environment's volume: not this one's
    assert volume_move_warning(NBG1, Environment.STAGING, sim.endpoint, sim.token) == (
        "penpal:server.location: the staging server moves from 'fsn1' to 'nbg1'; Hetzner volumes cannot leave "
        "their location, so volume 'penpal-staging-data' is replaced by an empty one in 'nbg1' and the data on "
        "the old one is deleted, not carried over"
    )
    assert volume_lookups(sim) == [("GET", "/v1/volumes", 200)]


def test_staging_staying_or_without_a_volume_yet_is_quiet(sim: HcloudSimulator) -> None:
    assert volume_move_warning(FSN1, Environment.STAGING, sim.endpoint, sim.token) is None  # first up
    add_volume(sim, "penpal-staging-data", "fsn1")
    assert volume_move_warning(FSN1, Environment.STAGING, sim.endpoint, sim.token) is None


@pytest.mark.parametrize(
    ("server", "environment"),
    [
        pytest.param(NBG1, Environment.PRODUCTION, id="prod-is-guarded"),
        pytest.param(ServerConfig("cx22", "nbg1", "ubuntu-24.04", None), Environment.STAGING, id="no-volume"),
    ],
)
def test_no_lookup_where_no_volume_can_move(sim: HcloudSimulator, server: ServerConfig,
                                            environment: Environment) -> None:
    add_volume(sim, f"penpal-{environment.value}-data", "fsn1")
    assert volume_move_warning(server, environment, sim.endpoint, sim.token) is None
    assert volume_lookups(sim) == []


def test_a_failed_lookup_is_a_warning_not_a_failure(sim: HcloudSimulator) -> None:
    refused = volume_move_warning(NBG1, Environment.STAGING, sim.endpoint, "wrong-token")
    assert refused == (
        "penpal:server.location: could not check where volume 'penpal-staging-data' is (HTTP 401); if the server "
        "moves to another location, the volume is replaced by an empty one there"
    )
    unreachable = volume_move_warning(NBG1, Environment.STAGING, "http://127.0.0.1:9/v1", sim.token)
    assert unreachable is not None and "(ConnectionError)" in unreachable
