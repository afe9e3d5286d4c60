"""Project and Environment providers against the simulator: CRUD, diff, adopt, refresh, delete, faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from components.coolify.client import CoolifyClient, NotFoundError, ServerError
from components.coolify.resources.environment import EnvironmentProvider
from components.coolify.resources.project import ProjectProvider

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]


def projects_named(client: CoolifyClient, name: str) -> list[dict[str, Any]]:
    return [p for p in client.projects.list() if p["name"] == name]


def test_project_create_reads_back_and_diff_is_clean(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    provider = make_provider(ProjectProvider)
    inputs = {"name": "penpal-ai", "description": "Penpal services"}
    created = provider.create(inputs)
    assert created.outs == {"uuid": created.id, "name": "penpal-ai", "description": "Penpal services"}
    assert sim.count("POST", "/projects") == 1
    # POST answered only the uuid: the outputs come from the GET after it.
    assert sim.count("GET", "/projects/{uuid}") == 1
    assert provider.diff(created.id, created.outs, inputs).changes is False
    # Coolify auto-creates `production` with every project.
    assert [e["name"] for e in client.environments.list(created.id)] == ["production"]


def test_project_update_in_place_and_read_back(make_provider: MakeProvider, sim: CoolifySimulator) -> None:
    provider = make_provider(ProjectProvider)
    created = provider.create({"name": "penpal-ai"})
    news = {"name": "penpal-ai-renamed", "description": "new"}
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes is True and diff.replaces == []
    updated = provider.update(created.id, created.outs, news)
    assert updated.outs["name"] == "penpal-ai-renamed" and updated.outs["description"] == "new"
    patches = [r.body for r in sim.requests if r.method == "PATCH"]
    assert patches == [{"name": "penpal-ai-renamed", "description": "new"}]


def test_project_create_adopts_an_existing_project_by_name(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    existing = client.projects.create({"name": "penpal-ai"})
    sim.reset_counts()
    created = make_provider(ProjectProvider).create({"name": "penpal-ai", "description": "adopted"})
    assert created.id == existing
    assert sim.count("POST", "/projects") == 0
    assert len(projects_named(client, "penpal-ai")) == 1
    assert created.outs["description"] == "adopted"


def test_project_refresh_reports_drift_and_gone(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    provider = make_provider(ProjectProvider)
    created = provider.create({"name": "penpal-ai"})
    sim.edit("projects", created.id, name="renamed-in-ui")
    refreshed = provider.read(created.id, created.outs)
    assert refreshed.outs["name"] == "renamed-in-ui"
    assert provider.changed_fields(refreshed.outs, {"name": "penpal-ai"}) == ["name"]
    client.projects.delete(created.id)
    gone = provider.read(created.id, created.outs)
    assert gone.id is None and gone.outs == {}


def test_project_delete_and_delete_of_missing_is_success(
    make_provider: MakeProvider, client: CoolifyClient
) -> None:
    provider = make_provider(ProjectProvider)
    created = provider.create({"name": "penpal-ai"})
    provider.delete(created.id, created.outs)
    with pytest.raises(NotFoundError):
        client.projects.get(created.id)
    provider.delete(created.id, created.outs)  # 404 is success


def test_write_succeeded_then_failed_read_rerun_adopts(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    provider = make_provider(ProjectProvider)
    sim.inject("GET", "/projects/{uuid}", 500, times=1)
    with pytest.raises(ServerError):
        provider.create({"name": "penpal-ai"})
    assert len(projects_named(client, "penpal-ai")) == 1  # the write happened
    rerun = provider.create({"name": "penpal-ai"})
    assert [p["uuid"] for p in projects_named(client, "penpal-ai")] == [rerun.id]


def test_write_answered_with_error_after_applying_rerun_adopts(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    provider = make_provider(ProjectProvider)
    sim.inject("POST", "/projects", 500, after_write=True)
    # The create is repeated after the 5xx; the repeat adopts the project the lost answer hid.
    created = provider.create({"name": "penpal-ai"})
    assert sim.count("POST", "/projects") == 1
    assert [p["uuid"] for p in projects_named(client, "penpal-ai")] == [created.id]


def test_environment_lowercased_name_and_clean_diff(
    make_provider: MakeProvider, client: CoolifyClient, sim: CoolifySimulator
) -> None:
    project = client.projects.create({"name": "penpal-ai"})
    provider = make_provider(EnvironmentProvider)
    inputs = {"project_uuid": project, "name": "Staging"}
    created = provider.create(inputs)
    assert created.outs == {"uuid": created.id, "project_uuid": project, "name": "staging"}
    assert provider.diff(created.id, created.outs, inputs).changes is False
    # A re-run (or a second stack) adopts instead of failing with 409.
    again = provider.create(inputs)
    assert again.id == created.id
    assert sim.count("POST", "/projects/{uuid}/environments") == 1


def test_environment_adopts_auto_created_production(make_provider: MakeProvider, client: CoolifyClient) -> None:
    project = client.projects.create({"name": "penpal-ai"})
    production = client.environments.find_by_name(project, "production")
    assert production is not None
    created = make_provider(EnvironmentProvider).create({"project_uuid": project, "name": "production"})
    assert created.id == production["uuid"]


def test_environment_rename_refresh_and_delete(make_provider: MakeProvider, client: CoolifyClient) -> None:
    project = client.projects.create({"name": "penpal-ai"})
    provider = make_provider(EnvironmentProvider)
    created = provider.create({"project_uuid": project, "name": "staging"})
    updated = provider.update(created.id, created.outs, {"project_uuid": project, "name": "Preview"})
    assert updated.outs["name"] == "preview"
    assert provider.read(created.id, updated.outs).outs["name"] == "preview"
    provider.delete(created.id, updated.outs)
    assert client.environments.find_by_name(project, "preview") is None
    gone = provider.read(created.id, updated.outs)
    assert gone.id is None
    provider.delete(created.id, updated.outs)
