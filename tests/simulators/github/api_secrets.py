"""Actions secrets and variables, for a repository and for its environments.

Environment secrets are served on both the current `/repos/{owner}/{repo}/environments/{env}/...`
paths and the legacy `/repositories/{repo_id}/environments/{env}/...` ones that released
terraform-provider-github (through go-github) still calls. Secret values arrive sealed-box encrypted
for the scope's public key; they are decrypted and kept for test inspection, never returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.simulators.github.crypto import KeyPair
from tests.simulators.github.errors import api_error, not_found, validation_failed
from tests.simulators.github.lookups import environment_of, repo_of
from tests.simulators.github.paging import page_of
from tests.simulators.github.store import GithubStore, Secret, Variable
from tests.simulators.github.views import API_PREFIX
from tests.simulators.http_core import BadJson, Request, Response, Route

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

REPO = f"{API_PREFIX}/repos/{{owner}}/{{repo}}"
ENV = f"{API_PREFIX}/repos/{{owner}}/{{repo}}/environments/{{env}}"
LEGACY_ENV = f"{API_PREFIX}/repositories/{{repo_id}}/environments/{{env}}"


class Scope:
    """Where secrets/variables live: a repository or one of its environments."""

    def __init__(self, key: KeyPair, secrets: dict[str, Secret], variables: dict[str, Variable]) -> None:
        self.key = key
        self.secrets = secrets
        self.variables = variables


ScopeOf = Callable[[Request], Scope]


def _json(request: Request) -> dict[str, Any]:
    try:
        return request.json()
    except BadJson:
        raise api_error(400, "Problems parsing JSON") from None


def checked_name(name: str, resource: str) -> str:
    """Secret and variable names: letters, digits, `_`; no leading digit; no `GITHUB_` prefix."""
    if not _NAME.match(name) or name.upper().startswith("GITHUB_"):
        raise validation_failed(resource, "name", "invalid", f"{name!r} is not a valid name")
    return name.upper()


class SecretApi:
    def __init__(self, store: GithubStore) -> None:
        self.store = store

    def repo_scope(self, request: Request) -> Scope:
        repo = repo_of(self.store, request)
        return Scope(repo.key, repo.secrets, repo.variables)

    def env_scope(self, request: Request) -> Scope:
        _, env = environment_of(self.store, request)
        return Scope(env.key, env.secrets, env.variables)

    def routes(self) -> list[Route]:
        routes = []
        for prefix, scope in ((f"{REPO}/actions", self.repo_scope), (ENV, self.env_scope),
                              (LEGACY_ENV, self.env_scope)):
            routes += [
                Route("GET", f"{prefix}/secrets/public-key", self._public_key(scope)),
                Route("GET", f"{prefix}/secrets", self._list_secrets(scope)),
                Route("GET", f"{prefix}/secrets/{{name}}", self._get_secret(scope)),
                Route("PUT", f"{prefix}/secrets/{{name}}", self._put_secret(scope)),
                Route("DELETE", f"{prefix}/secrets/{{name}}", self._delete_secret(scope)),
                Route("GET", f"{prefix}/variables", self._list_variables(scope)),
                Route("POST", f"{prefix}/variables", self._create_variable(scope)),
                Route("GET", f"{prefix}/variables/{{name}}", self._get_variable(scope)),
                Route("PATCH", f"{prefix}/variables/{{name}}", self._update_variable(scope)),
                Route("DELETE", f"{prefix}/variables/{{name}}", self._delete_variable(scope)),
            ]
        return routes

    # --- secrets ----------------------------------------------------------------------------------
    def _public_key(self, scope_of: ScopeOf) -> Callable[[Request], Response]:
        return lambda request: Response(200, scope_of(request).key.view())

    def _list_secrets(self, scope_of: ScopeOf) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            secrets = [secret.view() for _, secret in sorted(scope_of(request).secrets.items())]
            page, headers = page_of(request, secrets)
            return Response(200, {"total_count": len(secrets), "secrets": page}, headers)

        return handler

    def _get_secret(self, scope_of: ScopeOf) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            secret = scope_of(request).secrets.get(request.params["name"].upper())
            if secret is None:
                raise not_found()
            return Response(200, secret.view())

        return handler

    def _put_secret(self, scope_of: ScopeOf) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            scope = scope_of(request)
            name = checked_name(request.params["name"], "Secret")
            data = _json(request)
            encrypted, key_id = data.get("encrypted_value"), data.get("key_id")
            if not isinstance(encrypted, str) or not encrypted:
                raise validation_failed("Secret", "encrypted_value", "missing_field")
            if not isinstance(key_id, str) or not key_id:
                raise validation_failed("Secret", "key_id", "missing_field")
            if key_id != scope.key.key_id:
                raise api_error(422, "Bad request - key_id does not match the current public key")
            plaintext = scope.key.decrypt(encrypted)
            if plaintext is None:
                raise api_error(422, "Bad request - encrypted_value could not be decrypted with the public key")
            now = self.store.clock.now()
            existing = scope.secrets.get(name)
            if existing is not None:
                existing.plaintext, existing.key_id, existing.updated_at = plaintext, key_id, now
                return Response(204)
            scope.secrets[name] = Secret(name, plaintext, key_id, now, now)
            return Response(201, {})

        return handler

    def _delete_secret(self, scope_of: ScopeOf) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            scope = scope_of(request)
            if scope.secrets.pop(request.params["name"].upper(), None) is None:
                raise not_found()
            return Response(204)

        return handler

    # --- variables --------------------------------------------------------------------------------
    def _list_variables(self, scope_of: ScopeOf) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            variables = [variable.view() for _, variable in sorted(scope_of(request).variables.items())]
            page, headers = page_of(request, variables)
            return Response(200, {"total_count": len(variables), "variables": page}, headers)

        return handler

    def _create_variable(self, scope_of: ScopeOf) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            scope = scope_of(request)
            data = _json(request)
            name = checked_name(str(data.get("name") or ""), "Variable")
            value = data.get("value")
            if not isinstance(value, str):
                raise validation_failed("Variable", "value", "missing_field")
            if name in scope.variables:
                raise api_error(409, "Already exists - Variable already exists")
            now = self.store.clock.now()
            scope.variables[name] = Variable(name, value, now, now)
            return Response(201, {})

        return handler

    def _get_variable(self, scope_of: ScopeOf) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            variable = scope_of(request).variables.get(request.params["name"].upper())
            if variable is None:
                raise not_found()
            return Response(200, variable.view())

        return handler

    def _update_variable(self, scope_of: ScopeOf) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            scope = scope_of(request)
            old_name = request.params["name"].upper()
            variable = scope.variables.get(old_name)
            if variable is None:
                raise not_found()
            data = _json(request)
            if "value" in data:
                if not isinstance(data["value"], str):
                    raise validation_failed("Variable", "value", "invalid")
                variable.value = data["value"]
            if data.get("name"):
                new_name = checked_name(str(data["name"]), "Variable")
                if new_name != old_name and new_name in scope.variables:
                    raise api_error(409, "Already exists - Variable already exists")
                del scope.variables[old_name]
                variable.name = new_name
                scope.variables[new_name] = variable
            variable.updated_at = self.store.clock.now()
            return Response(204)

        return handler

    def _delete_variable(self, scope_of: ScopeOf) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            if scope_of(request).variables.pop(request.params["name"].upper(), None) is None:
                raise not_found()
            return Response(204)

        return handler
