"""Which GHCR image a service runs in this stack: the branch tag, a pinned override, or its digest."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.config import Environment

REGISTRY = "ghcr.io"


@dataclass(frozen=True)
class GhcrImageArgs:
    owner: str
    """GHCR namespace (lower-case GitHub owner)."""
    image: str
    environment: Environment
    tag_override: str | None = None
    """`sha-<7>` or `X.Y.Z` pins a build (rollback = set it and `pulumi up`); None follows the branch tag."""
    resolve_digest: bool = False
    """Ask the registry (pulumi-docker) for the tag's digest and deploy by digest."""


def select_tag(environment: Environment, tag_override: str | None) -> str:
    return tag_override if tag_override is not None else environment.default_image_tag


class GhcrImage(pulumi.ComponentResource):
    """The image reference a Coolify application deploys.

    `repository` is `ghcr.io/<owner>/<image>`; `tag` is what Coolify is told to pull: the tag, or
    `sha256:...` when the digest is resolved; `ref` is the full pullable reference.
    """

    TYPE = "penpal:infra:GhcrImage"

    repository: pulumi.Output[str]
    tag: pulumi.Output[str]
    ref: pulumi.Output[str]

    def __init__(self, name: str, args: GhcrImageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        repository = f"{REGISTRY}/{args.owner}/{args.image}"
        tag = select_tag(args.environment, args.tag_override)
        self.repository = pulumi.Output.from_input(repository)
        if args.resolve_digest:
            # Imported only here: pulumi-docker costs ~0.2 s of every run's start-up and is off by default.
            import pulumi_docker as docker

            found = docker.get_registry_image_output(
                name=f"{repository}:{tag}", opts=pulumi.InvokeOutputOptions(parent=self)
            )
            self.tag = found.sha256_digest
            self.ref = found.sha256_digest.apply(lambda digest: f"{repository}@{digest}")
        else:
            self.tag = pulumi.Output.from_input(tag)
            self.ref = pulumi.Output.from_input(f"{repository}:{tag}")
        self.register_outputs({"repository": self.repository, "tag": self.tag, "ref": self.ref})
