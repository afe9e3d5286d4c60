"""What each write probe of components/access.py sends, and that it leaves nothing behind.

GitHub: a classic token is judged read-only from X-OAuth-Scopes and the repository's `permissions`; a
fine-grained token by creating and deleting a probe secret (the only write whose answers GitHub documents
both ways). Hetzner: with an SSH key in the project, an update without fields (200, no change).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
import requests

from components.access import ApiAccess, Need, TokenCheckError, check_access, probe_secret_name
from tests.simulators.coolify import CoolifySimulator
from tests.simulators.github import GithubSimulator
from tests.simulators.hcloud import HcloudSimulator

ROOT = "1|root-token-0000000000000000000000000000"
HCLOUD_WRITE = "w" * 64
HCLOUD_READ = "r" * 64
CLASSIC = "ghp_writer000000000000000000000000000000"
CLASSIC_READER = "ghp_reader000000000000000000000000000000"
FINE_GRAINED = "github_pat_writer0000000000000000000000"
FINE_GRAINED_READER = "github_pat_reader0000000000000000000000"
OWNER = "penpal-ai"
REPOS = ("penpal-ai-db-service", "penpal-ai-chat-service")
PROBE = "PENPAL_TOKEN_PROBE"
SECRETS_ROUTE = "/api/v3/repos/{owner}/{repo}/actions/secrets/{name}"
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGc1bS2ddcsYs8jTqRdGFXn5JKYkYy8u3bSj+7a0S3fa deploy@penpal"


@pytest.fixture(scope="module")
def coolify() -> Iterator[CoolifySimulator]:
    with CoolifySimulator(tokens={ROOT: {"root"}}) as sim:
        yield sim


@pytest.fixture
def hcloud() -> Iterator[HcloudSimulator]:
    sim = HcloudSimulator(token=HCLOUD_WRITE, readonly_token=HCLOUD_READ)
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


def github_sim(token: str, readonly_token: str | None = None, scopes: str = "repo, workflow") -> GithubSimulator:
    return GithubSimulator(token, readonly_token=readonly_token, scopes=scopes, owner=OWNER, repos=REPOS)


def access_for(coolify: CoolifySimulator, hcloud: HcloudSimulator, github: GithubSimulator, token: str) -> ApiAccess:
    return ApiAccess(
        coolify_url=coolify.url,
        coolify_token=ROOT,
        deploy_token=None,
        hcloud_endpoint=hcloud.endpoint.rstrip("/"),
        hcloud_token=HCLOUD_WRITE,
        github_base_url=github.base_url + "/api/v3",
        github_token=token,
        github_owner=OWNER,
        github_repos=REPOS,
    )


def problems(access: ApiAccess, need: Need = Need.WRITE) -> tuple[str, ...]:
    try:
        check_access(access, need)
    except TokenCheckError as err:
        return err.problems
    return ()


def github_writes(github: GithubSimulator) -> list[tuple[str, str, int | None]]:
    return [(r.method, r.path, r.status) for r in github.requests if r.method != "GET"]


def test_a_classic_token_is_judged_without_writing(coolify: CoolifySimulator, hcloud: HcloudSimulator) -> None:
    with github_sim(CLASSIC) as github:
        assert problems(access_for(coolify, hcloud, github, CLASSIC)) == ()
        assert github_writes(github) == []


def test_a_classic_token_without_workflow_scope_fails_when_workflows_are_written(
    coolify: CoolifySimulator, hcloud: HcloudSimulator
) -> None:
    with github_sim(CLASSIC, scopes="repo") as github:
        access = replace(access_for(coolify, hcloud, github, CLASSIC), writes_workflows=True)
        assert problems(access) == ("github:token lacks the scope(s) workflow (it has: repo)",)
        assert problems(replace(access, writes_workflows=False)) == ()


def test_a_classic_token_of_a_read_only_collaborator_fails_an_up_without_writing(
    coolify: CoolifySimulator, hcloud: HcloudSimulator
) -> None:
    with github_sim(CLASSIC, readonly_token=CLASSIC_READER) as github:
        access = access_for(coolify, hcloud, github, CLASSIC_READER)
        assert problems(access) == (
            f"github:token belongs to a user with read access to {OWNER}/{REPOS[0]}: an up writes its Actions "
            "secrets, which needs write access",
        )
        assert problems(access, Need.READ) == ()
        assert github_writes(github) == []


def test_a_fine_grained_writer_creates_and_deletes_one_probe_secret_per_repo(
    coolify: CoolifySimulator, hcloud: HcloudSimulator
) -> None:
    with github_sim(FINE_GRAINED) as github:
        assert problems(access_for(coolify, hcloud, github, FINE_GRAINED)) == ()
        assert github_writes(github) == [
            (method, f"/api/v3/repos/{OWNER}/{repo}/actions/secrets/{PROBE}", status)
            for repo in REPOS for method, status in (("PUT", 201), ("DELETE", 204))
        ]
        assert all(github.secret_names(OWNER, repo) == [] for repo in REPOS)


def test_a_probe_secret_left_by_an_interrupted_check_is_updated_and_deleted(
    coolify: CoolifySimulator, hcloud: HcloudSimulator
) -> None:
    with github_sim(FINE_GRAINED) as github:
        github.inject("DELETE", SECRETS_ROUTE, 500, body={"message": "Server Error"})
        left = problems(access_for(coolify, hcloud, github, FINE_GRAINED))
        assert left == (
            f"github:token: the token check could not delete its probe secret {PROBE} from {OWNER}/{REPOS[0]} "
            "(Server Error); delete it under Settings > Secrets and variables > Actions",
        )
        assert github.secret_names(OWNER, REPOS[0]) == [PROBE]
        github.reset_counts()
        assert problems(access_for(coolify, hcloud, github, FINE_GRAINED)) == ()
        assert github_writes(github)[:2] == [
            ("PUT", f"/api/v3/repos/{OWNER}/{REPOS[0]}/actions/secrets/{PROBE}", 204),
            ("DELETE", f"/api/v3/repos/{OWNER}/{REPOS[0]}/actions/secrets/{PROBE}", 204),
        ]
        assert github.secret_names(OWNER, REPOS[0]) == []


def test_a_fine_grained_reader_is_refused_and_nothing_is_created(
    coolify: CoolifySimulator, hcloud: HcloudSimulator
) -> None:
    with github_sim(FINE_GRAINED, readonly_token=FINE_GRAINED_READER) as github:
        assert problems(access_for(coolify, hcloud, github, FINE_GRAINED_READER)) == (
            f"github:token cannot write Actions secrets of {OWNER}/{REPOS[0]} "
            "(Resource not accessible by personal access token; needs secrets=write)",
        )
        assert github_writes(github) == [(
            "PUT", f"/api/v3/repos/{OWNER}/{REPOS[0]}/actions/secrets/{PROBE}", 403)]
        assert github.secret_names(OWNER, REPOS[0]) == []


def test_hetzner_with_an_ssh_key_updates_it_without_fields(coolify: CoolifySimulator, hcloud: HcloudSimulator) -> None:
    created = requests.post(f"{hcloud.endpoint.rstrip('/')}/ssh_keys", timeout=10,
                            headers={"Authorization": f"Bearer {HCLOUD_WRITE}"},
                            json={"name": "deploy", "public_key": PUBLIC_KEY, "labels": {"stack": "prod"}})
    assert created.status_code == 201, created.text
    before = hcloud.ssh_keys()
    hcloud.reset_counts()
    with github_sim(CLASSIC) as github:
        access = access_for(coolify, hcloud, github, CLASSIC)
        assert problems(access) == ()
        (found,) = problems(replace(access, hcloud_token=HCLOUD_READ))
    assert found.startswith("hcloud:token cannot write (token_readonly:")
    key_id = before[0]["id"]
    assert [(r.method, r.path, r.status) for r in hcloud.requests if r.method != "GET"] == [
        ("PUT", f"/v1/ssh_keys/{key_id}", 200), ("PUT", f"/v1/ssh_keys/{key_id}", 403)]
    assert hcloud.ssh_keys() == before


def test_hetzner_in_an_empty_project_sends_a_create_without_fields(
    coolify: CoolifySimulator, hcloud: HcloudSimulator
) -> None:
    with github_sim(CLASSIC) as github:
        assert problems(access_for(coolify, hcloud, github, CLASSIC)) == ()
    assert [(r.method, r.path, r.status) for r in hcloud.requests if r.method != "GET"] == [
        ("POST", "/v1/ssh_keys", 400)]
    assert hcloud.ssh_keys() == []


def test_each_stack_probes_with_its_own_secret_so_concurrent_ups_do_not_collide(
    coolify: CoolifySimulator, hcloud: HcloudSimulator
) -> None:
    assert probe_secret_name("staging") == "PENPAL_TOKEN_PROBE_STAGING"
    assert probe_secret_name("team-prod.eu") == "PENPAL_TOKEN_PROBE_TEAM_PROD_EU"
    with github_sim(FINE_GRAINED) as github:
        # Prod's probe secret is still there (its check is between PUT and DELETE) while staging checks.
        prod = replace(access_for(coolify, hcloud, github, FINE_GRAINED), probe_secret="PENPAL_TOKEN_PROBE_PROD")
        github.inject("DELETE", SECRETS_ROUTE, 500, body={"message": "Server Error"})
        assert len(problems(prod)) == 1
        staging = replace(prod, probe_secret="PENPAL_TOKEN_PROBE_STAGING")
        assert problems(staging) == ()
        assert github.secret_names(OWNER, REPOS[0]) == ["PENPAL_TOKEN_PROBE_PROD"]


def test_a_token_the_environment_gave_is_named_by_its_variable_too(
    coolify: CoolifySimulator, hcloud: HcloudSimulator
) -> None:
    with github_sim(FINE_GRAINED, readonly_token=FINE_GRAINED_READER) as github:
        access = replace(access_for(coolify, hcloud, github, FINE_GRAINED_READER),
                         token_variables={"github:token": "GITHUB_TOKEN"})
        assert problems(access) == (
            f"github:token (from GITHUB_TOKEN) cannot write Actions secrets of {OWNER}/{REPOS[0]} "
            "(Resource not accessible by personal access token; needs secrets=write)",
        )
