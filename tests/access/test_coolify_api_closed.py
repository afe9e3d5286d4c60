"""A Coolify instance that refuses the API to every token (API access off, or this IP not allowed) is one line.

The Coolify simulator answers as app/Http/Middleware/ApiAllowed.php does: the same 403 before any ability
check, so without this the check would blame each token for lacking every ability.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from components.access import ApiAccess, CoolifyApiClosedError, Need, TokenCheckError, check_access
from tests.simulators.coolify import CoolifySimulator
from tests.simulators.github import GithubSimulator
from tests.simulators.hcloud import HcloudSimulator

ROOT = "1|root-token-0000000000000000000000000000"
DEPLOYER = "3|deploy-token-000000000000000000000000000"
HCLOUD = "w" * 64
GITHUB = "ghp_writer000000000000000000000000000000"
OWNER = "penpal-ai"
REPO = "penpal-ai-db-service"


@pytest.fixture
def coolify() -> Iterator[CoolifySimulator]:
    with CoolifySimulator(tokens={ROOT: {"root"}, DEPLOYER: {"deploy"}}) as sim:
        yield sim


@pytest.fixture(scope="module")
def others() -> Iterator[tuple[HcloudSimulator, GithubSimulator]]:
    hcloud = HcloudSimulator(token=HCLOUD)
    github = GithubSimulator(GITHUB, owner=OWNER, repos=(REPO,))
    for sim in (hcloud, github):
        sim.start()
    try:
        yield hcloud, github
    finally:
        for sim in (hcloud, github):
            sim.stop()


def access_to(coolify: CoolifySimulator, others: tuple[HcloudSimulator, GithubSimulator]) -> ApiAccess:
    hcloud, github = others
    return ApiAccess(
        coolify_url=coolify.url,
        coolify_token=ROOT,
        deploy_token=DEPLOYER,
        hcloud_endpoint=hcloud.endpoint.rstrip("/"),
        hcloud_token=HCLOUD,
        github_base_url=github.base_url + "/api/v3",
        github_token=GITHUB,
        github_owner=OWNER,
        github_repos=(REPO,),
    )


def refusal(access: ApiAccess, need: Need) -> str:
    with pytest.raises(CoolifyApiClosedError) as raised:
        check_access(access, need)
    # The program turns every TokenCheckError into a RunError: one message, no traceback.
    assert isinstance(raised.value, TokenCheckError)
    return str(raised.value)


@pytest.mark.parametrize("need", [Need.READ, Need.WRITE])
def test_a_disabled_api_is_one_line_naming_the_instance_and_the_switch(
    coolify: CoolifySimulator, others: tuple[HcloudSimulator, GithubSimulator], need: Need
) -> None:
    coolify.api_enabled = False
    line = refusal(access_to(coolify, others), need)
    assert line == (
        f'The Coolify API of {coolify.url} is disabled (Coolify answered 403 "API is disabled."). '
        "Enable it in Coolify under Settings > Advanced > API Access, or call POST /api/v1/enable with a "
        "token of the root team."
    )
    # It stops at the first answer: one request, and nothing about abilities.
    assert [(r.method, r.path, r.status) for r in coolify.requests] == [("GET", "/api/v1/version", 403)]


def test_an_ip_outside_the_allowlist_is_one_line_naming_the_setting(
    coolify: CoolifySimulator, others: tuple[HcloudSimulator, GithubSimulator]
) -> None:
    coolify.allowed_ips = "203.0.113.0/24"
    line = refusal(access_to(coolify, others), Need.WRITE)
    assert line == (
        f"The Coolify instance {coolify.url} does not accept API calls from this machine's IP address (Coolify "
        'answered 403 "You are not allowed to access the API."). Add the address under Settings > Advanced > '
        "Allowed API IPs (comma-separated IPs or CIDR ranges; empty or 0.0.0.0 allows every address)."
    )
    assert "\n" not in line


def test_once_enabled_and_allowed_the_same_tokens_pass(
    coolify: CoolifySimulator, others: tuple[HcloudSimulator, GithubSimulator]
) -> None:
    coolify.api_enabled = False
    coolify.allowed_ips = "127.0.0.1"
    access = access_to(coolify, others)
    refusal(access, Need.READ)
    coolify.api_enabled = True
    check_access(access, Need.WRITE)
