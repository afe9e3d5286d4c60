"""The committed Coolify contract against the full upstream OpenAPI file, when one is at hand.

The upstream file is not committed: it is read from `COOLIFY_OPENAPI` or from the team's `shared/`
folder beside the checkout (as in CI). Without it, only the comparison logic itself is tested.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.simulators.coolify import SPEC_DISAGREEMENTS
from tests.simulators.coolify.contract import load_contract
from tests.simulators.coolify.contract_upstream import (
    EXPECTED_DIFFERENCES,
    differences,
    load_upstream,
    upstream_spec_path,
)

UPSTREAM = upstream_spec_path()
needs_upstream = pytest.mark.skipif(
    UPSTREAM is None, reason="no upstream Coolify spec: set COOLIFY_OPENAPI or put shared/ beside the checkout"
)


@needs_upstream
def test_the_contract_differs_from_upstream_only_where_coolifys_code_does() -> None:
    assert UPSTREAM is not None
    found = differences(load_contract(), load_upstream(UPSTREAM))
    unexplained = sorted(set(found) - set(EXPECTED_DIFFERENCES))
    resolved_upstream = sorted(set(EXPECTED_DIFFERENCES) - set(found))
    assert unexplained == [], "contract and upstream spec disagree where no disagreement is documented"
    assert resolved_upstream == [], "the upstream spec now agrees here: update the contract and the lists"


def test_every_expected_difference_names_a_documented_disagreement() -> None:
    documented = {d.where for d in SPEC_DISAGREEMENTS}
    assert {reason for reason in EXPECTED_DIFFERENCES.values()} <= documented


def _tiny_upstream(contract: dict[str, Any]) -> dict[str, Any]:
    """An upstream spec that says exactly what the contract says for one route and one schema."""
    route = contract["paths"]["/projects/{uuid}"]["get"]
    return {
        "paths": {"/projects/{uuid}": {"get": {"responses": {
            "200": {"content": {"application/json": {"schema": route["responses"]["200"]}}}}}}},
        "components": {"schemas": {"Project": copy.deepcopy(contract["components"]["schemas"]["Project"])}},
    }


def test_comparison_finds_a_changed_type_a_missing_field_and_a_missing_route() -> None:
    contract = load_contract()
    small = {"paths": {"/projects/{uuid}": {"get": contract["paths"]["/projects/{uuid}"]["get"]}},
             "components": {"schemas": {"Project": contract["components"]["schemas"]["Project"]}}}
    upstream = _tiny_upstream(contract)
    assert differences(small, upstream) == []

    retyped = copy.deepcopy(upstream)
    retyped["components"]["schemas"]["Project"]["properties"]["name"] = {"type": "integer"}
    assert differences(small, retyped) == ["Project.name: contract string, spec integer"]

    grown = copy.deepcopy(upstream)
    grown["components"]["schemas"]["Project"]["properties"]["color"] = {"type": "string"}
    assert differences(small, grown) == ["Project: spec field color missing from the contract"]

    gone = copy.deepcopy(upstream)
    del gone["paths"]["/projects/{uuid}"]
    assert differences(small, gone) == ["GET /projects/{uuid}: route not in the spec"]


def test_the_upstream_spec_is_found_through_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    target = tmp_path / "openapi.json"
    monkeypatch.setenv("COOLIFY_OPENAPI", str(target))
    assert upstream_spec_path() == target
