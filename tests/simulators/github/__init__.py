"""A stateful local simulator of the GitHub REST API in GHES mode, for end-to-end tests of pulumi-github.

With `github:baseUrl` set to the simulator's base URL (`http://127.0.0.1:PORT/`), terraform-provider-github
treats it as GitHub Enterprise Server and calls REST under `/api/v3/` (GraphQL under `/api/graphql`,
answered with an error since nothing here needs it). Served:

- accounts: `/user`, `/users/{login}`, `/orgs/{org}` (404 when the owner is a user), `/rate_limit`;
  repositories: `/repos/{owner}/{repo}`, `/repositories/{id}` (repositories are seeded, not created);
- Actions secrets: a real Curve25519 key pair per repository and per environment (`.../public-key`);
  `PUT` takes `{encrypted_value, key_id}` sealed-box encrypted by the client, which the simulator
  decrypts (422 if it cannot) and keeps for `secret_plaintext()`; 201 on create, 204 on update; GET,
  list and DELETE. Environment secrets on both `/repos/{o}/{r}/environments/{env}/secrets/...` and the
  legacy `/repositories/{repo_id}/environments/{env}/secrets/...` paths;
- Actions variables (repository and environment), environments (PUT create-or-update, GET, list, DELETE);
- file contents (`/contents/{path}` GET/PUT/DELETE with git blob SHAs, `"sha" wasn't supplied` 422 and
  stale-sha 409), branches, commits (`?sha=&path=`), `git/ref` and `git/refs`.

Every response carries `X-RateLimit-*` headers; GET answers carry an `ETag` and honour `If-None-Match`.
Errors are `{"message", "documentation_url", "status"}`; unknown routes and resources answer 404.
Auth: `Authorization: Bearer <token>` or `token <token>`, else 401 "Bad credentials".

Usage::

    with GithubSimulator(owner="penpal-ai", repos=["penpal-api"]) as sim:
        env = {"GITHUB_BASE_URL": sim.base_url + "/", "GITHUB_TOKEN": sim.token, "GITHUB_OWNER": sim.owner}
        ...
        assert sim.secret_plaintext("penpal-ai", "penpal-api", "COOLIFY_WEBHOOK") == "https://..."

Standalone: `python -m tests.simulators.github --port 0 --repo penpal-api --info-file gh.json`.
"""

from tests.simulators.github.simulator import DEFAULT_TOKEN, GithubSimulator, seal_for

__all__ = ["DEFAULT_TOKEN", "GithubSimulator", "seal_for"]
