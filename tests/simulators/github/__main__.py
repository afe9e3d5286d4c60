"""Run the GitHub simulator on its own: `python -m tests.simulators.github --port 0 --repo NAME`."""

from __future__ import annotations

import argparse

from tests.simulators.github.simulator import DEFAULT_TOKEN, GithubSimulator
from tests.simulators.http_core import run_until_signalled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--owner", default="penpal-ai")
    parser.add_argument("--owner-type", default="Organization", choices=["Organization", "User"])
    parser.add_argument("--user", default="penpal-bot", help="login of the token's user")
    parser.add_argument("--repo", action="append", default=[], help="repository to seed (repeatable)")
    parser.add_argument("--info-file", help='write {"url", "token", "owner"} as JSON to this file')
    args = parser.parse_args()
    simulator = GithubSimulator(args.token, owner=args.owner, owner_type=args.owner_type, user=args.user,
                                repos=args.repo, host=args.host, port=args.port)
    simulator.start()
    info = {"url": simulator.base_url + "/", "token": simulator.token, "owner": simulator.owner}
    run_until_signalled(simulator, info, args.info_file)


if __name__ == "__main__":
    main()
