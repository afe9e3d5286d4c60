"""CoolifyEnvironment: the shared `penpal-ai` project and this stack's environment in it."""

from __future__ import annotations

import pytest

from components.config import Environment
from components.coolify_environment import CoolifyEnvironment, CoolifyEnvironmentArgs
from tests.unit.mocks import RecordingMocks, T
from tests.unit.outputs import resolve, run_program


@pytest.mark.parametrize("environment", list(Environment))
def test_project_and_environment(mocks: RecordingMocks, environment: Environment) -> None:
    component = run_program(lambda: CoolifyEnvironment("coolify", CoolifyEnvironmentArgs(environment=environment)))
    assert sorted((r.typ, r.name) for r in mocks.registered) == sorted(
        [
            (T.COOLIFY_ENVIRONMENT, "coolify"),
            (T.C_PROJECT, "coolify-project"),
            (T.C_ENVIRONMENT, "coolify-environment"),
        ]
    )
    project = mocks.one(T.C_PROJECT)
    coolify_environment = mocks.one(T.C_ENVIRONMENT)
    assert project.plain("name") == "penpal-ai"
    assert coolify_environment.plain("name") == environment.value
    assert coolify_environment.plain("project_uuid") == "coolify-project-uuid"
    assert resolve(component.project_uuid) == "coolify-project-uuid"
    assert resolve(component.environment_name) == environment.value


@pytest.mark.parametrize("environment", list(Environment))
def test_the_shared_project_is_never_deleted_by_a_stack(mocks: RecordingMocks, environment: Environment) -> None:
    run_program(lambda: CoolifyEnvironment("coolify", CoolifyEnvironmentArgs(environment=environment)))
    assert mocks.one(T.C_PROJECT).retain_on_delete is True


def test_staging_environment_is_owned_and_production_retained(mocks: RecordingMocks) -> None:
    run_program(
        lambda: [
            CoolifyEnvironment("staging", CoolifyEnvironmentArgs(environment=Environment.STAGING)),
            CoolifyEnvironment("production", CoolifyEnvironmentArgs(environment=Environment.PRODUCTION)),
        ]
    )
    assert mocks.named("staging-environment").retain_on_delete is False
    assert mocks.named("production-environment").retain_on_delete is True


def test_both_stacks_declare_the_project_identically(mocks: RecordingMocks) -> None:
    run_program(
        lambda: [
            CoolifyEnvironment("staging", CoolifyEnvironmentArgs(environment=Environment.STAGING)),
            CoolifyEnvironment("production", CoolifyEnvironmentArgs(environment=Environment.PRODUCTION)),
        ]
    )
    staging, production = mocks.named("staging-project"), mocks.named("production-project")
    assert (staging.plain("name"), staging.plain("description")) == (
        production.plain("name"),
        production.plain("description"),
    )
