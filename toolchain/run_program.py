"""Run a Pulumi Python program for our language host (the role of `pulumi-language-python-exec`).

Arguments come from `language_host.py`: engine and monitor addresses, project, stack, and the program
path. Config arrives in the `PULUMI_CONFIG` / `PULUMI_CONFIG_SECRET_KEYS` environment variables.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import runpy
import signal
import sys
import traceback
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import pulumi
import pulumi.log
import pulumi.runtime
from program_output_wait import wait_outputs_first  # installed beside this file
from program_stack_traces import trim_stack_traces  # installed beside this file

# Tells the language host the user has already been shown an actionable message.
EXIT_AFTER_USER_MESSAGE = 32
# Set to 1 to send the SDK's debug lines to the engine (shown by `pulumi preview/up --debug`).
SDK_DEBUG_ENV = "PENPAL_SDK_DEBUG"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Execute a Pulumi Python program")
    for flag in ("project", "root_directory", "stack", "parallel", "dry_run", "pwd", "monitor", "engine",
                 "tracing", "organization"):
        parser.add_argument(f"--{flag}")
    parser.add_argument("program")
    parser.add_argument("program_args", nargs="*")
    return parser.parse_args(argv)


def configure(args: argparse.Namespace) -> pulumi.runtime.Settings:
    pulumi.runtime.set_all_config(pulumi.runtime.get_config_env(), pulumi.runtime.get_config_secret_keys_env())
    settings = pulumi.runtime.Settings(
        monitor=args.monitor,
        engine=args.engine,
        project=args.project,
        stack=args.stack,
        parallel=int(args.parallel) if args.parallel else None,
        dry_run=args.dry_run == "true",
        organization=args.organization,
        root_directory=args.root_directory,
    )
    pulumi.runtime.configure(settings)
    return settings


def _drop_debug_line(*_args: object, **_kwargs: object) -> None:
    """Stands in for `pulumi.log.debug` (see `keep_sdk_debug_lines`)."""


def keep_sdk_debug_lines(environ: Mapping[str, str]) -> bool:
    """Whether the SDK's debug lines go to the engine; if not, `pulumi.log.debug` drops them.

    The SDK sends each debug line as its own blocking `Engine.Log` RPC (pulumi/log.py `_log`), about five
    per registered resource ("registering resource ...", "resource registration successful ..."); the
    engine turns each into an event that only `--debug` shows. Pulumi cut the same calls for the same
    reason in pulumi/pulumi#7295 and #17489 (`excessive_debug_output`) but kept these. Our program sends
    no debug lines of its own. With PENPAL_SDK_DEBUG=1 they are sent as usual.
    """
    if environ.get(SDK_DEBUG_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    # The SDK calls `log.debug` through the module (`from .. import log`), so replacing the attribute reaches it.
    setattr(pulumi.log, "debug", _drop_debug_line)  # noqa: B010
    return False


def _stop_quietly(_signum: int, _frame: object) -> None:
    """The engine interrupts the program when it shuts down (an error elsewhere, Ctrl-C): it already
    reported why, so leave without a KeyboardInterrupt traceback from whatever thread was waiting."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_AFTER_USER_MESSAGE)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, _stop_quietly)
    args = parse_args(argv)
    keep_sdk_debug_lines(os.environ)
    settings = configure(args)
    if args.pwd:
        os.chdir(args.pwd)
    trim_stack_traces(args.root_directory or os.getcwd())
    wait_outputs_first()
    program = os.path.abspath(args.program)
    sys.argv = [program, *args.program_args]
    if os.path.isdir(program):
        sys.path.insert(0, program)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    workers = max(settings.parallel or 1, 1) * 4
    executor = ThreadPoolExecutor(max_workers=workers)
    loop.set_default_executor(executor)
    try:
        def run() -> None:
            runpy.run_path(program, run_name="__main__")

        loop.run_until_complete(pulumi.runtime.run_in_stack(run))
        return 0
    except pulumi.RunError as err:
        # A RunError is a message for the user, already complete: no traceback, no second error line.
        pulumi.log.error(str(err))
        return EXIT_AFTER_USER_MESSAGE
    except Exception:  # every program failure is reported to the engine, not raised
        pulumi.log.error("Program failed with an unhandled exception:\n" + traceback.format_exc())
        return EXIT_AFTER_USER_MESSAGE
    finally:
        executor.shutdown(wait=True)
        loop.close()
        sys.stdout.flush()
        sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
