"""Small builders shared by the Coolify tests."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from components.coolify.client import CoolifyClient


def fake_pem() -> str:
    """A structurally valid PEM with a random body (the simulator checks structure, not cryptography)."""
    body = base64.b64encode(secrets.token_bytes(96)).decode()
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN OPENSSH PRIVATE KEY-----\n{lines}\n-----END OPENSSH PRIVATE KEY-----\n"


@dataclass(frozen=True)
class Placement:
    """A project, its environment and a usable server: where applications and databases go."""

    project_uuid: str
    environment_name: str
    server_uuid: str


def make_placement(client: CoolifyClient, *, ip: str = "10.0.0.5", environment: str = "staging") -> Placement:
    project_uuid = client.projects.create({"name": "penpal-ai"})
    client.environments.create(project_uuid, environment)
    key_uuid = client.private_keys.create({"name": "deploy-key", "private_key": fake_pem()})
    server_uuid = client.servers.create(
        {"name": "host-1", "ip": ip, "port": 22, "user": "root", "private_key_uuid": key_uuid,
         "instant_validate": False}
    )
    client.servers.validate(server_uuid, install=True)  # a simulated host is bare until Docker is installed
    return Placement(project_uuid, environment, server_uuid)
