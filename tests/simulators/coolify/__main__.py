"""Run the simulator on its own: `python -m tests.simulators.coolify --port 0 --token TOKEN`."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from pathlib import Path

from .server import DEFAULT_TOKEN, CoolifySimulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a simulated Coolify API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: a free port)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="a root bearer token to accept")
    parser.add_argument("--version", default="4.3.11", help="Coolify version to report and emulate")
    parser.add_argument("--seed", action="store_true", help="pre-create a key, a server and a project")
    parser.add_argument("--api-disabled", action="store_true", help="start with the API switched off")
    parser.add_argument("--write-info", default=os.environ.get("COOLIFY_SIM_INFO"),
                        help='write {"url": ..., "token": ...} to this file (env COOLIFY_SIM_INFO)')
    args = parser.parse_args(argv)

    sim = CoolifySimulator({args.token: {"root"}}, version=args.version, api_enabled=not args.api_disabled,
                           port=args.port)
    url = sim.start()
    info: dict[str, object] = {"url": url, "token": args.token}
    if args.seed:
        seed = sim.seed()
        info["seed"] = seed.__dict__
    if args.write_info:
        Path(args.write_info).write_text(json.dumps(info))
    print(url, flush=True)

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
