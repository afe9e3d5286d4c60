"""tools.preview_summary against preview digests shaped like `pulumi preview --json` output."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.preview_summary import (
    compare_inputs,
    main,
    parse_urn,
    render_summary,
    resource_changes,
)

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return document


def table_rows(markdown: str) -> list[list[str]]:
    """Cells of the resource table, header and separator excluded."""
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]]


def row_named(markdown: str, name: str) -> list[str]:
    matches = [row for row in table_rows(markdown) if row[1] == f"`{name}`"]
    assert len(matches) == 1, markdown
    return matches[0]


def leaf_strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from leaf_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaf_strings(item)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield str(value)


def property_values(preview: dict[str, Any]) -> set[str]:
    """Every value a summary must not show: config, inputs, outputs and diagnostic messages."""
    values = set(leaf_strings(preview.get("config", {})))
    for step in preview.get("steps", []):
        for key in ("oldState", "newState"):
            state = step.get(key) or {}
            values |= set(leaf_strings(state.get("inputs", {})))
            values |= set(leaf_strings(state.get("outputs", {})))
    for diagnostic in preview.get("diagnostics", []):
        values.add(diagnostic["message"].strip())
    return values


def test_parse_urn_takes_the_last_type_of_a_child_and_keeps_colons_in_names() -> None:
    urn = "urn:pulumi:prod::penpal::penpal:infra:HetznerServer$hcloud:index/server:Server::prod::host"
    assert parse_urn(urn) == ("hcloud:index/server:Server", "prod::host")


def test_create_counts_and_lists_every_new_resource_without_fields() -> None:
    markdown = render_summary(load("create.json"), "staging")

    assert markdown.startswith("### Pulumi preview: `staging`\n")
    assert "**3 to create**" in markdown
    assert [row[0] for row in table_rows(markdown)] == ["🆕 create"] * 3
    server = row_named(markdown, "staging-host-server")
    assert server[2] == "`hcloud:index/server:Server`"
    assert server[3] == "—"
    assert "REPLACE" not in markdown


def test_env_var_change_is_one_update_naming_that_key() -> None:
    markdown = render_summary(load("update_env_var.json"), "staging")

    assert "**1 to update · 7 unchanged**" in markdown
    rows = table_rows(markdown)
    assert len(rows) == 1
    operation, name, resource_type, fields = rows[0]
    assert (operation, name) == ("✏️ update", "`penpal-ai-db-service-env`")
    assert resource_type == "`pulumi-python:dynamic/coolify:ApplicationEnvVars`"
    # The dynamic provider reports no diff keys: the key comes from comparing old and new inputs.
    assert fields.startswith("`variables.LOG_LEVEL`")
    assert "PORT" not in fields
    assert "applicationUuid" not in fields
    # MONGODB_URI is secret on both sides: counted as hidden, not claimed as changed.
    assert "+1 secret field (hidden, not compared)" in fields
    assert "MONGODB_URI" not in fields


def test_server_type_change_is_a_loud_replacement_naming_the_forcing_field() -> None:
    markdown = render_summary(load("replace_server_type.json"), "prod")

    assert "**1 to update · ⚠️ 1 to replace · 9 unchanged**" in markdown
    assert "> ⚠️ **1 resource(s) will be REPLACED**" in markdown
    assert "> - `prod-host-server` (`hcloud:index/server:Server`): forced by `serverType`" in markdown
    rows = table_rows(markdown)
    assert rows[0][:2] == ["⚠️ **REPLACE**", "`prod-host-server`"], "replacements come first"
    assert rows[0][3] == "`serverType` (forces replacement)"
    coolify_server = row_named(markdown, "prod-host-coolify")
    assert coolify_server[3] == "`ip` (known after apply)"


def test_delete_of_a_protected_resource_is_flagged_and_counted_from_the_steps() -> None:
    preview = load("delete_protected.json")
    assert "delete" not in preview["changeSummary"], "the failed preview's own summary misses the delete"

    markdown = render_summary(preview, "prod")

    assert "**1 to delete · 11 unchanged**" in markdown
    assert row_named(markdown, "prod-mongodb")[0] == "🗑️ delete 🔒 **PROTECTED**"
    assert "> 🔒 **Protected resources would be deleted**: `prod-mongodb`." in markdown
    assert "> ❌ **The preview failed** with 2 error(s) (on `prod-mongodb`, the stack)." in markdown


@pytest.mark.parametrize(
    "fixture", ["create.json", "update_env_var.json", "replace_server_type.json", "delete_protected.json"]
)
def test_no_property_config_or_diagnostic_value_reaches_the_summary(fixture: str) -> None:
    preview = load(fixture)
    markdown = render_summary(preview, "staging")

    values = property_values(preview)
    assert values, "the fixture carries values to hide"
    leaked = sorted(value for value in values if value in markdown)
    assert leaked == []
    assert "[secret]" not in markdown


def test_plaintext_values_are_never_printed_even_when_not_marked_secret() -> None:
    preview = load("update_env_var.json")
    step = preview["steps"][1]
    step["oldState"]["inputs"]["variables"]["API_KEY"] = "sk-live-old-0c6d1e"
    step["newState"]["inputs"]["variables"]["API_KEY"] = "sk-live-new-93af27"
    preview["config"]["penpal:apiKey"] = "sk-live-config-5b8e"

    markdown = render_summary(preview, "staging")

    assert "`variables.API_KEY`" in row_named(markdown, "penpal-ai-db-service-env")[3]
    assert "sk-live" not in markdown


def test_compare_inputs_reports_names_only_and_skips_engine_bookkeeping() -> None:
    old = {
        "__provider": "[secret]",
        "__defaults": ["name"],
        "domains": ["a.example", "b.example"],
        "labels": {"env": "staging", "team.name": "core"},
        "removed": "x",
        "token": "[secret]",
        "madeSecret": "plain",
    }
    new = {
        "__provider": "[secret]",
        "domains": ["a.example", "c.example"],
        "labels": {"env": "staging", "team.name": "platform"},
        "added": "y",
        "token": "[secret]",
        "madeSecret": "[secret]",
    }

    result = compare_inputs(old, new)

    assert result.changed == ("added", "domains[1]", 'labels["team.name"]', "madeSecret", "removed")
    assert result.secret_uncompared == ("token",)


def test_secret_fields_are_named_as_possibly_changed_when_nothing_else_explains_the_update() -> None:
    preview = load("update_env_var.json")
    step = preview["steps"][1]
    step["newState"]["inputs"]["variables"]["LOG_LEVEL"] = "log-level-info"

    fields = row_named(render_summary(preview, "staging"), "penpal-ai-db-service-env")[3]

    assert fields == "`variables.MONGODB_URI` (secret, may have changed)"


def test_engine_diff_keys_win_over_input_comparison() -> None:
    preview = load("update_env_var.json")
    preview["steps"][1]["detailedDiff"] = {'variables["PORT"]': {"kind": "update", "inputDiff": True}}

    fields = row_named(render_summary(preview, "staging"), "penpal-ai-db-service-env")[3]

    assert fields == '`variables["PORT"]`'


def test_replacement_parts_fold_into_one_replace_row() -> None:
    preview = load("replace_server_type.json")
    replace_step = preview["steps"][1]
    preview["steps"][1:2] = [
        {**replace_step, "op": "create-replacement"},
        replace_step,
        {**replace_step, "op": "delete-replaced", "newState": None},
    ]

    rows = resource_changes(preview)

    servers = [row for row in rows if row.name == "prod-host-server"]
    assert len(servers) == 1
    assert servers[0].op == "replace"
    assert "**1 to update · ⚠️ 1 to replace · 9 unchanged**" in render_summary(preview, "prod")


def test_protect_toggle_on_an_unchanged_resource_is_shown_but_not_counted() -> None:
    preview = load("update_env_var.json")
    root = preview["steps"][0]
    server_urn = "urn:pulumi:staging::penpal::penpal:infra:Database$pulumi-python:dynamic/coolify:MongoDatabase::db"
    state = {"urn": server_urn, "type": "pulumi-python:dynamic/coolify:MongoDatabase", "custom": True}
    preview["steps"].append({**root, "urn": server_urn, "oldState": state, "newState": {**state, "protect": True}})

    markdown = render_summary(preview, "staging")

    assert "**1 to update · 7 unchanged**" in markdown
    assert row_named(markdown, "db")[0] == "protection change only 🔒 protected"
    assert row_named(markdown, "db")[3] == "`protect` option"


def test_a_preview_without_changes_says_so() -> None:
    preview = load("update_env_var.json")
    preview["steps"] = preview["steps"][:1]
    preview["changeSummary"] = {"same": 8}

    markdown = render_summary(preview, "staging")

    assert "**8 unchanged**" in markdown
    assert markdown.rstrip().endswith("No changes.")
    assert "| Operation" not in markdown


def test_names_with_table_syntax_cannot_break_the_table() -> None:
    preview = load("create.json")
    preview["steps"][2]["urn"] = "urn:pulumi:staging::penpal::pulumi-python:dynamic/coolify:Project::a|b`c"

    markdown = render_summary(preview, "staging")

    assert all(len(row) == 4 for row in table_rows(markdown))
    assert "``a\\|b`c``" in markdown


def test_cli_reads_a_json_file_and_exits_nonzero_when_the_preview_failed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--stack", "prod", "--json", str(FIXTURES / "replace_server_type.json")]) == 0
    assert "### Pulumi preview: `prod`" in capsys.readouterr().out

    assert main(["--stack", "prod", "--json", str(FIXTURES / "delete_protected.json")]) == 1
    assert "🔒 **PROTECTED**" in capsys.readouterr().out


def test_cli_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO((FIXTURES / "update_env_var.json").read_text()))

    assert main(["--stack", "staging", "--json", "-"]) == 0
    assert "`variables.LOG_LEVEL`" in capsys.readouterr().out


def test_cli_rejects_input_that_is_not_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "preview.txt"
    garbage.write_text("Previewing update (staging):\n  + 3 to create\n")

    assert main(["--stack", "staging", "--json", str(garbage)]) == 2
    assert "neither preview JSON nor an event log" in capsys.readouterr().err


def write_fake_pulumi(bin_dir: Path, body: str) -> None:
    script = bin_dir / "pulumi"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_cli_runs_pulumi_preview_json_for_the_stack_in_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bin_dir, project = tmp_path / "bin", tmp_path / "project"
    bin_dir.mkdir()
    project.mkdir()
    # Like the real CLI: a failed preview still prints its digest on stdout, then exits 255.
    write_fake_pulumi(
        bin_dir,
        f'pwd > "{tmp_path}/cwd"\necho "$@" > "{tmp_path}/args"\n'
        f'cat "{FIXTURES / "delete_protected.json"}"\nexit 255\n',
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    assert main(["--stack", "prod", "--cwd", str(project)]) == 1

    assert (tmp_path / "args").read_text().split() == ["preview", "--json", "--non-interactive", "--stack", "prod"]
    assert Path((tmp_path / "cwd").read_text().strip()) == project
    assert "`prod-mongodb`" in capsys.readouterr().out


def test_cli_reports_a_pulumi_failure_without_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_fake_pulumi(tmp_path, 'echo "error: no stack named staging found" >&2\nexit 255\n')
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")

    assert main(["--stack", "staging", "--cwd", str(tmp_path)]) == 2

    err = capsys.readouterr().err
    assert "no stack named staging found" in err
    assert "exited with 255 without printing preview JSON" in err


def test_cli_without_pulumi_on_path_says_to_run_setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert main(["--stack", "staging", "--cwd", str(tmp_path)]) == 2
    assert "make setup" in capsys.readouterr().err


def test_module_entry_point_renders_from_a_file() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "tools.preview_summary", "--stack", "prod", "--json", "-"],
        input=(FIXTURES / "replace_server_type.json").read_text(),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "⚠️ **REPLACE**" in completed.stdout


def test_a_wholly_secret_map_is_named_as_possibly_changed() -> None:
    # ApplicationEnvVars stores `variables` as one secret: the digest shows "[secret]" on both sides.
    preview = load("update_env_var.json")
    step = preview["steps"][1]
    step["oldState"]["inputs"]["variables"] = "[secret]"
    step["newState"]["inputs"]["variables"] = "[secret]"

    fields = row_named(render_summary(preview, "staging"), "penpal-ai-db-service-env")[3]

    assert fields == "`variables` (secret, may have changed)"
