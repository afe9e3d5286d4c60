"""Our hcloud and github plugins drive the real engine against the API simulators.

Each test runs an Automation API inline program (runtime "client": no language host) with the
pulumi CLI and our plugins found on PATH, a file backend, and PULUMI_HOME in tmp_path: `up`
creates the resources in the simulator, a second `preview` must see no change (the simulator's
answers round-trip through the provider), and `destroy` removes them.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pulumi_github as github
import pulumi_hcloud as hcloud
import pytest
from pulumi import automation as auto

from tests.simulators.github import GithubSimulator
from tests.simulators.hcloud import HcloudSimulator
from tests.toolchain.test_providers_toolchain import Toolchain, locate_toolchain

PROJECT = "providers-e2e"
STACK = "e2e"
PROVIDER_ENV_FALLBACKS = (
    "HCLOUD_ENDPOINT", "HCLOUD_TOKEN", "HETZNER_ENDPOINT", "GITHUB_TOKEN", "GITHUB_BASE_URL", "GITHUB_OWNER",
)


@pytest.fixture(scope="module")
def toolchain() -> Toolchain:
    return locate_toolchain()


@pytest.fixture
def on_path(toolchain: Toolchain, monkeypatch: pytest.MonkeyPatch) -> Toolchain:
    # The Automation API checks `pulumi version` with this process's PATH, not the workspace env.
    monkeypatch.setenv("PATH", toolchain.env()["PATH"])
    # The providers fall back to these for any setting the stack leaves out: keep a developer's shell out.
    for var in PROVIDER_ENV_FALLBACKS:
        monkeypatch.delenv(var, raising=False)
    return toolchain


@pytest.fixture
def hcloud_sim() -> Iterator[HcloudSimulator]:
    sim = HcloudSimulator()
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def github_sim() -> Iterator[GithubSimulator]:
    sim = GithubSimulator(owner="penpal-ai", repos=["penpal-api"])
    sim.start()
    yield sim
    sim.stop()


def _ssh_public_key(seed: str) -> str:
    """A well-formed ed25519 public key line (the key material is derived, never used to sign)."""
    key_type = b"ssh-ed25519"
    material = hashlib.sha256(seed.encode()).digest()
    blob = struct.pack(">I", len(key_type)) + key_type + struct.pack(">I", len(material)) + material
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {seed}"


def _md5_fingerprint(public_key: str) -> str:
    digest = hashlib.md5(base64.b64decode(public_key.split()[1]), usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _stack(
    tmp_path: Path, toolchain: Toolchain, program: Callable[[], None], config: dict[str, auto.ConfigValue]
) -> auto.Stack:
    state = tmp_path / "state"
    state.mkdir()
    env = {
        key: value
        for key, value in toolchain.env(PULUMI_CONFIG_PASSPHRASE="e2e-passphrase").items()
        if key.startswith("PULUMI_") or key == "PATH"
    }
    settings = auto.ProjectSettings(name=PROJECT, runtime="python", backend=auto.ProjectBackend(url=state.as_uri()))
    stack = auto.create_stack(
        STACK,
        project_name=PROJECT,
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(tmp_path),
            pulumi_home=str(tmp_path / "pulumi-home"),
            env_vars=env,
            project_settings=settings,
            secrets_provider="passphrase",
        ),
    )
    stack.set_all_config(config)
    return stack


def _up(stack: auto.Stack) -> dict[str, Any]:
    up = stack.up(on_output=print, on_error=print)
    assert up.summary.result == "succeeded"
    return {key: output.value for key, output in up.outputs.items()}


def _changes(summary: Mapping[auto.OpType, int] | None) -> dict[str, int]:
    """The non-"same" entries of a change summary, keyed by the operation's name."""
    return {auto.OpType(op).value: count for op, count in (summary or {}).items() if op != auto.OpType.SAME and count}


def _assert_no_changes_then_destroy(stack: auto.Stack) -> None:
    refresh = stack.refresh(on_output=print, on_error=print)
    assert _changes(refresh.summary.resource_changes) == {}, "refresh must read back exactly what up wrote"
    preview = stack.preview(on_output=print, on_error=print)
    assert _changes(preview.change_summary) == {}, "a second preview must be empty"
    destroy = stack.destroy(on_output=print, on_error=print)
    assert destroy.summary.result == "succeeded"



def _hcloud_config(sim: HcloudSimulator) -> dict[str, auto.ConfigValue]:
    """pulumi-hcloud pointed at the simulator, polling actions fast."""
    return {
        "hcloud:endpoint": auto.ConfigValue(sim.endpoint),
        "hcloud:token": auto.ConfigValue(sim.token, secret=True),
        "hcloud:pollInterval": auto.ConfigValue("50ms"),
    }

def test_hcloud_ssh_key_and_firewall(tmp_path: Path, on_path: Toolchain, hcloud_sim: HcloudSimulator) -> None:
    public_key = _ssh_public_key("penpal-e2e")

    def program() -> None:
        key = hcloud.SshKey("deploy", name="penpal-deploy", public_key=public_key, labels={"app": "penpal"})
        firewall = hcloud.Firewall(
            "web",
            name="penpal-web",
            labels={"app": "penpal"},
            rules=[
                hcloud.FirewallRuleArgs(direction="in", protocol="tcp", port="443", source_ips=["0.0.0.0/0", "::/0"]),
                hcloud.FirewallRuleArgs(direction="in", protocol="tcp", port="22", source_ips=["203.0.113.7/32"]),
            ],
        )
        pulumi.export("ssh_key_id", key.id)
        pulumi.export("fingerprint", key.fingerprint)
        pulumi.export("firewall_id", firewall.id)

    stack = _stack(tmp_path, on_path, program, _hcloud_config(hcloud_sim))
    outputs = _up(stack)

    key = hcloud_sim.ssh_key("penpal-deploy")
    assert key is not None
    assert str(key["id"]) == outputs["ssh_key_id"]
    assert key["public_key"] == public_key
    assert key["labels"] == {"app": "penpal"}
    assert outputs["fingerprint"] == key["fingerprint"] == _md5_fingerprint(public_key)

    firewall = hcloud_sim.firewall("penpal-web")
    assert firewall is not None
    assert str(firewall["id"]) == outputs["firewall_id"]
    rules = sorted((r["direction"], r["protocol"], r["port"], sorted(r["source_ips"])) for r in firewall["rules"])
    assert rules == [("in", "tcp", "22", ["203.0.113.7/32"]), ("in", "tcp", "443", ["0.0.0.0/0", "::/0"])]

    # Drift made outside Pulumi is read back by refresh and undone by the next up.
    hcloud_sim.set_ssh_key_labels("penpal-deploy", {"app": "drifted"})
    refresh = stack.refresh(on_output=print, on_error=print)
    assert _changes(refresh.summary.resource_changes) == {"update": 1}
    _up(stack)
    assert (hcloud_sim.ssh_key("penpal-deploy") or {}).get("labels") == {"app": "penpal"}

    _assert_no_changes_then_destroy(stack)
    assert hcloud_sim.ssh_keys() == []
    assert hcloud_sim.firewalls() == []




def test_hcloud_server_with_firewall_and_volume(
    tmp_path: Path, on_path: Toolchain, hcloud_sim: HcloudSimulator
) -> None:
    """The shape components/hetzner_host.py deploys: actions are polled until the simulator finishes them."""

    def program() -> None:
        key = hcloud.SshKey("key", name="penpal-host", public_key=_ssh_public_key("penpal-host"))
        https = hcloud.FirewallRuleArgs(direction="in", protocol="tcp", port="443", source_ips=["0.0.0.0/0"])
        firewall = hcloud.Firewall("fw", name="penpal-host", rules=[https])
        server = hcloud.Server(
            "server",
            name="penpal-host",
            server_type="cx22",
            location="fsn1",
            image="ubuntu-24.04",
            ssh_keys=[key.id],
            firewall_ids=[firewall.id.apply(int)],
            public_nets=[hcloud.ServerPublicNetArgs(ipv4_enabled=True, ipv6_enabled=True)],
            labels={"app": "penpal"},
        )
        hcloud.Volume(
            "data", name="penpal-host-data", size=10, server_id=server.id.apply(int), automount=True, format="ext4"
        )
        pulumi.export("server_id", server.id)
        pulumi.export("ipv4", server.ipv4_address)

    stack = _stack(tmp_path, on_path, program, _hcloud_config(hcloud_sim))
    outputs = _up(stack)

    server = hcloud_sim.server("penpal-host")
    assert server is not None
    assert str(server["id"]) == outputs["server_id"]
    assert server["status"] == "running"
    assert outputs["ipv4"] == server["public_net"]["ipv4"]["ip"]
    firewall = hcloud_sim.firewall("penpal-host")
    assert firewall is not None
    assert [target["server"]["id"] for target in firewall["applied_to"]] == [server["id"]]
    [volume] = hcloud_sim.volumes()
    assert (volume["name"], volume["size"], volume["server"]) == ("penpal-host-data", 10, server["id"])

    _assert_no_changes_then_destroy(stack)
    assert hcloud_sim.servers() == []
    assert hcloud_sim.volumes() == []

def test_hcloud_volume_replaced_by_its_trigger_only_when_the_location_changes(
    tmp_path: Path, on_path: Toolchain, hcloud_sim: HcloudSimulator
) -> None:
    """components/hetzner_host.py gives the volume `replacement_trigger=<location>`: a volume deployed before
    that option existed is left alone when it appears, and a new location replaces it with the server."""

    def program(location: str, trigger: bool) -> Callable[[], None]:
        def run() -> None:
            key = hcloud.SshKey("key", name="penpal-host", public_key=_ssh_public_key("penpal-host"))
            server = hcloud.Server("server", name="penpal-host", server_type="cx22", location=location,
                                   image="ubuntu-24.04", ssh_keys=[key.id],
                                   opts=pulumi.ResourceOptions(delete_before_replace=True))
            opts = pulumi.ResourceOptions(delete_before_replace=True, replacement_trigger=location if trigger else None)
            hcloud.Volume("data", name="penpal-host-data", size=10, server_id=server.id.apply(int), automount=True,
                          format="ext4", opts=opts)

        return run

    stack = _stack(tmp_path, on_path, program("fsn1", trigger=False), _hcloud_config(hcloud_sim))
    _up(stack)
    [before] = hcloud_sim.volumes()
    # The option appears on a deployed volume: nothing to do, and the up records the trigger.
    assert _changes(stack.preview(program=program("fsn1", trigger=True)).change_summary) == {}
    stack.up(program=program("fsn1", trigger=True))
    assert [v["id"] for v in hcloud_sim.volumes()] == [before["id"]]
    # The location changes: the server and the volume are replaced, the new volume where the new server is.
    moved = program("nbg1", trigger=True)
    assert _changes(stack.preview(program=moved).change_summary) == {"replace": 2}
    result = stack.up(program=moved)
    assert _changes(result.summary.resource_changes) == {"replace": 2}
    server = hcloud_sim.server("penpal-host")
    [after] = hcloud_sim.volumes()
    assert server is not None and after["id"] != before["id"]
    assert (after["location"]["name"], after["server"]) == ("nbg1", server["id"])


def test_github_actions_secret_and_repository_file(
    tmp_path: Path, on_path: Toolchain, github_sim: GithubSimulator
) -> None:
    webhook = "https://coolify.test/api/v1/deploy?uuid=abc123"
    workflow = "name: deploy\non: push\n"

    def program() -> None:
        secret = github.ActionsSecret(
            "webhook", repository="penpal-api", secret_name="COOLIFY_WEBHOOK", plaintext_value=webhook
        )
        file = github.RepositoryFile(
            "workflow",
            repository="penpal-api",
            branch="main",
            file=".github/workflows/deploy.yml",
            content=workflow,
            commit_message="Add deploy workflow",
            overwrite_on_create=True,
        )
        pulumi.export("secret_id", secret.id)
        pulumi.export("file_sha", file.sha)

    config = {
        # Any host but github.com puts the provider in GHES mode: REST under <baseUrl>/api/v3/.
        "github:baseUrl": auto.ConfigValue(github_sim.base_url + "/"),
        "github:token": auto.ConfigValue(github_sim.token, secret=True),
        "github:owner": auto.ConfigValue(github_sim.owner),
        # The provider waits this long after every write (default 1000 ms); it rejects 0.
        "github:writeDelayMs": auto.ConfigValue("1"),
    }
    stack = _stack(tmp_path, on_path, program, config)
    outputs = _up(stack)

    assert github_sim.secret_plaintext("penpal-ai", "penpal-api", "COOLIFY_WEBHOOK") == webhook
    assert outputs["secret_id"] == "penpal-api:COOLIFY_WEBHOOK"
    assert github_sim.file_content("penpal-ai", "penpal-api", ".github/workflows/deploy.yml") == workflow
    assert github_sim.commit_messages("penpal-ai", "penpal-api")[0] == "Add deploy workflow"
    blob = f"blob {len(workflow.encode())}\0".encode() + workflow.encode()
    assert outputs["file_sha"] == hashlib.sha1(blob, usedforsecurity=False).hexdigest()

    _assert_no_changes_then_destroy(stack)
    assert github_sim.secret_names("penpal-ai", "penpal-api") == []
    assert github_sim.file_content("penpal-ai", "penpal-api", ".github/workflows/deploy.yml") is None


def test_hcloud_zone_and_rrsets(tmp_path: Path, on_path: Toolchain, hcloud_sim: HcloudSimulator) -> None:
    """The shapes components/dns.py deploys: a protected zone, and A/AAAA RRsets that change in place."""
    records = {"A": "203.0.113.10", "AAAA": "2001:db8::1"}
    ttl = {"value": 300}

    def program() -> None:
        zone = hcloud.Zone("zone", name="maksou.dev", mode="primary", delete_protection=True,
                           labels={"project": "penpal"})
        for record_type, value in records.items():
            hcloud.ZoneRrset(f"rr-{record_type.lower()}", zone=zone.name, name="staging.api.penpal-ai",
                             type=record_type, ttl=ttl["value"], records=[hcloud.ZoneRrsetRecordArgs(value=value)],
                             labels={"project": "penpal"})
        pulumi.export("zone_id", zone.id)

    stack = _stack(tmp_path, on_path, program, _hcloud_config(hcloud_sim))
    outputs = _up(stack)
    [zone] = hcloud_sim.zones()
    assert str(zone["id"]) == outputs["zone_id"]
    assert (zone["name"], zone["protection"]) == ("maksou.dev", {"delete": True})
    rrsets = {r["id"]: r for r in hcloud_sim.rrsets("maksou.dev")}
    assert rrsets["staging.api.penpal-ai/A"]["records"] == [{"value": "203.0.113.10"}]
    assert rrsets["staging.api.penpal-ai/AAAA"]["ttl"] == 300

    # A new server address and TTL: the same RRset, changed in place (set_records, change_ttl).
    records["A"] = "203.0.113.20"
    ttl["value"] = 600
    preview = stack.preview(on_output=print, on_error=print)
    assert _changes(preview.change_summary) == {"update": 2}
    _up(stack)
    rrsets = {r["id"]: r for r in hcloud_sim.rrsets("maksou.dev")}
    assert (rrsets["staging.api.penpal-ai/A"]["records"], rrsets["staging.api.penpal-ai/A"]["ttl"]) == (
        [{"value": "203.0.113.20"}], 600)

    refresh = stack.refresh(on_output=print, on_error=print)
    assert _changes(refresh.summary.resource_changes) == {}
    assert _changes(stack.preview(on_output=print, on_error=print).change_summary) == {}
    # Hetzner's delete protection stops a destroy of the zone; the RRsets are gone by then.
    with pytest.raises(auto.CommandError, match="protected"):
        stack.destroy(on_output=print, on_error=print)
    assert [r["id"] for r in hcloud_sim.rrsets("maksou.dev")] == ["@/NS", "@/SOA"]
    assert [z["name"] for z in hcloud_sim.zones()] == ["maksou.dev"]
