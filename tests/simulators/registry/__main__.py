"""Run the registry stand-in on its own: `python -m tests.simulators.registry --port 0 --image repo:tag`."""

from __future__ import annotations

import argparse

from tests.simulators.http_core import run_until_signalled
from tests.simulators.registry.simulator import RegistrySimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--username", default="penpal-bot")
    parser.add_argument("--password", default="ghp_registry_simulator")
    parser.add_argument("--image", action="append", default=[], help="repository:tag to seed (repeatable)")
    parser.add_argument("--info-file", help='write {"url", "username", "password", "digests"} to this file')
    args = parser.parse_args()
    simulator = RegistrySimulator(args.username, args.password, host=args.host, port=args.port)
    simulator.start()
    digests = {}
    for image in args.image:
        repository, _, tag = image.rpartition(":")
        digests[image] = simulator.push_image(repository, tag)
    info = {"url": simulator.base_url, "username": args.username, "password": args.password, "digests": digests}
    run_until_signalled(simulator, info, args.info_file)


if __name__ == "__main__":
    main()
