"""tools.preview_events: Automation API engine events turned into the `pulumi preview --json` shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pulumi.automation import EngineEvent

from tools.preview_events import digest_from_events
from tools.preview_summary import main, render_summary

EVENT_LOG = Path(__file__).parent / "fixtures" / "staging_events.jsonl"


def raw_events() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVENT_LOG.read_text(encoding="utf-8").splitlines()]


def test_steps_keep_what_the_json_display_keeps() -> None:
    digest = digest_from_events(raw_events())

    ops = [(step["op"], step["urn"].rsplit("::", 1)[-1]) for step in digest["steps"]]
    # The root stack stays; an unchanged provider and the replacement's non-logical parts do not.
    assert ops == [
        ("same", "penpal-staging"),
        ("update", "penpal-ai-db-service-env"),
        ("replace", "staging-host-server"),
    ]
    assert digest["changeSummary"] == {"replace": 1, "same": 6, "update": 1}


def test_step_fields_use_the_digest_names() -> None:
    replace = digest_from_events(raw_events())["steps"][2]

    assert replace["replaceReasons"] == ["serverType"]
    assert replace["diffReasons"] == ["serverType"]
    assert replace["detailedDiff"] == {"serverType": {"kind": "update-replace", "inputDiff": False}}
    assert replace["oldState"]["type"] == "hcloud:index/server:Server"
    assert replace["newState"]["inputs"]["serverType"] == "cx32"


def test_diagnostics_drop_ephemeral_messages_and_colour_directives() -> None:
    diagnostics = digest_from_events(raw_events())["diagnostics"]

    assert diagnostics == [
        {
            "message": "warning: serverType cx32 costs more\n",
            "severity": "warning",
            "urn": "urn:pulumi:staging::penpal::pulumi:pulumi:Stack$penpal:infra:HetznerServer"
            "$hcloud:index/server:Server::staging-host-server",
        }
    ]


def test_engine_event_objects_and_raw_json_give_the_same_summary() -> None:
    from_objects = digest_from_events([EngineEvent.from_json(event) for event in raw_events()])
    from_json = digest_from_events(raw_events())

    assert render_summary(from_objects, "staging") == render_summary(from_json, "staging")


def test_summary_from_events_names_the_env_key_and_the_replacement_without_values() -> None:
    markdown = render_summary(digest_from_events(raw_events()), "staging")

    assert "**1 to update · ⚠️ 1 to replace · 6 unchanged**" in markdown
    assert "| ✏️ update | `penpal-ai-db-service-env` |" in markdown
    assert "`variables.LOG_LEVEL`" in markdown
    assert "`serverType` (forces replacement)" in markdown
    for value in (
        "log-level-debug",
        "log-level-info",
        "cx22",
        "cx32",
        "ciphertext",
        "1b47061264138c4ac30d75fd1eb44270",
    ):
        assert value not in markdown


def test_cli_accepts_an_event_log(capsys: Any) -> None:
    assert main(["--stack", "staging", "--json", str(EVENT_LOG)]) == 0
    assert "forced by `serverType`" in capsys.readouterr().out


def test_events_stop_at_cancellation() -> None:
    events = raw_events()
    events.insert(4, {"sequence": 4, "timestamp": 1795600002, "cancelEvent": {}})

    digest = digest_from_events(events)

    assert [step["op"] for step in digest["steps"]] == ["same"]
    assert "changeSummary" not in digest
