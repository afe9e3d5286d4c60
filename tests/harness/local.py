"""A local, cloud-free deployment target: the three simulators plus a file-backend Pulumi workspace.

Used by `make demo`, the end-to-end tier and the benchmark. The program under test is this repo's
own `Pulumi.yaml` + `__main__.py` + `components/`, copied into a temporary project directory (so
stack files written by the engine never touch the checkout) and run by the real engine through the
Automation API, with our language host and the provider plugins from `make setup`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from tests.harness.standin import ServiceStandIn, TestCa
from tests.simulators.coolify import CoolifySimulator
from tests.simulators.github import GithubSimulator
from tests.simulators.hcloud import HcloudSimulator
from tests.simulators.network import NetworkProfile

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "components")
PASSPHRASE = "local-demo-passphrase"
GITHUB_OWNER = "penpal-ai"
MONGO_ROOT_PASSWORD = "local-mongo-root-pw-0123"
# Hetzner tokens are 64 letters and digits; the stack config refuses any other form.
HCLOUD_TOKEN = "penpallocal" + "0123456789" * 5 + "abc"
DOMAIN_BASE = "penpal-ai.maksou.dev"
# The Hetzner DNS zone of DOMAIN_BASE (penpal:dns.zone defaults to the registrable domain).
DNS_ZONE = "maksou.dev"
# Production backups also go to a bucket (penpal:mongo.s3); the Coolify simulator knows it with these keys.
BACKUP_S3 = {"endpoint": "https://fsn1.your-objectstorage.com", "bucket": "penpal-prod-backups", "region": "fsn1"}
BACKUP_S3_KEYS = {"accessKey": "local-s3-access-key", "secretKey": "local-s3-secret-key"}
# A Coolify token with only the `deploy` ability: what the service repos get as COOLIFY_API_TOKEN.
COOLIFY_DEPLOY_TOKEN = "2|coolify-local-deploy-only-token-0123456789"
# The read-only tokens a pull request's preview gets (docs/ci.md, environment `preview`).
COOLIFY_READ_TOKEN = "3|coolify-local-read-only-token-0123456789ab"
HCLOUD_READ_TOKEN = "penpalread00" + "0123456789" * 5 + "ab"
GITHUB_READ_TOKEN = "github_pat_local_read_only_0123456789abcdef"


@dataclass(frozen=True)
class ServiceSpec:
    """One entry of `penpal:services` for a local stack."""

    name: str
    port: int
    env: Mapping[str, str] = field(default_factory=dict)
    secret_env: Mapping[str, str] = field(default_factory=dict)
    tag: str | None = None

    def config_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": self.name, "port": self.port}
        if self.env:
            entry["env"] = dict(self.env)
        if self.secret_env:
            entry["secretEnv"] = sorted(self.secret_env)
        if self.tag:
            entry["tag"] = self.tag
        return entry


EXAMPLE_SERVICES = (
    ServiceSpec("penpal-ai-db-service", 3000, env={"LOG_LEVEL": "info"}, secret_env={"JWT_SECRET": "jwt-local-1"}),
    ServiceSpec("penpal-ai-chat-service", 3001, env={"LOG_LEVEL": "debug"}),
)


def pulumi_bin_dir() -> Path:
    """Where `make setup` put the CLI and our language host (exported by toolchain/env.sh)."""
    configured = os.environ.get("PENPAL_PULUMI_BIN_DIR")
    if configured and (Path(configured) / "pulumi").exists():
        return Path(configured)
    found = shutil.which("pulumi")
    if found:
        return Path(found).resolve().parent
    raise RuntimeError("no pulumi CLI found: run `make setup` (and `. toolchain/env.sh` to use it by hand)")


def scratch_project(
    root: Path, name: str, stack: str, passphrase: str, **extra_env: str
) -> tuple[Path, dict[str, str]]:
    """An empty Python project `root/project` on a file backend in `root/state`, with stack `stack`; its env.

    For the toolchain tests that run a small program of their own under the real engine and our host.
    """
    project = root / "project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "Pulumi.yaml").write_text(f"name: {name}\nruntime:\n  name: python\n")
    (project / ".venv").symlink_to(REPO_ROOT / ".venv")
    (root / "state").mkdir()
    env = {
        **os.environ,
        "PATH": f"{pulumi_bin_dir()}:{os.environ.get('PATH', '')}",
        "PENPAL_PYTHON": str(REPO_ROOT / ".venv" / "bin" / "python"),
        "PULUMI_BACKEND_URL": f"file://{root / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        **extra_env,
    }
    subprocess.run([str(pulumi_bin_dir() / "pulumi"), "stack", "init", stack], cwd=project, env=env,
                   capture_output=True, text=True, check=True)
    return project, env


def ssh_key_pair(directory: Path) -> tuple[str, str]:
    """A fresh ed25519 key pair (public OpenSSH line, private PEM) for the local server."""
    key = directory / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "penpal-local", "-f", str(key)], check=True)
    return (key.with_suffix(".pub").read_text().strip(), key.read_text())


class ServiceStandIns:
    """One HTTPS stand-in per service domain (started on first use), all under one test CA.

    The deployed services of a local run: the health check after each deployment reaches them
    through `penpal:healthCheck.resolve` and trusts them through `penpal:healthCheck.caBundle`.
    """

    def __init__(self, ca_file: Path) -> None:
        self.ca = TestCa()
        self.ca_file = ca_file
        ca_file.write_text(self.ca.pem)
        self.by_domain: dict[str, ServiceStandIn] = {}

    def ensure(self, domains: Sequence[str]) -> None:
        for domain in domains:
            if domain not in self.by_domain:
                self.by_domain[domain] = ServiceStandIn([domain], self.ca).start()

    def resolve(self) -> dict[str, str]:
        return {domain: standin.address for domain, standin in self.by_domain.items()}

    def request_count(self) -> int:
        return sum(standin.request_count() for standin in self.by_domain.values())

    def stop(self) -> None:
        for standin in self.by_domain.values():
            standin.stop()


class Simulators:
    """Coolify, Hetzner Cloud and GitHub simulators on 127.0.0.1, plus service stand-ins, started together."""

    def __init__(self, repos: Sequence[str], network: NetworkProfile | None = None) -> None:
        self.coolify = CoolifySimulator()
        self.coolify.add_token(COOLIFY_DEPLOY_TOKEN, {"deploy"})
        self.coolify.add_token(COOLIFY_READ_TOKEN, {"read"})
        self.hcloud = HcloudSimulator(token=HCLOUD_TOKEN, readonly_token=HCLOUD_READ_TOKEN)
        self.github = GithubSimulator(owner=GITHUB_OWNER, repos=repos, readonly_token=GITHUB_READ_TOKEN)
        self.network = network or NetworkProfile()
        self.coolify.set_network(self.network)
        self.hcloud.network = self.github.network = self.network
        for repo in repos:  # service repos deploy staging from `develop`
            self.github.create_branch(GITHUB_OWNER, repo, "develop")
        self._tmp = tempfile.TemporaryDirectory(prefix="penpal-standins-")
        self.services = ServiceStandIns(Path(self._tmp.name) / "test-ca.pem")

    def start(self) -> None:
        self.coolify.start()
        self.hcloud.start()
        self.github.start()
        # Deployments move queued -> in_progress -> finished within a few polls.
        self.coolify.set_deploy_timing(queued_polls=1, in_progress_polls=1)

    def stop(self) -> None:
        for sim in (self.coolify, self.hcloud, self.github):
            sim.stop()
        self.services.stop()
        self._tmp.cleanup()

    def add_shared_zone(self, zone: str = DNS_ZONE) -> None:
        """The DNS zone as the prod stack (its owner) leaves it, for runs of the staging stack alone."""
        self.hcloud.add_zone(zone, delete_protection=True)

    def reset_counts(self) -> None:
        for sim in (self.coolify, self.hcloud, self.github):
            sim.reset_counts()


# The environment variables the providers (and the program) read their tokens from, as in the team setup.
TOKEN_VARIABLES = {"coolify:token": "COOLIFY_TOKEN", "hcloud:token": "HCLOUD_TOKEN", "github:token": "GITHUB_TOKEN"}


def provider_tokens(sims: Simulators, read_only: bool = False) -> dict[str, str]:
    """The three provider tokens by config key: the simulators' write tokens, or the read-only ones."""
    if read_only:
        return {"coolify:token": COOLIFY_READ_TOKEN, "hcloud:token": HCLOUD_READ_TOKEN,
                "github:token": GITHUB_READ_TOKEN}
    return {"coolify:token": sims.coolify.token, "hcloud:token": sims.hcloud.token, "github:token": sims.github.token}


def token_env(sims: Simulators, read_only: bool = False) -> dict[str, str]:
    """The three provider tokens as the team setup passes them: environment variables only."""
    return {TOKEN_VARIABLES[key]: value for key, value in provider_tokens(sims, read_only).items()}


def stack_config(
    sims: Simulators,
    stack: str,
    services: Sequence[ServiceSpec],
    ssh_keys: tuple[str, str],
    base: Mapping[str, Any] | None = None,
    tokens_in_config: bool = True,
) -> dict[str, auto.ConfigValue]:
    """The stack's config pointing every provider at the simulators; `base` is a committed stack file.

    Each service's domain gets a running HTTPS stand-in, reached by the health check via `resolve`.
    `tokens_in_config=False` leaves the three provider tokens out (pass them with `LocalProject.use_env`).
    """
    domain_base = str((base or {}).get("penpal:domainBase", DOMAIN_BASE))
    prefix = "staging" if stack == "staging" else "prod"
    sims.services.ensure([f"{prefix}.{s.name}.{domain_base}" for s in services])
    plain: dict[str, Any] = {
        "penpal:environment": "staging" if stack == "staging" else "production",
        "penpal:domainBase": DOMAIN_BASE,
        "penpal:healthCheck": {
            "resolve": sims.services.resolve(),
            "caBundle": str(sims.services.ca_file),
            "timeoutSeconds": 30,
            "intervalSeconds": 0.2,
        },
        "penpal:server": {"type": "cx22", "location": "fsn1", "image": "ubuntu-24.04"},
        "penpal:adminCidrs": ["203.0.113.7/32"],
        "penpal:services": [s.config_entry() for s in services],
    }
    plain.update(base or {})
    plain.update({
        "penpal:sshPublicKey": ssh_keys[0],
        "coolify:url": sims.coolify.url,
        "hcloud:endpoint": sims.hcloud.endpoint,
        "hcloud:pollInterval": "50ms",
        "github:owner": GITHUB_OWNER,
        "github:baseUrl": sims.github.base_url + "/",
        "github:writeDelayMs": "1",  # upstream refuses 0
        "github:maxRetries": "0",
    })
    secrets: dict[str, Any] = {
        "penpal:sshPrivateKey": ssh_keys[1],
        "penpal:mongoRootPassword": MONGO_ROOT_PASSWORD,
        "penpal:deployToken": COOLIFY_DEPLOY_TOKEN,
        **(provider_tokens(sims) if tokens_in_config else {}),
    }
    if plain["penpal:environment"] == "production":
        # The bucket's keys are set with `--secret --path`, which makes all of penpal:mongo a secret.
        mongo = dict(plain.pop("penpal:mongo", None) or {})
        s3 = {**BACKUP_S3, **dict(mongo.get("s3") or {}), **BACKUP_S3_KEYS}
        secrets["penpal:mongo"] = {**mongo, "s3": s3}
        sims.coolify.add_s3_bucket(s3["endpoint"], s3["bucket"], s3["accessKey"], s3["secretKey"])
    service_secrets = {s.name: dict(s.secret_env) for s in services if s.secret_env}
    if service_secrets:
        secrets["penpal:serviceSecrets"] = service_secrets
    config = {key: auto.ConfigValue(_text(value)) for key, value in plain.items()}
    config.update({key: auto.ConfigValue(_text(value), secret=True) for key, value in secrets.items()})
    return config


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class LocalProject:
    """A temporary copy of the program with a file backend, driven through the Automation API."""

    def __init__(
        self,
        workdir: Path,
        program_root: Path = REPO_ROOT,
        backend_url: str | None = None,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        """`program_root`: where the program comes from (another checkout, e.g. to compare two versions).

        State: a file backend in `workdir/state`, or `backend_url` (with `extra_env`, e.g. its credentials).
        """
        self.workdir = workdir
        self.project_dir = workdir / "project"
        self.backend_dir = workdir / "state"
        self.project_dir.mkdir(parents=True)
        self.backend_dir.mkdir()
        for name in PROJECT_FILES:
            source = program_root / name
            if source.is_dir():
                shutil.copytree(source, self.project_dir / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, self.project_dir / name)
        (self.project_dir / ".venv").symlink_to(REPO_ROOT / ".venv")
        bin_dir = pulumi_bin_dir()
        self.env = {
            "PULUMI_BACKEND_URL": backend_url or f"file://{self.backend_dir}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PENPAL_PYTHON": str(REPO_ROOT / ".venv" / "bin" / "python"),
            "PATH": f"{bin_dir}:{REPO_ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
            **(extra_env or {}),
        }
        # `make setup` lays the CLI out as <root>/bin/pulumi, the shape PulumiCommand expects.
        command = auto.PulumiCommand(root=str(bin_dir.parent))
        self.workspace = auto.LocalWorkspace(work_dir=str(self.project_dir), env_vars=self.env,
                                             pulumi_command=command)

    def use_env(self, values: Mapping[str, str]) -> None:
        """Environment variables of every later engine run (Automation API and `cli`), e.g. the provider tokens.

        An empty value hides the variable of this process's own environment ("" counts as unset everywhere).
        """
        self.env.update(values)
        self.workspace.env_vars = dict(self.env)

    def stack(self, name: str, config: Mapping[str, auto.ConfigValue]) -> auto.Stack:
        stack = auto.Stack.create_or_select(name, self.workspace)
        stack.set_all_config(dict(config))
        return stack

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run the pulumi CLI itself in the project directory (for `--json` output and exports)."""
        env = {**os.environ, **self.env}
        return subprocess.run([str(pulumi_bin_dir() / "pulumi"), *args], cwd=self.project_dir, env=env,
                              input=stdin, capture_output=True, text=True, check=False)


@contextmanager
def local_deployment(
    repos: Sequence[str],
    network: NetworkProfile | None = None,
    program_root: Path = REPO_ROOT,
    backend_url: str | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[tuple[Simulators, LocalProject, tuple[str, str]]]:
    """Simulators running, a fresh project copy and backend, and an SSH key pair; all gone afterwards."""
    sims = Simulators(repos, network)
    sims.start()
    try:
        with tempfile.TemporaryDirectory(prefix="penpal-local-") as tmp:
            workdir = Path(tmp)
            yield sims, LocalProject(workdir, program_root, backend_url, extra_env), ssh_key_pair(workdir)
    finally:
        sims.stop()
