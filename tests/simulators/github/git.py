"""A tiny linear git history per repository: blobs, trees, commits and branch heads.

Blob SHAs are real git blob SHA-1s (`blob <len>\\0<bytes>`), so `sha` values match what git computes.
Commit and tree SHAs are synthetic but stable 40-hex digests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(content) + content, usedforsecurity=False).hexdigest()


def _digest(*parts: str) -> str:
    return hashlib.sha1("\n".join(parts).encode(), usedforsecurity=False).hexdigest()


@dataclass
class Person:
    name: str
    email: str
    date: str

    def view(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "date": self.date}


@dataclass
class Commit:
    sha: str
    tree: dict[str, bytes]
    tree_sha: str
    message: str
    author: Person
    committer: Person
    parent: str | None


@dataclass
class GitRepo:
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)  # branch name -> head commit sha

    def commit(self, branch: str, tree: dict[str, bytes], message: str, author: Person, committer: Person) -> Commit:
        parent = self.branches.get(branch)
        tree_sha = _digest(*(f"{path} {blob_sha(data)}" for path, data in sorted(tree.items())))
        sha = _digest("commit", tree_sha, parent or "", message, committer.date, str(len(self.commits)))
        commit = Commit(sha, dict(tree), tree_sha, message, author, committer, parent)
        self.commits[sha] = commit
        self.branches[branch] = sha
        return commit

    def resolve(self, ref: str) -> Commit | None:
        """A branch name, `heads/<branch>`, `refs/heads/<branch>` or a commit SHA."""
        for prefix in ("refs/heads/", "heads/"):
            if ref.startswith(prefix):
                ref = ref[len(prefix):]
        sha = self.branches.get(ref, ref)
        return self.commits.get(sha)

    def history(self, head: str) -> list[Commit]:
        """Newest first."""
        found = []
        current: str | None = head
        while current is not None:
            commit = self.commits[current]
            found.append(commit)
            current = commit.parent
        return found

    def touching(self, head: str, path: str) -> list[Commit]:
        """Commits (newest first) that changed `path`."""
        result = []
        for commit in self.history(head):
            before = self.commits[commit.parent].tree.get(path) if commit.parent else None
            if commit.tree.get(path) != before:
                result.append(commit)
        return result
