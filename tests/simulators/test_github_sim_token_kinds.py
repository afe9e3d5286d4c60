"""Classic and fine-grained tokens in the GitHub simulator: scope header, collaborator permissions, refusals."""

from __future__ import annotations

import requests

from tests.simulators.github import GithubSimulator

CLASSIC = "ghp_writer000000000000000000000000000000"
CLASSIC_READER = "ghp_reader000000000000000000000000000000"
FINE_GRAINED_READER = "github_pat_reader0000000000000000000000"


def get(sim: GithubSimulator, token: str, path: str) -> requests.Response:
    return requests.get(f"{sim.base_url}/api/v3{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_classic_tokens_carry_their_scopes_and_fine_grained_ones_do_not() -> None:
    with GithubSimulator(CLASSIC, readonly_token=FINE_GRAINED_READER, scopes="repo", repos=["svc"]) as sim:
        assert get(sim, CLASSIC, "/repos/penpal-ai/svc").headers["X-OAuth-Scopes"] == "repo"
        assert "X-OAuth-Scopes" not in get(sim, FINE_GRAINED_READER, "/repos/penpal-ai/svc").headers
        assert "X-OAuth-Scopes" not in get(sim, "ghp_unknown", "/repos/penpal-ai/svc").headers  # 401


def test_a_classic_read_only_collaborator_sees_pull_only() -> None:
    with GithubSimulator(CLASSIC, readonly_token=CLASSIC_READER, repos=["svc"]) as sim:
        assert get(sim, CLASSIC, "/repos/penpal-ai/svc").json()["permissions"]["push"] is True
        assert get(sim, CLASSIC_READER, "/repos/penpal-ai/svc").json()["permissions"] == {
            "admin": False, "maintain": False, "push": False, "triage": False, "pull": True}


def test_a_fine_grained_reader_write_names_the_permission() -> None:
    with GithubSimulator(CLASSIC, readonly_token=FINE_GRAINED_READER, repos=["svc"]) as sim:
        response = requests.put(f"{sim.base_url}/api/v3/repos/penpal-ai/svc/actions/secrets/X", json={},
                                headers={"Authorization": f"Bearer {FINE_GRAINED_READER}"}, timeout=10)
        assert response.status_code == 403
        assert response.headers["X-Accepted-GitHub-Permissions"] == "secrets=write"
