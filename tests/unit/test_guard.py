"""The stack guard: what it refuses between two runs, and that everything waits for it (issue 12)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.rpc import is_rpc_secret

from components.config import load_config
from components.guard import StackGuardProvider, refusals
from components.stack import build_stack
from tests.unit.conftest import InstallMocks
from tests.unit.mocks import RecordingMocks, T
from tests.unit.outputs import run_program
from tests.unit.stack_configs import MONGO_PASSWORD, stack_config

PROCEDURE = "see 'Production safety' in README.md"
NEW_PASSWORD = "Another-Root-Password-99"


def deployed(environment: str = "production", **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "environment": environment,
        "server_location": "fsn1",
        "server_image": "ubuntu-24.04",
        "ssh_public_key": "ssh-ed25519 AAAAold",
        "volume_size_gb": 50,
        "allow_prod_replacement": False,
        "mongo_root_password_rotated": False,
        "mongo_root_password": MONGO_PASSWORD,
    }
    values.update(changes)
    return values


# What is refused -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"server_location": "nbg1"},
            "penpal:server.location: changing it from 'fsn1' to 'nbg1' would replace the prod server and lose the "
            f"MongoDB data on it; refused before anything changed ({PROCEDURE})",
        ),
        (
            {"server_image": "ubuntu-22.04"},
            "penpal:server.image: changing it from 'ubuntu-24.04' to 'ubuntu-22.04' would replace the prod server "
            f"and lose the MongoDB data on it; refused before anything changed ({PROCEDURE})",
        ),
        (
            {"ssh_public_key": "ssh-ed25519 AAAAnew"},
            "penpal:sshPublicKey: changing it would replace the prod server and lose the MongoDB data on it; "
            f"refused before anything changed ({PROCEDURE})",
        ),
        (
            {"volume_size_gb": None},
            "penpal:server.volumeSizeGb: changing it from 50 to none would delete the prod volume (Hetzner volumes "
            f"only grow); refused before anything changed ({PROCEDURE})",
        ),
        (
            {"volume_size_gb": 20},
            "penpal:server.volumeSizeGb: changing it from 50 to 20 would delete the prod volume (Hetzner volumes "
            f"only grow); refused before anything changed ({PROCEDURE})",
        ),
    ],
)
def test_prod_changes_that_replace_the_server_are_refused(change: dict[str, Any], message: str) -> None:
    assert refusals(deployed(), deployed(**change)) == [message]


def test_every_refusal_is_listed() -> None:
    found = refusals(deployed(), deployed(server_location="hel1", server_image="debian-12"))
    assert [line.split(": ")[0] for line in found] == [
        "penpal:server.location",
        "penpal:server.image",
    ]


@pytest.mark.parametrize(
    "change",
    [{"volume_size_gb": 100}, {"allow_prod_replacement": True}, {}],
)
def test_safe_prod_changes_pass(change: dict[str, Any]) -> None:
    assert refusals(deployed(), deployed(**change)) == []


def test_a_planned_prod_move_passes_with_allow_prod_replacement() -> None:
    allowed = deployed(allow_prod_replacement=True)
    assert refusals(allowed, deployed(server_location="nbg1", volume_size_gb=None, allow_prod_replacement=True)) == []


def test_staging_may_be_replaced() -> None:
    olds = deployed("staging")
    assert refusals(olds, deployed("staging", server_location="nbg1", ssh_public_key="x", volume_size_gb=None)) == []


def test_the_first_run_has_nothing_to_compare() -> None:
    assert refusals({}, deployed(server_location="nbg1")) == []


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_a_changed_mongo_password_is_refused_without_showing_it(environment: str) -> None:
    found = refusals(deployed(environment), deployed(environment, mongo_root_password=NEW_PASSWORD))
    assert found == [
        "penpal:mongoRootPassword: changed, but MongoDB reads its root password only when its data directory is "
        "empty, so the database would keep the old one and every service would lose access; refused before "
        f"anything changed (to rotate it, {PROCEDURE})"
    ]
    assert MONGO_PASSWORD not in found[0] and NEW_PASSWORD not in found[0]


def test_a_rotated_password_passes_once() -> None:
    rotated = deployed(mongo_root_password=NEW_PASSWORD, mongo_root_password_rotated=True)
    assert refusals(deployed(), rotated) == []
    # The next run with the flag still set is told to remove it, so it cannot let a later change through.
    assert refusals(rotated, rotated) == [
        "penpal:mongoRootPasswordRotated: the password is the one already deployed, so the rotation is done: "
        "pulumi config rm penpal:mongoRootPasswordRotated"
    ]


def test_the_provider_check_reports_each_refusal() -> None:
    result = StackGuardProvider().check(deployed(), deployed(server_location="nbg1", mongo_root_password="x" * 20))
    assert [failure.reason.split(": ")[0] for failure in result.failures] == [
        "penpal:server.location",
        "penpal:mongoRootPassword",
    ]
    assert StackGuardProvider().check(deployed(), deployed()).failures == []


# How the stack uses it -----------------------------------------------------------------------------


def deploy(install_mocks: InstallMocks, environment: str, overrides: dict[str, Any] | None = None) -> RecordingMocks:
    stack = "prod" if environment == "production" else "staging"
    mocks = install_mocks(stack=stack, config=stack_config(environment, overrides))
    run_program(lambda: build_stack(load_config()))
    return mocks


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_every_resource_waits_for_the_guard(install_mocks: InstallMocks, environment: str) -> None:
    mocks = deploy(install_mocks, environment)
    guard = mocks.one(T.GUARD)
    assert guard.name == "guard" and mocks.registered[0] is guard
    waiting = [r.name for r in mocks.registered if r is not guard and guard.urn not in r.dependencies]
    assert waiting == []


def test_the_guard_keeps_the_password_as_a_secret(install_mocks: InstallMocks) -> None:
    guard = deploy(install_mocks, "production").one(T.GUARD)
    assert is_rpc_secret(guard.inputs["mongo_root_password"])
    assert guard.plain("mongo_root_password") == MONGO_PASSWORD


@pytest.mark.parametrize(
    ("environment", "overrides", "protected"),
    [
        ("staging", {}, False),
        ("production", {}, True),
        ("production", {"penpal:allowProdReplacement": "true"}, False),
    ],
)
def test_prod_server_and_volume_are_protected(
    install_mocks: InstallMocks, environment: str, overrides: dict[str, Any], protected: bool
) -> None:
    server = {"type": "cx22", "location": "fsn1", "volumeSizeGb": 20}
    mocks = deploy(install_mocks, environment, {"penpal:server": server, **overrides})
    for typ in (T.HCLOUD_SERVER, T.HCLOUD_VOLUME):
        registration = mocks.one(typ)
        assert registration.protect is protected
        assert registration.plain("deleteProtection") is protected
    assert mocks.one(T.HCLOUD_SERVER).plain("rebuildProtection") is protected
