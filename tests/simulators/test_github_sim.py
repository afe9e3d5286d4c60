"""The GitHub simulator (GHES mode) answers the way terraform-provider-github / go-github need."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from nacl.public import PublicKey, SealedBox

from tests.simulators.github import GithubSimulator

REPO_ROOT = Path(__file__).resolve().parents[2]
OWNER, REPO = "penpal-ai", "penpal-api"
WORKFLOW = ".github/workflows/deploy.yml"


def seal(public_key_b64: str, plaintext: str) -> str:
    """Encrypt as the provider does (Go nacl/box SealAnonymous == libsodium crypto_box_seal)."""
    sealed = SealedBox(PublicKey(base64.b64decode(public_key_b64))).encrypt(plaintext.encode())
    return base64.b64encode(sealed).decode()


class Client:
    def __init__(self, sim: GithubSimulator, auth: str | None = None) -> None:
        self.api = sim.base_url + "/api/v3"
        self.headers = {"Authorization": auth or f"Bearer {sim.token}", "Accept": "application/vnd.github+json"}

    def call(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        return requests.request(method, self.api + path, headers={**self.headers, **(headers or {})}, timeout=10,
                                **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


@pytest.fixture
def sim() -> Iterator[GithubSimulator]:
    with GithubSimulator(owner=OWNER, repos=[REPO]) as simulator:
        yield simulator


@pytest.fixture
def api(sim: GithubSimulator) -> Client:
    return Client(sim)


def put_secret(api: Client, scope: str, name: str, value: str) -> requests.Response:
    key = api.ok("GET", f"{scope}/secrets/public-key")
    return api.call("PUT", f"{scope}/secrets/{name}", json={"key_id": key["key_id"],
                                                            "encrypted_value": seal(key["key"], value)})


REPO_SCOPE = f"/repos/{OWNER}/{REPO}/actions"


# --- auth, accounts, repositories ---------------------------------------------------------------------


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic abc"])
def test_bad_or_missing_credentials_answer_401(sim: GithubSimulator, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    response = requests.get(sim.base_url + f"/api/v3/repos/{OWNER}/{REPO}", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["message"] == "Bad credentials"
    assert response.json()["documentation_url"].startswith("https://docs.github.com")


def test_token_scheme_is_accepted_too(sim: GithubSimulator) -> None:
    assert Client(sim, f"token {sim.token}").call("GET", "/user").status_code == 200


def test_owner_probes_for_an_organisation(api: Client) -> None:
    assert api.ok("GET", f"/orgs/{OWNER}")["login"] == OWNER
    assert api.ok("GET", f"/users/{OWNER}")["type"] == "Organization"
    user = api.ok("GET", "/user")
    assert user["type"] == "User" and user["login"] == "penpal-bot"


def test_owner_that_is_a_user_has_no_organisation() -> None:
    with GithubSimulator(owner="alice", owner_type="User", repos=["site"]) as sim:
        api = Client(sim)
        assert api.call("GET", "/orgs/alice").status_code == 404
        assert api.ok("GET", "/users/alice")["type"] == "User"
        assert api.ok("GET", "/user")["login"] == "alice"
        assert api.ok("GET", "/repos/alice/site")["owner"]["login"] == "alice"


def test_repository_lookup_by_name_and_id(sim: GithubSimulator, api: Client) -> None:
    repo = api.ok("GET", f"/repos/{OWNER}/{REPO}")
    assert repo["id"] == sim.repo_id(REPO)
    assert repo["full_name"] == f"{OWNER}/{REPO}" and repo["default_branch"] == "main"
    assert api.ok("GET", f"/repositories/{repo['id']}")["name"] == REPO
    assert api.ok("GET", f"/repos/{OWNER.upper()}/{REPO.upper()}")["id"] == repo["id"]  # case-insensitive


def test_unknown_things_are_404_with_github_error_body(api: Client) -> None:
    for path in (f"/repos/{OWNER}/nope", f"/repos/someone-else/{REPO}", "/no/such/route",
                 f"{REPO_SCOPE}/secrets/NOPE"):
        response = api.call("GET", path)
        assert response.status_code == 404
        assert response.json()["message"] == "Not Found"
        assert "documentation_url" in response.json()


def test_graphql_endpoint_exists_but_is_not_simulated(api: Client, sim: GithubSimulator) -> None:
    response = requests.post(sim.base_url + "/api/graphql", json={"query": "{ viewer { login } }"},
                             headers=api.headers, timeout=10)
    assert response.status_code == 200 and response.json()["errors"]
    assert sim.count("POST", "/api/graphql") == 1


# --- repository secrets -----------------------------------------------------------------------------


def test_public_key_is_a_curve25519_key(api: Client) -> None:
    key = api.ok("GET", f"{REPO_SCOPE}/secrets/public-key")
    assert len(base64.b64decode(key["key"])) == 32
    assert key["key_id"].isdigit()


def test_sealed_secret_is_decrypted_and_never_returned(sim: GithubSimulator, api: Client) -> None:
    created = put_secret(api, REPO_SCOPE, "coolify_webhook", "https://coolify.example/api/v1/deploy?uuid=abc")
    assert created.status_code == 201
    assert sim.secret_plaintext(OWNER, REPO, "COOLIFY_WEBHOOK") == "https://coolify.example/api/v1/deploy?uuid=abc"
    shown = api.ok("GET", f"{REPO_SCOPE}/secrets/coolify_webhook")
    assert shown["name"] == "COOLIFY_WEBHOOK"  # names are upper-cased
    assert set(shown) == {"name", "created_at", "updated_at"}
    listed = api.ok("GET", f"{REPO_SCOPE}/secrets")
    assert listed["total_count"] == 1 and listed["secrets"] == [shown]


def test_updating_a_secret_answers_204_and_moves_updated_at(sim: GithubSimulator, api: Client) -> None:
    put_secret(api, REPO_SCOPE, "TOKEN", "one")
    before = api.ok("GET", f"{REPO_SCOPE}/secrets/TOKEN")
    updated = put_secret(api, REPO_SCOPE, "TOKEN", "two")
    assert updated.status_code == 204 and not updated.content
    after = api.ok("GET", f"{REPO_SCOPE}/secrets/TOKEN")
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]  # strictly later even within one second
    assert sim.secret_plaintext(OWNER, REPO, "TOKEN") == "two"


def test_secret_put_rejects_wrong_key_and_garbage(sim: GithubSimulator, api: Client) -> None:
    key = api.ok("GET", f"{REPO_SCOPE}/secrets/public-key")
    stale_id = api.call("PUT", f"{REPO_SCOPE}/secrets/A", json={"key_id": "1", "encrypted_value":
                                                               seal(key["key"], "x")})
    garbage = api.call("PUT", f"{REPO_SCOPE}/secrets/A", json={"key_id": key["key_id"],
                                                              "encrypted_value": base64.b64encode(b"x" * 60).decode()})
    missing = api.call("PUT", f"{REPO_SCOPE}/secrets/A", json={"key_id": key["key_id"]})
    assert [r.status_code for r in (stale_id, garbage, missing)] == [422, 422, 422]
    sim.rotate_public_key(OWNER, REPO)
    old_key = api.call("PUT", f"{REPO_SCOPE}/secrets/A", json={"key_id": key["key_id"],
                                                              "encrypted_value": seal(key["key"], "x")})
    assert old_key.status_code == 422
    assert sim.secret_names(OWNER, REPO) == []


@pytest.mark.parametrize("name", ["GITHUB_TOKEN", "1ABC", "has-dash"])
def test_invalid_secret_names_are_rejected(api: Client, name: str) -> None:
    response = put_secret(api, REPO_SCOPE, name, "x")
    assert response.status_code == 422
    assert response.json()["message"] == "Validation Failed"


def test_secret_delete_then_read_is_404(api: Client) -> None:
    put_secret(api, REPO_SCOPE, "GONE", "x")
    assert api.call("DELETE", f"{REPO_SCOPE}/secrets/GONE").status_code == 204
    assert api.call("GET", f"{REPO_SCOPE}/secrets/GONE").status_code == 404
    assert api.call("DELETE", f"{REPO_SCOPE}/secrets/GONE").status_code == 404


def test_secret_list_paginates_with_link_header(api: Client) -> None:
    for index in range(5):
        put_secret(api, REPO_SCOPE, f"S{index}", "x")
    first = api.call("GET", f"{REPO_SCOPE}/secrets", params={"per_page": 2})
    assert first.json()["total_count"] == 5 and len(first.json()["secrets"]) == 2
    assert 'rel="next"' in first.headers["Link"] and "page=3" in first.headers["Link"]
    last = api.call("GET", f"{REPO_SCOPE}/secrets", params={"per_page": 2, "page": 3})
    assert [s["name"] for s in last.json()["secrets"]] == ["S4"]
    assert 'rel="next"' not in last.headers["Link"]


# --- environments and environment secrets -----------------------------------------------------------


def test_environment_put_get_list_delete(sim: GithubSimulator, api: Client) -> None:
    created = api.ok("PUT", f"/repos/{OWNER}/{REPO}/environments/production", json={
        "wait_timer": 5, "can_admins_bypass": False, "prevent_self_review": False,
        "deployment_branch_policy": {"protected_branches": True, "custom_branch_policies": False},
    })
    assert created["name"] == "production" and created["can_admins_bypass"] is False
    assert {"type": "wait_timer"}.items() <= created["protection_rules"][0].items()
    assert created["protection_rules"][0]["wait_timer"] == 5
    assert created["deployment_branch_policy"] == {"protected_branches": True, "custom_branch_policies": False}
    again = api.ok("PUT", f"/repos/{OWNER}/{REPO}/environments/production", json={"wait_timer": 0})
    assert again["id"] == created["id"] and all(r["type"] != "wait_timer" for r in again["protection_rules"])
    assert api.ok("GET", f"/repos/{OWNER}/{REPO}/environments")["total_count"] == 1
    assert sim.environments(OWNER, REPO) == ["production"]
    assert api.call("DELETE", f"/repos/{OWNER}/{REPO}/environments/production").status_code == 204
    assert api.call("GET", f"/repos/{OWNER}/{REPO}/environments/production").status_code == 404


def test_environment_secrets_on_current_and_legacy_paths(sim: GithubSimulator, api: Client) -> None:
    api.ok("PUT", f"/repos/{OWNER}/{REPO}/environments/prod%20eu", json={})
    repo_id = sim.repo_id(REPO)
    legacy = f"/repositories/{repo_id}/environments/prod%20eu"
    current = f"/repos/{OWNER}/{REPO}/environments/prod%20eu"
    assert api.ok("GET", f"{legacy}/secrets/public-key") == api.ok("GET", f"{current}/secrets/public-key")
    assert api.ok("GET", f"{legacy}/secrets/public-key") != api.ok("GET", f"{REPO_SCOPE}/secrets/public-key")
    assert put_secret(api, legacy, "MONGO_URL", "mongodb://db").status_code == 201
    assert sim.secret_plaintext(OWNER, REPO, "mongo_url", environment="prod eu") == "mongodb://db"
    assert sim.secret_plaintext(OWNER, REPO, "MONGO_URL") is None  # not a repository secret
    assert api.ok("GET", f"{current}/secrets/MONGO_URL")["name"] == "MONGO_URL"
    assert api.call("DELETE", f"{legacy}/secrets/MONGO_URL").status_code == 204
    assert api.call("GET", f"{current}/secrets/MONGO_URL").status_code == 404


def test_environment_secrets_need_the_environment(sim: GithubSimulator, api: Client) -> None:
    repo_id = sim.repo_id(REPO)
    assert api.call("GET", f"/repositories/{repo_id}/environments/missing/secrets/public-key").status_code == 404
    assert api.call("GET", "/repositories/999/environments/x/secrets/public-key").status_code == 404


def test_deleting_an_environment_drops_its_secrets(sim: GithubSimulator, api: Client) -> None:
    scope = f"/repos/{OWNER}/{REPO}/environments/staging"
    api.ok("PUT", scope, json={})
    put_secret(api, scope, "X", "1")
    api.ok("DELETE", scope)
    api.ok("PUT", scope, json={})
    assert sim.secret_names(OWNER, REPO, environment="staging") == []


# --- variables -----------------------------------------------------------------------------------


def test_variables_lifecycle(sim: GithubSimulator, api: Client) -> None:
    base = f"{REPO_SCOPE}/variables"
    assert api.call("POST", base, json={"name": "region", "value": "fsn1"}).status_code == 201
    duplicate = api.call("POST", base, json={"name": "REGION", "value": "x"})
    assert duplicate.status_code == 409
    assert api.ok("GET", f"{base}/region")["value"] == "fsn1"
    assert api.call("PATCH", f"{base}/REGION", json={"value": "nbg1"}).status_code == 204
    assert sim.variables(OWNER, REPO) == {"REGION": "nbg1"}
    assert api.ok("GET", base)["variables"][0]["name"] == "REGION"
    assert api.call("DELETE", f"{base}/REGION").status_code == 204
    assert api.call("GET", f"{base}/REGION").status_code == 404


def test_environment_variables(sim: GithubSimulator, api: Client) -> None:
    scope = f"/repos/{OWNER}/{REPO}/environments/staging"
    api.ok("PUT", scope, json={})
    assert api.call("POST", f"{scope}/variables", json={"name": "URL", "value": "https://s"}).status_code == 201
    assert sim.variables(OWNER, REPO, environment="staging") == {"URL": "https://s"}


# --- contents, branches, commits -----------------------------------------------------------------


def put_file(api: Client, content: str, sha: str | None = None, **extra: Any) -> requests.Response:
    payload: dict[str, Any] = {"message": "Add deploy workflow", "branch": "main",
                               "content": base64.b64encode(content.encode()).decode(), **extra}
    if sha:
        payload["sha"] = sha
    return api.call("PUT", f"/repos/{OWNER}/{REPO}/contents/{WORKFLOW}", json=payload)


def test_file_create_read_back_with_git_blob_sha_and_ref_in_url(sim: GithubSimulator, api: Client) -> None:
    created = put_file(api, "hello\n")
    assert created.status_code == 201
    commit_sha = created.json()["commit"]["sha"]
    assert created.json()["content"]["sha"] == "ce013625030ba8dba906f756967f9e9ca394464a"  # `git hash-object`
    read = api.ok("GET", f"/repos/{OWNER}/{REPO}/contents/{WORKFLOW}", params={"ref": "main"})
    assert base64.b64decode(read["content"]).decode() == "hello\n"
    assert read["encoding"] == "base64" and read["type"] == "file"
    assert parse_qs(urlsplit(read["url"]).query)["ref"] == ["main"]  # the provider indexes this unguarded
    commit = api.ok("GET", f"/repos/{OWNER}/{REPO}/commits/{commit_sha}")
    assert commit["commit"]["message"] == "Add deploy workflow"
    assert commit["commit"]["committer"]["name"] == "penpal-bot"
    history = api.ok("GET", f"/repos/{OWNER}/{REPO}/commits", params={"sha": "main", "path": WORKFLOW})
    assert [c["sha"] for c in history] == [commit_sha]
    assert sim.file_content(OWNER, REPO, WORKFLOW) == "hello\n"


def test_file_update_needs_the_current_sha(sim: GithubSimulator, api: Client) -> None:
    first = put_file(api, "v1\n").json()["content"]["sha"]
    without_sha = put_file(api, "v2\n")
    assert without_sha.status_code == 422 and '"sha" wasn\'t supplied' in without_sha.json()["message"]
    stale = put_file(api, "v2\n", sha="0" * 40)
    assert stale.status_code == 409
    updated = put_file(api, "v2\n", sha=first, message="Update deploy workflow",
                       committer={"name": "CI Bot", "email": "ci@penpal.example"})
    assert updated.status_code == 200
    assert updated.json()["commit"]["committer"]["name"] == "CI Bot"
    assert sim.commit_messages(OWNER, REPO)[:2] == ["Update deploy workflow", "Add deploy workflow"]


def test_file_delete_needs_sha_then_file_is_gone(api: Client) -> None:
    sha = put_file(api, "x\n").json()["content"]["sha"]
    path = f"/repos/{OWNER}/{REPO}/contents/{WORKFLOW}"
    assert api.call("DELETE", path, json={"message": "rm", "branch": "main"}).status_code == 422
    deleted = api.call("DELETE", path, json={"message": "rm", "branch": "main", "sha": sha})
    assert deleted.status_code == 200 and deleted.json()["content"] is None
    assert api.call("GET", path, params={"ref": "main"}).status_code == 404


def test_directory_listing_and_unknown_branch(api: Client) -> None:
    put_file(api, "x\n")
    listing = api.ok("GET", f"/repos/{OWNER}/{REPO}/contents/.github/workflows")
    assert [(e["name"], e["type"]) for e in listing] == [("deploy.yml", "file")]
    root = api.ok("GET", f"/repos/{OWNER}/{REPO}/contents/")
    assert {(e["name"], e["type"]) for e in root} == {(".github", "dir"), ("README.md", "file")}
    assert put_file(api, "y\n", branch="nope").status_code == 404
    assert api.call("GET", f"/repos/{OWNER}/{REPO}/branches/nope").status_code == 404


def test_branches_and_git_refs(api: Client) -> None:
    main = api.ok("GET", f"/repos/{OWNER}/{REPO}/branches/main")
    head = main["commit"]["sha"]
    ref = api.ok("GET", f"/repos/{OWNER}/{REPO}/git/ref/heads/main")
    assert ref["object"]["sha"] == head
    created = api.call("POST", f"/repos/{OWNER}/{REPO}/git/refs", json={"ref": "refs/heads/ci", "sha": head})
    assert created.status_code == 201
    assert put_file(api, "on ci\n", branch="ci").status_code == 201
    assert api.call("GET", f"/repos/{OWNER}/{REPO}/contents/{WORKFLOW}", params={"ref": "main"}).status_code == 404
    assert [b["name"] for b in api.ok("GET", f"/repos/{OWNER}/{REPO}/branches")] == ["ci", "main"]


# --- headers, conditional requests, counters, faults ------------------------------------------------


def test_rate_limit_headers_on_every_response(api: Client) -> None:
    response = api.call("GET", "/user")
    assert response.headers["X-RateLimit-Limit"] == "5000"
    assert int(response.headers["X-RateLimit-Remaining"]) > 0
    assert int(response.headers["X-RateLimit-Used"]) >= 1
    assert api.call("GET", "/nothing").headers["X-RateLimit-Resource"] == "core"


def test_enforced_rate_limit_answers_403_with_zero_remaining() -> None:
    with GithubSimulator(repos=[REPO], enforce_rate_limit=True) as sim:
        sim.set_rate_limit_remaining(0)
        response = Client(sim).call("GET", "/user")
        assert response.status_code == 403
        assert response.headers["X-RateLimit-Remaining"] == "0"


def test_etag_and_if_none_match(sim: GithubSimulator, api: Client) -> None:
    first = api.call("GET", f"/repos/{OWNER}/{REPO}/environments")
    etag = first.headers["ETag"]
    assert api.call("GET", f"/repos/{OWNER}/{REPO}/environments", headers={"If-None-Match": etag}).status_code == 304
    api.ok("PUT", f"/repos/{OWNER}/{REPO}/environments/staging", json={})
    changed = api.call("GET", f"/repos/{OWNER}/{REPO}/environments", headers={"If-None-Match": etag})
    assert changed.status_code == 200


def test_counts_request_log_and_reset(sim: GithubSimulator, api: Client) -> None:
    put_secret(api, REPO_SCOPE, "A", "1")
    assert sim.count("GET", "/api/v3/repos/{owner}/{repo}/actions/secrets/public-key") == 1
    assert sim.count("PUT", "/api/v3/repos/{owner}/{repo}/actions/secrets/{name}") == 1
    logged = [r for r in sim.requests if r.method == "PUT"]
    assert set(logged[0].json()) == {"key_id", "encrypted_value"} and logged[0].status == 201
    sim.reset_counts()
    assert sim.count("PUT", "/api/v3/repos/{owner}/{repo}/actions/secrets/{name}") == 0


def test_injected_faults(sim: GithubSimulator, api: Client) -> None:
    route = "/api/v3/repos/{owner}/{repo}/actions/secrets/{name}"
    sim.inject("PUT", route, status=502, times=1)
    failed = put_secret(api, REPO_SCOPE, "A", "1")
    assert failed.status_code == 502 and "documentation_url" in failed.json()
    assert sim.secret_names(OWNER, REPO) == []
    assert put_secret(api, REPO_SCOPE, "A", "1").status_code == 201
    sim.inject("GET", route, delay_s=0.01)
    assert api.call("GET", f"{REPO_SCOPE}/secrets/A").status_code == 200


# --- drift helpers ---------------------------------------------------------------------------------


def test_out_of_band_secret_change_moves_updated_at(sim: GithubSimulator, api: Client) -> None:
    put_secret(api, REPO_SCOPE, "TOKEN", "mine")
    before = api.ok("GET", f"{REPO_SCOPE}/secrets/TOKEN")["updated_at"]
    sim.set_secret(OWNER, REPO, "TOKEN", "theirs")
    assert api.ok("GET", f"{REPO_SCOPE}/secrets/TOKEN")["updated_at"] > before
    assert sim.secret_plaintext(OWNER, REPO, "TOKEN") == "theirs"
    sim.delete_secret(OWNER, REPO, "TOKEN")
    assert api.call("GET", f"{REPO_SCOPE}/secrets/TOKEN").status_code == 404


def test_out_of_band_file_edit_changes_sha(sim: GithubSimulator, api: Client) -> None:
    sha = put_file(api, "mine\n").json()["content"]["sha"]
    sim.put_file(OWNER, REPO, WORKFLOW, "theirs\n")
    read = api.ok("GET", f"/repos/{OWNER}/{REPO}/contents/{WORKFLOW}", params={"ref": "main"})
    assert read["sha"] != sha and base64.b64decode(read["content"]) == b"theirs\n"
    assert sim.summary()[REPO]["secrets"] == []


# --- standalone process ----------------------------------------------------------------------------


def test_runs_as_a_module_and_writes_its_info_file(tmp_path: Path) -> None:
    info_file = tmp_path / "github.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.simulators.github", "--port", "0", "--repo", REPO,
         "--info-file", str(info_file)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        printed = json.loads(process.stdout.readline())
        assert printed == json.loads(info_file.read_text())
        assert printed["url"].endswith("/") and printed["owner"] == OWNER
        response = requests.get(f"{printed['url']}api/v3/repos/{OWNER}/{REPO}",
                                headers={"Authorization": f"Bearer {printed['token']}"}, timeout=10)
        assert response.json()["name"] == REPO
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_a_read_only_token_reads_but_every_write_is_refused() -> None:
    reader = "github_pat_read_only_for_tests"
    with GithubSimulator(owner=OWNER, repos=[REPO], readonly_token=reader) as sim:
        api = Client(sim, f"Bearer {reader}")
        assert api.call("GET", f"/repos/{OWNER}/{REPO}").status_code == 200
        key = api.ok("GET", f"/repos/{OWNER}/{REPO}/actions/secrets/public-key")
        response = api.call("PUT", f"/repos/{OWNER}/{REPO}/actions/secrets/TOKEN",
                            json={"key_id": key["key_id"], "encrypted_value": seal(key["key"], "v")})
        assert response.status_code == 403
        assert response.json()["message"] == "Resource not accessible by personal access token"
        assert response.headers["X-Accepted-GitHub-Permissions"] == "secrets=write"
        contents = api.call("PUT", f"/repos/{OWNER}/{REPO}/contents/{WORKFLOW}", json={"message": "m", "content": ""})
        assert (contents.status_code, contents.headers["X-Accepted-GitHub-Permissions"]) == (403, "contents=write")
        assert sim.secret_names(OWNER, REPO) == []
