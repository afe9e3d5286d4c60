"""`/v1/volumes`: create (optionally attached), CRUD, and attach/detach/resize/change_protection."""

from __future__ import annotations

from typing import Any

from tests.simulators.hcloud.catalogue import location_named
from tests.simulators.hcloud.clock import now_iso
from tests.simulators.hcloud.common import body, name_taken, require_str, resource_id, row
from tests.simulators.hcloud.errors import api_error, invalid_input, uniqueness_error
from tests.simulators.hcloud.labels import validated_labels
from tests.simulators.hcloud.listing import filtered, page_response
from tests.simulators.hcloud.store import HcloudStore, Row
from tests.simulators.hcloud.views import volume_view
from tests.simulators.http_core import Request, Response, Route

MIN_SIZE_GB = 10
MAX_SIZE_GB = 10240


def _size(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not MIN_SIZE_GB <= raw <= MAX_SIZE_GB:
        raise invalid_input("size", f"size must be an integer between {MIN_SIZE_GB} and {MAX_SIZE_GB}")
    return raw


class VolumeApi:
    def __init__(self, store: HcloudStore) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/v1/volumes", self.list),
            Route("POST", "/v1/volumes", self.create),
            Route("GET", "/v1/volumes/{id}", self.get),
            Route("PUT", "/v1/volumes/{id}", self.update),
            Route("DELETE", "/v1/volumes/{id}", self.delete),
            Route("POST", "/v1/volumes/{id}/actions/attach", self.attach),
            Route("POST", "/v1/volumes/{id}/actions/detach", self.detach),
            Route("POST", "/v1/volumes/{id}/actions/resize", self.resize),
            Route("POST", "/v1/volumes/{id}/actions/change_protection", self.change_protection),
        ]

    def _server(self, raw: Any, field: str) -> Row:
        server = self.store.servers.get(resource_id(raw, field))
        if server is None:
            raise invalid_input(field, f"server {raw} not found")
        return server

    def list(self, request: Request) -> Response:
        items = [volume_view(volume) for volume in self.store.volumes.values()]
        statuses = request.args("status")
        if statuses:
            items = [item for item in items if item["status"] in statuses]
        return page_response(request, "volumes", filtered(request, items))

    def get(self, request: Request) -> Response:
        return Response(200, {"volume": volume_view(row(self.store, "volume", request))})

    def create(self, request: Request) -> Response:
        data = body(request)
        name = require_str(data, "name")
        size = _size(data.get("size"))
        labels = validated_labels(data.get("labels"))
        server = self._server(data["server"], "server") if data.get("server") is not None else None
        location_name = server["location"] if server else data.get("location")
        if not location_name:
            raise invalid_input("location", "either location or server is required")
        location = location_named(str(location_name))
        if location is None:
            raise invalid_input("location", f"location {location_name!r} not found")
        volume_format = data.get("format")
        if volume_format not in (None, "ext4", "xfs"):
            raise invalid_input("format", "format must be ext4 or xfs")
        if name_taken(self.store, "volume", name):
            raise uniqueness_error("name", "volume name is already used")
        volume_id = self.store.next_id("volume")
        volume = {"id": volume_id, "name": name, "size": size, "labels": labels, "location": location["name"],
                  "server": server["id"] if server else None, "status": "creating", "format": volume_format,
                  "protection": {"delete": False}, "created": now_iso(), "automount": bool(data.get("automount"))}
        self.store.volumes[volume_id] = volume

        def available() -> None:
            volume["status"] = "available"

        create = self.store.actions.start("create_volume", [("volume", volume_id)], available)
        next_actions = []
        if server is not None:
            next_actions.append(self.store.actions.start("attach_volume", [("volume", volume_id),
                                                                           ("server", server["id"])]))
        return Response(201, {"volume": volume_view(volume), "action": create.view(),
                              "next_actions": [action.view() for action in next_actions]})

    def update(self, request: Request) -> Response:
        volume = row(self.store, "volume", request)
        data = body(request)
        if data.get("name"):
            if name_taken(self.store, "volume", data["name"], except_id=volume["id"]):
                raise uniqueness_error("name", "volume name is already used")
            volume["name"] = data["name"]
        if "labels" in data:
            volume["labels"] = validated_labels(data["labels"])
        return Response(200, {"volume": volume_view(volume)})

    def delete(self, request: Request) -> Response:
        volume = row(self.store, "volume", request)
        if volume["protection"]["delete"]:
            raise api_error("protected", "volume is delete protected")
        if volume["server"] is not None:
            raise api_error("locked", "volume is attached to a server; detach it first")
        del self.store.volumes[volume["id"]]
        return Response(204)

    def attach(self, request: Request) -> Response:
        volume = row(self.store, "volume", request)
        data = body(request)
        server = self._server(data.get("server"), "server")
        if volume["server"] is not None:
            raise api_error("volume_already_attached", "volume is already attached to a server")
        # docs.hetzner.cloud, Volumes, Attach: "Works only if the Server is in the same Location as the Volume"
        # (the docs name no error code for it).
        if server["location"] != volume["location"]:
            raise invalid_input("server", "server and volume must be in the same location")
        volume["server"] = server["id"]
        action = self.store.actions.start("attach_volume", [("volume", volume["id"]), ("server", server["id"])])
        return Response(201, {"action": action.view()})

    def detach(self, request: Request) -> Response:
        volume = row(self.store, "volume", request)
        resources = [("volume", volume["id"])]
        if volume["server"] is not None:
            resources.append(("server", volume["server"]))
        volume["server"] = None
        action = self.store.actions.start("detach_volume", resources)
        return Response(201, {"action": action.view()})

    def resize(self, request: Request) -> Response:
        volume = row(self.store, "volume", request)
        size = _size(body(request).get("size"))
        if size < volume["size"]:
            raise invalid_input("size", "volumes can only grow")
        volume["size"] = size
        action = self.store.actions.start("resize_volume", [("volume", volume["id"])])
        return Response(201, {"action": action.view()})

    def change_protection(self, request: Request) -> Response:
        volume = row(self.store, "volume", request)
        data = body(request)
        if "delete" in data:
            volume["protection"]["delete"] = bool(data["delete"])
        action = self.store.actions.start("change_protection", [("volume", volume["id"])])
        return Response(201, {"action": action.view()})
