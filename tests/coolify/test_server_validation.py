"""A bare server becomes usable: validation installs Docker where missing; failures carry validation_logs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from components.coolify.client import CoolifyClient, ServerNotUsableError
from components.coolify.client.server_validation import plain_logs
from components.coolify.resources.server import ServerProvider
from tests.coolify.helpers import fake_pem

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]


def server_inputs(key: str, ip: str, **overrides: Any) -> dict[str, Any]:
    return {"name": "penpal-staging", "ip": ip, "private_key_uuid": key, "port": 22, "user": "root",
            "validate": True, "validate_timeout_s": 5, **overrides}


def validate_bodies(sim: CoolifySimulator) -> list[Any]:
    return [r.body for r in sim.requests if r.path.endswith("/validate")]


@pytest.fixture
def key(client: CoolifyClient) -> str:
    return client.private_keys.create({"name": "k", "private_key": fake_pem()})


def test_a_bare_server_is_validated_with_install_and_waited_for(
    make_provider: MakeProvider, key: str, sim: CoolifySimulator
) -> None:
    created = make_provider(ServerProvider).create(server_inputs(key, "203.0.113.20"))
    assert created.outs["is_usable"] is True and created.outs["is_reachable"] is True
    assert validate_bodies(sim) == [{"install": True}]


def test_a_usable_server_is_revalidated_without_install(
    make_provider: MakeProvider, key: str, sim: CoolifySimulator
) -> None:
    sim.set_host("203.0.113.21", docker_installed=True)
    provider = make_provider(ServerProvider)
    created = provider.create(server_inputs(key, "203.0.113.21"))
    provider.update(created.id, created.outs, server_inputs(key, "203.0.113.21", port=2222))
    # First validation of a fresh registration: Coolify has not checked it yet, so install is asked for.
    assert validate_bodies(sim) == [{"install": True}, None]


def test_a_server_moved_to_a_bare_host_gets_docker_installed(
    make_provider: MakeProvider, key: str, sim: CoolifySimulator
) -> None:
    # A replaced Hetzner server: same Coolify server, new address, no Docker there yet. Coolify's flags still
    # say usable (the old host), so the plain validation finds Docker missing; then it installs.
    provider = make_provider(ServerProvider)
    created = provider.create(server_inputs(key, "203.0.113.23"))
    updated = provider.update(created.id, created.outs, server_inputs(key, "203.0.113.24"))
    assert updated.outs["is_usable"] is True
    assert validate_bodies(sim) == [{"install": True}, None, {"install": True}]
    assert sim.config.host("203.0.113.24").docker_installed is True


def test_install_giving_up_fails_fast_with_coolifys_logs(
    make_provider: MakeProvider, key: str, sim: CoolifySimulator
) -> None:
    sim.set_host("203.0.113.22", docker_installable=False)
    with pytest.raises(ServerNotUsableError) as raised:
        make_provider(ServerProvider).create(server_inputs(key, "203.0.113.22", validate_timeout_s=60))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("Coolify Server 'penpal-staging': create failed: Coolify server 'penpal-staging' (")
    assert 'POST /servers/' in message and '/validate {"install": true}' in message
    assert ("Coolify's validation_logs: Docker Engine could not be installed after 3 attempts. Please install Docker "
            "manually before continuing: documentation (https://docs.docker.com/engine/install/#server).") in message
    assert "Install Docker on the server by hand" in message
    assert "<a" not in message


def test_unreachable_server_times_out_with_the_ssh_error(
    make_provider: MakeProvider, key: str, sim: CoolifySimulator
) -> None:
    sim.set_host("203.0.113.23", reachable=False)
    with pytest.raises(ServerNotUsableError) as raised:
        make_provider(ServerProvider).create(server_inputs(key, "203.0.113.23", validate_timeout_s=0.3))
    message = str(raised.value)
    assert "it was not reachable and usable after 0.3s" in message
    assert "Server is not reachable." in message and "Connection timed out" in message
    assert "Make sure Coolify can SSH to the server" in message


def test_before_4_2_coolify_cannot_install_and_says_so(
    make_provider: MakeProvider, key: str, sim: CoolifySimulator
) -> None:
    sim.version = "4.1.2"
    with pytest.raises(ServerNotUsableError) as raised:
        make_provider(ServerProvider).create(server_inputs(key, "203.0.113.24", validate_timeout_s=0.3))
    message = str(raised.value)
    # The route was GET-only then.
    assert [(r.method, r.body) for r in sim.requests if r.path.endswith("/validate")] == [("GET", None)]
    assert "after GET /servers/" in message
    assert "Docker Engine is not installed." in message
    assert "cannot install Docker through its API (needs 4.2.0)" in message


def test_plain_logs_turn_coolify_html_into_one_line() -> None:
    raw = ('Server is not reachable.<br>Check this <a target="_blank" href="https://x/doc">documentation</a> '
           'for help. <br><br><div class="text-error">Error: ssh: &quot;refused&quot;</div>')
    assert plain_logs(raw) == ('Server is not reachable. Check this documentation (https://x/doc) for help. '
                               'Error: ssh: "refused"')
    assert plain_logs(None) == ""
