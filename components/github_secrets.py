"""GitHub Actions secrets in a service repository, and which stack owns which of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_github as github

from components.config import Environment

API_TOKEN_SECRET = "COOLIFY_API_TOKEN"


def owned_secret_names(environment: Environment) -> tuple[str, ...]:
    """The repository secrets this environment's stack manages.

    Each secret has exactly one owner, so destroying one stack never deletes the other's secrets:
    a stack owns its own webhook URL, and the prod stack also owns the shared API token.
    """
    if environment is Environment.PRODUCTION:
        return (environment.webhook_secret_name, API_TOKEN_SECRET)
    return (environment.webhook_secret_name,)


@dataclass(frozen=True)
class RepoSecretsArgs:
    repository: str
    """Repository name (the owner comes from the `github:owner` provider setting)."""
    secrets: Mapping[str, pulumi.Input[str]]
    """Secret name -> value; every value is stored as a Pulumi secret."""


class RepoSecrets(pulumi.ComponentResource):
    """One `ActionsSecret` per entry, named `<component>-<secret-name-in-kebab-case>`."""

    TYPE = "penpal:infra:RepoSecrets"

    names: pulumi.Output[list[str]]

    def __init__(self, name: str, args: RepoSecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        for secret_name, value in sorted(args.secrets.items()):
            github.ActionsSecret(
                f"{name}-{secret_name.lower().replace('_', '-')}",
                repository=args.repository,
                secret_name=secret_name,
                plaintext_value=pulumi.Output.secret(value),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.names = pulumi.Output.from_input(sorted(args.secrets))
        self.register_outputs({"names": self.names})
