"""Accounts and repositories: `/user`, `/users/{u}`, `/orgs/{o}`, `/repos/{o}/{r}`, `/rate_limit`, GraphQL."""

from __future__ import annotations

from collections.abc import Callable

from tests.simulators.github.errors import not_found
from tests.simulators.github.lookups import repo_of
from tests.simulators.github.store import GithubStore
from tests.simulators.github.views import API_PREFIX, owner_view, repo_view, urls_for, user_view
from tests.simulators.http_core import Request, Response, Route


class AccountApi:
    def __init__(self, store: GithubStore, rate_limit: Callable[[], dict[str, int]]) -> None:
        self.store = store
        self.rate_limit_state = rate_limit

    def routes(self) -> list[Route]:
        return [
            Route("GET", f"{API_PREFIX}/user", self.user),
            Route("GET", f"{API_PREFIX}/users/{{user}}", self.any_user),
            Route("GET", f"{API_PREFIX}/orgs/{{org}}", self.org),
            Route("GET", f"{API_PREFIX}/rate_limit", self.rate_limit),
            Route("GET", f"{API_PREFIX}/repos/{{owner}}/{{repo}}", self.repo),
            Route("GET", f"{API_PREFIX}/repositories/{{repo_id}}", self.repo),
            Route("POST", "/api/graphql", self.graphql),
        ]

    def user(self, request: Request) -> Response:
        return Response(200, {**user_view(self.store, urls_for(request)), "name": self.store.user, "email": None})

    def any_user(self, request: Request) -> Response:
        login = request.params["user"].lower()
        urls = urls_for(request)
        if login == self.store.user.lower():
            return Response(200, user_view(self.store, urls))
        if login == self.store.owner.lower():
            return Response(200, owner_view(self.store, urls))
        raise not_found()

    def org(self, request: Request) -> Response:
        if self.store.owner_type != "Organization" or not self.store.owns(request.params["org"]):
            raise not_found()
        view = owner_view(self.store, urls_for(request))
        return Response(200, {**view, "name": self.store.owner, "description": None, "plan": {"name": "team"}})

    def rate_limit(self, request: Request) -> Response:
        core = self.rate_limit_state()
        return Response(200, {"resources": {"core": core, "graphql": core}, "rate": core})

    def repo(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        return Response(200, repo_view(self.store, urls_for(request), repo))

    def graphql(self, request: Request) -> Response:
        # The resources this project uses are REST-only; answer GraphQL the way a server rejects a query.
        return Response(200, {"data": None, "errors": [{"message": "GraphQL is not simulated"}]})
