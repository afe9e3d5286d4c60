"""A deployment of an application, queued whenever `triggers` change.

Creating it only queues the deployment and records its uuid: the stack's one `DeploymentWait` waits
for every deployment of the run together (see `deployment_wait.py`), so that deployments are not held
to the dynamic-provider server's 4 calls at a time. Deleting it does nothing in Coolify: a deployment
is an event, not a thing that can be removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client.deployment_watch import queue
from ..provider import CoolifyProvider
from ._check import Checker
from ._diff import FieldRule, identity, is_unknown
from ._resource import secret_values, with_secret_outputs

QUEUED = "queued"


@dataclass(frozen=True)
class DeploymentArgs:
    application_uuid: pulumi.Input[str]
    triggers: Mapping[str, pulumi.Input[str]]
    """Any change (e.g. the image reference, a hash of the env vars) queues a new deployment. Stored as a secret."""
    force: pulumi.Input[bool] = False
    """Rebuild without cache."""


class DeploymentProvider(CoolifyProvider):
    field_rules = (
        FieldRule("application_uuid", identity),
        FieldRule("triggers", lambda value: dict(value) if isinstance(value, Mapping) else value),
        FieldRule("force", bool),
    )
    # A new deployment is a new resource; force only matters for the next one.
    replace_keys = frozenset({"application_uuid", "triggers"})

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        checker.required_text("application_uuid")
        triggers = news.get("triggers")
        if triggers is not None and not is_unknown(triggers) and not isinstance(triggers, Mapping):
            checker.fail("triggers", "must be a mapping of names to strings")
        checker.boolean("force")
        return CheckResult(news, checker.failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        application_uuid = str(props["application_uuid"])
        deployment_uuid = queue(
            self.client.deployments,
            application_uuid,
            force=bool(props.get("force")),
            interval_s=self.settings.poll_interval_s,
        )
        return CreateResult(deployment_uuid, _outs(deployment_uuid, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # A deployment is an event: nothing of it can drift, and its outcome is DeploymentWait's. No request.
        return ReadResult(id_, dict(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Only force changed: nothing to do in Coolify.
        return UpdateResult({**olds, "force": bool(news.get("force"))})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


def _outs(deployment_uuid: str, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "uuid": deployment_uuid,
        "deployment_uuid": deployment_uuid,
        "status": QUEUED,
        "application_uuid": props.get("application_uuid"),
        "triggers": dict(props.get("triggers") or {}),
        "force": bool(props.get("force")),
    }


class Deployment(Resource, module="coolify", name="Deployment"):
    """A queued deployment of a Coolify application (`pulumi-python:dynamic/coolify:Deployment`).

    `status` is the status when it was queued; `DeploymentWait` holds the outcome.
    """

    uuid: pulumi.Output[str]
    deployment_uuid: pulumi.Output[str]
    status: pulumi.Output[str]

    def __init__(self, resource_name: str, args: DeploymentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props: dict[str, Any] = {
            "application_uuid": args.application_uuid,
            "triggers": secret_values(args.triggers),
            "force": args.force,
            "uuid": None,
            "deployment_uuid": None,
            "status": None,
        }
        super().__init__(DeploymentProvider(), resource_name, props, with_secret_outputs(opts, "triggers"))
