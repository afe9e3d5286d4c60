"""Run the Hetzner Cloud simulator on its own: `python -m tests.simulators.hcloud --port 0`."""

from __future__ import annotations

import argparse

from tests.simulators.hcloud.simulator import DEFAULT_TOKEN, HcloudSimulator
from tests.simulators.http_core import run_until_signalled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="bearer token to accept (64 characters)")
    parser.add_argument("--running-polls", type=int, default=1, help="reads an action stays running for")
    parser.add_argument("--info-file", help='write {"url", "endpoint", "token"} as JSON to this file')
    args = parser.parse_args()
    simulator = HcloudSimulator(args.token, running_polls=args.running_polls, host=args.host, port=args.port)
    simulator.start()
    info = {"url": simulator.base_url, "endpoint": simulator.endpoint, "token": simulator.token}
    run_until_signalled(simulator, info, args.info_file)


if __name__ == "__main__":
    main()
