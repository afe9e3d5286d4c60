"""Processes of a test's own Pulumi runs, read from /proc (Linux): find them, and kill a whole session.

The Pulumi CLI starts its language host and every plugin in a process group of its own
(sdk/go/common/util/cmdutil RegisterProcessGroup: Setpgid), so killing the CLI's group leaves them
running. They stay in the CLI's session, though: a CLI started with `start_new_session=True` has all it
started in the session whose id is its pid, which is what a CI runner that dies takes down with it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time


def _stat_fields(pid: str) -> list[str]:
    """/proc/<pid>/stat after the command name (which may contain spaces and parentheses): state first."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return []
    return stat[stat.rfind(")") + 2:].split()


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _live_pids() -> list[tuple[str, list[str]]]:
    """(pid, stat fields) of every process that has not exited (zombies wait only for their reaping)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat_fields(entry)) and fields[0] != "Z":
            found.append((entry, fields))
    return found


def session_members(session: int) -> dict[int, str]:
    """Live processes of the session `session` (field 6 of /proc/<pid>/stat): pid -> command line."""
    return {int(pid): _cmdline(pid) for pid, fields in _live_pids() if len(fields) > 3 and fields[3] == str(session)}


def kill_session(session: int, timeout_s: float = 10.0) -> None:
    """SIGKILL every process of the session until none is left; raises AssertionError naming any left."""
    deadline = time.monotonic() + timeout_s
    while members := session_members(session):
        if time.monotonic() > deadline:
            raise AssertionError(f"processes of session {session} still run after SIGKILL: {members}")
        for pid in members:
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


def _environ(pid: str) -> list[bytes]:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return handle.read().split(b"\0")
    except OSError:
        return []


def processes_with_env(name: str, value: str) -> dict[int, str]:
    """Live processes started with `name=value` in their environment: pid -> command line.

    Everything a Pulumi CLI starts inherits its environment, so a test's own PULUMI_HOME finds its CLI,
    language host, program, dynamic providers and plugins, and nobody else's.
    """
    entry = f"{name}={value}".encode()
    return {int(pid): _cmdline(pid) for pid, _fields in _live_pids() if entry in _environ(pid)}


def wait_until_gone(name: str, value: str, timeout_s: float = 10.0) -> dict[int, str]:
    """Waits for the processes started with `name=value` to exit; returns those still running after it."""
    deadline = time.monotonic() + timeout_s
    while (running := processes_with_env(name, value)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return running


def kill(pids: dict[int, str]) -> None:
    """SIGKILL each of these processes (found by the functions above: a test's own) that still runs."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
