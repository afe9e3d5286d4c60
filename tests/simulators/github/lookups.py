"""Resolving the repository and environment a request addresses (404 when unknown)."""

from __future__ import annotations

from tests.simulators.github.errors import not_found
from tests.simulators.github.store import Environment, GithubStore, Repo
from tests.simulators.http_core import Request


def repo_of(store: GithubStore, request: Request) -> Repo:
    """From `{owner}/{repo}` or the legacy `{repo_id}` path parameters."""
    if "repo_id" in request.params:
        raw = request.params["repo_id"]
        repo = store.repo_by_id(int(raw)) if raw.isdigit() else None
    else:
        repo = store.repos.get(request.params["repo"].lower()) if store.owns(request.params["owner"]) else None
    if repo is None:
        raise not_found()
    return repo


def environment_of(store: GithubStore, request: Request) -> tuple[Repo, Environment]:
    repo = repo_of(store, request)
    env = repo.environments.get(request.params["env"].lower())
    if env is None:
        raise not_found()
    return repo, env
