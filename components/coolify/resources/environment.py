"""Environment inside a Coolify project. Coolify stores names lowercased, with `/` turned into `-`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client import BadRequestError
from ..client.projects import normalize_environment_name
from ..provider import CoolifyProvider
from ._check import Checker
from ._diff import FieldRule, environment_name, identity
from ._resource import args_to_props


@dataclass(frozen=True)
class EnvironmentArgs:
    project_uuid: pulumi.Input[str]
    """Project the environment belongs to; changing it replaces the environment."""
    name: pulumi.Input[str]
    """At least 3 characters; Coolify lowercases it (`Staging` is stored as `staging`)."""


class EnvironmentProvider(CoolifyProvider):
    field_rules = (FieldRule("project_uuid", identity), FieldRule("name", environment_name))
    replace_keys = frozenset({"project_uuid"})

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        checker.required_text("project_uuid")
        name = checker.required_text("name")
        if name is not None and len(normalize_environment_name(name)) < 3:
            checker.fail("name", f"must be at least 3 characters long, got {name!r}")
        return CheckResult(news, checker.failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        environments = self.client.environments
        project_uuid = str(props["project_uuid"])
        # Adopt: Coolify creates `production` with every project, and a re-run must not fail on 409.
        existing = environments.find_by_name(project_uuid, str(props["name"]))
        uuid = str(existing["uuid"]) if existing else environments.create(project_uuid, str(props["name"]))
        return CreateResult(uuid, self._outs(project_uuid, uuid))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return self.read_or_gone(id_, lambda: self._outs(str(props["project_uuid"]), id_))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        project_uuid = str(olds["project_uuid"])
        if "name" in self.changed_fields(olds, news):
            self.client.environments.update(project_uuid, id_, {"name": normalize_environment_name(str(news["name"]))})
        return UpdateResult(self._outs(project_uuid, id_))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        environments = self.client.environments
        project_uuid = str(props["project_uuid"])
        self.delete_when_free(
            lambda: environments.delete(project_uuid, id_),
            lambda: environments.get(project_uuid, id_),
            # "Environment has resources": their deletion is still running in Coolify's queue.
            busy_error=BadRequestError,
            busy_message="has resources",
            subject=f"environment {id_}",
            until="to become empty",
        )

    def _outs(self, project_uuid: str, uuid: str) -> dict[str, Any]:
        environment = self.client.environments.get(project_uuid, uuid)
        return {"uuid": uuid, "project_uuid": project_uuid, "name": environment.get("name")}


class Environment(Resource, module="coolify", name="Environment"):
    """An environment of a Coolify project (`pulumi-python:dynamic/coolify:Environment`)."""

    uuid: pulumi.Output[str]
    name: pulumi.Output[str]
    project_uuid: pulumi.Output[str]

    def __init__(self, resource_name: str, args: EnvironmentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(EnvironmentProvider(), resource_name, args_to_props(args), opts)
