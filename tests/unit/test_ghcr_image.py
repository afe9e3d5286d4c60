"""GhcrImage: branch tag per stack, pinned overrides for rollback, optional digest resolution."""

from __future__ import annotations

import pytest

from components.config import Environment
from components.ghcr_image import GhcrImage, GhcrImageArgs
from tests.unit.mocks import GET_REGISTRY_IMAGE, RecordingMocks, T, fake_digest
from tests.unit.outputs import resolve, run_program


def image(environment: Environment, tag_override: str | None = None, resolve_digest: bool = False) -> GhcrImage:
    return GhcrImage(
        "api-image",
        GhcrImageArgs(
            owner="penpal-ai",
            image="penpal-ai-api",
            environment=environment,
            tag_override=tag_override,
            resolve_digest=resolve_digest,
        ),
    )


@pytest.mark.parametrize(
    ("environment", "tag"),
    [
        (Environment.STAGING, "develop-latest"),
        (Environment.PRODUCTION, "main-latest"),
    ],
)
def test_branch_tag_per_stack(mocks: RecordingMocks, environment: Environment, tag: str) -> None:
    component = run_program(lambda: image(environment))
    assert resolve(component.repository) == "ghcr.io/penpal-ai/penpal-ai-api"
    assert resolve(component.tag) == tag
    assert resolve(component.ref) == f"ghcr.io/penpal-ai/penpal-ai-api:{tag}"
    assert mocks.calls == []  # no registry lookup unless asked for
    assert [(r.typ, r.name) for r in mocks.registered] == [(T.GHCR_IMAGE, "api-image")]


@pytest.mark.parametrize("tag", ["sha-1a2b3c4", "1.4.2"])
def test_rollback_by_pinning_a_tag(mocks: RecordingMocks, tag: str) -> None:
    component = run_program(lambda: image(Environment.PRODUCTION, tag_override=tag))
    assert resolve(component.tag) == tag
    assert resolve(component.ref) == f"ghcr.io/penpal-ai/penpal-ai-api:{tag}"


def test_digest_resolution_pins_the_built_image(mocks: RecordingMocks) -> None:
    component = run_program(lambda: image(Environment.STAGING, tag_override="sha-1a2b3c4", resolve_digest=True))
    digest = fake_digest("ghcr.io/penpal-ai/penpal-ai-api:sha-1a2b3c4")
    assert [(c.token, c.args["name"]) for c in mocks.calls] == [
        (GET_REGISTRY_IMAGE, "ghcr.io/penpal-ai/penpal-ai-api:sha-1a2b3c4")
    ]
    assert resolve(component.tag) == digest
    assert resolve(component.ref) == f"ghcr.io/penpal-ai/penpal-ai-api@{digest}"
