"""Build a preview digest (the shape of `pulumi preview --json`) from Automation API engine events.

Accepts `pulumi.automation.EngineEvent` objects, as passed to `Stack.preview(on_event=...)`, or the raw
JSON objects of an engine event log. Steps are kept the way the CLI's JSON display keeps them:
unchanged resources only when their `protect` flag changes (and the root stack), and a replacement
as its one logical `replace` step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

from pulumi.automation import EngineEvent
from pulumi.automation.events import StepEventMetadata, StepEventStateMetadata

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
# Non-logical parts of a replacement (pulumi/pulumi deploy.IsReplacementStep, minus `replace`).
REPLACEMENT_PARTS = frozenset(
    {
        "create-replacement",
        "delete-replaced",
        "read-replacement",
        "discard-replaced",
        "remove-pending-replace",
        "import-replacement",
    }
)
# Colour directives such as `<{%reset%}>` in engine diagnostic messages.
COLOR_DIRECTIVE = re.compile(r"<\{%[^%]*%\}>")


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _state_json(state: StepEventStateMetadata | None) -> dict[str, Any] | None:
    if state is None:
        return None
    document: dict[str, Any] = {
        "urn": state.urn,
        "type": state.type,
        "custom": bool(state.custom),
        "id": state.id,
        "parent": state.parent,
        "provider": state.provider,
        "inputs": state.inputs or {},
        "outputs": state.outputs or {},
    }
    for flag in ("delete", "protect", "taint", "retain_on_delete"):
        if getattr(state, flag, None):
            document["retainOnDelete" if flag == "retain_on_delete" else flag] = True
    return document


def _should_show(metadata: StepEventMetadata) -> bool:
    op = str(_value(metadata.op))
    if metadata.urn.split("::")[2:3] == [ROOT_STACK_TYPE]:
        return True
    if op == "same":
        old_protect = bool(metadata.old and metadata.old.protect)
        new_protect = bool(metadata.new and metadata.new.protect)
        return old_protect != new_protect
    return not (op in REPLACEMENT_PARTS and not metadata.logical)


def _step_json(metadata: StepEventMetadata) -> dict[str, Any]:
    detailed = metadata.detailed_diff
    step: dict[str, Any] = {
        "op": str(_value(metadata.op)),
        "urn": metadata.urn,
        "provider": metadata.provider,
        "detailedDiff": None
        if detailed is None
        else {
            path: {"kind": str(_value(diff.diff_kind)), "inputDiff": bool(diff.input_diff)}
            for path, diff in detailed.items()
        },
    }
    old_state, new_state = _state_json(metadata.old), _state_json(metadata.new)
    if old_state is not None:
        step["oldState"] = old_state
    if new_state is not None:
        step["newState"] = new_state
    if metadata.diffs:
        step["diffReasons"] = list(metadata.diffs)
    if metadata.keys:
        step["replaceReasons"] = list(metadata.keys)
    return step


def digest_from_events(events: Iterable[EngineEvent | Mapping[str, Any]]) -> dict[str, Any]:
    """A preview digest from a preview's engine events (objects or raw event-log JSON)."""
    steps: list[dict[str, Any]] = []
    diagnostics: list[dict[str, Any]] = []
    digest: dict[str, Any] = {}
    for raw in events:
        event = EngineEvent.from_json(dict(raw)) if isinstance(raw, Mapping) else raw
        if event.cancel_event is not None:
            break
        if event.resource_pre_event is not None and _should_show(event.resource_pre_event.metadata):
            steps.append(_step_json(event.resource_pre_event.metadata))
        elif event.diagnostic_event is not None:
            diagnostic = event.diagnostic_event
            if diagnostic.ephemeral or diagnostic.severity == "debug":
                continue
            message = COLOR_DIRECTIVE.sub("", (diagnostic.prefix or "") + diagnostic.message)
            entry: dict[str, Any] = {"message": message, "severity": diagnostic.severity}
            if diagnostic.urn:
                entry["urn"] = diagnostic.urn
            diagnostics.append(entry)
        elif event.summary_event is not None:
            summary = event.summary_event
            digest["changeSummary"] = {str(_value(op)): count for op, count in summary.resource_changes.items()}
            digest["duration"] = int(summary.duration_seconds * 1_000_000_000)
            if summary.maybe_corrupt:
                digest["maybeCorrupt"] = True
    if steps:
        digest["steps"] = steps
    if diagnostics:
        digest["diagnostics"] = diagnostics
    return digest
