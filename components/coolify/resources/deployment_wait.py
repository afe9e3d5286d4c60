"""The stack's deployments, waited for together: one provider call for all of them.

Inputs: per service, the application and the deployment its `Deployment` queued. Outputs: the same,
plus the deployment that finished (`deployed_uuid`, another one when a failed leftover was deployed
again) and its status. Services whose deployment already finished are not looked at again; a change of
any service's deployment is an update that waits for the new ones (see `client/deployment_watch.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from ..client.deployment_watch import Watched, wait_together
from ..client.deployments import FINISHED
from ..provider import CoolifyProvider
from ._check import Checker
from ._diff import is_unknown

KEYS = ("application_uuid", "deployment_uuid")
WAIT_ID = "deployments"


@dataclass(frozen=True)
class DeploymentWaitArgs:
    deployments: Mapping[str, Mapping[str, pulumi.Input[str]]]
    """Per service name: `{"application_uuid": ..., "deployment_uuid": ...}` of its `Deployment`."""
    timeout_s: pulumi.Input[float] = 900
    """How long to wait without any deployment finishing before giving up (they keep running in Coolify)."""
    poll_interval_s: pulumi.Input[float] = 2.0


class DeploymentWaitProvider(CoolifyProvider):
    def subject(self, props: dict[str, Any]) -> str:
        return "Coolify deployments of the stack (DeploymentWait)"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        deployments = news.get("deployments")
        if not is_unknown(deployments) and not (
            isinstance(deployments, Mapping)
            and all(isinstance(entry, Mapping) and all(key in entry for key in KEYS) for entry in deployments.values())
        ):
            checker.fail("deployments", "must map each service name to its application_uuid and deployment_uuid")
        checker.positive_number("timeout_s")
        checker.positive_number("poll_interval_s")
        return CheckResult(news, checker.failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [] if _unchanged(olds.get("deployments"), news.get("deployments")) else ["deployments"]
        changed += [key for key in ("timeout_s", "poll_interval_s") if news.get(key) != olds.get(key)]
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=None)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(WAIT_ID, self._settle({}, props))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._settle(olds, news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # The outcome of past waits: nothing in Coolify can drift. No request.
        return ReadResult(id_, dict(props))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None

    def _settle(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        done: dict[str, Any] = olds.get("deployments") or {}
        outcome: dict[str, dict[str, Any]] = {}
        watched: dict[str, Watched] = {}
        for name, entry in dict(news["deployments"]).items():
            old = done.get(name)
            if isinstance(old, Mapping) and _same(old, entry) and old.get("status") == FINISHED:
                outcome[name] = dict(old)
            else:
                watched[name] = Watched(name, str(entry["application_uuid"]), str(entry["deployment_uuid"]))
        if watched:
            settled = wait_together(
                self.client.deployments,
                watched,
                timeout_s=float(news.get("timeout_s") or 900),
                interval_s=float(news.get("poll_interval_s") or 2.0),
            )
            for name, result in settled.items():
                entry = news["deployments"][name]
                outcome[name] = {
                    "application_uuid": entry["application_uuid"],
                    "deployment_uuid": entry["deployment_uuid"],
                    "deployed_uuid": result.deployment_uuid,
                    "status": result.status,
                }
        timing = {key: news.get(key) for key in ("timeout_s", "poll_interval_s")}
        return {"deployments": outcome, **timing}


def _same(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    return all(not is_unknown(new.get(key)) and old.get(key) == new.get(key) for key in KEYS)


def _unchanged(olds: Any, news: Any) -> bool:
    if not isinstance(olds, Mapping) or not isinstance(news, Mapping) or set(olds) != set(news):
        return False
    return all(isinstance(olds[name], Mapping) and isinstance(news[name], Mapping) and _same(olds[name], news[name])
               for name in news)


class DeploymentWait(Resource, module="coolify", name="DeploymentWait"):
    """Every deployment of the stack, finished (`pulumi-python:dynamic/coolify:DeploymentWait`)."""

    deployments: pulumi.Output[dict[str, Any]]

    def __init__(
        self, resource_name: str, args: DeploymentWaitArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props: dict[str, Any] = {
            "deployments": {name: dict(entry) for name, entry in args.deployments.items()},
            "timeout_s": args.timeout_s,
            "poll_interval_s": args.poll_interval_s,
        }
        super().__init__(DeploymentWaitProvider(), resource_name, props, opts)
