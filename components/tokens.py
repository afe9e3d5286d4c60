"""Where the three provider tokens come from: the environment, or stack config for the local demo.

In the team setup the tokens are environment variables only (`COOLIFY_TOKEN`, `HCLOUD_TOKEN`,
`GITHUB_TOKEN`: docs/ci.md), so neither the stack config nor the state holds a token that can write,
and a pull request's preview holds only the read-only ones. A stack may still set `coolify:token`,
`hcloud:token` and `github:token` (the local demo does).

When both are set, the stack config wins, as it does in the providers themselves, which use their
environment variable only when the config key is unset: terraform-provider-hcloud v1.59.0
(hcloud/provider.go `schema.EnvDefaultFunc("HCLOUD_TOKEN")`; hcloud/plugin_provider.go takes `token` over
HCLOUD_TOKEN) and pulumi-github (toolchain/providers/github/providerinfo: `DefaultInfo{EnvVars: GITHUB_TOKEN}`).
The program's token check, the config validation and the Coolify provider all resolve a token here, so
what is checked is what the providers use. Stdlib only: the Coolify dynamic provider's process imports it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TokenSource:
    """One provider token: its stack config key and the environment variable its provider reads."""

    key: str
    variable: str

    def hint(self) -> str:
        """How to provide it, naming both places."""
        return f"export {self.variable}=<token> (team setup, CI), or pulumi config set --secret {self.key} <token>"


COOLIFY = TokenSource("coolify:token", "COOLIFY_TOKEN")
HCLOUD = TokenSource("hcloud:token", "HCLOUD_TOKEN")
GITHUB = TokenSource("github:token", "GITHUB_TOKEN")
PROVIDER_TOKENS = (COOLIFY, HCLOUD, GITHUB)


@dataclass(frozen=True)
class ResolvedToken:
    """A token's value, and whether it came from the environment variable (else from the config key)."""

    value: str
    from_environment: bool


def resolve_token(
    source: TokenSource, config: Mapping[str, object], environ: Mapping[str, str] | None = None
) -> ResolvedToken | None:
    """The stack config value, else the environment variable; None if neither is set ("" counts as unset)."""
    configured = config.get(source.key)
    if configured not in (None, ""):
        return ResolvedToken(str(configured), from_environment=False)
    value = (os.environ if environ is None else environ).get(source.variable, "")
    if value:
        return ResolvedToken(value, from_environment=True)
    return None


def named_by_variable(problem: str, variables: Mapping[str, str]) -> str:
    """`problem` about a token the environment gave (config key -> variable) names the variable too, never the value."""
    for key, variable in variables.items():
        if problem.startswith((f"{key} ", f"{key}:")):
            return f"{key} (from {variable}){problem[len(key):]}"
    return problem
