"""The simulated GitHub state: one owner (user or organisation) and its repositories.

Each repository has an Actions key pair, secrets (plaintext kept only for test inspection), variables,
environments (each with its own key pair, secrets and variables) and a git history. Names of secrets and
variables are case-insensitive and stored upper-cased, as GitHub does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.simulators.github.clock import MonotonicClock
from tests.simulators.github.crypto import KeyPair
from tests.simulators.github.git import GitRepo, Person


@dataclass
class Secret:
    name: str
    plaintext: str
    key_id: str
    created_at: str
    updated_at: str

    def view(self) -> dict[str, Any]:
        return {"name": self.name, "created_at": self.created_at, "updated_at": self.updated_at}


@dataclass
class Variable:
    name: str
    value: str
    created_at: str
    updated_at: str

    def view(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "created_at": self.created_at,
                "updated_at": self.updated_at}


@dataclass
class Environment:
    id: int
    name: str
    created_at: str
    updated_at: str
    wait_timer: int | None = None
    reviewers: list[dict[str, Any]] = field(default_factory=list)
    prevent_self_review: bool = False
    can_admins_bypass: bool = True
    deployment_branch_policy: dict[str, bool] | None = None
    key: KeyPair = field(default_factory=KeyPair)
    secrets: dict[str, Secret] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)


@dataclass
class Repo:
    id: int
    name: str
    default_branch: str
    private: bool
    created_at: str
    key: KeyPair = field(default_factory=KeyPair)
    secrets: dict[str, Secret] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)
    environments: dict[str, Environment] = field(default_factory=dict)  # keyed by lower-cased name
    git: GitRepo = field(default_factory=GitRepo)
    archived: bool = False


@dataclass
class GithubStore:
    owner: str
    owner_type: str  # "Organization" or "User"
    user: str  # login of the token's user
    clock: MonotonicClock = field(default_factory=MonotonicClock)
    repos: dict[str, Repo] = field(default_factory=dict)  # keyed by lower-cased name
    _next_id: int = 100000

    OWNER_ID = 9001
    USER_ID = 4242

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add_repo(self, name: str, default_branch: str = "main", private: bool = True) -> Repo:
        if name.lower() in self.repos:
            raise ValueError(f"repository {name!r} already exists")
        now = self.clock.now()
        repo = Repo(self.next_id(), name, default_branch, private, now)
        author = self.user_person(now)
        repo.git.commit(default_branch, {"README.md": f"# {name}\n".encode()}, "Initial commit", author, author)
        self.repos[name.lower()] = repo
        return repo

    def repo_by_id(self, repo_id: int) -> Repo | None:
        return next((repo for repo in self.repos.values() if repo.id == repo_id), None)

    def owns(self, owner: str) -> bool:
        return owner.lower() == self.owner.lower()

    def user_person(self, date: str) -> Person:
        return Person(self.user, f"{self.USER_ID}+{self.user}@users.noreply.github.com", date)
