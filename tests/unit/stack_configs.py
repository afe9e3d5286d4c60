"""Stack config as the engine hands it to the program: flat `namespace:key` strings, JSON for objects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

DB_SERVICE = "penpal-ai-db-service"
HCLOUD_TOKEN = "h" * 64
COOLIFY_TOKEN = "7|coolify-token-for-tests"
DEPLOY_TOKEN = "8|coolify-deploy-only-token-for-tests"
GITHUB_TOKEN = "ghp_token_for_tests"
MONGO_PASSWORD = "Mongo-Root-Password-1234"
SSH_PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
SSH_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests penpal@test"
JWT_SECRET = {"staging": "jwt-secret-staging", "production": "jwt-secret-production"}
S3_ACCESS_KEY = "s3-access-key-for-tests"
S3_SECRET_KEY = "s3-secret-key-for-tests"
# Production backups also go to a bucket; its keys make `penpal:mongo` a secret key (set with --secret --path).
MONGO_S3 = {"endpoint": "https://fsn1.your-objectstorage.com", "bucket": "penpal-prod-backups", "region": "fsn1",
            "retention": 30, "accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}

SECRET_KEYS = [
    "github:token",
    "hcloud:token",
    "coolify:token",
    "penpal:deployToken",
    "penpal:sshPrivateKey",
    "penpal:mongoRootPassword",
    "penpal:serviceSecrets",
    "penpal:mongo",
]


def stack_config(environment: str = "staging", overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A valid config for `environment`; `overrides` replace keys (None removes one); objects as Python values."""
    config: dict[str, Any] = {
        "penpal:environment": environment,
        "penpal:domainBase": "penpal-ai.maksou.dev",
        "github:owner": "Penpal-AI",
        "github:token": GITHUB_TOKEN,
        "hcloud:token": HCLOUD_TOKEN,
        "coolify:url": "https://coolify.example.test",
        "coolify:token": COOLIFY_TOKEN,
        "penpal:deployToken": DEPLOY_TOKEN,
        "penpal:server": {"type": "cx22", "location": "fsn1"},
        "penpal:adminCidrs": ["203.0.113.7/32", "2001:db8::/48"],
        "penpal:sshPublicKey": SSH_PUBLIC_KEY,
        "penpal:sshPrivateKey": SSH_PRIVATE_KEY,
        "penpal:mongoRootPassword": MONGO_PASSWORD,
        "penpal:mongo": {"version": "7.0", "backupCron": "0 3 * * *", "backupRetention": 14,
                         **({"s3": MONGO_S3} if environment == "production" else {})},
        "penpal:services": [
            {
                "name": DB_SERVICE,
                "port": 3000,
                "env": {"LOG_LEVEL": "debug" if environment == "staging" else "info"},
                "secretEnv": ["JWT_SECRET"],
                "writeWorkflow": environment == "production",
            },
            {"name": "penpal-ai-api", "port": 8080},
        ],
        "penpal:serviceSecrets": {DB_SERVICE: {"JWT_SECRET": JWT_SECRET.get(environment, "jwt-secret")}},
    }
    for key, value in (overrides or {}).items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def to_engine(config: dict[str, Any]) -> dict[str, str]:
    """What the language host passes: every value a string, objects and lists as JSON."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}
