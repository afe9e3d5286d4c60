"""`GithubSimulator`: the GitHub REST API in GHES mode (`/api/v3`), with inspection and drift helpers."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterable
from typing import Any

from nacl.public import PublicKey, SealedBox

from tests.simulators.github.api_accounts import AccountApi
from tests.simulators.github.api_contents import ContentsApi
from tests.simulators.github.api_environments import EnvironmentApi
from tests.simulators.github.api_secrets import SecretApi
from tests.simulators.github.crypto import KeyPair
from tests.simulators.github.errors import error_response
from tests.simulators.github.store import Environment, GithubStore, Repo, Secret
from tests.simulators.github.views import API_PREFIX
from tests.simulators.http_core import Request, Response, Route, SimulatorBase

REPO_ROUTE = f"{API_PREFIX}/repos/{{owner}}/{{repo}}"
DEFAULT_TOKEN = "ghp_simulator0000000000000000000000000000"
RATE_LIMIT = 5000
RATE_WINDOW_S = 3600
# Token formats (github.blog 2021-04-05 "Behind GitHub's new authentication token formats"): `ghp_` personal
# access tokens (classic) and `gho_` OAuth app tokens carry OAuth scopes; `github_pat_` (fine-grained) and
# GitHub App tokens carry fine-grained permissions instead.
CLASSIC_PREFIXES = ("ghp_", "gho_")
READ_ONLY_PERMISSIONS = {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True}


def is_classic(token: str) -> bool:
    return token.startswith(CLASSIC_PREFIXES)


def _not_permitted(path: str) -> Response:
    """A fine-grained token with read access only, on a write.

    GitHub answers 403 "Resource not accessible by personal access token" and names the permission the
    route needs in X-Accepted-GitHub-Permissions (docs.github.com, "Troubleshooting the REST API":
    insufficient permission errors; github.blog changelog 2023-08-10).
    """
    needed = "secrets=write" if "/actions/secrets" in path else "contents=write"
    response = error_response(403, "Resource not accessible by personal access token")
    response.headers["X-Accepted-GitHub-Permissions"] = needed
    return response


class GithubSimulator(SimulatorBase):
    """GitHub Enterprise Server-style API. `start()` returns the base URL to give `github:baseUrl`."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        readonly_token: str | None = None,
        scopes: str = "repo, workflow",
        owner: str = "penpal-ai",
        owner_type: str = "Organization",
        user: str = "penpal-bot",
        repos: Iterable[str] = (),
        enforce_rate_limit: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if owner_type not in ("Organization", "User"):
            raise ValueError("owner_type must be 'Organization' or 'User'")
        self.token = token
        self.readonly_token = readonly_token
        self.scopes = scopes
        self.enforce_rate_limit = enforce_rate_limit
        self.store = GithubStore(owner=owner, owner_type=owner_type, user=owner if owner_type == "User" else user)
        for name in repos:
            self.store.add_repo(name)
        self._rate_used = 0
        self._rate_reset = int(time.time()) + RATE_WINDOW_S
        super().__init__(host, port)

    @property
    def owner(self) -> str:
        return self.store.owner

    # --- SimulatorBase hooks ----------------------------------------------------------------------
    def routes(self) -> Iterable[Route]:
        apis: list[Any] = [
            AccountApi(self.store, self._rate_state),
            SecretApi(self.store),
            EnvironmentApi(self.store),
            ContentsApi(self.store),
        ]
        return [route for api in apis for route in api.routes()]

    def authorize(self, request: Request) -> Response | None:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() not in ("bearer", "token") or not presented or presented not in (
            self.token,
            self.readonly_token,
        ):
            return error_response(401, "Bad credentials")
        if presented == self.readonly_token and request.method not in ("GET", "HEAD"):
            return _not_permitted(request.path)
        if self.enforce_rate_limit and self._rate_state()["remaining"] <= 0:
            return error_response(403, "API rate limit exceeded for user ID 4242.")
        self._rate_used += 1
        return None

    def error_response(self, status: int, message: str) -> Response:
        return error_response(status, message)

    def not_found_response(self, request: Request) -> Response:
        return error_response(404, "Not Found")

    def bad_json_response(self, detail: str) -> Response:
        return error_response(400, "Problems parsing JSON")

    def common_headers(self) -> dict[str, str]:
        with self.lock:
            rate = self._rate_state()
        return {
            "Content-Type": "application/json; charset=utf-8",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-RateLimit-Limit": str(rate["limit"]),
            "X-RateLimit-Remaining": str(rate["remaining"]),
            "X-RateLimit-Reset": str(rate["reset"]),
            "X-RateLimit-Used": str(rate["used"]),
            "X-RateLimit-Resource": "core",
        }

    def dispatch(self, request: Request) -> Response:
        response = super().dispatch(request)
        presented = request.headers.get("authorization", "").partition(" ")[2]
        if response.status != 401 and is_classic(presented):
            # docs.github.com "Scopes for OAuth apps": X-OAuth-Scopes lists the scopes the token has.
            response.headers["X-OAuth-Scopes"] = self.scopes
            if presented == self.readonly_token and request.route == REPO_ROUTE and isinstance(response.body, dict):
                # A classic token of a collaborator with read access: `permissions` are the user's
                # (docs.github.com, "Get a repository").
                response.body = {**response.body, "permissions": dict(READ_ONLY_PERMISSIONS)}
        if request.method == "GET" and response.status == 200 and response.body is not None:
            etag = 'W/"' + hashlib.sha256(response.encode()).hexdigest() + '"'
            response.headers["ETag"] = etag
            if request.headers.get("if-none-match") == etag:
                return Response(304, None, {k: v for k, v in response.headers.items() if k != "Content-Type"})
        if response.body is None:
            response.headers.pop("Content-Type", None)
        return response

    # --- rate limit: 5000 per hourly window ----------------------------------------------------------
    def _rate_state(self) -> dict[str, int]:
        now = int(time.time())
        if now >= self._rate_reset:
            self._rate_used, self._rate_reset = 0, now + RATE_WINDOW_S
        remaining = RATE_LIMIT - self._rate_used
        if not self.enforce_rate_limit:
            # go-github refuses to send requests after seeing `remaining: 0`; never show it unless asked.
            remaining = max(remaining, 1)
        return {"limit": RATE_LIMIT, "remaining": max(remaining, 0), "reset": self._rate_reset,
                "used": self._rate_used}

    def set_rate_limit_remaining(self, remaining: int) -> None:
        with self.lock:
            self._rate_used = RATE_LIMIT - remaining

    # --- repositories -------------------------------------------------------------------------------
    def add_repo(self, name: str, default_branch: str = "main", private: bool = True) -> dict[str, Any]:
        with self.lock:
            repo = self.store.add_repo(name, default_branch, private)
            return {"id": repo.id, "name": repo.name, "default_branch": repo.default_branch}

    def repo_id(self, repo: str) -> int:
        with self.lock:
            return self._repo(self.owner, repo).id

    # --- inspection -----------------------------------------------------------------------------------
    def secret_plaintext(self, owner: str, repo: str, name: str, environment: str | None = None) -> str | None:
        """The decrypted value of a repository (or environment) Actions secret, or None if absent."""
        with self.lock:
            secret = self._secrets(owner, repo, environment).get(name.upper())
            return secret.plaintext if secret else None

    def secret_names(self, owner: str, repo: str, environment: str | None = None) -> list[str]:
        with self.lock:
            return sorted(self._secrets(owner, repo, environment))

    def secret_metadata(self, owner: str, repo: str, name: str, environment: str | None = None) -> dict[str, Any]:
        with self.lock:
            return self._secrets(owner, repo, environment)[name.upper()].view()

    def variables(self, owner: str, repo: str, environment: str | None = None) -> dict[str, str]:
        with self.lock:
            target = self._env(owner, repo, environment) if environment else self._repo(owner, repo)
            return {name: variable.value for name, variable in sorted(target.variables.items())}

    def environments(self, owner: str, repo: str) -> list[str]:
        with self.lock:
            return [env.name for _, env in sorted(self._repo(owner, repo).environments.items())]

    def public_key(self, owner: str, repo: str, environment: str | None = None) -> dict[str, str]:
        with self.lock:
            target = self._env(owner, repo, environment) if environment else self._repo(owner, repo)
            return target.key.view()

    def file_content(self, owner: str, repo: str, path: str, branch: str | None = None) -> str | None:
        with self.lock:
            git_repo = self._repo(owner, repo)
            commit = git_repo.git.resolve(branch or git_repo.default_branch)
            content = commit.tree.get(path) if commit else None
            return content.decode() if content is not None else None

    def commit_messages(self, owner: str, repo: str, branch: str | None = None) -> list[str]:
        """Newest first."""
        with self.lock:
            git_repo = self._repo(owner, repo)
            head = git_repo.git.branches[branch or git_repo.default_branch]
            return [commit.message for commit in git_repo.git.history(head)]

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return {
                repo.name: {
                    "secrets": sorted(repo.secrets),
                    "variables": sorted(repo.variables),
                    "environments": {env.name: sorted(env.secrets) for env in repo.environments.values()},
                }
                for repo in self.store.repos.values()
            }

    # --- out-of-band edits (drift) -------------------------------------------------------------------
    def set_secret(self, owner: str, repo: str, name: str, plaintext: str, environment: str | None = None) -> None:
        """Create or change a secret as someone in the web UI would; `updated_at` moves forward."""
        with self.lock:
            secrets = self._secrets(owner, repo, environment)
            key = self._key(owner, repo, environment)
            now = self.store.clock.now()
            existing = secrets.get(name.upper())
            if existing:
                existing.plaintext, existing.updated_at = plaintext, now
            else:
                secrets[name.upper()] = Secret(name.upper(), plaintext, key.key_id, now, now)

    def delete_secret(self, owner: str, repo: str, name: str, environment: str | None = None) -> None:
        with self.lock:
            del self._secrets(owner, repo, environment)[name.upper()]

    def delete_environment(self, owner: str, repo: str, environment: str) -> None:
        with self.lock:
            del self._repo(owner, repo).environments[environment.lower()]

    def rotate_public_key(self, owner: str, repo: str, environment: str | None = None) -> None:
        """A new key pair; secrets sealed for the old key id are then rejected."""
        with self.lock:
            target = self._env(owner, repo, environment) if environment else self._repo(owner, repo)
            target.key = KeyPair()

    def create_branch(self, owner: str, repo: str, branch: str, from_branch: str | None = None) -> None:
        """A new branch at the head of `from_branch` (default branch if None), as `git push origin HEAD:branch`."""
        with self.lock:
            git_repo = self._repo(owner, repo)
            git_repo.git.branches[branch] = git_repo.git.branches[from_branch or git_repo.default_branch]

    def put_file(self, owner: str, repo: str, path: str, content: str, branch: str | None = None,
                 message: str = "Edit from the web UI") -> None:
        with self.lock:
            git_repo = self._repo(owner, repo)
            target = branch or git_repo.default_branch
            head = git_repo.git.commits[git_repo.git.branches[target]]
            person = self.store.user_person(self.store.clock.now())
            git_repo.git.commit(target, {**head.tree, path: content.encode()}, message, person, person)

    def delete_file(self, owner: str, repo: str, path: str, branch: str | None = None) -> None:
        with self.lock:
            git_repo = self._repo(owner, repo)
            target = branch or git_repo.default_branch
            head = git_repo.git.commits[git_repo.git.branches[target]]
            tree = {p: blob for p, blob in head.tree.items() if p != path}
            person = self.store.user_person(self.store.clock.now())
            git_repo.git.commit(target, tree, f"Delete {path}", person, person)

    # --- helpers ---------------------------------------------------------------------------------------
    def _repo(self, owner: str, repo: str) -> Repo:
        found = self.store.repos.get(repo.lower()) if self.store.owns(owner) else None
        if found is None:
            raise KeyError(f"no repository {owner}/{repo}")
        return found

    def _env(self, owner: str, repo: str, environment: str) -> Environment:
        found = self._repo(owner, repo).environments.get(environment.lower())
        if found is None:
            raise KeyError(f"no environment {environment!r} in {owner}/{repo}")
        return found

    def _secrets(self, owner: str, repo: str, environment: str | None) -> dict[str, Secret]:
        return self._env(owner, repo, environment).secrets if environment else self._repo(owner, repo).secrets

    def _key(self, owner: str, repo: str, environment: str | None) -> KeyPair:
        return self._env(owner, repo, environment).key if environment else self._repo(owner, repo).key


def seal_for(public_key_b64: str, plaintext: str) -> str:
    """Encrypt like the provider does (libsodium sealed box), base64-encoded: a helper for tests."""
    sealed = SealedBox(PublicKey(base64.b64decode(public_key_b64))).encrypt(plaintext.encode())
    return base64.b64encode(sealed).decode()
