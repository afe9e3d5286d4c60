"""HetznerHost: a firewalled server with labels, optionally a volume, registered in Coolify."""

from __future__ import annotations

from typing import Any

import pulumi

from components.config import Environment
from components.hetzner_host import HetznerHost, HetznerHostArgs
from tests.unit.mocks import SERVER_IPV4, RecordingMocks, T
from tests.unit.outputs import is_secret, resolve, run_program
from tests.unit.stack_configs import SSH_PRIVATE_KEY, SSH_PUBLIC_KEY

ADMIN_CIDRS = ("203.0.113.7/32", "198.51.100.0/24")


def host(environment: Environment = Environment.STAGING, volume_size_gb: int | None = None) -> HetznerHost:
    return HetznerHost(
        "host",
        HetznerHostArgs(
            environment=environment,
            server_type="cx22",
            location="fsn1",
            image="ubuntu-24.04",
            admin_cidrs=ADMIN_CIDRS,
            ssh_public_key=SSH_PUBLIC_KEY,
            ssh_private_key=pulumi.Output.secret(SSH_PRIVATE_KEY),
            volume_size_gb=volume_size_gb,
        ),
    )


def test_resources_and_names(mocks: RecordingMocks) -> None:
    run_program(host)
    assert sorted((r.typ, r.name) for r in mocks.registered) == sorted(
        [
            (T.HOST, "host"),
            (T.HCLOUD_SSH_KEY, "host-ssh-key"),
            (T.HCLOUD_FIREWALL, "host-firewall"),
            (T.HCLOUD_SERVER, "host-server"),
            (T.C_PRIVATE_KEY, "host-coolify-key"),
            (T.C_SERVER, "host-coolify-server"),
        ]
    )
    component = mocks.one(T.HOST)
    assert all(r.parent_urn == component.urn for r in mocks.registered if r is not component)


def test_firewall_allows_ssh_from_admins_and_web_from_anywhere_only(mocks: RecordingMocks) -> None:
    run_program(host)
    rules = mocks.one(T.HCLOUD_FIREWALL).plain("rules")
    by_port: dict[str, Any] = {rule["port"]: rule for rule in rules}
    assert len(rules) == 3 and sorted(by_port) == ["22", "443", "80"]
    assert all(rule["direction"] == "in" and rule["protocol"] == "tcp" for rule in rules)
    assert by_port["22"]["sourceIps"] == list(ADMIN_CIDRS)
    for port in ("80", "443"):
        assert by_port[port]["sourceIps"] == ["0.0.0.0/0", "::/0"]
    assert not any("destinationIps" in rule for rule in rules)


def test_server_is_labelled_and_uses_the_key_and_firewall(mocks: RecordingMocks) -> None:
    run_program(lambda: host(Environment.PRODUCTION))
    server = mocks.one(T.HCLOUD_SERVER)
    key = mocks.one(T.HCLOUD_SSH_KEY)
    firewall_id = int(_resource_id(mocks, T.HCLOUD_FIREWALL))
    assert server.plain("name") == "penpal-production"
    assert (server.plain("serverType"), server.plain("location"), server.plain("image")) == (
        "cx22",
        "fsn1",
        "ubuntu-24.04",
    )
    assert server.plain("labels") == {"project": "penpal", "environment": "production"}
    assert server.plain("firewallIds") == [firewall_id]
    assert server.plain("sshKeys") == [_resource_id(mocks, T.HCLOUD_SSH_KEY)]
    assert key.plain("publicKey") == SSH_PUBLIC_KEY
    assert key.plain("labels") == {"project": "penpal", "environment": "production"}


def test_no_volume_unless_sized(mocks: RecordingMocks) -> None:
    run_program(host)
    assert mocks.of_type(T.HCLOUD_VOLUME) == []


def test_volume_is_attached_to_the_server(mocks: RecordingMocks) -> None:
    run_program(lambda: host(volume_size_gb=40))
    volume = mocks.one(T.HCLOUD_VOLUME)
    assert volume.name == "host-volume"
    assert volume.plain("size") == 40
    assert volume.plain("serverId") == int(_resource_id(mocks, T.HCLOUD_SERVER))
    assert volume.plain("automount") is True and volume.plain("format") == "ext4"
    assert "location" not in volume.inputs  # Hetzner rejects location together with server_id


def test_registered_in_coolify_with_a_secret_key(mocks: RecordingMocks) -> None:
    component = run_program(host)
    key = mocks.one(T.C_PRIVATE_KEY)
    server = mocks.one(T.C_SERVER)
    assert pulumi.runtime.rpc.is_rpc_secret(key.inputs["private_key"])
    assert key.plain("private_key") == SSH_PRIVATE_KEY
    assert "__provider" in key.inputs  # the real dynamic provider was pickled
    assert server.plain("ip") == SERVER_IPV4
    assert server.plain("private_key_uuid") == "host-coolify-key-uuid"
    assert server.plain("name") == "penpal-staging"
    assert resolve(component.ipv4_address) == SERVER_IPV4
    assert resolve(component.coolify_server_uuid) == "host-coolify-server-uuid"
    assert not is_secret(component.ipv4_address)


def _resource_id(mocks: RecordingMocks, typ: str) -> str:
    return mocks.one(typ).id
