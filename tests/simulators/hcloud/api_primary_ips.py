"""`/v1/primary_ips`: create, CRUD, and the assign/unassign/change_protection actions.

Rules from the Hetzner Cloud API reference ("Primary IPs") and the official hcloud-python client
(`hcloud/primary_ips/client.py`): assigning, unassigning and deleting an assigned IP need the server
powered off; a server holds at most one IP per family; `location` replaced `datacenter` (2026-07-01).
"""

from __future__ import annotations

from typing import Any

from tests.simulators.hcloud.catalogue import location_named
from tests.simulators.hcloud.clock import now_iso
from tests.simulators.hcloud.common import body, name_taken, require_str, resource_id, row
from tests.simulators.hcloud.errors import api_error, invalid_input, uniqueness_error
from tests.simulators.hcloud.labels import validated_labels
from tests.simulators.hcloud.listing import filtered, page_response
from tests.simulators.hcloud.store import HcloudStore, Row
from tests.simulators.hcloud.views import primary_ip_view
from tests.simulators.http_core import Request, Response, Route


class PrimaryIpApi:
    def __init__(self, store: HcloudStore) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/v1/primary_ips", self.list),
            Route("POST", "/v1/primary_ips", self.create),
            Route("GET", "/v1/primary_ips/{id}", self.get),
            Route("PUT", "/v1/primary_ips/{id}", self.update),
            Route("DELETE", "/v1/primary_ips/{id}", self.delete),
            Route("POST", "/v1/primary_ips/{id}/actions/assign", self.assign),
            Route("POST", "/v1/primary_ips/{id}/actions/unassign", self.unassign),
            Route("POST", "/v1/primary_ips/{id}/actions/change_protection", self.change_protection),
        ]

    # --- helpers ----------------------------------------------------------------------------------
    def _stopped_server(self, raw: Any, field: str) -> Row:
        server = self.store.servers.get(resource_id(raw, field))
        if server is None:
            raise invalid_input(field, f"server {raw} not found")
        # Assign, unassign and delete-while-assigned need the server off (API reference, "Primary IPs").
        if server["status"] != "off":
            raise api_error("server_not_stopped", "the server must be powered off")
        return server

    def _attach(self, primary_ip: Row, server: Row) -> None:
        if server[primary_ip["type"]] is not None:
            # One IP per family per server (API reference error codes `server_has_ipv4` / `server_has_ipv6`).
            raise api_error(f"server_has_{primary_ip['type']}", f"server already has an {primary_ip['type']}")
        server[primary_ip["type"]] = primary_ip["id"]
        primary_ip["assignee_id"] = server["id"]

    def _detach(self, primary_ip: Row) -> None:
        server = self.store.servers.get(primary_ip["assignee_id"])
        if server is not None and server[primary_ip["type"]] == primary_ip["id"]:
            server[primary_ip["type"]] = None
        primary_ip["assignee_id"] = None

    def _action(self, command: str, primary_ip: Row, server_id: int | None = None) -> Response:
        resources = [("primary_ip", primary_ip["id"])] + ([("server", server_id)] if server_id else [])
        action = self.store.actions.start(command, resources)
        return Response(201, {"action": action.view()})

    # --- handlers ---------------------------------------------------------------------------------
    def list(self, request: Request) -> Response:
        items = [primary_ip_view(ip) for ip in self.store.primary_ips.values()]
        address = request.arg("ip")
        if address is not None:
            items = [item for item in items if item["ip"] == address]
        return page_response(request, "primary_ips", filtered(request, items))

    def get(self, request: Request) -> Response:
        return Response(200, {"primary_ip": primary_ip_view(row(self.store, "primary_ip", request))})

    def create(self, request: Request) -> Response:
        data = body(request)
        name = require_str(data, "name")
        family = data.get("type")
        if family not in ("ipv4", "ipv6"):
            raise invalid_input("type", "type must be ipv4 or ipv6")
        if "datacenter" in data:
            # Removed from requests and responses on 2026-07-01 (Hetzner changelog "removing datacenters").
            raise invalid_input("datacenter", "datacenter is no longer supported; use location")
        labels = validated_labels(data.get("labels"))
        server = None
        if data.get("assignee_id") is not None:
            if data.get("assignee_type", "server") != "server":
                raise invalid_input("assignee_type", "assignee_type must be server")
            server = self._stopped_server(data["assignee_id"], "assignee_id")
            location_name = server["location"]
        else:
            location_name = data.get("location")
            if not location_name:
                raise invalid_input("location", "location is required when no assignee_id is given")
        location = location_named(str(location_name))
        if location is None:
            raise invalid_input("location", f"location {location_name!r} not found")
        if name_taken(self.store, "primary_ip", name):
            raise uniqueness_error("name", "primary IP name is already used")
        ipv4, ipv6 = self.store.next_addresses()
        primary_ip_id = self.store.next_id("primary_ip")
        primary_ip = {
            "id": primary_ip_id, "name": name, "type": family, "ip": ipv4 if family == "ipv4" else ipv6,
            "assignee_id": None, "auto_delete": bool(data.get("auto_delete", False)), "labels": labels,
            "protection": {"delete": False}, "created": now_iso(), "location": location["name"],
        }
        if server is not None:
            self._attach(primary_ip, server)
        self.store.primary_ips[primary_ip_id] = primary_ip
        action = (self.store.actions.start("create_primary_ip", [("primary_ip", primary_ip_id),
                                                                  ("server", server["id"])])
                  if server is not None else None)
        return Response(201, {"primary_ip": primary_ip_view(primary_ip),
                              "action": action.view() if action else None})

    def update(self, request: Request) -> Response:
        primary_ip = row(self.store, "primary_ip", request)
        data = body(request)
        if data.get("name"):
            if name_taken(self.store, "primary_ip", data["name"], except_id=primary_ip["id"]):
                raise uniqueness_error("name", "primary IP name is already used")
            primary_ip["name"] = data["name"]
        if "labels" in data:
            primary_ip["labels"] = validated_labels(data["labels"])
        if "auto_delete" in data:
            primary_ip["auto_delete"] = bool(data["auto_delete"])
        return Response(200, {"primary_ip": primary_ip_view(primary_ip)})

    def delete(self, request: Request) -> Response:
        primary_ip = row(self.store, "primary_ip", request)
        if primary_ip["protection"]["delete"]:
            raise api_error("protected", "primary IP is delete protected")
        if primary_ip["assignee_id"] is not None:
            # An assigned IP is unassigned first, which needs its server off (API reference, "Delete a Primary IP").
            self._stopped_server(primary_ip["assignee_id"], "assignee_id")
            self._detach(primary_ip)
        del self.store.primary_ips[primary_ip["id"]]
        return Response(204)

    def assign(self, request: Request) -> Response:
        primary_ip = row(self.store, "primary_ip", request)
        data = body(request)
        if data.get("assignee_type", "server") != "server":
            raise invalid_input("assignee_type", "assignee_type must be server")
        if primary_ip["assignee_id"] is not None:
            raise api_error("primary_ip_assigned", "primary IP is already assigned")
        server = self._stopped_server(data.get("assignee_id"), "assignee_id")
        self._attach(primary_ip, server)
        return self._action("assign_primary_ip", primary_ip, server["id"])

    def unassign(self, request: Request) -> Response:
        primary_ip = row(self.store, "primary_ip", request)
        server_id = primary_ip["assignee_id"]
        if server_id is not None:
            self._stopped_server(server_id, "assignee_id")
            self._detach(primary_ip)
        return self._action("unassign_primary_ip", primary_ip, server_id)

    def change_protection(self, request: Request) -> Response:
        primary_ip = row(self.store, "primary_ip", request)
        data = body(request)
        if "delete" in data:
            primary_ip["protection"]["delete"] = bool(data["delete"])
        return self._action("change_protection", primary_ip)
