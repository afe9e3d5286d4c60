"""PyGithub (2.10), unpatched, against our GitHub simulator (GHES mode, REST under `/api/v3`).

These are the calls pulumi-github makes for us and the team's tools make by hand: the repository, the
Actions public key, secrets sealed by PyGithub itself, environments and their secrets, variables,
repository files with the sha rules, paging and conditional requests (ETags).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from github import Auth, Github, GithubException
from github.Repository import Repository

from tests.simulators.github import GithubSimulator

OWNER = "penpal-ai"


@pytest.fixture
def sim() -> Iterator[GithubSimulator]:
    with GithubSimulator(owner=OWNER, repos=["penpal-ai-db-service"]) as simulator:
        yield simulator


@pytest.fixture
def gh(sim: GithubSimulator) -> Iterator[Github]:
    client = connect(sim, sim.token)
    yield client
    client.close()


@pytest.fixture
def repo(gh: Github) -> Repository:
    return gh.get_repo(f"{OWNER}/penpal-ai-db-service")


def connect(sim: GithubSimulator, token: str, per_page: int = 30) -> Github:
    # No client-side throttling (PyGithub waits 0.25 s between requests and 1 s between writes by default).
    return Github(base_url=f"{sim.base_url}/api/v3", auth=Auth.Token(token), retry=None, per_page=per_page,
                  timeout=10, seconds_between_requests=None, seconds_between_writes=None)


def github_error(call: object) -> GithubException:
    assert callable(call)
    with pytest.raises(GithubException) as caught:
        call()
    return caught.value


# --- repository and public key --------------------------------------------------------------------


def test_repository_reads_by_full_name_and_by_id(gh: Github, repo: Repository, sim: GithubSimulator) -> None:
    assert repo.full_name == f"{OWNER}/penpal-ai-db-service"
    assert repo.default_branch == "main" and repo.private is True
    assert repo.id == sim.repo_id("penpal-ai-db-service")
    assert gh.get_repo(repo.id).name == "penpal-ai-db-service"
    assert github_error(lambda: gh.get_repo(f"{OWNER}/missing")).status == 404


def test_a_wrong_token_is_unauthorized(sim: GithubSimulator) -> None:
    wrong = connect(sim, "ghp_wrong")
    error = github_error(lambda: wrong.get_repo(f"{OWNER}/penpal-ai-db-service"))
    assert error.status == 401 and isinstance(error.data, dict) and error.data["message"] == "Bad credentials"


def test_actions_public_key(repo: Repository, sim: GithubSimulator) -> None:
    key = repo.get_public_key()
    assert key.key == sim.public_key(OWNER, "penpal-ai-db-service")["key"]
    assert key.key_id == sim.public_key(OWNER, "penpal-ai-db-service")["key_id"]


# --- secrets sealed by PyGithub ----------------------------------------------------------------------


def test_repository_secrets_sealed_by_pygithub_decrypt_in_the_simulator(repo: Repository,
                                                                         sim: GithubSimulator) -> None:
    repo.create_secret("COOLIFY_WEBHOOK", "https://coolify.example/api/v1/deploy?uuid=abc")
    repo.create_secret("coolify_token", "s3cr3t-token")
    assert sim.secret_plaintext(OWNER, "penpal-ai-db-service", "COOLIFY_WEBHOOK") == \
        "https://coolify.example/api/v1/deploy?uuid=abc"
    assert sorted(s.name for s in repo.get_secrets()) == ["COOLIFY_TOKEN", "COOLIFY_WEBHOOK"]
    secret = repo.get_secret("COOLIFY_TOKEN")
    assert secret.name == "COOLIFY_TOKEN" and secret.created_at is not None
    repo.create_secret("COOLIFY_TOKEN", "rotated")  # PUT again updates
    assert sim.secret_plaintext(OWNER, "penpal-ai-db-service", "COOLIFY_TOKEN") == "rotated"
    assert repo.delete_secret("COOLIFY_TOKEN") is True
    assert github_error(lambda: repo.get_secret("COOLIFY_TOKEN")).status == 404


def test_secret_names_follow_the_documented_rules(repo: Repository) -> None:
    for bad in ("GITHUB_TOKEN", "1ST", "has-dash"):
        assert github_error(lambda bad=bad: repo.create_secret(bad, "x")).status == 422


def test_variables(repo: Repository, sim: GithubSimulator) -> None:
    repo.create_variable("SERVICE_URL", "https://staging.db.penpal")
    assert sim.variables(OWNER, "penpal-ai-db-service") == {"SERVICE_URL": "https://staging.db.penpal"}
    variable = repo.get_variable("SERVICE_URL")
    assert variable.value == "https://staging.db.penpal"
    assert variable.edit("https://prod.db.penpal") is True
    assert [v.value for v in repo.get_variables()] == ["https://prod.db.penpal"]
    assert repo.delete_variable("SERVICE_URL") is True


# --- environments and their secrets --------------------------------------------------------------------


def test_environments_and_their_secrets(repo: Repository, sim: GithubSimulator) -> None:
    staging = repo.create_environment("staging")
    repo.create_environment("production", wait_timer=5)
    assert sorted(e.name for e in repo.get_environments()) == ["production", "staging"]
    assert repo.get_environment("production").protection_rules is not None
    env_key = staging.get_public_key()
    assert env_key.key != repo.get_public_key().key  # each environment has its own key pair
    staging.create_secret("MONGO_URL", "mongodb://user:pw@host:27017/db")
    assert sim.secret_plaintext(OWNER, "penpal-ai-db-service", "MONGO_URL", environment="staging") == \
        "mongodb://user:pw@host:27017/db"
    assert [s.name for s in staging.get_secrets()] == ["MONGO_URL"]
    assert staging.get_secret("MONGO_URL").name == "MONGO_URL"
    assert staging.delete_secret("MONGO_URL") is True
    repo.delete_environment("staging")
    assert sim.environments(OWNER, "penpal-ai-db-service") == ["production"]
    assert github_error(lambda: repo.get_environment("staging")).status == 404


# --- contents with sha rules --------------------------------------------------------------------------


def test_contents_create_update_delete_with_sha_rules(repo: Repository, sim: GithubSimulator) -> None:
    created = repo.create_file(".github/workflows/ci.yml", "Add CI", "name: ci\n", branch="main")
    first_sha = created["content"].sha
    fetched = repo.get_contents(".github/workflows/ci.yml", ref="main")
    assert not isinstance(fetched, list)
    assert fetched.decoded_content == b"name: ci\n" and fetched.sha == first_sha

    # Creating over an existing file without its sha is refused; a stale sha conflicts.
    assert github_error(lambda: repo.create_file(".github/workflows/ci.yml", "again", "x\n")).status == 422
    updated = repo.update_file(".github/workflows/ci.yml", "Update CI", "name: ci2\n", first_sha, branch="main")
    assert updated["content"].sha != first_sha
    stale = github_error(lambda: repo.update_file(".github/workflows/ci.yml", "stale", "x\n", first_sha))
    assert stale.status == 409
    assert sim.file_content(OWNER, "penpal-ai-db-service", ".github/workflows/ci.yml") == "name: ci2\n"
    assert sim.commit_messages(OWNER, "penpal-ai-db-service")[:2] == ["Update CI", "Add CI"]

    repo.delete_file(".github/workflows/ci.yml", "Remove CI", updated["content"].sha, branch="main")
    assert github_error(lambda: repo.get_contents(".github/workflows/ci.yml")).status == 404


def test_directory_listing(repo: Repository) -> None:
    repo.create_file("deploy/a.txt", "a", "a\n")
    repo.create_file("deploy/b.txt", "b", "b\n")
    listing = repo.get_contents("deploy")
    assert isinstance(listing, list)
    assert sorted((c.name, c.type) for c in listing) == [("a.txt", "file"), ("b.txt", "file")]


# --- paging and ETags ------------------------------------------------------------------------------------


def test_paging_follows_link_headers(sim: GithubSimulator) -> None:
    repo = connect(sim, sim.token, per_page=4).get_repo(f"{OWNER}/penpal-ai-db-service")
    for index in range(11):
        repo.create_secret(f"SECRET_{index:02d}", f"value-{index}")
    secrets = repo.get_secrets()
    assert secrets.totalCount == 11
    assert [s.name for s in secrets] == [f"SECRET_{index:02d}" for index in range(11)]
    assert [s.name for s in secrets.get_page(2)] == ["SECRET_08", "SECRET_09", "SECRET_10"]
    assert sim.count("GET", "/api/v3/repos/{owner}/{repo}/actions/secrets") >= 3  # one request per page


def test_conditional_requests_use_etags(repo: Repository, sim: GithubSimulator) -> None:
    assert repo.etag is not None
    before = sim.count("GET", "/api/v3/repos/{owner}/{repo}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        changed = repo.update()  # sends If-None-Match: the simulator answers 304 Not Modified
    assert changed is False
    assert sim.count("GET", "/api/v3/repos/{owner}/{repo}") == before + 1
    assert sim.requests[-1].headers.get("if-none-match") == repo.etag
