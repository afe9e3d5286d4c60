"""Fixtures for the Coolify client and provider tests: a fresh simulator per test, fast timings."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from requests import Response

from components.coolify.client import ClientSettings, CoolifyClient
from components.coolify.provider import CoolifyProvider

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

TOKEN = "1|penpalTestTokenDoNotLeak0123456789abcdefgh"
ALL_ABILITIES = ["root"]

ProviderT = TypeVar("ProviderT", bound=CoolifyProvider)


@dataclass
class RecordedRequest:
    method: str
    path: str
    body: Any


@dataclass
class Recorder:
    """Every request the client sent, with its JSON body, in order."""

    requests: list[RecordedRequest] = field(default_factory=list)

    def hook(self, response: Response, *_args: Any, **_kwargs: Any) -> None:
        request = response.request
        raw = request.body
        body = json.loads(raw) if raw else None
        path = (request.path_url or "").split("?", 1)[0]
        self.requests.append(RecordedRequest(str(request.method), path, body))

    def writes(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method in ("POST", "PATCH", "PUT", "DELETE")]


def fast_settings(url: str, token: str = TOKEN, **overrides: Any) -> ClientSettings:
    values: dict[str, Any] = {
        "url": url,
        "token": token,
        "connect_timeout_s": 2.0,
        "read_timeout_s": 2.0,
        "max_retries": 3,
        "backoff_factor_s": 0.0,
        "retry_after_max_s": 5.0,
        "poll_interval_s": 0.01,
        "delete_timeout_s": 5.0,
    }
    values.update(overrides)
    return ClientSettings(**values)


@pytest.fixture
def running_sim() -> Iterator[tuple[CoolifySimulator, str]]:
    from tests.simulators.coolify import CoolifySimulator

    simulator = CoolifySimulator()
    url = simulator.start()
    simulator.add_token(TOKEN, ALL_ABILITIES)
    try:
        yield simulator, url
    finally:
        simulator.stop()


@pytest.fixture
def sim(running_sim: tuple[CoolifySimulator, str]) -> CoolifySimulator:
    return running_sim[0]


@pytest.fixture
def sim_url(running_sim: tuple[CoolifySimulator, str]) -> str:
    return running_sim[1]


@pytest.fixture
def settings(sim_url: str) -> ClientSettings:
    return fast_settings(sim_url)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(settings: ClientSettings, recorder: Recorder) -> Iterator[CoolifyClient]:
    coolify = CoolifyClient(settings)
    coolify.http.session.hooks["response"].append(recorder.hook)
    yield coolify
    coolify.close()


MakeProvider = Callable[[type[ProviderT]], ProviderT]


@pytest.fixture
def make_provider(settings: ClientSettings, client: CoolifyClient) -> Iterator[Callable[[type[Any]], Any]]:
    """`make_provider(ProjectProvider)`: a provider bound to the simulator, sharing the recorded client."""
    from components.coolify import provider as provider_module

    provider_module._CLIENTS[settings] = client

    def make(cls: type[Any]) -> Any:
        return cls.configured(settings)

    yield make
    provider_module._CLIENTS.pop(settings, None)


@pytest.fixture
def seed(sim: CoolifySimulator) -> Any:
    """A private key, a usable server and project `penpal` with its `production` environment."""
    return sim.seed()
