"""`/v1/servers`: create (with actions, next_actions and root password), CRUD, and the server actions."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from typing import Any

from tests.simulators.hcloud.catalogue import IMAGES, SERVER_TYPES, find_by_id_or_name, location_named
from tests.simulators.hcloud.clock import now_iso
from tests.simulators.hcloud.common import body, name_taken, require_str, resource_id, row
from tests.simulators.hcloud.errors import api_error, invalid_input, uniqueness_error
from tests.simulators.hcloud.labels import validated_labels
from tests.simulators.hcloud.listing import filtered, page_response
from tests.simulators.hcloud.store import HcloudStore, Row
from tests.simulators.hcloud.views import server_view
from tests.simulators.http_core import Request, Response, Route

_LABEL = r"[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")
DEFAULT_LOCATION = "fsn1"


def _root_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(20))


class ServerApi:
    def __init__(self, store: HcloudStore, is_locked: Callable[[str, int], bool]) -> None:
        self.store = store
        self.is_locked = is_locked

    def routes(self) -> list[Route]:
        routes = [
            Route("GET", "/v1/servers", self.list),
            Route("POST", "/v1/servers", self.create),
            Route("GET", "/v1/servers/{id}", self.get),
            Route("PUT", "/v1/servers/{id}", self.update),
            Route("DELETE", "/v1/servers/{id}", self.delete),
        ]
        simple = {
            "poweron": ("start_server", "running"),
            "poweroff": ("stop_server", "off"),
            "shutdown": ("shutdown_server", "off"),
            "reboot": ("reboot_server", "running"),
            "reset": ("reset_server", "running"),
        }
        for action, (command, status) in simple.items():
            routes.append(Route("POST", f"/v1/servers/{{id}}/actions/{action}", self._power(command, status)))
        routes += [
            Route("POST", "/v1/servers/{id}/actions/change_type", self.change_type),
            Route("POST", "/v1/servers/{id}/actions/change_protection", self.change_protection),
            Route("POST", "/v1/servers/{id}/actions/enable_backup", self.enable_backup),
            Route("POST", "/v1/servers/{id}/actions/disable_backup", self.disable_backup),
            Route("POST", "/v1/servers/{id}/actions/rebuild", self.rebuild),
            Route("POST", "/v1/servers/{id}/actions/reset_password", self.reset_password),
            Route("POST", "/v1/servers/{id}/actions/enable_rescue", self.enable_rescue),
            Route("POST", "/v1/servers/{id}/actions/disable_rescue", self.disable_rescue),
        ]
        return routes

    # --- lookups --------------------------------------------------------------------------------
    def _server_type(self, raw: Any) -> Row:
        found = find_by_id_or_name(SERVER_TYPES, raw) if raw is not None else None
        if found is None:
            raise invalid_input("server_type", f"server type {raw!r} not found")
        return found

    def _image(self, raw: Any, architecture: str) -> Row:
        for image in IMAGES:
            if str(image["id"]) == str(raw):
                if image["architecture"] != architecture:
                    raise invalid_input("image", f"image {raw!r} does not fit server type architecture")
                return image
            if image["name"] == raw and image["architecture"] == architecture:
                return image
        raise invalid_input("image", f"image {raw!r} not found")

    def _ssh_key_ids(self, raw: Any) -> list[int]:
        ids = []
        for value in raw or []:
            key = next((k for k in self.store.ssh_keys.values()
                        if str(k["id"]) == str(value) or k["name"] == value), None)
            if key is None:
                raise invalid_input("ssh_keys", f"SSH key {value!r} not found")
            ids.append(key["id"])
        return ids

    def _mutable(self, request: Request) -> Row:
        server = row(self.store, "server", request)
        if self.is_locked("server", server["id"]):
            raise api_error("locked", "server is locked: another action is running")
        return server

    def _set_status(self, server_id: int, status: str, only_from: str | None = None) -> Callable[[], None]:
        def effect() -> None:
            server = self.store.servers.get(server_id)
            if server is not None and only_from in (None, server["status"]):
                server["status"] = status

        return effect

    def _action_response(self, command: str, server: Row, effect: Callable[[], None] | None = None,
                         **extra: Any) -> Response:
        action = self.store.actions.start(command, [("server", server["id"])], effect)
        return Response(201, {"action": action.view(), **extra})

    # --- CRUD -----------------------------------------------------------------------------------
    def list(self, request: Request) -> Response:
        items = [server_view(self.store, server) for server in self.store.servers.values()]
        statuses = request.args("status")
        if statuses:
            items = [item for item in items if item["status"] in statuses]
        return page_response(request, "servers", filtered(request, items))

    def get(self, request: Request) -> Response:
        return Response(200, {"server": server_view(self.store, row(self.store, "server", request))})

    def create(self, request: Request) -> Response:
        data = body(request)
        name = require_str(data, "name")
        if not _HOSTNAME.match(name):
            raise invalid_input("name", "name must be a valid hostname")
        server_type = self._server_type(data.get("server_type"))
        image = self._image(data.get("image"), server_type["architecture"])
        if "datacenter" in data:
            # Removed from requests and responses on 2026-07-01 (Hetzner changelog "removing datacenters").
            raise invalid_input("datacenter", "datacenter is no longer supported; use location")
        location_name = data.get("location") or DEFAULT_LOCATION
        location = location_named(location_name)
        if location is None:
            raise invalid_input("location", f"location {location_name!r} not found")
        ssh_key_ids = self._ssh_key_ids(data.get("ssh_keys"))
        labels = validated_labels(data.get("labels"))
        firewall_ids = [resource_id((entry or {}).get("firewall"), "firewalls.firewall")
                        for entry in data.get("firewalls") or []]
        for firewall_id in firewall_ids:
            if firewall_id not in self.store.firewalls:
                raise invalid_input("firewalls", f"firewall {firewall_id} not found")
        volume_ids = [resource_id(value, "volumes") for value in data.get("volumes") or []]
        for volume_id in volume_ids:
            if volume_id not in self.store.volumes:
                raise invalid_input("volumes", f"volume {volume_id} not found")
        if name_taken(self.store, "server", name):
            raise uniqueness_error("name", "server name is already used")
        public_net = data.get("public_net") or {}
        start_after_create = data.get("start_after_create", True) is not False

        server_id = self.store.next_id("server")
        ipv4_id, ipv6_id = self._public_ips(server_id, location["name"], public_net)
        server = {
            "id": server_id, "name": name, "status": "initializing", "created": now_iso(),
            "server_type": server_type["name"], "image": image["id"], "location": location["name"],
            "labels": labels, "protection": {"delete": False, "rebuild": False}, "backup_window": None,
            "rescue_enabled": False, "ipv4": ipv4_id, "ipv6": ipv6_id, "ssh_keys": ssh_key_ids,
            "user_data": data.get("user_data"),
        }
        self.store.servers[server_id] = server
        for firewall_id in firewall_ids:
            self.store.firewalls[firewall_id]["applied_to"].append({"type": "server", "server": {"id": server_id}})
        for volume_id in volume_ids:
            self.store.volumes[volume_id]["server"] = server_id

        actions = self.store.actions
        created = self._set_status(server_id, "off", only_from="initializing")
        create = actions.start("create_server", [("server", server_id)], created)
        next_actions = []
        if start_after_create:
            next_actions.append(actions.start("start_server", [("server", server_id)],
                                              self._set_status(server_id, "running")))
        for volume_id in volume_ids:
            next_actions.append(actions.start("attach_volume", [("volume", volume_id), ("server", server_id)]))
        root_password = None if ssh_key_ids else _root_password()
        server["root_password"] = root_password
        return Response(201, {
            "server": server_view(self.store, server),
            "action": create.view(),
            "next_actions": [action.view() for action in next_actions],
            "root_password": root_password,
        })

    def _public_ips(self, server_id: int, location: str, public_net: dict[str, Any]) -> tuple[int | None, int | None]:
        ids: list[int | None] = []
        for family, flag, given in (("ipv4", "enable_ipv4", "ipv4"), ("ipv6", "enable_ipv6", "ipv6")):
            if public_net.get(given):
                existing = self.store.primary_ips.get(resource_id(public_net[given], f"public_net.{given}"))
                if existing is None or existing["type"] != family:
                    raise invalid_input(f"public_net.{given}", f"primary IP {public_net[given]} not found")
                if existing["assignee_id"] is not None:
                    raise api_error("primary_ip_assigned", "primary IP is already assigned")
                existing["assignee_id"] = server_id
                ids.append(existing["id"])
            elif public_net.get(flag, True) is False:
                ids.append(None)
            else:
                ids.append(self._new_primary_ip(server_id, location, family))
        return ids[0], ids[1]

    def _new_primary_ip(self, server_id: int, location: str, family: str) -> int:
        ipv4, ipv6 = self.store.next_addresses()
        primary_ip_id = self.store.next_id("primary_ip")
        self.store.primary_ips[primary_ip_id] = {
            "id": primary_ip_id, "name": f"primary_ip-{primary_ip_id}", "type": family,
            "ip": ipv4 if family == "ipv4" else ipv6, "assignee_id": server_id, "auto_delete": True,
            "labels": {}, "protection": {"delete": False}, "created": now_iso(), "location": location,
        }
        return primary_ip_id

    def update(self, request: Request) -> Response:
        server = row(self.store, "server", request)
        data = body(request)
        if data.get("name"):
            if not _HOSTNAME.match(data["name"]):
                raise invalid_input("name", "name must be a valid hostname")
            if name_taken(self.store, "server", data["name"], except_id=server["id"]):
                raise uniqueness_error("name", "server name is already used")
            server["name"] = data["name"]
        if "labels" in data:
            server["labels"] = validated_labels(data["labels"])
        return Response(200, {"server": server_view(self.store, server)})

    def delete(self, request: Request) -> Response:
        server = row(self.store, "server", request)
        if server["protection"]["delete"]:
            raise api_error("protected", "server is delete protected")
        action = self.store.actions.start("delete_server", [("server", server["id"])])
        remove_server(self.store, server["id"])
        return Response(200, {"action": action.view()})

    # --- actions ----------------------------------------------------------------------------------
    def _power(self, command: str, status: str) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            server = self._mutable(request)
            return self._action_response(command, server, self._set_status(server["id"], status))

        return handler

    def change_type(self, request: Request) -> Response:
        server = self._mutable(request)
        new_type = self._server_type(body(request).get("server_type"))
        if server["status"] != "off":
            raise api_error("server_not_stopped", "server must be stopped to change its type")
        if new_type["architecture"] != self._server_type(server["server_type"])["architecture"]:
            raise api_error("invalid_server_type", "server type does not fit the server's architecture")

        def effect() -> None:
            server["server_type"] = new_type["name"]

        return self._action_response("change_server_type", server, effect)

    def change_protection(self, request: Request) -> Response:
        server = self._mutable(request)
        data = body(request)
        wanted = {field: bool(data.get(field, server["protection"][field])) for field in ("delete", "rebuild")}
        # Hetzner API docs, change_protection: "currently delete and rebuild attribute needs to have the same value".
        if wanted["delete"] != wanted["rebuild"]:
            raise invalid_input("rebuild", "delete and rebuild protection need to have the same value")
        server["protection"].update(wanted)
        return self._action_response("change_protection", server)

    def enable_backup(self, request: Request) -> Response:
        server = self._mutable(request)
        server["backup_window"] = "22-02"
        return self._action_response("enable_backup", server)

    def disable_backup(self, request: Request) -> Response:
        server = self._mutable(request)
        server["backup_window"] = None
        return self._action_response("disable_backup", server)

    def rebuild(self, request: Request) -> Response:
        server = self._mutable(request)
        if server["protection"]["rebuild"]:
            raise api_error("protected", "server is rebuild protected")
        architecture = self._server_type(server["server_type"])["architecture"]
        server["image"] = self._image(body(request).get("image"), architecture)["id"]
        password = None if server["ssh_keys"] else _root_password()
        return self._action_response("rebuild_server", server, root_password=password)

    def reset_password(self, request: Request) -> Response:
        server = self._mutable(request)
        server["root_password"] = _root_password()
        return self._action_response("reset_password", server, root_password=server["root_password"])

    def enable_rescue(self, request: Request) -> Response:
        server = self._mutable(request)
        server["rescue_enabled"] = True
        return self._action_response("enable_rescue", server, root_password=_root_password())

    def disable_rescue(self, request: Request) -> Response:
        server = self._mutable(request)
        server["rescue_enabled"] = False
        return self._action_response("disable_rescue", server)


def remove_server(store: HcloudStore, server_id: int) -> None:
    """Delete a server and what the API cleans up with it: firewall links, volume attachments, auto-delete IPs."""
    server = store.servers.pop(server_id)
    for firewall in store.firewalls.values():
        firewall["applied_to"] = [
            t for t in firewall["applied_to"] if not (t["type"] == "server" and t["server"]["id"] == server_id)
        ]
    # DELETE /servers/{id} (docs.hetzner.cloud): attached resources, volumes included, "are detached while the
    # server is deleted"; a volume stays in its location.
    for volume in store.volumes.values():
        if volume["server"] == server_id:
            volume["server"] = None
    for primary_ip_id in (server["ipv4"], server["ipv6"]):
        primary_ip = store.primary_ips.get(primary_ip_id) if primary_ip_id else None
        if primary_ip is None:
            continue
        if primary_ip["auto_delete"]:
            del store.primary_ips[primary_ip_id]
        else:
            primary_ip["assignee_id"] = None
