"""ApplicationEnvVars provider: a managed set of keys that never touches the others."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from components.coolify.client import CoolifyClient
from components.coolify.resources.application import ApplicationProvider
from components.coolify.resources.env_vars import (
    CHANGED_IN_COOLIFY,
    UNREADABLE_VALUES,
    ApplicationEnvVarsProvider,
    value_revisions,
)
from tests.coolify.conftest import fast_settings
from tests.coolify.test_application import app_inputs

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]
TokenProvider = Callable[[str, list[str]], ApplicationEnvVarsProvider]
KEY = "per-stack-fingerprint-key-for-tests"


def env_inputs(app_uuid: str, variables: dict[str, str], build_time_keys: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"application_uuid": app_uuid, "variables": variables, "build_time_keys": list(build_time_keys),
            "fingerprint_key": KEY}


@pytest.fixture
def app_uuid(make_provider: MakeProvider, seed: Any, client: CoolifyClient) -> str:
    uuid = make_provider(ApplicationProvider).create(app_inputs(seed)).id
    # A key set by hand in Coolify: the provider must never touch it.
    client.http.post(f"/applications/{uuid}/envs", {"key": "MANUAL", "value": "hand-made"})
    return str(uuid)


@pytest.fixture
def token_provider(sim: CoolifySimulator, sim_url: str) -> Iterator[TokenProvider]:
    """`token_provider(token, abilities)`: a provider calling the simulator with its own token."""
    from components.coolify.provider import _CLIENTS

    made: list[Any] = []

    def make(token: str, abilities: list[str]) -> ApplicationEnvVarsProvider:
        sim.add_token(token, abilities)
        settings = fast_settings(sim_url, token=token)
        made.append(settings)
        return ApplicationEnvVarsProvider.configured(settings)

    yield make
    for settings in made:
        _CLIENTS.pop(settings, None)


@dataclass
class Created:
    provider: Any  # an ApplicationEnvVarsProvider (typed Any like make_provider's, whose results' outs are set)
    inputs: dict[str, Any]
    outs: dict[str, Any]


@pytest.fixture
def a_and_b(make_provider: MakeProvider, app_uuid: str) -> Created:
    """Keys A=1 and B=2, created."""
    provider = make_provider(ApplicationEnvVarsProvider)
    inputs = env_inputs(app_uuid, {"A": "1", "B": "2"})
    return Created(provider, inputs, provider.create(inputs).outs)


def rows(sim: CoolifySimulator, app_uuid: str, *, preview: bool = False) -> dict[str, dict[str, Any]]:
    return {
        row["key"]: row
        for row in sim.state.env_vars
        if row.get("_application_uuid") == app_uuid and bool(row.get("is_preview")) == preview
    }


def test_create_update_delete_only_managed_keys(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator
) -> None:
    provider = make_provider(ApplicationEnvVarsProvider)
    inputs = env_inputs(app_uuid, {"NODE_ENV": "staging", "PORT": "3000"}, ("NODE_ENV",))
    created = provider.create(inputs)
    assert created.id == app_uuid
    assert created.outs["keys"] == ["NODE_ENV", "PORT"]
    assert created.outs["build_time_keys"] == ["NODE_ENV"]
    assert created.outs["variables"] == {"NODE_ENV": "staging", "PORT": "3000"}
    stored = rows(sim, app_uuid)
    assert stored["NODE_ENV"]["value"] == "staging" and stored["NODE_ENV"]["is_buildtime"] is True
    assert stored["PORT"]["is_buildtime"] is False and stored["PORT"]["is_runtime"] is True
    assert stored["MANUAL"]["value"] == "hand-made"
    # One bulk upsert for the whole set.
    assert sim.count("PATCH", "/applications/{uuid}/envs/bulk") == 1
    assert provider.diff(app_uuid, created.outs, inputs).changes is False

    news = env_inputs(app_uuid, {"NODE_ENV": "staging", "MONGODB_URI": "mongodb://x"}, ("NODE_ENV",))
    assert provider.changed_fields(created.outs, news) == ["variables"]
    sim.reset_counts()
    updated = provider.update(app_uuid, created.outs, news)
    bulk = [r.body for r in sim.requests if r.method == "PATCH"]
    assert [item["key"] for item in bulk[0]["data"]] == ["MONGODB_URI"]  # unchanged NODE_ENV is not re-sent
    assert updated.outs["keys"] == ["MONGODB_URI", "NODE_ENV"]
    stored = rows(sim, app_uuid)
    assert set(stored) == {"NODE_ENV", "MONGODB_URI", "MANUAL"}
    # The removed key's preview shadow row went with it.
    assert "PORT" not in rows(sim, app_uuid, preview=True)
    assert provider.diff(app_uuid, updated.outs, news).changes is False

    provider.delete(app_uuid, updated.outs)
    assert set(rows(sim, app_uuid)) == {"MANUAL"}


def test_value_change_and_flag_change_are_sent_with_full_flags(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator
) -> None:
    provider = make_provider(ApplicationEnvVarsProvider)
    created = provider.create(env_inputs(app_uuid, {"A": "1", "B": "2"}))
    sim.reset_counts()
    news = {"application_uuid": app_uuid, "variables": {"A": "1", "B": "3"}, "build_time_keys": ["A"]}
    outs = provider.update(app_uuid, created.outs, news).outs
    items = next(r.body for r in sim.requests if r.method == "PATCH")["data"]
    assert {item["key"] for item in items} == {"A", "B"}
    for item in items:
        assert {"value", "is_preview", "is_literal", "is_multiline", "is_shown_once", "is_runtime",
                "is_buildtime"} <= set(item)
    assert rows(sim, app_uuid)["B"]["value"] == "3"
    assert outs["build_time_keys"] == ["A"]


def test_existing_key_with_our_name_is_adopted_not_duplicated(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator, client: CoolifyClient
) -> None:
    client.http.post(f"/applications/{app_uuid}/envs", {"key": "PORT", "value": "1"})
    make_provider(ApplicationEnvVarsProvider).create(env_inputs(app_uuid, {"PORT": "3000"}))
    assert rows(sim, app_uuid)["PORT"]["value"] == "3000"
    assert len([r for r in sim.state.env_vars if r["key"] == "PORT" and not r.get("is_preview")]) == 1


def test_refresh_sees_deleted_key_and_gone_application(a_and_b: Created, app_uuid: str, sim: CoolifySimulator) -> None:
    provider, inputs, created = a_and_b.provider, a_and_b.inputs, a_and_b.outs
    sim.delete_env_oob(rows(sim, app_uuid)["B"]["uuid"])
    refreshed = provider.read(app_uuid, created)
    assert refreshed.outs["keys"] == ["A"]
    assert provider.changed_fields(refreshed.outs, inputs) == ["variables"]
    # The next update puts the key back.
    assert provider.update(app_uuid, refreshed.outs, inputs).outs["keys"] == ["A", "B"]
    sim.delete_application_oob(app_uuid)
    assert provider.read(app_uuid, created).id is None
    provider.delete(app_uuid, created)  # the application is gone: nothing left to do


@pytest.mark.parametrize(
    ("abilities", "variables", "values_listed"),
    [
        pytest.param(["read", "write"], {"SECRET": "s3cr3t"}, False, id="hidden-without-read-sensitive"),
        pytest.param(["root"], {"PADDED": "  x  ", "EMPTY": ""}, True, id="values-coolify-trims"),
    ],
)
def test_refresh_of_values_coolify_does_not_show_as_given_is_not_drift(
    token_provider: TokenProvider, app_uuid: str, abilities: list[str], variables: dict[str, str],
    values_listed: bool,
) -> None:
    provider = token_provider("2|envVarsTestToken0000000000000000000000", abilities)
    inputs = env_inputs(app_uuid, variables)
    outs = provider.create(inputs).outs or {}
    listed = provider.client.application_envs.list(app_uuid)
    assert all(("value" in row) is values_listed for row in listed)
    refreshed = provider.read(app_uuid, outs).outs or {}
    assert refreshed["variables"] == variables
    assert provider.diff(app_uuid, refreshed, inputs).changes is False


def test_value_changed_in_coolify_is_seen_by_read(a_and_b: Created, app_uuid: str, sim: CoolifySimulator) -> None:
    provider, created = a_and_b.provider, a_and_b.outs
    sim.edit_env(rows(sim, app_uuid)["B"]["uuid"], value="changed-by-hand")
    refreshed = provider.read(app_uuid, created).outs
    assert refreshed["variables"] == {"A": "1", "B": "changed-by-hand"}
    assert refreshed["fingerprints"]["A"] == created["fingerprints"]["A"]
    assert refreshed["fingerprints"]["B"] != created["fingerprints"]["B"]
    assert provider.diff(app_uuid, refreshed, a_and_b.inputs).changes is True


@pytest.mark.parametrize(
    ("refresh_first", "program"),
    [
        pytest.param(True, {"A": "1", "B": "2"}, id="after-a-refresh"),
        pytest.param(False, {"A": "9", "B": "2"}, id="updated-for-another-reason"),
    ],
)
def test_the_next_update_puts_back_a_value_changed_by_hand(
    a_and_b: Created, app_uuid: str, sim: CoolifySimulator, refresh_first: bool, program: dict[str, str]
) -> None:
    provider, created = a_and_b.provider, a_and_b.outs
    sim.edit_env(rows(sim, app_uuid)["B"]["uuid"], value="changed-by-hand")
    olds = provider.read(app_uuid, created).outs if refresh_first else created
    news = {**a_and_b.inputs, "variables": program}
    updated = provider.update(app_uuid, olds, news).outs
    assert {k: r["value"] for k, r in rows(sim, app_uuid).items()} == {**program, "MANUAL": "hand-made"}
    assert updated["variables"] == program
    assert updated["fingerprints"]["B"] == created["fingerprints"]["B"]  # B is the program's value again
    assert provider.diff(app_uuid, updated, news).changes is False


def test_deleted_key_is_restored_to_one_runtime_row_and_one_preview_row(
    a_and_b: Created, app_uuid: str, sim: CoolifySimulator
) -> None:
    provider = a_and_b.provider
    # Deleting the runtime row in Coolify leaves its preview copy behind.
    sim.delete_env_oob(rows(sim, app_uuid)["B"]["uuid"])
    refreshed = provider.read(app_uuid, a_and_b.outs).outs
    provider.update(app_uuid, refreshed, a_and_b.inputs)
    b_rows = [(r["is_preview"], r["value"]) for r in sim.state.env_vars
              if r["_application_uuid"] == app_uuid and r["key"] == "B"]
    assert sorted(b_rows) == [(False, "2"), (True, "2")]


def test_fingerprints_are_keyed_with_the_stack_key_not_the_token(
    make_provider: MakeProvider, app_uuid: str, token_provider: TokenProvider
) -> None:
    inputs = env_inputs(app_uuid, {"A": "1"})
    first = make_provider(ApplicationEnvVarsProvider).create(inputs).outs
    provider = token_provider("7|rotatedRootToken000000000000000000000000", ["root"])
    checked = provider.check({}, dict(inputs)).inputs
    assert checked["fingerprints"] == first["fingerprints"]
    assert provider.read(app_uuid, first).outs == first
    other = provider.check({}, {**inputs, "fingerprint_key": "another-stack"}).inputs
    assert other["fingerprints"]["A"] != first["fingerprints"]["A"]


def test_diff_asks_coolify_nothing_and_a_refresh_by_a_token_that_cannot_read_values_warns_once(
    app_uuid: str, sim: CoolifySimulator, token_provider: TokenProvider, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from components.coolify import provider as provider_module

    monkeypatch.setattr(provider_module, "_WARNED", set())
    provider = token_provider("3|readWriteNoSensitive111111111111111111", ["read", "write"])
    inputs = env_inputs(app_uuid, {"A": "1", "B": "2", "C": "3"})
    outs = provider.create(inputs).outs or {}
    sim.reset_counts()
    for _ in range(3):  # a preview's diffs: the program's token check warns (components/access.py), not these
        provider.diff(app_uuid, outs, inputs)
    assert sim.count("GET", "/applications/{uuid}/envs") == 0
    for _ in range(2):  # two resources read by one refresh (which does not run the program)
        provider.read(app_uuid, outs)
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: {UNREADABLE_VALUES}"]


def test_value_revisions_count_changes_per_key_and_name_drift() -> None:
    first = value_revisions({"A": "fa", "B": "fb"}, {}, {})
    assert first == {"A": "r1", "B": "r1"}
    second = value_revisions({"A": "fa", "B": "fb2", "C": "fc"}, {"A": "fa", "B": "fb"}, first)
    assert second == {"A": "r1", "B": "r2", "C": "r1"}
    # A state from before revisions (or a fingerprint of an unknown value) keeps what it can.
    assert value_revisions({"A": "fa"}, {"A": "old"}, {}) == {"A": "r1"}


def test_check_counts_revisions_and_read_marks_a_value_changed_in_coolify(
    make_provider: MakeProvider, app_uuid: str, sim: CoolifySimulator
) -> None:
    provider = make_provider(ApplicationEnvVarsProvider)
    inputs = provider.check({}, env_inputs(app_uuid, {"A": "1", "B": "2"})).inputs
    created = provider.create(inputs).outs
    assert created["value_revisions"] == {"A": "r1", "B": "r1"}
    sim.edit_env(rows(sim, app_uuid)["B"]["uuid"], value="by-hand")
    refreshed = provider.read(app_uuid, created)
    assert refreshed.outs["value_revisions"] == {"A": "r1", "B": f"r1, {CHANGED_IN_COOLIFY}"}
    # Refresh also hands back the inputs as found, so the preview compares them with the program's.
    assert refreshed.inputs is not None and refreshed.inputs["value_revisions"]["B"] == f"r1, {CHANGED_IN_COOLIFY}"
    assert refreshed.inputs["variables"] == {"A": "1", "B": "by-hand"}
    again = provider.check(refreshed.inputs, dict(inputs)).inputs
    assert again["value_revisions"] == {"A": "r1", "B": "r1"}  # the program's value did not change
    changed = provider.check(inputs, {**inputs, "variables": {"A": "9", "B": "2"}}).inputs
    assert changed["value_revisions"] == {"A": "r2", "B": "r1"}
