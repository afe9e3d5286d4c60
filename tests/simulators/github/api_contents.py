"""Repository contents with sha semantics, plus the branches, commits and git refs the file resource reads."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from tests.simulators.github.errors import api_error, not_found, validation_failed
from tests.simulators.github.git import Commit, Person, blob_sha
from tests.simulators.github.lookups import repo_of
from tests.simulators.github.paging import page_of
from tests.simulators.github.store import GithubStore, Repo
from tests.simulators.github.views import (
    API_PREFIX,
    commit_view,
    dir_entry_view,
    file_view,
    git_commit_view,
    urls_for,
)
from tests.simulators.http_core import BadJson, Request, Response, Route

REPO = f"{API_PREFIX}/repos/{{owner}}/{{repo}}"


def _json(request: Request) -> dict[str, Any]:
    try:
        return request.json()
    except BadJson:
        raise api_error(400, "Problems parsing JSON") from None


class ContentsApi:
    def __init__(self, store: GithubStore) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        return [
            Route("GET", f"{REPO}/contents/", self.get_root),
            Route("GET", f"{REPO}/contents/{{path+}}", self.get_contents),
            Route("PUT", f"{REPO}/contents/{{path+}}", self.put_contents),
            Route("DELETE", f"{REPO}/contents/{{path+}}", self.delete_contents),
            Route("GET", f"{REPO}/branches", self.list_branches),
            Route("GET", f"{REPO}/branches/{{branch+}}", self.get_branch),
            Route("GET", f"{REPO}/commits", self.list_commits),
            Route("GET", f"{REPO}/commits/{{ref+}}", self.get_commit),
            Route("GET", f"{REPO}/git/ref/{{ref+}}", self.get_ref),
            Route("POST", f"{REPO}/git/refs", self.create_ref),
            Route("DELETE", f"{REPO}/git/refs/{{ref+}}", self.delete_ref),
        ]

    # --- helpers -----------------------------------------------------------------------------------
    def _head(self, repo: Repo, ref: str | None) -> tuple[str, Commit]:
        name = ref or repo.default_branch
        commit = repo.git.resolve(name)
        if commit is None:
            raise api_error(404, f"No commit found for the ref {name}")
        return name, commit

    def _committer(self, data: dict[str, Any], field: str, date: str) -> Person:
        given = data.get(field)
        if isinstance(given, dict) and given.get("name") and given.get("email"):
            return Person(str(given["name"]), str(given["email"]), str(given.get("date") or date))
        return self.store.user_person(date)

    def _write_target(self, repo: Repo, data: dict[str, Any]) -> tuple[str, Commit]:
        branch = data.get("branch") or repo.default_branch
        if branch not in repo.git.branches:
            raise api_error(404, f"Branch {branch} not found")
        return branch, repo.git.commits[repo.git.branches[branch]]

    # --- contents -----------------------------------------------------------------------------------
    def get_root(self, request: Request) -> Response:
        request.params["path"] = ""
        return self.get_contents(request)

    def get_contents(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        path = request.params["path"].strip("/")
        ref, commit = self._head(repo, request.arg("ref"))
        urls = urls_for(request)
        if path in commit.tree:
            return Response(200, file_view(self.store, urls, repo, path, ref, commit.tree[path]))
        prefix = f"{path}/" if path else ""
        children: dict[str, bool] = {}  # name -> is_dir
        for file_path in commit.tree:
            if file_path.startswith(prefix):
                head, _, rest = file_path[len(prefix):].partition("/")
                children[head] = children.get(head, False) or bool(rest)
        if not children:
            raise not_found()
        entries = [
            dir_entry_view(self.store, urls, repo, prefix + name, ref) if is_dir
            else file_view(self.store, urls, repo, prefix + name, ref, commit.tree[prefix + name], False)
            for name, is_dir in sorted(children.items())
        ]
        return Response(200, entries)

    def put_contents(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        path = request.params["path"].strip("/")
        data = _json(request)
        message = data.get("message")
        if not isinstance(message, str) or not message:
            raise validation_failed("Commit", "message", "missing_field")
        if not isinstance(data.get("content"), str):
            raise validation_failed("Commit", "content", "missing_field")
        try:
            content = base64.b64decode(data["content"], validate=True)
        except (binascii.Error, ValueError):
            raise api_error(422, "content is not valid Base64") from None
        branch, head = self._write_target(repo, data)
        existing = head.tree.get(path)
        given_sha = data.get("sha")
        if existing is not None:
            if not given_sha:
                raise api_error(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
            if given_sha != blob_sha(existing):
                raise api_error(409, f"{path} does not match {given_sha}")
        elif any(file_path.startswith(path + "/") for file_path in head.tree):
            raise api_error(422, f"{path} is a directory")
        date = self.store.clock.now()
        tree = {**head.tree, path: content}
        commit = repo.git.commit(branch, tree, message, self._committer(data, "author", date),
                                 self._committer(data, "committer", date))
        urls = urls_for(request)
        body = {"content": file_view(self.store, urls, repo, path, branch, content, False),
                "commit": git_commit_view(self.store, urls, repo, commit)}
        return Response(200 if existing is not None else 201, body)

    def delete_contents(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        path = request.params["path"].strip("/")
        data = _json(request)
        message = data.get("message")
        if not isinstance(message, str) or not message:
            raise validation_failed("Commit", "message", "missing_field")
        branch, head = self._write_target(repo, data)
        existing = head.tree.get(path)
        if existing is None:
            raise not_found()
        given_sha = data.get("sha")
        if not given_sha:
            raise api_error(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
        if given_sha != blob_sha(existing):
            raise api_error(409, f"{path} does not match {given_sha}")
        date = self.store.clock.now()
        tree = {file_path: blob for file_path, blob in head.tree.items() if file_path != path}
        commit = repo.git.commit(branch, tree, message, self._committer(data, "author", date),
                                 self._committer(data, "committer", date))
        return Response(200, {"content": None, "commit": git_commit_view(self.store, urls_for(request), repo, commit)})

    # --- branches, commits, refs ---------------------------------------------------------------------
    def list_branches(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        base = f"{urls_for(request).api}/repos/{self.store.owner}/{repo.name}"
        branches = [{"name": name, "commit": {"sha": sha, "url": f"{base}/commits/{sha}"}, "protected": False}
                    for name, sha in sorted(repo.git.branches.items())]
        page, headers = page_of(request, branches)
        return Response(200, page, headers)

    def get_branch(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        name = request.params["branch"]
        if name not in repo.git.branches:
            raise api_error(404, "Branch not found")
        urls = urls_for(request)
        commit = repo.git.commits[repo.git.branches[name]]
        base = f"{urls.api}/repos/{self.store.owner}/{repo.name}"
        return Response(200, {
            "name": name,
            "commit": commit_view(self.store, urls, repo, commit),
            "_links": {"self": f"{base}/branches/{name}",
                       "html": f"{urls.web}/{self.store.owner}/{repo.name}/tree/{name}"},
            "protected": False,
            "protection": {"enabled": False, "required_status_checks": {"enforcement_level": "off", "contexts": []}},
            "protection_url": f"{base}/branches/{name}/protection",
        })

    def list_commits(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        _, head = self._head(repo, request.arg("sha"))
        path = request.arg("path")
        commits = repo.git.touching(head.sha, path.strip("/")) if path else repo.git.history(head.sha)
        urls = urls_for(request)
        page, headers = page_of(request, [commit_view(self.store, urls, repo, c) for c in commits])
        return Response(200, page, headers)

    def get_commit(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        commit = repo.git.resolve(request.params["ref"])
        if commit is None:
            raise api_error(422, f"No commit found for SHA: {request.params['ref']}")
        return Response(200, commit_view(self.store, urls_for(request), repo, commit))

    def _ref_view(self, request: Request, repo: Repo, branch: str) -> dict[str, Any]:
        base = f"{urls_for(request).api}/repos/{self.store.owner}/{repo.name}"
        sha = repo.git.branches[branch]
        return {"ref": f"refs/heads/{branch}", "node_id": f"REF_sim{sha[:10]}",
                "url": f"{base}/git/refs/heads/{branch}",
                "object": {"sha": sha, "type": "commit", "url": f"{base}/git/commits/{sha}"}}

    def get_ref(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        ref = request.params["ref"]
        branch = ref.removeprefix("refs/").removeprefix("heads/")
        if not ref.removeprefix("refs/").startswith("heads/") or branch not in repo.git.branches:
            raise not_found()
        return Response(200, self._ref_view(request, repo, branch))

    def create_ref(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        data = _json(request)
        ref, sha = str(data.get("ref") or ""), str(data.get("sha") or "")
        if not ref.startswith("refs/heads/") or ref == "refs/heads/":
            raise api_error(422, "Reference name must start with 'refs/heads/'")
        branch = ref.removeprefix("refs/heads/")
        if branch in repo.git.branches:
            raise api_error(422, "Reference already exists")
        if sha not in repo.git.commits:
            raise api_error(422, "Object does not exist")
        repo.git.branches[branch] = sha
        return Response(201, self._ref_view(request, repo, branch))

    def delete_ref(self, request: Request) -> Response:
        repo = repo_of(self.store, request)
        branch = request.params["ref"].removeprefix("refs/").removeprefix("heads/")
        if branch not in repo.git.branches:
            raise api_error(422, "Reference does not exist")
        if branch == repo.default_branch:
            raise api_error(422, "Cannot delete the default branch")
        del repo.git.branches[branch]
        return Response(204)
