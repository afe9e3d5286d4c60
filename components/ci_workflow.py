"""The service repository's `.github/workflows/ci.yml`, generated and committed through pulumi-github.

The pipeline follows the team's CI/CD protocol: lint and tests first; then a multi-arch image on
GHCR tagged `<branch>-latest` + `sha-<7>` on a branch push, or `X.Y.Z` + `sha-<7>` + `latest` on a
`vX.Y.Z` tag; then the Coolify deploy webhook, `develop` -> staging and `main` -> production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_github as github

WORKFLOW_PATH = ".github/workflows/ci.yml"
WORKFLOW_BRANCH = "develop"

# Markers are <<NAME>>: the text is full of GitHub's ${{ }} and shell ${...}, so neither
# str.format nor string.Template fit.
_TEMPLATE = """\
# Managed by penpal-infra (Pulumi, prod stack): local edits are overwritten on the next `pulumi up`.
name: CI

on:
  push:
    branches: [develop, main]
    tags: ["v*.*.*"]

permissions:
  contents: read
  packages: write

env:
  OWNER: <<OWNER>>
  IMAGE_NAME: <<IMAGE_NAME>>

jobs:
  test:
    name: Unit & E2E Tests
    runs-on: ubuntu-latest
    steps:
      - name: Checkout
        uses: actions/checkout@v4

      - name: Setup Node.js
        uses: actions/setup-node@v4
        with:
          node-version: <<NODE_VERSION>>
          cache: npm

      - name: Install dependencies
        run: npm ci

      - name: Run lint
        run: npm run lint

      - name: Run unit tests
        run: npm test -- --runInBand

      - name: Run unit tests with coverage
        run: npm run test:cov -- --runInBand

      - name: Run E2E tests
        run: npm run test:e2e -- --runInBand

  build-and-deploy:
    name: Build, push & deploy
    needs: test
    runs-on: ubuntu-latest
    steps:
      - name: Checkout
        uses: actions/checkout@v4

      - name: Set up QEMU
        uses: docker/setup-qemu-action@v3

      - name: Set up Docker Buildx
        uses: docker/setup-buildx-action@v3

      - name: Log in to GHCR
        uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}

      - name: Compute tags
        id: tags
        run: |
          if [[ "${GITHUB_REF}" == refs/tags/v*.*.* ]]; then
            # Version tag (v1.2.3)
            VERSION=${GITHUB_REF#refs/tags/v}
            echo "version_tag=${VERSION}" >> "$GITHUB_OUTPUT"
            echo "is_version=true" >> "$GITHUB_OUTPUT"
          else
            # Branch push
            REF_SLUG=${GITHUB_REF_NAME//\\//-}
            BRANCH_TAG="${REF_SLUG}-latest"
            echo "branch_tag=${BRANCH_TAG}" >> "$GITHUB_OUTPUT"
            echo "is_version=false" >> "$GITHUB_OUTPUT"
          fi
          SHA_TAG="sha-${GITHUB_SHA::7}"
          echo "sha_tag=${SHA_TAG}" >> "$GITHUB_OUTPUT"

      - name: Build & push image (version)
        if: steps.tags.outputs.is_version == 'true'
        uses: docker/build-push-action@v6
        with:
          context: .
          file: ./Dockerfile
          platforms: linux/amd64,linux/arm64
          push: true
          tags: |
            ghcr.io/${{ env.OWNER }}/${{ env.IMAGE_NAME }}:${{ steps.tags.outputs.version_tag }}
            ghcr.io/${{ env.OWNER }}/${{ env.IMAGE_NAME }}:${{ steps.tags.outputs.sha_tag }}
            ghcr.io/${{ env.OWNER }}/${{ env.IMAGE_NAME }}:latest

      - name: Build & push image (branch)
        if: steps.tags.outputs.is_version == 'false'
        uses: docker/build-push-action@v6
        with:
          context: .
          file: ./Dockerfile
          platforms: linux/amd64,linux/arm64
          push: true
          tags: |
            ghcr.io/${{ env.OWNER }}/${{ env.IMAGE_NAME }}:${{ steps.tags.outputs.branch_tag }}
            ghcr.io/${{ env.OWNER }}/${{ env.IMAGE_NAME }}:${{ steps.tags.outputs.sha_tag }}

      # Coolify answers 405 to GET on /api/v1/deploy since v4.2.0: the webhook must be POSTed.
      - name: Trigger Coolify deploy (staging)
        if: github.ref == 'refs/heads/develop'
        run: |
          curl -fsSL -X POST \\
            -H "Authorization: Bearer ${{ secrets.COOLIFY_API_TOKEN }}" \\
            "${{ secrets.COOLIFY_STAGING_WEBHOOK_URL }}"

      - name: Trigger Coolify deploy (production)
        if: github.ref == 'refs/heads/main'
        run: |
          curl -fsSL -X POST \\
            -H "Authorization: Bearer ${{ secrets.COOLIFY_API_TOKEN }}" \\
            "${{ secrets.COOLIFY_PROD_WEBHOOK_URL }}"
"""

_MARKER = re.compile(r"<<([A-Z_]+)>>")


def render_ci_workflow(owner: str, image_name: str, node_version: str = "20") -> str:
    """The workflow text for one service; `owner` is lower-cased because GHCR references must be."""
    values = {"OWNER": owner.lower(), "IMAGE_NAME": image_name, "NODE_VERSION": node_version}
    return _MARKER.sub(lambda match: values[match.group(1)], _TEMPLATE)


@dataclass(frozen=True)
class CiWorkflowArgs:
    repository: str
    owner: str
    image_name: str
    node_version: str = "20"
    branch: str = WORKFLOW_BRANCH
    """Branch the file is committed to; it reaches `main` with the next release merge."""


class CiWorkflow(pulumi.ComponentResource):
    """Commits the generated ci.yml to the service repository."""

    TYPE = "penpal:infra:CiWorkflow"

    content: pulumi.Output[str]

    def __init__(self, name: str, args: CiWorkflowArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        content = render_ci_workflow(args.owner, args.image_name, args.node_version)
        github.RepositoryFile(
            f"{name}-file",
            repository=args.repository,
            branch=args.branch,
            file=WORKFLOW_PATH,
            content=content,
            commit_message="ci: update workflow from penpal-infra",
            overwrite_on_create=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.content = pulumi.Output.from_input(content)
        self.register_outputs({"content": self.content})
