"""components/access.py against the three simulators: each token is probed for what the run needs.

The simulators refuse as the real APIs do (Coolify's `api.ability:<x>` middleware before validation,
Hetzner's read-only tokens, GitHub's 403 for a fine-grained token without write), so these tests fail
if a probe ever mistakes a reader for a writer or the other way round.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
import requests

from components.access import ApiAccess, Need, TokenCheckError, _github_api, check_access
from tests.simulators.coolify import CoolifySimulator, sample_private_key
from tests.simulators.github import GithubSimulator
from tests.simulators.hcloud import HcloudSimulator

ROOT = "1|root-token-0000000000000000000000000000"
READER = "2|read-token-0000000000000000000000000000"
DEPLOYER = "3|deploy-token-000000000000000000000000000"
WRITER_NO_DEPLOY = "4|write-read-token-0000000000000000000000"
HCLOUD_WRITE = "w" * 64
HCLOUD_READ = "r" * 64
GITHUB_WRITE = "ghp_writer000000000000000000000000000000"
GITHUB_READ = "github_pat_reader0000000000000000000000"
OWNER = "penpal-ai"
REPOS = ("penpal-ai-db-service", "penpal-ai-chat-service")


@pytest.fixture(scope="module")
def access() -> Iterator[ApiAccess]:
    coolify = CoolifySimulator(tokens={ROOT: {"root"}, READER: {"read"}, DEPLOYER: {"deploy"},
                                       WRITER_NO_DEPLOY: {"read", "write", "read:sensitive"}})
    hcloud = HcloudSimulator(token=HCLOUD_WRITE, readonly_token=HCLOUD_READ)
    github = GithubSimulator(GITHUB_WRITE, readonly_token=GITHUB_READ, owner=OWNER, repos=REPOS)
    for sim in (coolify, hcloud, github):
        sim.start()
    try:
        yield ApiAccess(
            coolify_url=coolify.url,
            coolify_token=ROOT,
            deploy_token=DEPLOYER,
            hcloud_endpoint=hcloud.endpoint.rstrip("/"),
            hcloud_token=HCLOUD_WRITE,
            github_base_url=github.base_url + "/api/v3",
            github_token=GITHUB_WRITE,
            github_owner=OWNER,
            github_repos=REPOS,
        )
    finally:
        for sim in (coolify, hcloud, github):
            sim.stop()


def problems(access: ApiAccess, need: Need) -> tuple[str, ...]:
    try:
        check_access(access, need)
    except TokenCheckError as err:
        assert str(err).splitlines()[0].startswith("API tokens cannot do what")
        return err.problems
    return ()


def read_only(access: ApiAccess) -> ApiAccess:
    return replace(access, coolify_token=READER, hcloud_token=HCLOUD_READ, github_token=GITHUB_READ)


def test_write_tokens_pass_an_up_and_a_preview(access: ApiAccess) -> None:
    assert problems(access, Need.WRITE) == ()
    assert problems(access, Need.READ) == ()


def test_read_only_tokens_pass_a_preview(access: ApiAccess) -> None:
    assert problems(read_only(access), Need.READ) == ()


def test_read_only_tokens_fail_an_up_naming_each_token_and_what_it_lacks(access: ApiAccess) -> None:
    found = problems(read_only(access), Need.WRITE)
    assert len(found) == 4, found
    coolify_write, coolify_deploy, hcloud, github = found
    assert coolify_write.startswith("coolify:token lacks the Coolify ability 'write' (needed by an up")
    assert coolify_deploy.startswith("coolify:token lacks the Coolify ability 'deploy'")
    assert hcloud.startswith("hcloud:token cannot write (token_readonly:")
    assert hcloud.endswith("an up needs a Read & Write token")
    assert github == (
        f"github:token cannot write Actions secrets of {OWNER}/{REPOS[0]} "
        "(Resource not accessible by personal access token; needs secrets=write)"
    )


def test_a_writer_without_deploy_fails_an_up(access: ApiAccess) -> None:
    assert problems(replace(access, coolify_token=WRITER_NO_DEPLOY), Need.WRITE) == (
        "coolify:token lacks the Coolify ability 'deploy' (needed by an up; an up needs 'root', or 'read', "
        "'write', 'deploy' and 'read:sensitive')",
    )


def test_a_deploy_only_token_cannot_run_a_preview(access: ApiAccess) -> None:
    (problem,) = problems(replace(access, coolify_token=DEPLOYER), Need.READ)
    assert problem.startswith("coolify:token lacks the Coolify ability 'read' (needed by a preview")


def test_the_deploy_token_must_deploy_and_nothing_more(access: ApiAccess) -> None:
    assert problems(replace(access, deploy_token=ROOT), Need.WRITE) == (
        "penpal:deployToken can also write (Coolify ability 'write' or 'root'): the service repos must get a "
        "token with only 'deploy'",
    )
    assert problems(replace(access, deploy_token=READER), Need.WRITE) == (
        "penpal:deployToken lacks the Coolify ability 'deploy': the service repos could not deploy",
    )
    # A preview does not use the deploy token.
    assert problems(replace(access, deploy_token=READER), Need.READ) == ()


def test_unknown_tokens_are_refused_by_name_without_the_value(access: ApiAccess) -> None:
    bad = replace(access, coolify_token="9|nope", hcloud_token="x" * 64, github_token="ghp_nope")
    found = problems(bad, Need.READ)
    assert found == (
        "coolify:token was refused by the API (Unauthenticated.): the token is wrong or expired",
        "hcloud:token was refused by the API (unauthorized: unable to authenticate): the token is wrong or expired",
        "github:token was refused by the API (Bad credentials): the token is wrong or expired",
    )
    assert not any("nope" in line for line in found)


def test_an_unreachable_api_is_one_line(access: ApiAccess) -> None:
    (problem,) = problems(replace(access, coolify_url="http://127.0.0.1:9"), Need.READ)
    assert problem == "coolify:token: could not reach http://127.0.0.1:9/api/v1/version (ConnectionError)"


def test_the_probes_change_nothing(access: ApiAccess) -> None:
    with CoolifySimulator(tokens={ROOT: {"root"}}) as coolify:
        problems(replace(access, coolify_url=coolify.url, deploy_token=None), Need.WRITE)
        assert coolify.state.projects == []
        assert [r.status for r in coolify.requests if r.method == "POST"] == [422, 400]


@pytest.mark.parametrize(
    ("base_url", "api"),
    [
        ("https://api.github.com/", "https://api.github.com"),
        ("https://ghes.example.com/", "https://ghes.example.com/api/v3"),
        ("http://127.0.0.1:8080/api/v3/", "http://127.0.0.1:8080/api/v3"),
    ],
)
def test_github_rest_root_follows_go_github(base_url: str, api: str) -> None:
    assert _github_api(base_url) == api


def test_an_up_needs_read_sensitive_once_a_private_key_is_there(access: ApiAccess) -> None:
    no_sensitive = "5|read-write-deploy-token-000000000000000"
    with CoolifySimulator(tokens={ROOT: {"root"}, no_sensitive: {"read", "write", "deploy"}}) as coolify:
        local = replace(access, coolify_url=coolify.url, deploy_token=None)
        # No private key yet (a first up): whether the token reads sensitive fields cannot be told.
        assert problems(replace(local, coolify_token=no_sensitive), Need.WRITE) == ()
        created = requests.post(f"{coolify.url}/api/v1/security/keys", timeout=10,
                                headers={"Authorization": f"Bearer {ROOT}"},
                                json={"name": "host", "private_key": sample_private_key("host")})
        assert created.status_code == 201, created.text
        assert problems(replace(local, coolify_token=no_sensitive), Need.WRITE) == (
            "coolify:token lacks the Coolify ability 'read:sensitive' (Coolify hides database URLs and env values "
            "from it; an up needs 'root', or 'read', 'write', 'deploy' and 'read:sensitive')",
        )
        assert problems(local, Need.WRITE) == ()
        # A preview by such a token goes on, with one warning: it cannot see env values changed in Coolify.
        assert check_access(replace(local, coolify_token=no_sensitive), Need.READ) == (
            "Coolify hides env var values from this token (it needs `root` or `read:sensitive`): values changed "
            "directly in Coolify cannot be detected; `up` re-applies only values changed in the program.",
        )
        assert check_access(local, Need.READ) == ()


def test_a_minute_used_up_by_an_earlier_run_is_waited_out(access: ApiAccess) -> None:
    with CoolifySimulator(tokens={ROOT: {"root"}}) as coolify:
        # Coolify's window is a minute; 2 s keeps the test short.
        coolify.rate_limit_per_minute = 4  # an up's four probes fit in one window
        coolify.config.rate_window_s = 2.0
        for _ in range(4):  # the end of an earlier run of the same user
            requests.get(f"{coolify.url}/api/v1/version", headers={"Authorization": f"Bearer {ROOT}"}, timeout=10)
        assert problems(replace(access, coolify_url=coolify.url, deploy_token=None), Need.WRITE) == ()
        # The first probe was refused, waited `Retry-After` and went through; the rest fit the new window.
        assert coolify.throttled == 1
        assert [r.status for r in coolify.requests if r.method == "POST"] == [422, 400]
