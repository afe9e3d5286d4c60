"""The fewest requests per step: one write and one read-back, one environment listing per instance.

`make bench` measures these counts under the engine; these tests pin them per provider call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from components.coolify.client import CoolifyClient
from components.coolify.resources.application import ApplicationProvider
from components.coolify.resources.env_vars import ApplicationEnvVarsProvider
from components.coolify.resources.mongodb import MongoDatabaseProvider
from components.coolify.resources.server import ServerProvider
from tests.coolify.helpers import fake_pem
from tests.coolify.test_application import app_inputs, apps_named
from tests.coolify.test_mongodb import mongo_inputs

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]
ENVIRONMENT = "/projects/{uuid}/{environment_name_or_uuid}"


def requests_by_route(sim: CoolifySimulator) -> Counter[tuple[str, str]]:
    return Counter((r.method, (r.route or r.path).removeprefix("/api/v1")) for r in sim.requests)


def test_env_vars_create_writes_once_and_update_writes_once_and_reads_once(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator
) -> None:
    app = make_provider(ApplicationProvider).create(app_inputs(seed))
    provider = make_provider(ApplicationEnvVarsProvider)
    sim.reset_counts()
    inputs = {"application_uuid": app.id, "variables": {"A": "1", "B": "2"}, "build_time_keys": []}
    created = provider.create(inputs)
    # Every key is written on create, and the bulk answer carries the stored rows: no list.
    assert requests_by_route(sim) == {("PATCH", "/applications/{uuid}/envs/bulk"): 1}
    assert created.outs["keys"] == ["A", "B"] and created.outs["variables"] == {"A": "1", "B": "2"}

    sim.reset_counts()
    news = {**inputs, "variables": {"A": "1", "B": "3"}}
    updated = provider.update(app.id, created.outs, news)
    assert requests_by_route(sim) == {("PATCH", "/applications/{uuid}/envs/bulk"): 1,
                                      ("GET", "/applications/{uuid}/envs"): 1}
    [patch] = [r for r in sim.requests if r.method == "PATCH"]
    assert [item["key"] for item in patch.body["data"]] == ["B"]
    assert updated.outs["keys"] == ["A", "B"]

    sim.reset_counts()
    removed = provider.update(app.id, updated.outs, {**inputs, "variables": {"A": "5"}})
    # A removed key needs the row uuids of the list, even when every kept key was written.
    assert requests_by_route(sim) == {("PATCH", "/applications/{uuid}/envs/bulk"): 1,
                                      ("GET", "/applications/{uuid}/envs"): 1,
                                      ("DELETE", "/applications/{uuid}/envs/{env_uuid}"): 2}
    assert removed.outs["keys"] == ["A"]


def test_env_vars_create_adopts_a_key_made_by_hand_from_the_bulk_answer(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator, client: CoolifyClient
) -> None:
    app = make_provider(ApplicationProvider).create(app_inputs(seed))
    client.http.post(f"/applications/{app.id}/envs", {"key": "A", "value": "by hand", "is_buildtime": False})
    sim.reset_counts()
    created = make_provider(ApplicationEnvVarsProvider).create(
        {"application_uuid": app.id, "variables": {"A": "1"}, "build_time_keys": ["A"]})
    assert requests_by_route(sim) == {("PATCH", "/applications/{uuid}/envs/bulk"): 1}
    assert created.outs["build_time_keys"] == ["A"] and created.outs["variables"] == {"A": "1"}
    stored = [r for r in sim.state.env_vars if r["_application_uuid"] == app.id and r["key"] == "A"]
    assert [(r["value"], r["is_buildtime"]) for r in stored if not r["is_preview"]] == [("1", True)]


def test_env_vars_update_rewrites_a_key_deleted_by_hand_without_a_refresh(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator
) -> None:
    app = make_provider(ApplicationProvider).create(app_inputs(seed))
    provider = make_provider(ApplicationEnvVarsProvider)
    inputs = {"application_uuid": app.id, "variables": {"A": "1", "B": "2"}, "build_time_keys": ["A"]}
    created = provider.create(inputs)
    [row_b] = [r for r in sim.state.env_vars if r["key"] == "B" and not r["is_preview"]]
    sim.delete_env_oob(row_b["uuid"])
    sim.reset_counts()
    updated = provider.update(app.id, created.outs, {**inputs, "variables": {"A": "9", "B": "2"}})
    sent = [[item["key"] for item in r.body["data"]] for r in sim.requests if r.method == "PATCH"]
    assert sent == [["A"], ["B"]]  # the change, then the key found missing on the read-back
    assert updated.outs["keys"] == ["A", "B"] and updated.outs["build_time_keys"] == ["A"]
    stored = {r["key"]: r for r in sim.state.env_vars if r["_application_uuid"] == app.id and not r["is_preview"]}
    assert stored["A"]["value"] == "9" and stored["B"]["value"] == "2"


def test_applications_in_one_environment_list_it_once_per_provider_instance(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator
) -> None:
    provider = make_provider(ApplicationProvider)
    sim.reset_counts()
    for i in range(3):
        provider.create(app_inputs(seed, name=f"app-{i}", domains=[f"https://app-{i}.penpal-ai.maksou.dev"]))
    counts = requests_by_route(sim)
    assert counts[("GET", ENVIRONMENT)] == 1
    assert counts[("POST", "/applications/dockerimage")] == 3 and counts[("GET", "/applications/{uuid}")] == 3
    # What this instance created is known without listing again: a second create of a name adopts it.
    again = provider.create(app_inputs(seed, name="app-1", domains=["https://app-1.penpal-ai.maksou.dev"]))
    assert len(apps_named(sim, "app-1")) == 1 and again.id == apps_named(sim, "app-1")[0]["uuid"]
    assert requests_by_route(sim)[("GET", ENVIRONMENT)] == 1


def test_an_application_made_by_hand_after_the_listing_is_adopted_when_the_known_row_is_gone(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator, client: CoolifyClient
) -> None:
    provider = make_provider(ApplicationProvider)
    first = provider.create(app_inputs(seed))
    # Deleted and made again by hand behind the instance's back: the known uuid is stale.
    sim.delete_application_oob(first.id)
    by_hand = client.applications.create_dockerimage({
        "project_uuid": seed.project_uuid, "environment_name": seed.environment_name, "server_uuid": seed.server_uuid,
        "name": "penpal-api", "docker_registry_image_name": "ghcr.io/penpal-ai/penpal-api",
        "docker_registry_image_tag": "old", "ports_exposes": "3000", "autogenerate_domain": False,
        "instant_deploy": False})
    adopted = provider.create(app_inputs(seed))
    assert adopted.id == by_hand and adopted.outs["tag"] == "develop-latest"
    assert [row["uuid"] for row in apps_named(sim, "penpal-api")] == [by_hand]


def test_mongodb_create_lists_nothing_it_just_made(
    make_provider: MakeProvider, seed: Any, sim: CoolifySimulator
) -> None:
    sim.reset_counts()
    make_provider(MongoDatabaseProvider).create(mongo_inputs(seed, backup_cron="0 3 * * *", backup_retention=7))
    counts = requests_by_route(sim)
    assert counts[("GET", "/databases/{uuid}/backups")] == 1  # the read-back only
    assert counts[("GET", ENVIRONMENT)] == 1 and counts[("GET", "/databases/{uuid}")] == 1


def test_server_create_reads_back_through_its_validation_poll(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    key = client.private_keys.create({"name": "k", "private_key": fake_pem()})
    sim.reset_counts()
    created = make_provider(ServerProvider).create(
        {"name": "penpal-staging", "ip": "203.0.113.20", "private_key_uuid": key, "port": 22, "user": "root",
         "validate": True, "validate_timeout_s": 5}
    )
    assert created.outs["is_usable"] is True
    # No read before validating a new registration; the simulated install job then spans two reads.
    assert requests_by_route(sim)[("GET", "/servers/{uuid}")] == 2
