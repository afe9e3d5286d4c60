"""Recording Pulumi mocks: every registration is kept, with its inputs and resource options."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.rpc import is_rpc_secret, unwrap_rpc_secret

COOLIFY_URL = "https://coolify.example.test"
SERVER_IPV4 = "203.0.113.10"


class T:
    """Resource type tokens."""

    STACK = "pulumi:pulumi:Stack"
    HOST = "penpal:infra:HetznerHost"
    COOLIFY_ENVIRONMENT = "penpal:infra:CoolifyEnvironment"
    MONGODB = "penpal:infra:MongoDb"
    GHCR_IMAGE = "penpal:infra:GhcrImage"
    REPO_SECRETS = "penpal:infra:RepoSecrets"
    CI_WORKFLOW = "penpal:infra:CiWorkflow"
    SERVICE = "penpal:infra:Service"
    HCLOUD_SSH_KEY = "hcloud:index/sshKey:SshKey"
    HCLOUD_FIREWALL = "hcloud:index/firewall:Firewall"
    HCLOUD_SERVER = "hcloud:index/server:Server"
    HCLOUD_VOLUME = "hcloud:index/volume:Volume"
    GITHUB_SECRET = "github:index/actionsSecret:ActionsSecret"
    GITHUB_FILE = "github:index/repositoryFile:RepositoryFile"
    C_PROJECT = "pulumi-python:dynamic/coolify:Project"
    C_ENVIRONMENT = "pulumi-python:dynamic/coolify:Environment"
    C_PRIVATE_KEY = "pulumi-python:dynamic/coolify:PrivateKey"
    C_SERVER = "pulumi-python:dynamic/coolify:Server"
    C_APPLICATION = "pulumi-python:dynamic/coolify:Application"
    C_ENV_VARS = "pulumi-python:dynamic/coolify:ApplicationEnvVars"
    C_MONGODB = "pulumi-python:dynamic/coolify:MongoDatabase"
    C_DEPLOYMENT = "pulumi-python:dynamic/coolify:Deployment"
    SERVICE_DNS = "penpal:infra:ServiceDns"
    HCLOUD_ZONE = "hcloud:index/zone:Zone"
    HCLOUD_RRSET = "hcloud:index/zoneRrset:ZoneRrset"
    HEALTH_CHECK = "pulumi-python:dynamic/penpal:HealthCheck"
    C_DEPLOYMENT_WAIT = "pulumi-python:dynamic/coolify:DeploymentWait"
    GUARD = "pulumi-python:dynamic:Resource"
    C_FINGERPRINT_KEY = "pulumi-python:dynamic/coolify:FingerprintKey"
    C_S3_STORAGE = "pulumi-python:dynamic/coolify:S3Storage"


GET_REGISTRY_IMAGE = "docker:index/getRegistryImage:getRegistryImage"


def fake_digest(reference: str) -> str:
    return "sha256:" + hashlib.sha256(reference.encode()).hexdigest()


@dataclass
class Registration:
    """One registered resource: the mock's view plus the options the monitor saw."""

    typ: str
    name: str
    inputs: dict[str, Any]
    custom: bool
    protect: bool
    retain_on_delete: bool
    parent_urn: str
    dependencies: tuple[str, ...]
    urn: str
    id: str

    def plain(self, key: str) -> Any:
        """An input with secret wrappers removed (recursively)."""
        return _unwrap(self.inputs.get(key))


def _unwrap(value: Any) -> Any:
    if is_rpc_secret(value):
        return _unwrap(unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


class RecordingMocks(Mocks):
    """Echoes inputs back and adds the outputs each provider would compute, per type."""

    def __init__(self) -> None:
        self.registered: list[Registration] = []
        self.calls: list[MockCallArgs] = []
        self._ids = itertools.count(1000)

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, outputs = self._fake(args)
        return resource_id, {**args.inputs, **outputs}

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        self.calls.append(args)
        # The mock monitor iterates the failures list, so "no failures" is [] rather than None.
        if args.token == GET_REGISTRY_IMAGE:
            name = args.args["name"]
            return {"name": name, "sha256Digest": fake_digest(name)}, []
        return {}, []

    def _fake(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = args.inputs
        if args.typ.startswith("hcloud:"):
            # Hetzner ids are numbers; the program converts them with int().
            resource_id = str(next(self._ids))
            if args.typ == T.HCLOUD_SERVER:
                return resource_id, {"ipv4Address": SERVER_IPV4, "ipv6Address": "2001:db8::1"}
            return resource_id, {}
        if not args.typ.startswith("pulumi-python:dynamic/coolify:"):
            return f"{args.name}-id", {}
        uuid = f"{args.name}-uuid"
        outputs: dict[str, Any] = {"uuid": uuid}
        kind = args.typ.rsplit(":", 1)[1]
        if kind == "Environment":
            outputs["name"] = str(inputs["name"]).lower()
        elif kind == "PrivateKey":
            outputs.update(public_key="ssh-ed25519 AAAAfake", fingerprint="SHA256:fake")
        elif kind == "Application":
            outputs.update(
                fqdn=",".join(inputs["domains"]), webhook_url=f"{COOLIFY_URL}/api/v1/deploy?uuid={uuid}&force=false"
            )
        elif kind == "ApplicationEnvVars":
            outputs["keys"] = sorted(inputs["variables"])
        elif kind == "MongoDatabase":
            password = _unwrap(inputs["root_password"])
            outputs["internal_url"] = f"mongodb://root:{password}@{uuid}:27017/?directConnection=true"
        elif kind == "Deployment":
            outputs.update(deployment_uuid=f"{args.name}-deployment", status="queued")
        return uuid, outputs

    # Queries -------------------------------------------------------------------------------

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.registered if r.typ == typ]

    def one(self, typ: str) -> Registration:
        hits = self.of_type(typ)
        assert len(hits) == 1, f"expected one {typ}, got {sorted(r.name for r in hits)}"
        return hits[0]

    def named(self, name: str) -> Registration:
        hits = [r for r in self.registered if r.name == name]
        assert len(hits) == 1, f"expected one resource named {name!r}, got {len(hits)}"
        return hits[0]

    def type_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for registration in self.registered:
            counts[registration.typ] = counts.get(registration.typ, 0) + 1
        return counts


class RecordingMonitor(MockMonitor):
    """Keeps what MockResourceArgs leaves out: protect, retainOnDelete, parent and dependencies."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.recorder = mocks

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != T.STACK:
            self.recorder.registered.append(
                Registration(
                    typ=request.type,
                    name=request.name,
                    inputs=pulumi.runtime.rpc.deserialize_properties(request.object),
                    custom=bool(request.custom),
                    protect=bool(request.protect),
                    retain_on_delete=bool(request.retainOnDelete),
                    parent_urn=request.parent,
                    dependencies=tuple(request.dependencies),
                    urn=response.urn,
                    id=response.id,
                )
            )
        return response
