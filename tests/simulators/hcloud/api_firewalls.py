"""`/v1/firewalls`: CRUD plus the `set_rules`, `apply_to_resources` and `remove_from_resources` actions."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from tests.simulators.hcloud.actions import Action
from tests.simulators.hcloud.clock import now_iso
from tests.simulators.hcloud.common import body, name_taken, require_str, resource_id, row
from tests.simulators.hcloud.errors import api_error, invalid_input, uniqueness_error
from tests.simulators.hcloud.labels import selector_matcher, validated_labels
from tests.simulators.hcloud.listing import filtered, page_response
from tests.simulators.hcloud.store import HcloudStore, Row
from tests.simulators.hcloud.views import firewall_view
from tests.simulators.http_core import Request, Response, Route

_PROTOCOLS = {"tcp", "udp", "icmp", "esp", "gre"}
_PORT = re.compile(r"^(any|\d{1,5}(-\d{1,5})?)$")


def _ips(raw: Any, field: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid_input(field, f"{field} must be a list")
    for value in raw:
        try:
            ipaddress.ip_network(value, strict=False)
        except (TypeError, ValueError):
            raise invalid_input(field, f"{value!r} is not a valid IP network") from None
    return list(raw)


def validated_rule(raw: Any, index: int) -> Row:
    field = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise invalid_input(field, "rule must be an object")
    direction, protocol, port = raw.get("direction"), raw.get("protocol"), raw.get("port")
    if direction not in ("in", "out"):
        raise invalid_input(f"{field}.direction", "direction must be 'in' or 'out'")
    if protocol not in _PROTOCOLS:
        raise invalid_input(f"{field}.protocol", f"protocol must be one of {sorted(_PROTOCOLS)}")
    if protocol in ("tcp", "udp"):
        if not isinstance(port, str) or not _PORT.match(port):
            raise invalid_input(f"{field}.port", "port is required for tcp/udp ('80', '80-85' or 'any')")
    elif port is not None:
        raise invalid_input(f"{field}.port", f"port is not allowed for protocol {protocol}")
    sources = _ips(raw.get("source_ips"), f"{field}.source_ips")
    destinations = _ips(raw.get("destination_ips"), f"{field}.destination_ips")
    if direction == "in" and (not sources or destinations):
        raise invalid_input(f"{field}.source_ips", "inbound rules need source_ips and no destination_ips")
    if direction == "out" and (not destinations or sources):
        raise invalid_input(f"{field}.destination_ips", "outbound rules need destination_ips and no source_ips")
    description = raw.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 255):
        raise invalid_input(f"{field}.description", "description must be a string of at most 255 characters")
    return {"direction": direction, "protocol": protocol, "port": port, "source_ips": sources,
            "destination_ips": destinations, "description": description}


def validated_rules(raw: Any) -> list[Row]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid_input("rules", "rules must be a list")
    return [validated_rule(rule, index) for index, rule in enumerate(raw)]


class FirewallApi:
    def __init__(self, store: HcloudStore) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/v1/firewalls", self.list),
            Route("POST", "/v1/firewalls", self.create),
            Route("GET", "/v1/firewalls/{id}", self.get),
            Route("PUT", "/v1/firewalls/{id}", self.update),
            Route("DELETE", "/v1/firewalls/{id}", self.delete),
            Route("POST", "/v1/firewalls/{id}/actions/set_rules", self.set_rules),
            Route("POST", "/v1/firewalls/{id}/actions/apply_to_resources", self.apply_to_resources),
            Route("POST", "/v1/firewalls/{id}/actions/remove_from_resources", self.remove_from_resources),
        ]

    # --- targets ----------------------------------------------------------------------------------
    def _targets(self, raw: Any, field: str) -> list[Row]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise invalid_input(field, f"{field} must be a list")
        targets = []
        for entry in raw:
            kind = entry.get("type") if isinstance(entry, dict) else None
            if kind == "server":
                server_id = resource_id((entry.get("server") or {}).get("id"), f"{field}.server.id")
                if server_id not in self.store.servers:
                    raise api_error("firewall_resource_not_found", f"server {server_id} not found")
                targets.append({"type": "server", "server": {"id": server_id}})
            elif kind == "label_selector":
                selector = (entry.get("label_selector") or {}).get("selector")
                if not isinstance(selector, str) or not selector:
                    raise invalid_input(f"{field}.label_selector.selector", "selector is required")
                selector_matcher(selector)  # rejects malformed selectors
                targets.append({"type": "label_selector", "label_selector": {"selector": selector}})
            else:
                raise invalid_input(f"{field}.type", "type must be 'server' or 'label_selector'")
        return targets

    def _target_servers(self, firewall: Row, target: Row) -> list[int]:
        if target["type"] == "server":
            return [target["server"]["id"]]
        matches = selector_matcher(target["label_selector"]["selector"])
        return [sid for sid, server in sorted(self.store.servers.items()) if matches(server["labels"])]

    def _apply_actions(self, firewall: Row, targets: list[Row], command: str) -> list[Action]:
        actions = []
        for target in targets:
            servers = self._target_servers(firewall, target)
            resources = [("firewall", firewall["id"])] + [("server", sid) for sid in servers]
            actions.append(self.store.actions.start(command, resources))
        return actions

    # --- handlers -----------------------------------------------------------------------------
    def list(self, request: Request) -> Response:
        items = [firewall_view(self.store, firewall) for firewall in self.store.firewalls.values()]
        return page_response(request, "firewalls", filtered(request, items))

    def get(self, request: Request) -> Response:
        return Response(200, {"firewall": firewall_view(self.store, row(self.store, "firewall", request))})

    def create(self, request: Request) -> Response:
        data = body(request)
        name = require_str(data, "name")
        labels = validated_labels(data.get("labels"))
        rules = validated_rules(data.get("rules"))
        targets = self._targets(data.get("apply_to"), "apply_to")
        if name_taken(self.store, "firewall", name):
            raise uniqueness_error("name", "firewall with the same name already exists")
        firewall_id = self.store.next_id("firewall")
        firewall = {"id": firewall_id, "name": name, "labels": labels, "created": now_iso(), "rules": rules,
                    "applied_to": targets}
        self.store.firewalls[firewall_id] = firewall
        actions = []
        if rules:
            actions.append(self.store.actions.start("set_firewall_rules", [("firewall", firewall_id)]))
        actions += self._apply_actions(firewall, targets, "apply_firewall")
        return Response(201, {"firewall": firewall_view(self.store, firewall),
                              "actions": [action.view() for action in actions]})

    def update(self, request: Request) -> Response:
        firewall = row(self.store, "firewall", request)
        data = body(request)
        if data.get("name"):
            if name_taken(self.store, "firewall", data["name"], except_id=firewall["id"]):
                raise uniqueness_error("name", "firewall with the same name already exists")
            firewall["name"] = data["name"]
        if "labels" in data:
            firewall["labels"] = validated_labels(data["labels"])
        return Response(200, {"firewall": firewall_view(self.store, firewall)})

    def delete(self, request: Request) -> Response:
        firewall = row(self.store, "firewall", request)
        view = firewall_view(self.store, firewall)
        in_use = any(t["type"] == "server" or t["applied_to_resources"] for t in view["applied_to"])
        if in_use:
            raise api_error("resource_in_use", "firewall is still applied to resources")
        del self.store.firewalls[firewall["id"]]
        return Response(204)

    def set_rules(self, request: Request) -> Response:
        firewall = row(self.store, "firewall", request)
        data = body(request)
        if "rules" not in data:
            raise invalid_input("rules", "rules is required")
        firewall["rules"] = validated_rules(data["rules"])
        actions = [self.store.actions.start("set_firewall_rules", [("firewall", firewall["id"])])]
        actions += self._apply_actions(firewall, firewall["applied_to"], "apply_firewall")
        return Response(201, {"actions": [action.view() for action in actions]})

    def apply_to_resources(self, request: Request) -> Response:
        firewall = row(self.store, "firewall", request)
        targets = self._targets(body(request).get("apply_to"), "apply_to")
        for target in targets:
            if target in firewall["applied_to"]:
                raise api_error("firewall_already_applied", "firewall is already applied to this resource")
        firewall["applied_to"].extend(targets)
        actions = self._apply_actions(firewall, targets, "apply_firewall")
        return Response(201, {"actions": [action.view() for action in actions]})

    def remove_from_resources(self, request: Request) -> Response:
        firewall = row(self.store, "firewall", request)
        targets = self._targets(body(request).get("remove_from"), "remove_from")
        for target in targets:
            if target not in firewall["applied_to"]:
                raise api_error("firewall_already_removed", "firewall is not applied to this resource")
        actions = self._apply_actions(firewall, targets, "remove_firewall")
        firewall["applied_to"] = [t for t in firewall["applied_to"] if t not in targets]
        return Response(201, {"actions": [action.view() for action in actions]})
