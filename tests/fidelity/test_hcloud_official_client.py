"""The official Hetzner Cloud Python library (hcloud 2.27), unpatched, against our Hetzner simulator.

Every call below is one that our program or pulumi-hcloud (through hcloud-go) makes. The library parses
every response into its typed models, so a missing field, a wrong type or a wrong error shape fails
here even when our own hand-written tests pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hcloud import APIException, Client
from hcloud.firewalls import FirewallResource, FirewallResourceLabelSelector, FirewallRule
from hcloud.images import Image
from hcloud.locations import Location
from hcloud.server_types import ServerType
from hcloud.servers import BoundServer
from hcloud.ssh_keys import BoundSSHKey

from tests.simulators.hcloud import HcloudSimulator

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGc1bS2ddcsYs8jTqRdGFXn5JKYkYy8u3bSj+7a0S3fa deploy@penpal"
OTHER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKr5pm1Jb7Zy2g5cGCH0gS8P3u3x6Ht2Yzq9Gd7c1mXe other@penpal"
SSH_RULE = FirewallRule(direction="in", protocol="tcp", port="22", source_ips=["198.51.100.7/32"],
                        description="SSH from admins")
WEB_RULE = FirewallRule(direction="in", protocol="tcp", port="443", source_ips=["0.0.0.0/0", "::/0"])


@pytest.fixture
def sim() -> Iterator[HcloudSimulator]:
    with HcloudSimulator() as simulator:
        yield simulator


@pytest.fixture
def client(sim: HcloudSimulator) -> Client:
    return Client(token=sim.token, api_endpoint=sim.endpoint, poll_interval=0.001, timeout=10)


def ident(resource: Any) -> int:
    """The id of a model the library returned (typed optional by the library)."""
    assert isinstance(resource.id, int), resource
    return resource.id


def api_error(call: object) -> APIException:
    """Run a zero-argument call that must fail with an API error, and return the error."""
    assert callable(call)
    with pytest.raises(APIException) as caught:
        call()
    return caught.value


def make_server(client: Client, name: str = "penpal-staging", ssh_key: BoundSSHKey | None = None,
                labels: dict[str, str] | None = None) -> BoundServer:
    """Create a server by image, type and location *names*, as our program does, and wait for it."""
    created = client.servers.create(
        name=name,
        server_type=ServerType(name="cx22"),
        image=Image(name="ubuntu-24.04"),
        location=Location(name="nbg1"),
        ssh_keys=[ssh_key] if ssh_key else None,
        labels=labels or {"project": "penpal", "environment": "staging"},
    )
    created.action.wait_until_finished()
    for action in created.next_actions:
        action.wait_until_finished()
    if ssh_key is None:
        assert created.root_password
    else:
        assert created.root_password is None
    server = client.servers.get_by_id(ident(created.server))
    assert server.id is not None
    return server


# --- catalogue ------------------------------------------------------------------------------------


def test_server_types_parse_with_their_per_location_availability(client: Client) -> None:
    server_types = client.server_types.get_all()
    assert {"cx22", "cpx11", "cax11"} <= {t.name for t in server_types}
    cx22 = client.server_types.get_by_name("cx22")
    assert cx22 is not None and cx22.architecture == "x86" and cx22.cores == 2
    assert cx22.locations, "server types list the locations they are offered in"
    for entry in cx22.locations:
        assert entry.location.name in {"fsn1", "nbg1", "hel1", "ash", "hil", "sin"}
        assert isinstance(entry.available, bool) and isinstance(entry.recommended, bool)
        assert entry.deprecation is None
    assert client.server_types.get_by_id(ident(cx22)).name == "cx22"
    # Prices and included traffic per location (since 2024-08 the top-level included_traffic is null).
    assert {price["location"] for price in cx22.prices or []} == {entry.location.name for entry in cx22.locations}
    assert all(price["included_traffic"] > 0 for price in cx22.prices or [])


def test_locations_and_images_by_name(client: Client) -> None:
    nbg1 = client.locations.get_by_name("nbg1")
    assert nbg1 is not None and nbg1.network_zone == "eu-central"
    x86 = client.images.get_by_name_and_architecture("ubuntu-24.04", "x86")
    arm = client.images.get_by_name_and_architecture("ubuntu-24.04", "arm")
    assert x86 is not None and arm is not None and x86.id != arm.id
    assert x86.type == "system" and x86.os_flavor == "ubuntu"


def test_datacenters_are_gone_since_october_2026(client: Client) -> None:
    # GET /datacenters answers 410 Gone after 2026-10-01 (Hetzner changelog 2026-06-02 "datacenters deprecated").
    with pytest.warns(DeprecationWarning, match="datacenters"):  # the library warns too
        error = api_error(client.datacenters.get_all)
    assert error.code == "deprecated_api_endpoint"


# --- SSH keys -------------------------------------------------------------------------------------


def test_ssh_key_lifecycle(client: Client) -> None:
    key = client.ssh_keys.create(name="penpal-staging", public_key=PUBLIC_KEY,
                                 labels={"project": "penpal", "environment": "staging"})
    assert key.fingerprint and key.fingerprint.count(":") == 15
    by_fingerprint = client.ssh_keys.get_by_fingerprint(key.fingerprint)
    assert by_fingerprint is not None and by_fingerprint.id == key.id
    by_name = client.ssh_keys.get_by_name("penpal-staging")
    assert by_name is not None and by_name.public_key == PUBLIC_KEY
    updated = key.update(labels={"project": "penpal"})
    assert updated.labels == {"project": "penpal"}
    assert key.delete() is True
    assert client.ssh_keys.get_by_name("penpal-staging") is None
    assert api_error(lambda: client.ssh_keys.get_by_id(ident(key))).code == "not_found"


def test_ssh_keys_are_unique_by_name_and_by_fingerprint(client: Client) -> None:
    client.ssh_keys.create(name="penpal-staging", public_key=PUBLIC_KEY)
    same_name = api_error(lambda: client.ssh_keys.create(name="penpal-staging", public_key=OTHER_KEY))
    assert same_name.code == "uniqueness_error"
    same_key = api_error(lambda: client.ssh_keys.create(name="penpal-prod", public_key=PUBLIC_KEY))
    assert same_key.code == "uniqueness_error"
    assert isinstance(same_key.details, dict) and same_key.details["fields"][0]["name"] == "public_key"


# --- servers, actions, protection ------------------------------------------------------------------


def test_server_by_names_runs_and_reports_location_not_datacenter(client: Client, sim: HcloudSimulator) -> None:
    key = client.ssh_keys.create(name="penpal-staging", public_key=PUBLIC_KEY)
    server = make_server(client, ssh_key=key)
    assert server.status == "running"
    assert server.server_type is not None and server.server_type.name == "cx22"
    assert server.image is not None and server.image.name == "ubuntu-24.04"
    assert server.location is not None and server.location.name == "nbg1"
    assert server.public_net is not None and server.public_net.ipv4 is not None
    assert server.public_net.primary_ipv4 is not None
    # Servers carry no `datacenter` since 2026-07-01 (Hetzner changelog "removing datacenters").
    assert "datacenter" not in (sim.server(ident(server)) or {})
    found = client.servers.get_by_name("penpal-staging")
    assert found is not None and found.id == server.id


def test_server_create_refuses_an_unknown_type_image_or_location(client: Client) -> None:
    for kwargs in ({"server_type": ServerType(name="cx999")}, {"image": Image(name="plan9")},
                   {"location": Location(name="mars1")}):
        args = {"server_type": ServerType(name="cx22"), "image": Image(name="ubuntu-24.04"),
                "location": Location(name="nbg1"), **kwargs}
        error = api_error(lambda args=args: client.servers.create(name="penpal-x", **args))
        assert error.code == "invalid_input"


def test_server_actions_are_listed_and_polled(client: Client) -> None:
    server = make_server(client)
    actions = client.servers.get_actions(server)
    assert {"create_server", "start_server"} <= {a.command for a in actions}
    assert all(a.status == "success" for a in actions)
    reboot = server.reboot()
    assert reboot.status == "running"
    reboot.wait_until_finished()
    assert client.actions.get_by_id(ident(reboot)).status == "success"
    assert client.servers.actions.get_by_id(ident(reboot)).command == "reboot_server"


def test_protection_blocks_delete_with_protected(client: Client) -> None:
    server = make_server(client)
    server.change_protection(delete=True, rebuild=True).wait_until_finished()
    protected = client.servers.get_by_id(ident(server))
    assert protected.protection == {"delete": True, "rebuild": True}
    assert api_error(protected.delete).code == "protected"
    server.change_protection(delete=False, rebuild=False).wait_until_finished()
    server.delete().wait_until_finished()
    assert client.servers.get_by_name(server.name or "") is None


def test_labels_update_and_label_selectors(client: Client) -> None:
    staging = make_server(client, "penpal-staging", labels={"project": "penpal", "environment": "staging"})
    make_server(client, "penpal-prod", labels={"project": "penpal", "environment": "prod"})
    make_server(client, "other", labels={"team": "x"})

    def names(selector: str) -> set[str | None]:
        return {s.name for s in client.servers.get_all(label_selector=selector)}

    assert names("project=penpal") == {"penpal-staging", "penpal-prod"}
    assert names("project=penpal,environment!=prod") == {"penpal-staging"}
    assert names("environment in (staging,prod)") == {"penpal-staging", "penpal-prod"}
    assert names("!project") == {"other"}
    staging.update(labels={"project": "penpal", "environment": "staging", "owner": "ops"})
    assert names("owner") == {"penpal-staging"}
    assert api_error(lambda: staging.update(labels={"hetzner.cloud/x": "y"})).code == "invalid_input"


# --- firewalls ------------------------------------------------------------------------------------


def test_firewall_rules_apply_and_remove(client: Client) -> None:
    server = make_server(client)
    labels: Any = {"project": "penpal"}  # hcloud 2.27 annotates `labels` of create() as str; the API takes an object
    created = client.firewalls.create(name="penpal-staging", rules=[SSH_RULE], labels=labels)
    for action in created.actions or []:
        action.wait_until_finished()
    firewall = created.firewall
    for action in firewall.set_rules([SSH_RULE, WEB_RULE]):
        action.wait_until_finished()
    for action in firewall.apply_to_resources([FirewallResource(type="server", server=server)]):
        action.wait_until_finished()
    selector = FirewallResource(type="label_selector",
                                label_selector=FirewallResourceLabelSelector(selector="environment=staging"))
    for action in firewall.apply_to_resources([selector]):
        action.wait_until_finished()

    reread = client.firewalls.get_by_id(ident(firewall))
    assert [rule.port for rule in reread.rules or []] == ["22", "443"]
    assert reread.rules is not None and reread.rules[0].description == "SSH from admins"
    kinds = sorted(target.type for target in reread.applied_to or [])
    assert kinds == ["label_selector", "server"]
    by_selector = next(t for t in reread.applied_to or [] if t.type == "label_selector")
    assert [r.server.id for r in by_selector.applied_to_resources or [] if r.server] == [server.id]
    public_net = client.servers.get_by_id(ident(server)).public_net
    assert public_net is not None and {fw.firewall.id for fw in public_net.firewalls or []} == {firewall.id}

    assert api_error(firewall.delete).code == "resource_in_use"
    for action in firewall.remove_from_resources([FirewallResource(type="server", server=server), selector]):
        action.wait_until_finished()
    assert client.firewalls.get_by_id(ident(firewall)).applied_to == []
    assert firewall.delete() is True


# --- volumes and primary IPs ------------------------------------------------------------------------


def test_volume_attach_resize_protect_detach_delete(client: Client) -> None:
    server = make_server(client)
    labels: Any = {"project": "penpal"}  # hcloud 2.27 annotates `labels` of create() as str; the API takes an object
    created = client.volumes.create(size=10, name="penpal-staging-data", location=Location(name="nbg1"),
                                    format="ext4", labels=labels)
    created.action.wait_until_finished()
    volume = created.volume
    volume.attach(server, automount=False).wait_until_finished()
    volume.resize(20).wait_until_finished()
    volume.change_protection(delete=True).wait_until_finished()
    reread = client.volumes.get_by_id(ident(volume))
    assert reread.size == 20 and reread.server is not None and reread.server.id == server.id
    assert reread.location is not None and reread.location.name == "nbg1"
    assert reread.protection == {"delete": True}
    assert reread.linux_device and reread.linux_device.endswith(str(volume.id))
    assert api_error(reread.delete).code == "protected"
    volume.change_protection(delete=False).wait_until_finished()
    volume.detach().wait_until_finished()
    assert client.volumes.get_by_id(ident(volume)).server is None
    assert volume.delete() is True


def test_primary_ips_of_a_server(client: Client) -> None:
    server = make_server(client)
    ips = client.primary_ips.get_all()
    assert {ip.type for ip in ips} == {"ipv4", "ipv6"}
    ipv4 = next(ip for ip in ips if ip.type == "ipv4")
    assert ipv4.assignee_id == server.id and ipv4.assignee_type == "server" and ipv4.auto_delete is True
    assert ipv4.location is not None and ipv4.location.name == "nbg1"
    updated = ipv4.update(name="penpal-staging-v4", auto_delete=False, labels={"project": "penpal"})
    assert updated.name == "penpal-staging-v4" and updated.auto_delete is False
    found = client.primary_ips.get_by_name("penpal-staging-v4")
    assert found is not None and found.id == ipv4.id


def test_primary_ip_create_assign_protect_unassign_delete(client: Client) -> None:
    server = make_server(client)
    created = client.primary_ips.create(type="ipv4", name="penpal-spare", location=Location(name="nbg1"),
                                        labels={"project": "penpal"})
    spare = created.primary_ip
    assert spare.assignee_id is None and spare.assignee_type == "unassigned"
    spare.change_protection(delete=True).wait_until_finished()
    assert api_error(spare.delete).code == "protected"
    spare.change_protection(delete=False).wait_until_finished()
    # Assigning needs the server powered off (Hetzner docs, "Assign a Primary IP to a resource").
    assert api_error(lambda: spare.assign(ident(server), "server")).code == "server_not_stopped"
    assert server.public_net is not None
    current_v4 = server.public_net.primary_ipv4
    assert current_v4 is not None
    server.power_off().wait_until_finished()
    client.primary_ips.unassign(current_v4).wait_until_finished()
    spare.assign(ident(server), "server").wait_until_finished()
    assert client.primary_ips.get_by_id(ident(spare)).assignee_id == server.id
    public_net = client.servers.get_by_id(ident(server)).public_net
    assert public_net is not None and public_net.primary_ipv4 is not None and public_net.primary_ipv4.id == spare.id
    spare.unassign().wait_until_finished()
    assert client.primary_ips.get_by_id(ident(spare)).assignee_type == "unassigned"
    assert spare.delete() is True


# --- pagination and errors -------------------------------------------------------------------------


def test_pagination_meta_and_get_all_across_pages(client: Client) -> None:
    for index in range(30):
        client.ssh_keys.create(name=f"key-{index:02d}", public_key=_test_key(index))
    page = client.ssh_keys.get_list(page=2, per_page=10)
    assert [k.name for k in page.ssh_keys] == [f"key-{i:02d}" for i in range(10, 20)]
    assert page.meta.pagination is not None
    assert (page.meta.pagination.page, page.meta.pagination.previous_page, page.meta.pagination.next_page,
            page.meta.pagination.last_page, page.meta.pagination.total_entries) == (2, 1, 3, 3, 30)
    assert len(client.ssh_keys.get_all()) == 30  # the library follows next_page (50 per page)
    assert len(client.ssh_keys.get_all(name="key-07")) == 1


def test_a_wrong_token_is_unauthorized(sim: HcloudSimulator) -> None:
    wrong = Client(token="x" * 64, api_endpoint=sim.endpoint, poll_interval=0.001, timeout=10)
    assert api_error(wrong.servers.get_all).code == "unauthorized"


def test_missing_objects_are_not_found(client: Client) -> None:
    assert api_error(lambda: client.servers.get_by_id(424242)).code == "not_found"
    assert api_error(lambda: client.firewalls.get_by_id(424242)).code == "not_found"
    assert api_error(lambda: client.volumes.get_by_id(424242)).code == "not_found"
    assert api_error(lambda: client.actions.get_by_id(424242)).code == "not_found"


def test_error_bodies_carry_the_documented_shape(sim: HcloudSimulator) -> None:
    # {"error": {"code", "message", "details"}} (docs.hetzner.cloud "Errors").
    response = requests.get(f"{sim.endpoint}/servers/424242", headers={"Authorization": f"Bearer {sim.token}"},
                            timeout=10)
    assert response.status_code == 404
    assert set(response.json()["error"]) >= {"code", "message", "details"}


def _test_key(index: int) -> str:
    """A distinct, well-formed ssh-ed25519 public key line (32 bytes of key material)."""
    import base64
    import struct

    blob = struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + bytes([index]) * 32
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} key-{index}@penpal"
