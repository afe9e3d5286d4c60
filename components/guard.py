"""A guard that refuses, before anything changes, a config change that would lose production data.

`StackGuard` is a dynamic resource registered before every other resource, and every other resource
depends on it (`depend_on_guard`, a stack transformation): the engine registers nothing else until
the guard's `check()` has passed, in `preview` and in `up --skip-preview` alike. `check()` compares
the values this run would deploy with the ones the last run deployed (the guard's own inputs in the
state) and refuses, with one line naming the key and the safe procedure:

- in production, a change that replaces the Hetzner server (its location, image or SSH key: Hetzner
  cannot change them in place) or removes or shrinks its volume, unless
  `penpal:allowProdReplacement` is true;
- anywhere, a change of the MongoDB root password (MongoDB reads it only on an empty data
  directory), unless `penpal:mongoRootPasswordRotated` says it was changed inside MongoDB first.

The guard's inputs hold the password as a Pulumi secret (encrypted in the state).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ResourceProvider, UpdateResult

from components.config import Environment, StackConfig

GUARD_NAME = "guard"
PROCEDURE = "see 'Production safety' in README.md"

# Guard input -> (config key, what a change does): hcloud_server's location, image and ssh_keys are
# ForceNew in terraform-provider-hcloud v1.59.0 (internal/server/resource.go), the SSH key through
# hcloud_ssh_key's public_key.
_SERVER_KEYS = (
    ("server_location", "penpal:server.location"),
    ("server_image", "penpal:server.image"),
    ("ssh_public_key", "penpal:sshPublicKey"),
)


@dataclass(frozen=True)
class GuardValues:
    """What the guard compares between runs, read from the stack config."""

    environment: str
    server_location: str
    server_image: str
    ssh_public_key: str
    volume_size_gb: int | None
    allow_prod_replacement: bool
    mongo_root_password_rotated: bool

    @staticmethod
    def of(cfg: StackConfig) -> GuardValues:
        return GuardValues(
            environment=cfg.environment.value,
            server_location=cfg.server.location,
            server_image=cfg.server.image,
            ssh_public_key=cfg.ssh_public_key,
            volume_size_gb=cfg.server.volume_size_gb,
            allow_prod_replacement=cfg.allow_prod_replacement,
            mongo_root_password_rotated=cfg.mongo_root_password_rotated,
        )


def _shown(value: Any) -> str:
    return "none" if value is None else repr(value)


def refusals(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """Why this run must not proceed; empty on the first run (nothing deployed yet) and when safe."""
    if not olds:
        return []
    found: list[str] = []
    production = news.get("environment") == Environment.PRODUCTION.value
    if production and not news.get("allow_prod_replacement"):
        for field, key in _SERVER_KEYS:
            if olds.get(field) != news.get(field):
                shown = field != "ssh_public_key"  # a long key says nothing; location and image do
                change = f" from {_shown(olds.get(field))} to {_shown(news.get(field))}" if shown else ""
                found.append(
                    f"{key}: changing it{change} would replace the prod server and lose the MongoDB data on it; "
                    f"refused before anything changed ({PROCEDURE})"
                )
        old_size, new_size = olds.get("volume_size_gb"), news.get("volume_size_gb")
        if old_size is not None and (new_size is None or new_size < old_size):
            found.append(
                f"penpal:server.volumeSizeGb: changing it from {_shown(old_size)} to {_shown(new_size)} would delete "
                f"the prod volume (Hetzner volumes only grow); refused before anything changed ({PROCEDURE})"
            )
    old_password, new_password = olds.get("mongo_root_password"), news.get("mongo_root_password")
    rotated = bool(news.get("mongo_root_password_rotated"))
    if old_password is not None and old_password != new_password and not rotated:
        found.append(
            "penpal:mongoRootPassword: changed, but MongoDB reads its root password only when its data directory "
            "is empty, so the database would keep the old one and every service would lose access; refused "
            f"before anything changed (to rotate it, {PROCEDURE})"
        )
    elif rotated and old_password == new_password:
        found.append(
            "penpal:mongoRootPasswordRotated: the password is the one already deployed, so the rotation is done: "
            "pulumi config rm penpal:mongoRootPasswordRotated"
        )
    return found


class StackGuardProvider(ResourceProvider):
    """check() refuses unsafe changes; the rest only keeps the inputs as the baseline for the next run."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [CheckFailure("", reason) for reason in refusals(olds, news)])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = sorted(k for k in set(olds) | set(news) if not k.startswith("__") and olds.get(k) != news.get(k))
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("guard", props)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(news)


class StackGuard(pulumi.dynamic.Resource):
    """Registered first; see the module docstring."""

    def __init__(
        self, values: GuardValues, mongo_root_password: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props: dict[str, Any] = {
            **values.__dict__,
            "mongo_root_password": pulumi.Output.secret(mongo_root_password),
        }
        super().__init__(StackGuardProvider(), GUARD_NAME, props, opts)


def depend_on_guard(guard: StackGuard) -> None:
    """Every resource registered after this call waits for the guard's check (a stack transformation)."""

    def transform(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if args.resource is guard:
            return None
        # merge() appends depends_on lists.
        opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(depends_on=[guard]))
        return pulumi.ResourceTransformationResult(args.props, opts)

    pulumi.runtime.register_stack_transformation(transform)
