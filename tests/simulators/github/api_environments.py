"""Repository environments: list, get, create-or-update (PUT), delete (which drops its secrets too)."""

from __future__ import annotations

from typing import Any

from tests.simulators.github.errors import api_error, not_found, validation_failed
from tests.simulators.github.lookups import environment_of, repo_of
from tests.simulators.github.paging import page_of
from tests.simulators.github.store import Environment, GithubStore
from tests.simulators.github.views import API_PREFIX, environment_view, urls_for
from tests.simulators.http_core import BadJson, Request, Response, Route

MAX_WAIT_TIMER_MINUTES = 43200


class EnvironmentApi:
    def __init__(self, store: GithubStore) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        base = f"{API_PREFIX}/repos/{{owner}}/{{repo}}/environments"
        return [
            Route("GET", base, self.list),
            Route("GET", f"{base}/{{env}}", self.get),
            Route("PUT", f"{base}/{{env}}", self.put),
            Route("DELETE", f"{base}/{{env}}", self.delete),
        ]

    def list(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        urls = urls_for(request)
        envs = [environment_view(self.store, urls, repo, env) for _, env in sorted(repo.environments.items())]
        page, headers = page_of(request, envs)
        return Response(200, {"total_count": len(envs), "environments": page}, headers)

    def get(self, request: Request) -> Response:
        repo, env = environment_of(self.store, request)
        return Response(200, environment_view(self.store, urls_for(request), repo, env))

    def put(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        name = request.params["env"]
        if not name or len(name) > 255 or "/" in name:
            raise validation_failed("Environment", "name", "invalid")
        try:
            data = request.json()
        except BadJson:
            raise api_error(400, "Problems parsing JSON") from None
        settings = self._settings(data)
        now = self.store.clock.now()
        env = repo.environments.get(name.lower())
        if env is None:
            env = Environment(self.store.next_id(), name, now, now)
            repo.environments[name.lower()] = env
        for field, value in settings.items():
            setattr(env, field, value)
        env.updated_at = now
        return Response(200, environment_view(self.store, urls_for(request), repo, env))

    def delete(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        if repo.environments.pop(request.params["env"].lower(), None) is None:
            raise not_found()
        return Response(204)

    @staticmethod
    def _settings(data: dict[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        if "wait_timer" in data:
            wait_timer = data["wait_timer"]
            if wait_timer is not None and (not isinstance(wait_timer, int) or
                                           not 0 <= wait_timer <= MAX_WAIT_TIMER_MINUTES):
                raise validation_failed("Environment", "wait_timer", "invalid")
            settings["wait_timer"] = wait_timer or None
        if "reviewers" in data:
            reviewers = data["reviewers"] or []
            for reviewer in reviewers:
                if reviewer.get("type") not in ("User", "Team") or not isinstance(reviewer.get("id"), int):
                    raise validation_failed("Environment", "reviewers", "invalid")
            settings["reviewers"] = [{"type": r["type"], "id": r["id"]} for r in reviewers]
        for flag in ("prevent_self_review", "can_admins_bypass"):
            if flag in data and data[flag] is not None:
                settings[flag] = bool(data[flag])
        if "deployment_branch_policy" in data:
            policy = data["deployment_branch_policy"]
            if policy is None:
                settings["deployment_branch_policy"] = None
            else:
                protected = bool(policy.get("protected_branches"))
                custom = bool(policy.get("custom_branch_policies"))
                if protected == custom:
                    raise api_error(422, "Exactly one of protected_branches and custom_branch_policies must be true")
                settings["deployment_branch_policy"] = {"protected_branches": protected,
                                                        "custom_branch_policies": custom}
        return settings
