"""Checks, at the start of a run, that each API token can do what the run needs, and says which cannot.

A preview needs read access to Coolify, Hetzner Cloud and GitHub; an `up` needs write access to all three,
and a deploy-only `penpal:deployToken` (the service repos' COOLIFY_API_TOKEN) that can deploy and do
nothing else. What each probe relies on, and where that is written down:

- Coolify: each /v1 route runs `auth:sanctum`, `api.token.team`, ApiAllowed and `api.ability:<x>` before
  its controller (routes/api.php; Laravel runs route middleware before the controller), so a missing
  ability is a 403 whatever the body, and a token holding it reaches the controller's own 400/422.
- Hetzner Cloud: a Read token "will only be allowed to perform GET requests" (docs.hetzner.com, "Generating
  an API token"; error `token_readonly`). With an SSH key in the project, the write probe is an update of
  it without fields (200, changes nothing); in an empty project it is a create without fields, where a Read
  & Write token's `invalid_input` relies on the method check coming first (not documented).
- GitHub: a classic token's scopes (X-OAuth-Scopes) and its user's `permissions` on each repository, read
  only. A fine-grained token's permissions cannot be read, and GitHub documents neither a 403 nor a 422 for
  an invalid "Create or update a repository secret": the probe creates a secret and deletes it again.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import pulumi
import requests
from nacl.public import PublicKey, SealedBox

from components.config import StackConfig
from components.coolify.client.errors import ENABLE_API_HINT
from components.coolify.resources.env_vars import UNREADABLE_VALUES
from components.tokens import named_by_variable

# A probe never waits long: a slow API fails the check with a clear line instead of hanging the run.
_TIMEOUT_S = 15.0
# Coolify's throttle refuses a probe with 429 and `Retry-After` (at most its 60 s window; Laravel
# ThrottleRequests::getHeaders) when an earlier run of the same user used up the minute: wait that long, twice at most.
_RETRY_AFTER_MAX_S = 61.0
_TRIES_WHEN_THROTTLED = 3
_PROBE_SECRET = "PENPAL_TOKEN_PROBE"
_PROBE_VALUE = "written and deleted by the penpal-infra token check"
# The two 403 bodies of app/Http/Middleware/ApiAllowed.php (Coolify), keyed by their `message`.
_COOLIFY_API_DISABLED = "API is disabled."
_COOLIFY_IP_NOT_ALLOWED = "You are not allowed to access the API."


class Need(StrEnum):
    """What a run does with the APIs: a preview reads, an `up` writes."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class ApiAccess:
    """The plaintext tokens and endpoints of one run, as the stack config holds them."""

    coolify_url: str
    coolify_token: str
    deploy_token: str | None
    hcloud_endpoint: str
    hcloud_token: str
    github_base_url: str
    github_token: str
    github_owner: str
    github_repos: tuple[str, ...]
    writes_workflows: bool = False
    # Each stack probes with its own secret: staging's and prod's ups may run at once on the same repos.
    probe_secret: str = _PROBE_SECRET
    token_variables: Mapping[str, str] = field(default_factory=dict)
    """Config key -> environment variable of each token the environment gave (named in the problems)."""


def probe_secret_name(stack: str) -> str:
    """`PENPAL_TOKEN_PROBE_<STACK>`: GitHub secret names hold only letters, digits and underscores (REST docs)."""
    return f"{_PROBE_SECRET}_{re.sub(r'[^A-Za-z0-9_]', '_', stack).upper()}"


class TokenCheckError(Exception):
    """One or more tokens cannot do what the run needs; `problems` has one line per token and lack."""

    def __init__(self, need: Need, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        run = "a preview (read access)" if need is Need.READ else "an up (write access)"
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"API tokens cannot do what {run} needs ({len(self.problems)} problem(s)):\n{lines}")


class CoolifyApiClosedError(TokenCheckError):
    """The Coolify instance refuses every API call, whatever the token: its API is off or this IP is not allowed.

    No token can fix that, so the check stops at once with one line naming the instance and the setting.
    """

    def __init__(self, line: str) -> None:
        self.problems = (line,)
        Exception.__init__(self, line)


@dataclass(frozen=True)
class _Answer:
    status: int
    body: Any
    headers: requests.structures.CaseInsensitiveDict[str]


Send = Callable[[str, str, str, Any], _Answer]
"""(method, url, bearer token, JSON body or None) -> answer; raises requests.RequestException."""


def _sender(session: requests.Session, sleep: Callable[[float], None] = time.sleep) -> Send:
    def send(method: str, url: str, token: str, body: Any) -> _Answer:
        for tries_left in reversed(range(_TRIES_WHEN_THROTTLED)):
            response = session.request(
                method,
                url,
                json=body,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                timeout=_TIMEOUT_S,
                allow_redirects=False,
            )
            wait = _retry_after(response) if response.status_code == 429 and tries_left else None
            if wait is None:
                break
            # Refused before anything ran (the throttle comes before the controller): sending again is safe.
            sleep(wait)
        try:
            parsed: Any = response.json()
        except ValueError:
            parsed = None
        return _Answer(response.status_code, parsed, response.headers)

    return send


def _retry_after(response: requests.Response) -> float | None:
    """Seconds a 429 asks to wait (`Retry-After` in seconds), if short enough to wait here."""
    raw = response.headers.get("Retry-After", "")
    try:
        seconds = float(raw)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= _RETRY_AFTER_MAX_S else None


def _message(answer: _Answer) -> str:
    body = answer.body
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # Hetzner: {"error": {"code", "message"}}
            return f"{error.get('code')}: {error.get('message')}"
        if isinstance(body.get("message"), str):
            return str(body["message"]).splitlines()[0]
    return f"HTTP {answer.status}"


class _Checker:
    def __init__(self, access: ApiAccess, send: Send) -> None:
        self.access = access
        self.send = send
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def call(self, key: str, method: str, url: str, token: str, body: Any = None) -> _Answer | None:
        try:
            return self.send(method, url, token, body)
        except requests.RequestException as err:
            self.problems.append(f"{key}: could not reach {url.split('?')[0]} ({type(err).__name__})")
            return None

    def refused(self, key: str, answer: _Answer) -> bool:
        """Records a 401 (the token itself was refused); true if so."""
        if answer.status == 401:
            self.problems.append(f"{key} was refused by the API ({_message(answer)}): the token is wrong or expired")
            return True
        return False

    # --- Coolify -----------------------------------------------------------------------------------
    def coolify_closed(self, answer: _Answer) -> None:
        """Raises CoolifyApiClosedError when a 403 is Coolify's ApiAllowed gate rather than a missing ability.

        app/Http/Middleware/ApiAllowed.php runs before `api.ability:<x>` on every /api/v1 route but /enable
        and /disable, and answers the same 403 to every token: {"success": true, "message": "API is
        disabled."} when Settings > Advanced > API access is off, {"success": true, "message": "You are
        not allowed to access the API."} when the client IP is not in Settings > Advanced > Allowed API IPs.
        """
        text = answer.body.get("message") if isinstance(answer.body, dict) else None
        url = self.access.coolify_url
        if text == _COOLIFY_API_DISABLED:
            raise CoolifyApiClosedError(
                f"The Coolify API of {url} is disabled (Coolify answered 403 \"{text}\"). {ENABLE_API_HINT}"
            )
        if text == _COOLIFY_IP_NOT_ALLOWED:
            raise CoolifyApiClosedError(
                f"The Coolify instance {url} does not accept API calls from this machine's IP address (Coolify "
                f"answered 403 \"{text}\"). Add the address under Settings > Advanced > Allowed API IPs "
                "(comma-separated IPs or CIDR ranges; empty or 0.0.0.0 allows every address)."
            )

    # routes/api.php: every /v1 route runs `auth:sanctum`, `api.token.team`, `api.ability:<x>` before its
    # controller, so a missing ability is a 403 "Missing required permissions: <x>" whatever the body.

    def coolify_can(self, key: str, token: str, ability: str) -> bool | None:
        """Whether `token` holds `ability` (root passes all); None when that could not be told."""
        api = f"{self.access.coolify_url}/api/v1"
        if ability == "read":
            answer = self.call(key, "GET", f"{api}/version", token)  # api.ability:read
            expected: tuple[int, ...] = (200,)
        elif ability == "write":
            # ProjectController::create_project validates after the middleware: an empty name is a 422
            # (the global TrimStrings/ConvertEmptyStringsToNull middleware makes "" null; `name` is required).
            answer = self.call(key, "POST", f"{api}/projects", token, {"name": ""})
            expected = (400, 422)
        else:
            # DeployController::deploy with neither uuid nor tag: 400 "You must provide uuid or tag."
            answer = self.call(key, "POST", f"{api}/deploy", token, {})
            expected = (400,)
        if answer is None or self.refused(key, answer):
            return None
        if answer.status == 403:
            self.coolify_closed(answer)
            return False
        if answer.status in expected:
            return True
        self.problems.append(f"{key}: unexpected answer to the {ability} check ({_message(answer)})")
        return None

    def check_coolify(self, need: Need) -> None:
        key = "coolify:token"
        token = self.access.coolify_token
        abilities = ("read",) if need is Need.READ else ("read", "write", "deploy")
        held_all = True
        for ability in abilities:
            held = self.coolify_can(key, token, ability)
            if held is None:
                return
            if not held:
                held_all = False
                self.problems.append(
                    f"{key} lacks the Coolify ability '{ability}' (needed by {_run(need)}; "
                    "an up needs 'root', or 'read', 'write', 'deploy' and 'read:sensitive')"
                )
        if held_all:
            self.check_coolify_sensitive(key, token, need)

    def check_coolify_sensitive(self, key: str, token: str, need: Need) -> None:
        """An up reads database URLs and env values back, which Coolify hides without `read:sensitive`.

        No route needs that ability; it only un-hides fields (app/Http/Middleware/ApiSensitiveData.php):
        a private key's `private_key` is absent without it. The stack registers one, so from the second
        up on there is one to look at; with none yet, this cannot be told and is not reported. A preview
        only warns: it cannot see env values changed in Coolify, but it can still show the program's changes.
        """
        answer = self.call(key, "GET", f"{self.access.coolify_url}/api/v1/security/keys", token)
        if answer is None or answer.status != 200 or not isinstance(answer.body, list) or not answer.body:
            return
        if any(isinstance(item, dict) and "private_key" in item for item in answer.body):
            return
        if need is Need.READ:
            self.warnings.append(UNREADABLE_VALUES)
        else:
            self.problems.append(
                f"{key} lacks the Coolify ability 'read:sensitive' (Coolify hides database URLs and env values "
                "from it; an up needs 'root', or 'read', 'write', 'deploy' and 'read:sensitive')"
            )

    def check_deploy_token(self) -> None:
        key = "penpal:deployToken"
        token = self.access.deploy_token
        if token is None:
            return
        deploys = self.coolify_can(key, token, "deploy")
        if deploys is None:
            return
        if not deploys:
            self.problems.append(f"{key} lacks the Coolify ability 'deploy': the service repos could not deploy")
            return
        writes = self.coolify_can(key, token, "write")
        if writes:
            self.problems.append(
                f"{key} can also write (Coolify ability 'write' or 'root'): the service repos must get a token "
                "with only 'deploy'"
            )

    # --- Hetzner Cloud -------------------------------------------------------------------------------
    def check_hcloud(self, need: Need) -> None:
        key = "hcloud:token"
        api = self.access.hcloud_endpoint
        token = self.access.hcloud_token
        answer = self.call(key, "GET", f"{api}/ssh_keys?per_page=1", token)
        if answer is None or self.refused(key, answer):
            return
        if answer.status != 200:
            self.problems.append(f"{key} cannot read ({_message(answer)})")
            return
        if need is Need.READ:
            return
        # docs.hetzner.cloud, Errors: `token_readonly` (403) "The token is only allowed to perform GET
        # requests"; `forbidden` (403) for other missing permissions.
        keys = answer.body.get("ssh_keys") if isinstance(answer.body, dict) else None
        if isinstance(keys, list) and keys and isinstance(keys[0], dict) and "id" in keys[0]:
            # "Update an SSH key" with no field answers 200 and changes nothing: name and labels are optional
            # (docs.hetzner.cloud; hcloud-python's SSHKeysClient.update sends only the fields it is given).
            answer = self.call(key, "PUT", f"{api}/ssh_keys/{keys[0]['id']}", token, {})
            expected: tuple[int, ...] = (200,)
        else:
            # An empty project: "Create an SSH key" without its required name and public_key is 400
            # `invalid_input` for a Read & Write token, if the read-only check comes first (not documented).
            answer = self.call(key, "POST", f"{api}/ssh_keys", token, {})
            expected = (400, 422)
        if answer is None or self.refused(key, answer):
            return
        if answer.status == 403:
            self.problems.append(f"{key} cannot write ({_message(answer)}): an up needs a Read & Write token")
        elif answer.status not in expected:
            self.problems.append(f"{key}: unexpected answer to the write check ({_message(answer)})")

    # --- GitHub --------------------------------------------------------------------------------------
    def check_github(self, need: Need) -> None:
        key = "github:token"
        api = self.access.github_base_url.rstrip("/")
        owner = self.access.github_owner
        token = self.access.github_token
        repos = self.access.github_repos
        scopes: str | None = None
        permissions: dict[str, Any] = {}
        # A token that cannot see a private repo gets 404, not 403 (GitHub hides what it does not show).
        for repo in repos or ("",):
            url = f"{api}/repos/{owner}/{repo}" if repo else f"{api}/user"
            answer = self.call(key, "GET", url, token)
            if answer is None or self.refused(key, answer):
                return
            if answer.status != 200:
                what = f"repository {owner}/{repo}" if repo else "its own user"
                self.problems.append(f"{key} cannot read {what} ({_message(answer)})")
                return
            scopes = answer.headers.get("X-OAuth-Scopes", scopes)
            if repo and isinstance(answer.body, dict) and isinstance(answer.body.get("permissions"), dict):
                permissions[repo] = answer.body["permissions"]
        if need is Need.READ or not repos:
            return
        if scopes is not None:
            self.check_github_classic(key, scopes, permissions)
            return
        # Fine-grained tokens (and GitHub App tokens) have no scope header, and GitHub offers no way to read
        # a token's permissions. The only write whose answers are documented both ways is a real one: a
        # probe secret is created (201 Created, 204 if a failed check left it) and deleted again (204).
        for repo in repos:
            if not self.github_secret_round_trip(key, api, owner, repo, token):
                return

    def check_github_classic(self, key: str, scopes: str, permissions: dict[str, Any]) -> None:
        """A classic token: its scopes (X-OAuth-Scopes) and its user's role in each repository, all read-only.

        docs.github.com, "Scopes for OAuth apps": X-OAuth-Scopes lists the token's scopes; private repos
        need `repo`, committing under .github/workflows also `workflow`. "Create or update a repository
        secret" needs write access to the repository, as a commit does; "Get a repository" gives the
        authenticated user's `permissions` (`push` is write access).
        """
        owner = self.access.github_owner
        held = {scope.strip() for scope in scopes.split(",") if scope.strip()}
        wanted = ["repo"] + (["workflow"] if self.access.writes_workflows else [])
        missing = [scope for scope in wanted if scope not in held]
        if missing:
            self.problems.append(f"{key} lacks the scope(s) {', '.join(missing)} (it has: {scopes or 'none'})")
            return
        for repo, granted in permissions.items():
            if not granted.get("push"):
                role = "read" if granted.get("pull") else "no"
                self.problems.append(
                    f"{key} belongs to a user with {role} access to {owner}/{repo}: an up writes its Actions "
                    "secrets, which needs write access"
                )
                return

    def github_secret_round_trip(self, key: str, api: str, owner: str, repo: str, token: str) -> bool:
        """Creates and deletes the probe secret in `repo`; records what stopped it. True if the token wrote.

        docs.github.com REST "Actions secrets": the public key answers 200, "Create or update a repository
        secret" 201 (created) or 204 (updated), "Delete a repository secret" 204. "Troubleshooting the REST
        API": a fine-grained token without the permission gets 403 "Resource not accessible by personal
        access token", and X-Accepted-GitHub-Permissions names the permission the route needs.
        """
        secrets = f"{api}/repos/{owner}/{repo}/actions/secrets"
        answer = self.call(key, "GET", f"{secrets}/public-key", token)
        if answer is None or self.refused(key, answer):
            return False
        public_key = answer.body if isinstance(answer.body, dict) else {}
        if answer.status != 200 or not isinstance(public_key.get("key"), str) or "key_id" not in public_key:
            # Reading the key needs `secrets: read`; a token without it cannot write secrets either.
            self.github_refusal(key, owner, repo, answer, needed="secrets=write")
            return False
        sealed = _seal(public_key["key"], _PROBE_VALUE)
        body = {"encrypted_value": sealed, "key_id": str(public_key["key_id"])}
        answer = self.call(key, "PUT", f"{secrets}/{self.access.probe_secret}", token, body)
        if answer is None or self.refused(key, answer):
            return False
        if answer.status not in (201, 204):
            self.github_refusal(key, owner, repo, answer)
            return False
        answer = self.call(key, "DELETE", f"{secrets}/{self.access.probe_secret}", token)
        if answer is not None and answer.status != 204:
            self.problems.append(
                f"{key}: the token check could not delete its probe secret {self.access.probe_secret} from "
                f"{owner}/{repo} "
                f"({_message(answer)}); delete it under Settings > Secrets and variables > Actions"
            )
        return True

    def github_refusal(self, key: str, owner: str, repo: str, answer: _Answer, needed: str | None = None) -> None:
        if answer.status in (403, 404):
            needed = needed or answer.headers.get("X-Accepted-GitHub-Permissions", "secrets=write")
            self.problems.append(
                f"{key} cannot write Actions secrets of {owner}/{repo} ({_message(answer)}; needs {needed})"
            )
        else:
            self.problems.append(f"{key}: unexpected answer to the write check on {owner}/{repo} ({_message(answer)})")


def _seal(public_key: str, value: str) -> str:
    """`value` sealed for the repository's public key, as GitHub's "Encrypting secrets for the REST API" says."""
    box = SealedBox(PublicKey(base64.b64decode(public_key)))
    return base64.b64encode(box.encrypt(value.encode())).decode()


def _run(need: Need) -> str:
    return "a preview" if need is Need.READ else "an up"


def check_access(access: ApiAccess, need: Need, session: requests.Session | None = None) -> tuple[str, ...]:
    """Probes every token for `need`; raises TokenCheckError listing each token that lacks something.

    Returns the warnings for the user: what the run can do, but less well (a preview by a token that
    cannot read env values).
    """
    own = session is None
    session = session or requests.Session()
    try:
        checker = _Checker(access, _sender(session))
        checker.check_coolify(need)
        if need is Need.WRITE:
            checker.check_deploy_token()
        checker.check_hcloud(need)
        checker.check_github(need)
    finally:
        if own:
            session.close()
    if checker.problems:
        raise TokenCheckError(need, [named_by_variable(line, access.token_variables) for line in checker.problems])
    return tuple(checker.warnings)


def _github_api(base_url: str) -> str:
    """The REST root pulumi-github calls for `github:baseUrl`.

    Any host but api.github.com is GitHub Enterprise Server, whose REST API go-github's
    `WithEnterpriseURLs` puts under `/api/v3/` (appended when the base URL lacks it).
    """
    base = base_url.rstrip("/")
    if urlsplit(base).hostname == "api.github.com" or base.endswith("/api/v3"):
        return base
    return base + "/api/v3"


def access_from_config(cfg: StackConfig) -> ApiAccess:
    """The plaintext tokens and endpoints of this run (after `load_config` validated them).

    The tokens are the ones `load_config` resolved (stack config, else environment: components/tokens.py),
    the same the providers use.
    """

    def raw(key: str, default: str = "") -> str:
        value = pulumi.runtime.get_config(key)
        return default if value in (None, "") else str(value)

    tokens = cfg.api_tokens
    return ApiAccess(
        coolify_url=cfg.coolify_url,
        coolify_token=tokens.coolify,
        deploy_token=tokens.deploy or None,
        # pulumi-hcloud and pulumi-github defaults when the stack sets no endpoint.
        hcloud_endpoint=raw("hcloud:endpoint", "https://api.hetzner.cloud/v1").rstrip("/"),
        hcloud_token=tokens.hcloud,
        github_base_url=_github_api(raw("github:baseUrl", "https://api.github.com/")),
        github_token=tokens.github,
        github_owner=cfg.github_owner,
        github_repos=tuple(dict.fromkeys(service.repo for service in cfg.services)),
        writes_workflows=any(service.write_workflow for service in cfg.services),
        probe_secret=probe_secret_name(pulumi.get_stack()),
        token_variables=tokens.from_environment,
    )
