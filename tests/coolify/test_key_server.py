"""PrivateKey and Server providers against the simulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from components.coolify.client import CoolifyClient, NotFoundError, WaitTimeoutError
from components.coolify.resources.private_key import PrivateKeyProvider
from components.coolify.resources.server import ServerProvider
from tests.coolify.helpers import fake_pem

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]


def test_private_key_crud(make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator) -> None:
    provider = make_provider(PrivateKeyProvider)
    pem = fake_pem()
    inputs = {"name": "penpal-staging", "private_key": pem}
    created = provider.create(inputs)
    assert created.outs["name"] == "penpal-staging"
    assert created.outs["fingerprint"] and created.outs["public_key"] is not None
    assert created.outs["private_key"] == pem  # kept as applied; secret through its input's name
    assert provider.diff(created.id, created.outs, inputs).changes is False

    rotated = {**inputs, "private_key": fake_pem(), "description": "rotated"}
    assert provider.diff(created.id, created.outs, rotated).replaces == []
    updated = provider.update(created.id, created.outs, rotated)
    assert updated.outs["fingerprint"] != created.outs["fingerprint"]
    assert updated.outs["description"] == "rotated"
    # PATCH always carries the key, even for a rename.
    assert all("private_key" in r.body for r in sim.requests if r.method == "PATCH")

    provider.delete(created.id, updated.outs)
    with pytest.raises(NotFoundError):
        client.private_keys.get(created.id)
    assert provider.read(created.id, updated.outs).id is None


def test_private_key_adopts_by_name_and_by_same_key(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    provider = make_provider(PrivateKeyProvider)
    pem = fake_pem()
    by_name = client.private_keys.create({"name": "penpal-staging", "private_key": fake_pem()})
    assert provider.create({"name": "penpal-staging", "private_key": pem}).id == by_name
    # Same key under another name: Coolify refuses a duplicate fingerprint, so the key is adopted and renamed.
    other = provider.create({"name": "renamed", "private_key": pem})
    assert other.id == by_name and other.outs["name"] == "renamed"
    assert len(client.private_keys.list()) == 1


def test_server_create_validates_and_reads_back(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    key = client.private_keys.create({"name": "k", "private_key": fake_pem()})
    provider = make_provider(ServerProvider)
    inputs = {"name": "penpal-staging", "ip": "203.0.113.10", "private_key_uuid": key, "port": 22, "user": "root",
              "validate": True, "validate_timeout_s": 5}
    created = provider.create(inputs)
    assert created.outs["ip"] == "203.0.113.10"
    assert created.outs["is_usable"] is True
    assert sim.count("POST", "/servers/{uuid}/validate") == 1
    assert [r.body["instant_validate"] for r in sim.requests if r.method == "POST" and r.path.endswith("/servers")] \
        == [False]
    assert provider.diff(created.id, created.outs, inputs).changes is False

    moved = {**inputs, "port": 2222, "name": "renamed"}
    assert provider.diff(created.id, created.outs, moved).replaces == []
    updated = provider.update(created.id, created.outs, moved)
    assert updated.outs["port"] == 2222 and updated.outs["name"] == "renamed"
    # A connection change is validated again.
    assert sim.count("POST", "/servers/{uuid}/validate") == 2

    sim.edit("servers", created.id, user="ubuntu")
    refreshed = provider.read(created.id, updated.outs)
    assert provider.changed_fields(refreshed.outs, moved) == ["user"]

    provider.delete(created.id, updated.outs)
    assert provider.read(created.id, updated.outs).id is None
    provider.delete(created.id, updated.outs)


def test_server_validation_timeout_is_reported(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    key = client.private_keys.create({"name": "k", "private_key": fake_pem()})
    sim.set_server_validation("203.0.113.11", reachable=False, usable=False)
    with pytest.raises(WaitTimeoutError, match=r"server 'unreachable' \(.*, 203\.0\.113\.11\) is not usable"):
        make_provider(ServerProvider).create(
            {"name": "unreachable", "ip": "203.0.113.11", "private_key_uuid": key, "port": 22, "user": "root",
             "validate": True, "validate_timeout_s": 0.2}
        )


def test_server_adopted_by_ip(make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator) -> None:
    key = client.private_keys.create({"name": "k", "private_key": fake_pem()})
    existing = client.servers.create({"name": "old-name", "ip": "203.0.113.12", "private_key_uuid": key})
    sim.reset_counts()
    created = make_provider(ServerProvider).create(
        {"name": "penpal-prod", "ip": "203.0.113.12", "private_key_uuid": key, "port": 22, "user": "root",
         "validate": False, "validate_timeout_s": 5}
    )
    assert created.id == existing and created.outs["name"] == "penpal-prod"
    assert sim.count("POST", "/servers") == 0
    assert len(client.servers.list()) == 1


def test_key_delete_waits_while_a_server_still_uses_it(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    provider = make_provider(PrivateKeyProvider)
    created = provider.create({"name": "k", "private_key": fake_pem()})
    server = client.servers.create({"name": "s", "ip": "203.0.113.13", "private_key_uuid": created.id})
    # The server is removed while the key's delete is being retried ("Private Key is in use").
    sim.inject("DELETE", "/security/keys/{uuid}", 422, times=2,
               body={"message": "Private Key is in use and cannot be deleted."})
    client.servers.delete(server)
    provider.delete(created.id, created.outs)
    assert sim.count("DELETE", "/security/keys/{uuid}") == 3
    with pytest.raises(NotFoundError):
        client.private_keys.get(created.id)
