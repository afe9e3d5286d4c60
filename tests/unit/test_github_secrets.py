"""RepoSecrets and secret ownership: each repository secret is managed by exactly one stack."""

from __future__ import annotations

import pulumi

from components.config import Environment
from components.github_secrets import RepoSecrets, RepoSecretsArgs, owned_secret_names
from tests.unit.mocks import RecordingMocks, T
from tests.unit.outputs import resolve, run_program


def test_ownership_is_disjoint_and_complete() -> None:
    staging = set(owned_secret_names(Environment.STAGING))
    production = set(owned_secret_names(Environment.PRODUCTION))
    assert staging == {"COOLIFY_STAGING_WEBHOOK_URL"}
    assert production == {"COOLIFY_PROD_WEBHOOK_URL", "COOLIFY_API_TOKEN"}
    assert staging.isdisjoint(production)


def test_one_secret_resource_per_entry_with_secret_values(mocks: RecordingMocks) -> None:
    component = run_program(
        lambda: RepoSecrets(
            "api-github-secrets",
            RepoSecretsArgs(
                repository="penpal-ai-api",
                secrets={
                    "COOLIFY_PROD_WEBHOOK_URL": pulumi.Output.from_input("https://hook"),
                    "COOLIFY_API_TOKEN": "tok",
                },
            ),
        )
    )
    secrets = mocks.of_type(T.GITHUB_SECRET)
    assert sorted(s.name for s in secrets) == [
        "api-github-secrets-coolify-api-token",
        "api-github-secrets-coolify-prod-webhook-url",
    ]
    by_name = {s.plain("secretName"): s for s in secrets}
    assert sorted(by_name) == ["COOLIFY_API_TOKEN", "COOLIFY_PROD_WEBHOOK_URL"]
    for secret in secrets:
        assert secret.plain("repository") == "penpal-ai-api"
        assert pulumi.runtime.rpc.is_rpc_secret(secret.inputs["plaintextValue"])
        assert "encryptedValue" not in secret.inputs
        assert secret.parent_urn == mocks.one(T.REPO_SECRETS).urn
    assert by_name["COOLIFY_API_TOKEN"].plain("plaintextValue") == "tok"
    assert by_name["COOLIFY_PROD_WEBHOOK_URL"].plain("plaintextValue") == "https://hook"
    assert resolve(component.names) == ["COOLIFY_API_TOKEN", "COOLIFY_PROD_WEBHOOK_URL"]
