"""Render a Markdown review of a `pulumi preview` for one stack.

    python -m tools.preview_summary --stack staging [--cwd DIR] [--json FILE|-]

Without --json it runs `pulumi preview --json --stack <stack>` in --cwd. With --json it reads that
output from FILE (`-` for stdin); an Automation API event log (JSON lines of engine events) works too.

The input is the engine's preview digest (pulumi/pulumi `PreviewDigest`: `steps`, `changeSummary`,
`diagnostics`). The summary names resources, operations and changed *field names*; it never prints a
property value, a config value or a diagnostic message, so no secret can leak through it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.preview_events import digest_from_events

# Marker of a secret value in engine events; the JSON digest shows secrets as the string "[secret]".
SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_PLACEHOLDER = "[secret]"
# How the JSON digest serializes a value that is only known after apply (pulumi/pulumi resource/stack).
UNKNOWN_PLACEHOLDER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# Steps that are parts of one logical replacement; shown with --show-replacement-steps only.
REPLACEMENT_PARTS = frozenset({"create-replacement", "delete-replaced", "discard-replaced", "read-replacement"})
OPS_IN_ORDER = ("replace", "delete", "update", "create")
OP_LABELS = {
    "replace": "⚠️ **REPLACE**",
    "delete": "🗑️ delete",
    "update": "✏️ update",
    "create": "🆕 create",
    "same": "protection change only",
}
COUNT_WORDS = {
    "create": "to create",
    "update": "to update",
    "replace": "to replace",
    "delete": "to delete",
}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PreviewUnavailable(Exception):
    """No preview JSON could be obtained (the CLI failed before printing one, or the input is not JSON)."""


@dataclass(frozen=True)
class FieldChanges:
    """Names of the properties a step changes. Values are never kept."""

    changed: tuple[str, ...] = ()
    forcing_replacement: tuple[str, ...] = ()
    # Secret on both sides: the engine hides both values, so whether they differ is unknown.
    secret_uncompared: tuple[str, ...] = ()
    # The new value is only known after apply (it comes from another resource's output).
    known_after_apply: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResourceChange:
    """One resource's planned operation, as the summary shows it."""

    op: str
    urn: str
    type: str
    name: str
    fields: FieldChanges
    protected: bool
    protect_toggled: bool = False


def parse_urn(urn: str) -> tuple[str, str]:
    """Returns (type, name) from `urn:pulumi:<stack>::<project>::<qualified type>::<name>`."""
    parts = urn.split("::", 3)
    if len(parts) != 4:
        return "", urn
    qualified_type, name = parts[2], parts[3]
    # A child's qualified type is `<parent type>$<type>`; the resource's own type is the last one.
    return qualified_type.rsplit("$", 1)[-1], name


def _is_secret(value: Any) -> bool:
    if value == SECRET_PLACEHOLDER:
        return True
    return isinstance(value, Mapping) and SECRET_SIGNATURE_KEY in value


def _child_path(parent: str, key: str) -> str:
    if IDENTIFIER.match(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(key)}]"


@dataclass
class _Comparison:
    changed: list[str]
    secret_uncompared: list[str]
    known_after_apply: list[str]


def _compare(old: Any, new: Any, path: str, result: _Comparison) -> None:
    changed = result.changed
    if new == UNKNOWN_PLACEHOLDER:
        result.known_after_apply.append(path)
        return
    if _is_secret(old) and _is_secret(new):
        result.secret_uncompared.append(path)
        return
    if _is_secret(old) or _is_secret(new):
        changed.append(path)
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new)):
            child = _child_path(path, str(key))
            if key not in old or key not in new:
                changed.append(child)
            else:
                _compare(old[key], new[key], child, result)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (old_item, new_item) in enumerate(zip(old, new, strict=True)):
            _compare(old_item, new_item, f"{path}[{index}]", result)
        return
    if old != new:
        changed.append(path)


def compare_inputs(old: Mapping[str, Any], new: Mapping[str, Any]) -> FieldChanges:
    """Property paths whose value differs, paths secret on both sides (not comparable), and paths
    known only after apply. Only names are returned.

    Top-level keys starting with `__` are the engine's and providers' bookkeeping (`__provider`,
    `__defaults`), not user inputs.
    """
    result = _Comparison([], [], [])
    user_keys = {key for key in set(old) | set(new) if not key.startswith("__")}
    for key in sorted(user_keys):
        path = _child_path("", key)
        if key not in old or key not in new:
            result.changed.append(path)
        else:
            _compare(old[key], new[key], path, result)
    return FieldChanges(
        changed=tuple(result.changed),
        secret_uncompared=tuple(result.secret_uncompared),
        known_after_apply=tuple(result.known_after_apply),
    )


def _state(step: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    state = step.get(key)
    return state if isinstance(state, Mapping) else {}


def _names(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def field_changes(step: Mapping[str, Any], op: str) -> FieldChanges:
    """Changed field names of a step: the engine's detailed diff, else its diff keys, else a comparison.

    Python dynamic providers report no detailed diff and no diff keys (only replace keys), so for them
    the old and new inputs are compared by path; values are only compared, never kept.
    """
    if op not in ("update", "replace"):
        return FieldChanges()
    detailed = step.get("detailedDiff")
    detailed = detailed if isinstance(detailed, Mapping) else {}
    forcing = _names(step.get("replaceReasons") or step.get("keys"))
    forcing += [
        path
        for path, diff in detailed.items()
        if isinstance(diff, Mapping) and str(diff.get("kind", diff.get("diffKind", ""))).endswith("-replace")
    ]
    reported = list(detailed) or _names(step.get("diffReasons") or step.get("diffs"))
    compared = FieldChanges()
    if not reported:
        old_inputs = _state(step, "oldState").get("inputs") or {}
        new_inputs = _state(step, "newState").get("inputs") or {}
        compared = compare_inputs(old_inputs, new_inputs)
        reported = list(compared.changed)
    forcing_unique = tuple(dict.fromkeys(forcing))
    return FieldChanges(
        changed=tuple(path for path in dict.fromkeys(reported) if path not in forcing_unique),
        forcing_replacement=forcing_unique,
        secret_uncompared=compared.secret_uncompared,
        known_after_apply=tuple(p for p in compared.known_after_apply if p not in forcing_unique),
    )


def _merge(first: FieldChanges, second: FieldChanges) -> FieldChanges:
    forcing = tuple(dict.fromkeys(first.forcing_replacement + second.forcing_replacement))
    changed = tuple(p for p in dict.fromkeys(first.changed + second.changed) if p not in forcing)
    uncompared = tuple(dict.fromkeys(first.secret_uncompared + second.secret_uncompared))
    pending = tuple(p for p in dict.fromkeys(first.known_after_apply + second.known_after_apply) if p not in forcing)
    return FieldChanges(changed, forcing, uncompared, pending)


def resource_changes(preview: Mapping[str, Any]) -> list[ResourceChange]:
    """The preview's steps as one row per resource (a replacement's parts fold into one row)."""
    rows: dict[str, ResourceChange] = {}
    for step in preview.get("steps") or []:
        if not isinstance(step, Mapping):
            continue
        urn = str(step.get("urn", ""))
        raw_op = str(step.get("op", ""))
        op = "replace" if raw_op in REPLACEMENT_PARTS else raw_op
        old, new = _state(step, "oldState"), _state(step, "newState")
        urn_type, name = parse_urn(urn)
        resource_type = str(new.get("type") or old.get("type") or urn_type)
        protect_toggled = bool(old) and bool(new) and bool(old.get("protect")) != bool(new.get("protect"))
        if op == "same" and not protect_toggled:
            continue
        row = ResourceChange(
            op=op,
            urn=urn,
            type=resource_type,
            name=name,
            fields=field_changes(step, op),
            protected=bool(old.get("protect")) or bool(new.get("protect")),
            protect_toggled=protect_toggled,
        )
        earlier = rows.get(urn)
        if earlier is not None and earlier.op == row.op:
            row = ResourceChange(
                op=row.op,
                urn=urn,
                type=row.type,
                name=name,
                fields=_merge(earlier.fields, row.fields),
                protected=earlier.protected or row.protected,
                protect_toggled=earlier.protect_toggled or row.protect_toggled,
            )
        rows[urn] = row
    return list(rows.values())


def count_operations(preview: Mapping[str, Any], rows: Sequence[ResourceChange]) -> dict[str, int]:
    """Counts per operation from the steps; `same` from the engine's changeSummary.

    Steps are the source for changes because a failed preview's changeSummary leaves out the step
    that failed (a refused delete of a protected resource is not counted there).
    """
    counts: dict[str, int] = {}
    for row in rows:
        if row.op != "same":
            counts[row.op] = counts.get(row.op, 0) + 1
    summary = preview.get("changeSummary")
    if isinstance(summary, Mapping) and isinstance(summary.get("same"), int):
        counts["same"] = summary["same"]
    return counts


def _code(text: str) -> str:
    """Inline code safe inside a Markdown table cell."""
    cleaned = text.replace("\n", " ").replace("|", "\\|")
    fence = "``" if "`" in cleaned else "`"
    return f"{fence}{cleaned}{fence}"


def _fields_cell(change: ResourceChange) -> str:
    parts = [f"{_code(path)} (forces replacement)" for path in change.fields.forcing_replacement]
    parts += [_code(path) for path in change.fields.changed]
    parts += [f"{_code(path)} (known after apply)" for path in change.fields.known_after_apply]
    uncompared = change.fields.secret_uncompared
    if uncompared and not parts:
        parts = [f"{_code(path)} (secret, may have changed)" for path in uncompared]
    elif uncompared:
        plural = "s" if len(uncompared) > 1 else ""
        parts.append(f"+{len(uncompared)} secret field{plural} (hidden, not compared)")
    if change.protect_toggled:
        parts.append("`protect` option")
    return ", ".join(parts) if parts else "—"


def _operation_cell(change: ResourceChange) -> str:
    label = OP_LABELS.get(change.op, change.op)
    if change.protected and change.op in ("delete", "replace"):
        return f"{label} 🔒 **PROTECTED**"
    if change.protected:
        return f"{label} 🔒 protected"
    return label


def _counts_line(counts: Mapping[str, int]) -> str:
    ordered = [op for op in ("create", "update", "replace", "delete") if counts.get(op)]
    ordered += sorted(op for op in counts if op not in COUNT_WORDS and op != "same" and counts[op])
    parts = []
    for op in ordered:
        text = f"{counts[op]} {COUNT_WORDS.get(op, f'to {op}')}"
        parts.append(f"⚠️ {text}" if op == "replace" else text)
    if "same" in counts:
        parts.append(f"{counts['same']} unchanged")
    return "**" + " · ".join(parts) + "**" if parts else "**no resources**"


def _row_order(change: ResourceChange) -> int:
    return OPS_IN_ORDER.index(change.op) if change.op in OPS_IN_ORDER else len(OPS_IN_ORDER)


def _diagnostic_lines(preview: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    warnings = 0
    for diagnostic in preview.get("diagnostics") or []:
        if not isinstance(diagnostic, Mapping):
            continue
        severity = diagnostic.get("severity")
        if severity == "error":
            urn = diagnostic.get("urn")
            errors.append(_code(parse_urn(str(urn))[1]) if urn else "the stack")
        elif severity == "warning":
            warnings += 1
    lines = []
    if errors:
        where = ", ".join(dict.fromkeys(errors))
        lines.append(
            f"> ❌ **The preview failed** with {len(errors)} error(s) (on {where}). "
            "Messages are not repeated here; read the preview log or the pull request comment."
        )
    if warnings:
        lines.append(f"> {warnings} warning(s) in the preview log.")
    return lines


def render_summary(preview_json: dict[str, Any], stack: str) -> str:
    """Markdown review of a preview digest (the output of `pulumi preview --json`) for `stack`."""
    rows = sorted(resource_changes(preview_json), key=_row_order)
    counts = count_operations(preview_json, rows)
    lines = [f"### Pulumi preview: `{stack}`", "", _counts_line(counts), ""]

    replaced = [row for row in rows if row.op == "replace"]
    if replaced:
        lines.append(f"> ⚠️ **{len(replaced)} resource(s) will be REPLACED** (deleted and created again):")
        for row in replaced:
            forcing = ", ".join(_code(path) for path in row.fields.forcing_replacement) or "not reported"
            lines.append(f"> - {_code(row.name)} ({_code(row.type)}): forced by {forcing}")
        lines.append("")
    guarded = [row for row in rows if row.protected and row.op in ("delete", "replace")]
    if guarded:
        names = ", ".join(_code(row.name) for row in guarded)
        lines.append(
            f"> 🔒 **Protected resources would be deleted**: {names}. The engine refuses this while "
            "they are protected, so the run fails until `protect` is removed on purpose."
        )
        lines.append("")
    diagnostics = _diagnostic_lines(preview_json)
    if diagnostics:
        lines += [*diagnostics, ""]

    if not rows:
        lines.append("No changes.")
        return "\n".join(lines) + "\n"
    lines += ["| Operation | Name | Type | Changed fields |", "| --- | --- | --- | --- |"]
    for row in rows:
        lines.append(f"| {_operation_cell(row)} | {_code(row.name)} | {_code(row.type)} | {_fields_cell(row)} |")
    return "\n".join(lines) + "\n"


def has_errors(preview_json: Mapping[str, Any]) -> bool:
    return any(isinstance(d, Mapping) and d.get("severity") == "error" for d in preview_json.get("diagnostics") or [])


def parse_preview_text(text: str) -> dict[str, Any]:
    """A preview digest from `pulumi preview --json` output, or from an engine event log (JSON lines)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        try:
            document = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as error:
            raise PreviewUnavailable(f"the input is neither preview JSON nor an event log: {error}") from None
    if isinstance(document, dict):
        return document
    if isinstance(document, list):
        return digest_from_events(document)
    raise PreviewUnavailable("the input JSON is not a preview digest (expected an object)")


def run_preview(stack: str, cwd: Path) -> dict[str, Any]:
    """Runs `pulumi preview --json`; a preview that fails still prints its digest, which is returned."""
    command = ["pulumi", "preview", "--json", "--non-interactive", "--stack", stack]
    try:
        completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise PreviewUnavailable("the pulumi CLI is not on PATH (run 'make setup')") from None
    try:
        document = json.loads(completed.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(completed.stderr)
        raise PreviewUnavailable(
            f"`pulumi preview --json` exited with {completed.returncode} without printing preview JSON"
        ) from None
    if not isinstance(document, dict):
        raise PreviewUnavailable("`pulumi preview --json` printed JSON that is not a preview digest")
    return document


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.preview_summary",
        description="Markdown summary of a Pulumi preview: what changes, what is replaced, what is protected.",
    )
    parser.add_argument("--stack", required=True, help="stack name, e.g. staging or prod")
    parser.add_argument("--cwd", type=Path, default=Path.cwd(), help="Pulumi project directory")
    parser.add_argument(
        "--json", dest="json_file", help="read preview JSON (or an event log) from this file; - for stdin"
    )
    args = parser.parse_args(argv)
    try:
        if args.json_file is None:
            preview = run_preview(args.stack, args.cwd)
        elif args.json_file == "-":
            preview = parse_preview_text(sys.stdin.read())
        else:
            preview = parse_preview_text(Path(args.json_file).read_text(encoding="utf-8"))
    except (PreviewUnavailable, OSError) as error:
        print(f"preview_summary: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(render_summary(preview, args.stack))
    return 1 if has_errors(preview) else 0


if __name__ == "__main__":
    sys.exit(main())
