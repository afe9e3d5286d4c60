"""API representations (users, organisations, repositories, commits, contents, environments)."""

from __future__ import annotations

import base64
import textwrap
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tests.simulators.github.git import Commit, blob_sha
from tests.simulators.github.store import Environment, GithubStore, Repo
from tests.simulators.http_core import Request

API_PREFIX = "/api/v3"


@dataclass(frozen=True)
class Urls:
    web: str  # e.g. http://127.0.0.1:PORT
    api: str  # e.g. http://127.0.0.1:PORT/api/v3


def urls_for(request: Request) -> Urls:
    web = f"http://{request.headers.get('host', '127.0.0.1')}"
    return Urls(web, web + API_PREFIX)


def account_view(urls: Urls, login: str, account_id: int, kind: str) -> dict[str, Any]:
    collection = "orgs" if kind == "Organization" else "users"
    return {
        "login": login,
        "id": account_id,
        "node_id": f"MDQ6{kind}{account_id}",
        "type": kind,
        "site_admin": False,
        "url": f"{urls.api}/{collection}/{login}",
        "html_url": f"{urls.web}/{login}",
        "avatar_url": f"{urls.web}/avatars/{login}",
    }


def owner_view(store: GithubStore, urls: Urls) -> dict[str, Any]:
    if store.owner_type == "User" and store.owner.lower() == store.user.lower():
        return account_view(urls, store.owner, store.USER_ID, "User")
    return account_view(urls, store.owner, store.OWNER_ID, store.owner_type)


def user_view(store: GithubStore, urls: Urls) -> dict[str, Any]:
    return account_view(urls, store.user, store.USER_ID, "User")


def repo_view(store: GithubStore, urls: Urls, repo: Repo) -> dict[str, Any]:
    full_name = f"{store.owner}/{repo.name}"
    pushed = repo.git.commits[repo.git.branches[repo.default_branch]].committer.date
    return {
        "id": repo.id,
        "node_id": f"R_sim{repo.id}",
        "name": repo.name,
        "full_name": full_name,
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "owner": owner_view(store, urls),
        "html_url": f"{urls.web}/{full_name}",
        "url": f"{urls.api}/repos/{full_name}",
        "description": None,
        "fork": False,
        "archived": repo.archived,
        "disabled": False,
        "default_branch": repo.default_branch,
        "created_at": repo.created_at,
        "updated_at": pushed,
        "pushed_at": pushed,
        "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
        "has_issues": True,
        "topics": [],
    }


def _repo_api(store: GithubStore, urls: Urls, repo: Repo) -> str:
    return f"{urls.api}/repos/{store.owner}/{repo.name}"


def git_commit_view(store: GithubStore, urls: Urls, repo: Repo, commit: Commit) -> dict[str, Any]:
    """The `commit` object of a contents PUT/DELETE answer (git-data shape)."""
    base = _repo_api(store, urls, repo)
    return {
        "sha": commit.sha,
        "node_id": f"C_sim{commit.sha[:12]}",
        "url": f"{base}/git/commits/{commit.sha}",
        "html_url": f"{urls.web}/{store.owner}/{repo.name}/commit/{commit.sha}",
        "author": commit.author.view(),
        "committer": commit.committer.view(),
        "message": commit.message,
        "tree": {"sha": commit.tree_sha, "url": f"{base}/git/trees/{commit.tree_sha}"},
        "parents": [{"sha": commit.parent, "url": f"{base}/git/commits/{commit.parent}"}] if commit.parent else [],
        "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None},
    }


def commit_view(store: GithubStore, urls: Urls, repo: Repo, commit: Commit) -> dict[str, Any]:
    """The REST `GET /repos/{o}/{r}/commits/{sha}` shape."""
    base = _repo_api(store, urls, repo)
    is_user = commit.committer.name == store.user
    return {
        "sha": commit.sha,
        "node_id": f"C_sim{commit.sha[:12]}",
        "url": f"{base}/commits/{commit.sha}",
        "html_url": f"{urls.web}/{store.owner}/{repo.name}/commit/{commit.sha}",
        "commit": {
            "author": commit.author.view(),
            "committer": commit.committer.view(),
            "message": commit.message,
            "tree": {"sha": commit.tree_sha, "url": f"{base}/git/trees/{commit.tree_sha}"},
            "url": f"{base}/git/commits/{commit.sha}",
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None},
        },
        "author": user_view(store, urls) if is_user else None,
        "committer": user_view(store, urls) if is_user else None,
        "parents": [{"sha": commit.parent, "url": f"{base}/commits/{commit.parent}"}] if commit.parent else [],
    }


def file_view(store: GithubStore, urls: Urls, repo: Repo, path: str, ref: str, content: bytes | None,
              with_content: bool = True) -> dict[str, Any]:
    base = _repo_api(store, urls, repo)
    escaped = quote(path)
    entry: dict[str, Any] = {
        "type": "file",
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": blob_sha(content or b""),
        "size": len(content or b""),
        # terraform-provider-github reads the `ref` query parameter back out of this URL.
        "url": f"{base}/contents/{escaped}?ref={quote(ref)}",
        "html_url": f"{urls.web}/{store.owner}/{repo.name}/blob/{ref}/{escaped}",
        "git_url": f"{base}/git/blobs/{blob_sha(content or b'')}",
        "download_url": f"{urls.web}/raw/{store.owner}/{repo.name}/{ref}/{escaped}",
    }
    entry["_links"] = {"self": entry["url"], "git": entry["git_url"], "html": entry["html_url"]}
    if with_content:
        encoded = base64.b64encode(content or b"").decode()
        # GitHub wraps base64 content at 60 characters; clients strip the newlines.
        entry["content"] = "\n".join(textwrap.wrap(encoded, 60)) + ("\n" if encoded else "")
        entry["encoding"] = "base64"
    return entry


def dir_entry_view(store: GithubStore, urls: Urls, repo: Repo, path: str, ref: str) -> dict[str, Any]:
    base = _repo_api(store, urls, repo)
    return {
        "type": "dir",
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": blob_sha(path.encode()),
        "size": 0,
        "url": f"{base}/contents/{quote(path)}?ref={quote(ref)}",
        "html_url": f"{urls.web}/{store.owner}/{repo.name}/tree/{ref}/{quote(path)}",
        "git_url": None,
        "download_url": None,
    }


def environment_view(store: GithubStore, urls: Urls, repo: Repo, env: Environment) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    if env.wait_timer:
        rules.append({"id": env.id * 10 + 1, "node_id": f"GA_sim{env.id}1", "type": "wait_timer",
                      "wait_timer": env.wait_timer})
    if env.reviewers:
        reviewers = [
            {"type": reviewer["type"], "reviewer": {"id": reviewer["id"], "login": f"reviewer-{reviewer['id']}"}
             if reviewer["type"] == "User" else {"id": reviewer["id"], "slug": f"team-{reviewer['id']}"}}
            for reviewer in env.reviewers
        ]
        rules.append({"id": env.id * 10 + 2, "node_id": f"GA_sim{env.id}2", "type": "required_reviewers",
                      "prevent_self_review": env.prevent_self_review, "reviewers": reviewers})
    if env.deployment_branch_policy is not None:
        rules.append({"id": env.id * 10 + 3, "node_id": f"GA_sim{env.id}3", "type": "branch_policy"})
    return {
        "id": env.id,
        "node_id": f"EN_sim{env.id}",
        "name": env.name,
        "url": f"{_repo_api(store, urls, repo)}/environments/{quote(env.name)}",
        "html_url": f"{urls.web}/{store.owner}/{repo.name}/deployments?environment={quote(env.name)}",
        "created_at": env.created_at,
        "updated_at": env.updated_at,
        "can_admins_bypass": env.can_admins_bypass,
        "protection_rules": rules,
        "deployment_branch_policy": dict(env.deployment_branch_policy) if env.deployment_branch_policy else None,
    }
