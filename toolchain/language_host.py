"""Our own Pulumi language host for Python (`pulumi-language-python`).

The published Go language host is not served by the Go module proxy this machine reaches, so this
module implements the `pulumirpc.LanguageRuntime` gRPC service itself, with the protobuf stubs that ship
in the `pulumi` PyPI package. It does what the engine needs for `preview/up/refresh/destroy`:

- `Handshake`, `GetPluginInfo`, `About`;
- `GetRequiredPackages` / `GetRequiredPlugins`: the resource plugins named by the `pulumi-plugin.json`
  files of the packages installed in the program's virtualenv;
- `Run`: starts `toolchain/run_program.py` under the program's interpreter, with the engine's config in
  `PULUMI_CONFIG` / `PULUMI_CONFIG_SECRET_KEYS`, output passed through to the engine;
- `GetProgramDependencies`, `InstallDependencies` (creates the virtualenv from requirements.txt), `Cancel`.

The engine starts it as `pulumi-language-python [flags] <engine-address>` and reads the port from stdout.
It starts the host twice per command (once only to ask `About`), so the host's start-up counts double:
run as the host, it loads the generated gRPC stubs without the rest of the `pulumi` package.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
import types
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any


def _stubs_only() -> None:
    """Make `pulumi`, `pulumi.runtime` and `pulumi.runtime.proto` bare packages, so that importing the stubs
    under them skips their `__init__` (the whole SDK: ~0.2 s CPU per start). Only in the host's own process."""
    spec = importlib.util.find_spec("pulumi")
    if spec is None or not spec.submodule_search_locations:
        return
    root = Path(next(iter(spec.submodule_search_locations)))
    for name, path in (("pulumi", root), ("pulumi.runtime", root / "runtime"),
                       ("pulumi.runtime.proto", root / "runtime" / "proto")):
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(path)]
            sys.modules[name] = package


if __name__ == "__main__":
    _stubs_only()

import grpc  # noqa: E402
from google.protobuf import empty_pb2  # noqa: E402
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2  # noqa: E402

HOST_VERSION = "3.274.1"
RUN_PROGRAM = Path(__file__).resolve().with_name("run_program.py")
# Exit code with which a program says it already showed the user an actionable message.
EXIT_AFTER_USER_MESSAGE = 32


def interpreter_for(info: language_pb2.ProgramInfo | None) -> str:
    """The Python that runs the program: the `virtualenv` runtime option, else $PULUMI_PYTHON_CMD."""
    if info is not None and info.root_directory:
        options = _options(info)
        venv = options.get("virtualenv")
        if venv:
            venv_path = Path(venv)
            if not venv_path.is_absolute():
                venv_path = Path(info.root_directory) / venv_path
            python = venv_path / "bin" / "python"
            if not python.exists():
                raise FileNotFoundError(
                    f"The virtualenv {venv_path} named in Pulumi.yaml does not exist: run `make setup`."
                )
            return str(python)
    return os.environ.get("PULUMI_PYTHON_CMD") or sys.executable


def _options(info: language_pb2.ProgramInfo) -> dict[str, Any]:
    from google.protobuf.json_format import MessageToDict

    return MessageToDict(info.options) if info.HasField("options") else {}


def _plugin_files(entries: list[str]) -> list[dict[str, Any]]:
    found = []
    for entry in entries:
        base = Path(entry)
        if base.is_dir():
            found += [json.loads(f.read_text()) | {"package": f.parent.name} for f in base.glob("*/pulumi-plugin.json")]
    return found


def _is_this_environment(python: str) -> bool:
    """True if `python` belongs to the environment running this host (its venv, symlinks resolved)."""
    return os.path.realpath(Path(python).parent.parent) == os.path.realpath(sys.prefix)


def installed_plugin_packages(python: str) -> list[dict[str, str]]:
    """Read every `pulumi-plugin.json` shipped by the packages importable by `python`.

    When `python` is this host's own environment (the usual case), its site-packages are read here,
    without starting another interpreter.
    """
    if _is_this_environment(python):
        found = _plugin_files([entry for entry in sys.path if entry.endswith("-packages")])
    else:
        script = (
            "import json, sys, pathlib\n"
            "found = []\n"
            "for entry in sys.path:\n"
            "    base = pathlib.Path(entry)\n"
            "    if not base.is_dir():\n"
            "        continue\n"
            "    for f in base.glob('*/pulumi-plugin.json'):\n"
            "        found.append(json.loads(f.read_text()) | {'package': f.parent.name})\n"
            "print(json.dumps(found))\n"
        )
        found = json.loads(subprocess.run([python, "-c", script], check=True, capture_output=True, text=True).stdout)
    plugins: list[dict[str, str]] = []
    seen: set[str] = set()
    for entry in found:
        name = entry.get("name") or entry["package"].removeprefix("pulumi_")
        if not entry.get("resource", False) or name in seen:
            continue
        seen.add(name)
        plugins.append({"name": name, "version": entry.get("version", ""), "server": entry.get("server", "")})
    return plugins


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, engine_address: str | None) -> None:
        self.engine_address = engine_address
        self._children: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def Handshake(self, request: Any, context: grpc.ServicerContext) -> Any:
        self.engine_address = request.engine_address
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: Any, context: grpc.ServicerContext) -> Any:
        return plugin_pb2.PluginInfo(version=HOST_VERSION)

    def GetRequiredPackages(self, request: Any, context: grpc.ServicerContext) -> Any:
        python = interpreter_for(request.info)
        packages = [
            plugin_pb2.PackageDependency(kind="resource", name=p["name"], version=p["version"], server=p["server"])
            for p in installed_plugin_packages(python)
        ]
        return language_pb2.GetRequiredPackagesResponse(packages=packages)

    def GetRequiredPlugins(self, request: Any, context: grpc.ServicerContext) -> Any:
        python = interpreter_for(request.info)
        plugins = [
            plugin_pb2.PluginDependency(kind="resource", name=p["name"], version=p["version"], server=p["server"])
            for p in installed_plugin_packages(python)
        ]
        return language_pb2.GetRequiredPluginsResponse(plugins=plugins)

    def Run(self, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            python = interpreter_for(request.info)
        except FileNotFoundError as err:
            return language_pb2.RunResponse(error=str(err))
        args = [python, "-u", str(RUN_PROGRAM), *self._arguments(request)]
        env = dict(os.environ)
        env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
        program_dir = request.info.program_directory or request.pwd or None
        # Inherit our stdout/stderr: the engine reads them as the program's output.
        child = subprocess.Popen(args, env=env, cwd=program_dir)
        with self._lock:
            self._children.add(child)
        try:
            code = child.wait()
        finally:
            with self._lock:
                self._children.discard(child)
        if code == 0:
            return language_pb2.RunResponse()
        if code == EXIT_AFTER_USER_MESSAGE:
            return language_pb2.RunResponse(bail=True)
        return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {code}")

    def _arguments(self, request: Any) -> list[str]:
        pairs = [
            ("monitor", request.monitor_address),
            ("engine", self.engine_address or ""),
            ("project", request.project),
            ("root_directory", request.info.root_directory),
            ("stack", request.stack),
            ("pwd", request.pwd),
            ("dry_run", "true" if request.dryRun else "false"),
            ("parallel", str(request.parallel)),
            ("organization", request.organization),
        ]
        args: list[str] = []
        for key, value in pairs:
            if value:
                args += [f"--{key}", value]
        args.append(request.info.entry_point or request.program or ".")
        args += list(request.args)
        return args

    def Cancel(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self._lock:
            children = list(self._children)
        for child in children:
            child.send_signal(signal.SIGINT)
        return empty_pb2.Empty()

    def About(self, request: Any, context: grpc.ServicerContext) -> Any:
        python = interpreter_for(request.info if request.HasField("info") else None)
        version = subprocess.run([python, "--version"], capture_output=True, text=True).stdout.strip()
        return language_pb2.AboutResponse(executable=python, version=version.removeprefix("Python "))

    def GetProgramDependencies(self, request: Any, context: grpc.ServicerContext) -> Any:
        python = interpreter_for(request.info)
        script = (
            "import json\nfrom importlib import metadata\n"
            "print(json.dumps(sorted((d.metadata['Name'], d.version) for d in metadata.distributions())))"
        )
        out = subprocess.run([python, "-c", script], check=True, capture_output=True, text=True).stdout
        deps = [language_pb2.DependencyInfo(name=n, version=v) for n, v in json.loads(out)]
        return language_pb2.GetProgramDependenciesResponse(dependencies=deps)

    def InstallDependencies(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        root = Path(request.info.root_directory or request.directory)
        venv = _options(request.info).get("virtualenv", ".venv") if request.HasField("info") else ".venv"
        venv_path = venv if Path(venv).is_absolute() else root / venv
        steps = []
        if not (Path(venv_path) / "bin" / "python").exists():
            steps.append([sys.executable, "-m", "venv", str(venv_path)])
        pip = [str(Path(venv_path) / "bin" / "python"), "-m", "pip"]
        steps.append([*pip, "install", "-r", str(root / "requirements.txt")])
        for step in steps:
            proc = subprocess.run(step, capture_output=True)
            yield language_pb2.InstallDependenciesResponse(stdout=proc.stdout, stderr=proc.stderr)
            if proc.returncode != 0:
                context.abort(grpc.StatusCode.UNKNOWN, f"{' '.join(step)} failed with exit code {proc.returncode}")


def _exit_when_parent_dies(parent: int) -> None:
    """The engine owns us: stop serving once it is gone, as the Go host's health check does."""
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pulumi-language-python")
    parser.add_argument("--version", action="store_true")
    parser.add_argument("engine_address", nargs="?")
    # The engine may pass Go-style single-dash flags we have no use for (-tracing, -root, ...).
    args, _unknown = parser.parse_known_args(argv)
    if args.version:
        print(HOST_VERSION)
        return
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)],
    )
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(LanguageHost(args.engine_address), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    threading.Thread(target=_exit_when_parent_dies, args=(os.getppid(),), daemon=True).start()
    # The engine stops plugins with SIGINT or SIGTERM: stop serving quietly.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: server.stop(grace=None))
    server.wait_for_termination()


if __name__ == "__main__":
    main()
