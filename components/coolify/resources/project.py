"""Coolify project. Adopted by name; creating one also makes Coolify create its `production` environment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client import BadRequestError
from ..provider import CoolifyProvider
from ._check import PROJECT_NAME, Checker
from ._diff import FieldRule, text_or_none
from ._resource import args_to_props

MANAGED = ("name", "description")


@dataclass(frozen=True)
class ProjectArgs:
    name: pulumi.Input[str]
    """Project name, unique in the team (3-255 characters). Renaming updates in place."""
    description: pulumi.Input[str] | None = None
    """Free text; left unmanaged when None."""


class ProjectProvider(CoolifyProvider):
    field_rules = (FieldRule("name", text_or_none), FieldRule("description", text_or_none))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        if checker.required_text("name", min_length=3) is not None:
            checker.pattern("name", PROJECT_NAME, "letters, digits, spaces and - _ . / @ & ( ) # , : +")
        checker.optional_text("description")
        return CheckResult(news, checker.failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        projects = self.client.projects
        existing = projects.find_by_name(str(props["name"]).strip())
        if existing is not None:
            uuid = str(existing["uuid"])
            self._apply(uuid, props, projects.get(uuid))
        else:
            uuid = projects.create(_body(props, MANAGED))
        return CreateResult(uuid, self._outs(uuid))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return self.read_or_gone(id_, lambda: self._outs(id_))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self._apply(id_, news, olds)
        return UpdateResult(self._outs(id_))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        projects = self.client.projects
        self.delete_when_free(
            lambda: projects.delete(id_),
            lambda: projects.get(id_),
            # "Project has resources": applications and databases are torn down asynchronously.
            busy_error=BadRequestError,
            busy_message="has resources",
            subject=f"project {id_}",
            until="to become empty",
        )

    def _apply(self, uuid: str, desired: dict[str, Any], current: dict[str, Any]) -> None:
        changed = [key for key in self.changed_fields(current, desired) if key in MANAGED]
        if changed:
            self.client.projects.update(uuid, _body(desired, changed))

    def _outs(self, uuid: str) -> dict[str, Any]:
        # POST and PATCH answer with the uuid at most; the stored state is what GET returns.
        project = self.client.projects.get(uuid)
        return {"uuid": uuid, "name": project.get("name"), "description": project.get("description")}


def _body(props: dict[str, Any], keys: Any) -> dict[str, Any]:
    return {key: props[key] for key in keys if props.get(key) is not None}


class Project(Resource, module="coolify", name="Project"):
    """A Coolify project (`pulumi-python:dynamic/coolify:Project`)."""

    uuid: pulumi.Output[str]
    name: pulumi.Output[str]
    description: pulumi.Output[str | None]

    def __init__(self, resource_name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ProjectProvider(), resource_name, args_to_props(args), opts)
