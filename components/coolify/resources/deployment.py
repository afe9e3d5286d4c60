"""A deployment of an application, redone whenever `triggers` change; waits for its outcome.

Deleting it does nothing in Coolify: a deployment is an event, not a thing that can be removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client import DeploymentFailedError, NotFoundError, WaitTimeoutError
from ..client.deployments import FINISHED, TERMINAL, log_lines
from ..client.types import JsonObject
from ..client.waiting import poll
from ..provider import CoolifyProvider
from ._check import Checker
from ._diff import FieldRule, identity, is_unknown
from ._resource import secret_values, with_secret_outputs

LOG_TAIL_LINES = 50


@dataclass(frozen=True)
class DeploymentArgs:
    application_uuid: pulumi.Input[str]
    triggers: Mapping[str, pulumi.Input[str]]
    """Any change (e.g. the image reference, a hash of the env vars) queues a new deployment. Stored as a secret."""
    force: pulumi.Input[bool] = False
    """Rebuild without cache."""
    timeout_s: pulumi.Input[float] = 900
    """How long to wait for `finished` or `failed`."""
    poll_interval_s: pulumi.Input[float] = 2.0


class DeploymentProvider(CoolifyProvider):
    field_rules = (
        FieldRule("application_uuid", identity),
        FieldRule("triggers", lambda value: dict(value) if isinstance(value, Mapping) else value),
        FieldRule("force", bool),
        FieldRule("timeout_s", identity),
        FieldRule("poll_interval_s", identity),
    )
    # A new deployment is a new resource; timeout, poll interval and force only matter for the next one.
    replace_keys = frozenset({"application_uuid", "triggers"})

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        checker.required_text("application_uuid")
        triggers = news.get("triggers")
        if triggers is not None and not is_unknown(triggers) and not isinstance(triggers, Mapping):
            checker.fail("triggers", "must be a mapping of names to strings")
        checker.boolean("force")
        checker.positive_number("timeout_s")
        checker.positive_number("poll_interval_s")
        return CheckResult(news, checker.failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        application_uuid = str(props["application_uuid"])
        deployments = self.client.deployments
        deployment_uuid = deployments.deploy(application_uuid, force=bool(props.get("force")))
        if deployment_uuid is None:
            # "Deployment already queued for this commit." comes without a uuid: follow the queued one.
            latest = deployments.latest_for_application(application_uuid)
            if latest is None or not latest.get("deployment_uuid"):
                raise WaitTimeoutError(
                    f"Coolify accepted a deployment of application {application_uuid} but reported no deployment."
                )
            deployment_uuid = str(latest["deployment_uuid"])
        final = self._wait(deployment_uuid, props)
        return CreateResult(deployment_uuid, _outs(deployment_uuid, final, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            deployment = self.client.deployments.get(id_)
        except NotFoundError:
            # Coolify prunes old deployment history; the deployment still happened, so keep it
            # (reporting it gone would redeploy on the next `up`).
            return ReadResult(id_, dict(props))
        return ReadResult(id_, _outs(id_, deployment, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Only force/timeout/poll interval changed: nothing to do in Coolify.
        return UpdateResult({**olds, **{key: news.get(key) for key in ("force", "timeout_s", "poll_interval_s")}})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None

    def _wait(self, deployment_uuid: str, props: dict[str, Any]) -> JsonObject:
        deployments = self.client.deployments
        timeout_s = float(props.get("timeout_s") or 900)
        try:
            final = poll(
                lambda: deployments.get(deployment_uuid),
                lambda row: row.get("status") in TERMINAL,
                timeout_s=timeout_s,
                interval_s=float(props.get("poll_interval_s") or 2.0),
                describe=f"deployment {deployment_uuid} of application {props['application_uuid']} to finish",
            )
        except WaitTimeoutError as error:
            raise WaitTimeoutError(
                f"{error} It is still running in Coolify; the next `pulumi up` deploys again."
            ) from error
        if final.get("status") != FINISHED:
            lines = log_lines(final)
            note = "" if lines is not None else "(the token cannot read logs: give it `read:sensitive` or `root`)"
            tail = (lines or [])[-LOG_TAIL_LINES:]
            raise DeploymentFailedError(deployment_uuid, str(final.get("status")), tail, note)
        return final


def _outs(deployment_uuid: str, deployment: JsonObject, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "uuid": deployment_uuid,
        "deployment_uuid": deployment_uuid,
        "status": deployment.get("status"),
        "application_uuid": props.get("application_uuid"),
        "triggers": dict(props.get("triggers") or {}),
        "force": bool(props.get("force")),
        "timeout_s": props.get("timeout_s"),
        "poll_interval_s": props.get("poll_interval_s"),
    }


class Deployment(Resource, module="coolify", name="Deployment"):
    """A finished deployment of a Coolify application (`pulumi-python:dynamic/coolify:Deployment`)."""

    uuid: pulumi.Output[str]
    deployment_uuid: pulumi.Output[str]
    status: pulumi.Output[str]

    def __init__(self, resource_name: str, args: DeploymentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props: dict[str, Any] = {
            "application_uuid": args.application_uuid,
            "triggers": secret_values(args.triggers),
            "force": args.force,
            "timeout_s": args.timeout_s,
            "poll_interval_s": args.poll_interval_s,
            "uuid": None,
            "deployment_uuid": None,
            "status": None,
        }
        super().__init__(DeploymentProvider(), resource_name, props, with_secret_outputs(opts, "triggers"))
