"""The Coolify project `penpal-ai`, shared by both stacks, and this stack's environment inside it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.config import Environment
from components.coolify import Environment as CoolifyEnvironmentResource
from components.coolify import EnvironmentArgs, Project, ProjectArgs

PROJECT_NAME = "penpal-ai"
# Both stacks declare the project; identical args keep them from undoing each other's updates.
PROJECT_DESCRIPTION = "penpal-ai services (managed by Pulumi)"


@dataclass(frozen=True)
class CoolifyEnvironmentArgs:
    environment: Environment
    """Which environment this stack deploys; becomes the Coolify environment name."""
    project_name: str = PROJECT_NAME


class CoolifyEnvironment(pulumi.ComponentResource):
    """Where this stack's applications and database live in Coolify: a project and an environment.

    The project is shared: each stack adopts it by name (the provider's create finds an existing
    project of that name) and retains it on delete, so destroying one stack never deletes the
    project the other stack still deploys into. The staging environment belongs to the staging
    stack; `production` comes with the project and is retained like it.
    """

    TYPE = "penpal:infra:CoolifyEnvironment"

    project_uuid: pulumi.Output[str]
    environment_name: pulumi.Output[str]

    def __init__(self, name: str, args: CoolifyEnvironmentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        project = Project(
            f"{name}-project",
            ProjectArgs(name=args.project_name, description=PROJECT_DESCRIPTION),
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )
        self.project_uuid = project.uuid

        # Coolify quirk: every project gets a `production` environment at creation; the provider adopts it
        # by name, and like the project it is retained rather than deleted with the stack.
        is_production = args.environment is Environment.PRODUCTION
        environment = CoolifyEnvironmentResource(
            f"{name}-environment",
            EnvironmentArgs(project_uuid=self.project_uuid, name=args.environment.value),
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=is_production),
        )
        self.environment_name = environment.name

        self.register_outputs({"project_uuid": self.project_uuid, "environment_name": self.environment_name})
