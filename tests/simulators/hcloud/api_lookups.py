"""Read-mostly endpoints: actions (global and per resource), locations, server types, images, datacenters."""

from __future__ import annotations

from typing import Any

from tests.simulators.hcloud.actions import Action
from tests.simulators.hcloud.catalogue import IMAGES, LOCATIONS, SERVER_TYPES
from tests.simulators.hcloud.common import path_id
from tests.simulators.hcloud.errors import api_error, invalid_input, not_found
from tests.simulators.hcloud.listing import filtered, page_response
from tests.simulators.hcloud.store import HcloudStore
from tests.simulators.http_core import Request, Response, Route

# Path segment of each resource family that has action endpoints, and the resource type in actions.
ACTION_FAMILIES = {"servers": "server", "firewalls": "firewall", "volumes": "volume", "primary_ips": "primary_ip"}
_ACTION_SORT_FIELDS = {"id", "command", "status", "started", "finished", "progress"}


class ActionApi:
    def __init__(self, store: HcloudStore) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        routes = [
            Route("GET", "/v1/actions", self.list_by_ids),
            Route("GET", "/v1/actions/{action_id}", self.get_any),
        ]
        for family, kind in ACTION_FAMILIES.items():
            routes += [
                Route("GET", f"/v1/{family}/actions", self._list_family(kind)),
                Route("GET", f"/v1/{family}/actions/{{action_id}}", self._get_family(kind)),
                Route("GET", f"/v1/{family}/{{id}}/actions", self._list_resource(kind)),
                Route("GET", f"/v1/{family}/{{id}}/actions/{{action_id}}", self._get_resource(kind)),
            ]
        return routes

    def _action(self, request: Request) -> Action:
        found = self.store.actions.actions.get(path_id(request, "action_id"))
        if found is None:
            raise not_found("action")
        return found

    def _listing(self, request: Request, actions: list[Action]) -> Response:
        ids = {int(value) for value in request.args("id") if value.isdigit()}
        if request.args("id"):
            actions = [action for action in actions if action.id in ids]
        statuses = request.args("status")
        views = [self.store.actions.observe(action) for action in actions]
        if statuses:
            views = [view for view in views if view["status"] in statuses]
        return page_response(request, "actions", views, _ACTION_SORT_FIELDS)

    def list_by_ids(self, request: Request) -> Response:
        # Listing all actions without an `id` filter was removed from the API; hcloud-go always sends ids.
        if not request.args("id"):
            raise invalid_input("id", "the id filter is required")
        return self._listing(request, list(self.store.actions.actions.values()))

    def get_any(self, request: Request) -> Response:
        return Response(200, {"action": self.store.actions.observe(self._action(request))})

    def _list_family(self, kind: str) -> Any:
        def handler(request: Request) -> Response:
            actions = [a for a in self.store.actions.actions.values() if any(r["type"] == kind for r in a.resources)]
            return self._listing(request, actions)

        return handler

    def _get_family(self, kind: str) -> Any:
        def handler(request: Request) -> Response:
            action = self._action(request)
            if not any(resource["type"] == kind for resource in action.resources):
                raise not_found("action")
            return Response(200, {"action": self.store.actions.observe(action)})

        return handler

    def _list_resource(self, kind: str) -> Any:
        def handler(request: Request) -> Response:
            resource_id = path_id(request)
            actions = [a for a in self.store.actions.actions.values() if a.touches(kind, resource_id)]
            return self._listing(request, actions)

        return handler

    def _get_resource(self, kind: str) -> Any:
        def handler(request: Request) -> Response:
            action = self._action(request)
            if not action.touches(kind, path_id(request)):
                raise not_found("action")
            return Response(200, {"action": self.store.actions.observe(action)})

        return handler


class CatalogueApi:
    def routes(self) -> list[Route]:
        return [
            Route("GET", "/v1/locations", self._list("locations", LOCATIONS)),
            Route("GET", "/v1/locations/{id}", self._get("location", LOCATIONS)),
            Route("GET", "/v1/server_types", self._list("server_types", SERVER_TYPES)),
            Route("GET", "/v1/server_types/{id}", self._get("server_type", SERVER_TYPES)),
            Route("GET", "/v1/images", self.list_images),
            Route("GET", "/v1/images/{id}", self._get("image", IMAGES)),
            Route("GET", "/v1/datacenters", self.datacenters_gone),
            Route("GET", "/v1/datacenters/{id}", self.datacenters_gone),
        ]

    def _list(self, key: str, items: list[dict[str, Any]]) -> Any:
        def handler(request: Request) -> Response:
            return page_response(request, key, filtered(request, [dict(item) for item in items]))

        return handler

    def _get(self, key: str, items: list[dict[str, Any]]) -> Any:
        def handler(request: Request) -> Response:
            wanted = path_id(request)
            for item in items:
                if item["id"] == wanted:
                    return Response(200, {key: dict(item)})
            raise not_found(key)

        return handler

    def list_images(self, request: Request) -> Response:
        items = [dict(image) for image in IMAGES]
        for field in ("architecture", "type", "status"):
            wanted = request.args(field)
            if wanted:
                items = [item for item in items if item[field] in wanted]
        if request.arg("include_deprecated") != "true":
            items = [item for item in items if item["deprecated"] is None]
        return page_response(request, "images", filtered(request, items))

    def datacenters_gone(self, request: Request) -> Response:
        # Removed after 2026-10-01: 410 Gone (Hetzner changelog 2026-06-02 "datacenters deprecated").
        raise api_error("deprecated_api_endpoint", "the datacenters endpoints were removed; use locations")
