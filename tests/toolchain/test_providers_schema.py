"""Our provider plugins (toolchain/build_providers.sh) expose the schema the pinned Python SDKs expect.

The plugin's schema is what the engine and the bridge use to translate the SDK's camelCase
properties to Terraform attributes: a name that differs from the SDK's is silently dropped.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import types
from importlib import metadata
from typing import Any

import pulumi.runtime.rpc
import pulumi_github
import pulumi_hcloud
import pytest
from pulumi import _types as pulumi_types

from tests.toolchain.test_providers_toolchain import Toolchain, locate_toolchain

RESOURCES_WE_USE: dict[str, tuple[types.ModuleType, list[str]]] = {
    "hcloud": (pulumi_hcloud, ["Server", "SshKey", "Firewall", "FirewallAttachment", "Volume", "VolumeAttachment",
                               "Zone", "ZoneRrset"]),
    "github": (pulumi_github, ["ActionsSecret", "ActionsEnvironmentSecret", "RepositoryFile", "Repository"]),
}


@pytest.fixture(scope="module")
def toolchain() -> Toolchain:
    return locate_toolchain()


@pytest.fixture(scope="module")
def schemas(toolchain: Toolchain) -> dict[str, dict[str, Any]]:
    return {name: _plugin_schema(toolchain, name) for name in RESOURCES_WE_USE}


def _plugin_schema(toolchain: Toolchain, name: str) -> dict[str, Any]:
    result = subprocess.run(
        [str(toolchain.pulumi), "package", "get-schema", str(toolchain.plugin(name))],
        capture_output=True, text=True, timeout=120, env=toolchain.env(), check=False,
    )
    assert result.returncode == 0, f"pulumi package get-schema {name} failed:\n{result.stderr}"
    schema: dict[str, Any] = json.loads(result.stdout)
    return schema


def _sdk_resource_tokens(package: str) -> dict[str, str]:
    """Class name -> type token, as the SDK registers its resource modules for rehydration."""
    tokens: dict[str, str] = {}
    for modules in pulumi.runtime.rpc._RESOURCE_MODULES.values():
        for module in modules:
            info = getattr(module, "mod_info", None)
            if info and info.get("pkg") == package:
                tokens.update({cls: tok for tok, cls in info["classes"].items()})
    return tokens


def _required_args(args_cls: type) -> set[str]:
    to_pulumi = pulumi_types.input_type_py_to_pulumi_names(args_cls)
    params = inspect.signature(args_cls.__init__).parameters.values()  # type: ignore[misc]
    return {to_pulumi[p.name] for p in params if p.kind is p.KEYWORD_ONLY and p.default is p.empty}


@pytest.mark.parametrize("package", sorted(RESOURCES_WE_USE))
def test_plugin_version_matches_the_pinned_sdk(schemas: dict[str, dict[str, Any]], package: str) -> None:
    assert schemas[package]["name"] == package
    assert schemas[package]["version"] == metadata.version(f"pulumi_{package}")


@pytest.mark.parametrize(
    ("package", "class_name"),
    [(package, cls) for package, (_, classes) in sorted(RESOURCES_WE_USE.items()) for cls in classes],
)
def test_resource_names_match_the_python_sdk(
    schemas: dict[str, dict[str, Any]], package: str, class_name: str
) -> None:
    sdk, _ = RESOURCES_WE_USE[package]
    token = _sdk_resource_tokens(package)[class_name]
    resources = schemas[package]["resources"]
    assert token in resources, f"the plugin has no resource {token}"
    spec = resources[token]

    resource_cls = getattr(sdk, class_name)
    args_cls = getattr(sdk, f"{class_name}Args")
    sdk_inputs = set(pulumi_types.input_type_py_to_pulumi_names(args_cls).values())
    sdk_outputs = set(pulumi_types.resource_py_to_pulumi_names(resource_cls).values())

    assert set(spec.get("inputProperties", {})) == sdk_inputs
    assert set(spec.get("properties", {})) == sdk_outputs
    assert set(spec.get("requiredInputs", [])) == _required_args(args_cls)
