"""`/v1/zones` and `/v1/zones/{id_or_name}/rrsets`: DNS zones and RRsets of the Hetzner Cloud API.

Sources: the Hetzner Cloud API reference (zones, zone RRsets) as carried by the hcloud-openapi
conversion (`openapi/hcloud.json`), hcloud-go v2.35 `hcloud/zone.go`, `hcloud/zone_rrset.go` and
`hcloud/schema/zone*.go` (what terraform-provider-hcloud v1.59 sends), and hcloud-python's zones module.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from publicsuffixlist import PublicSuffixList

from tests.simulators.hcloud.actions import Action
from tests.simulators.hcloud.clock import now_iso
from tests.simulators.hcloud.common import body
from tests.simulators.hcloud.errors import api_error, invalid_input, not_found, uniqueness_error
from tests.simulators.hcloud.labels import validated_labels
from tests.simulators.hcloud.listing import filtered, page_response
from tests.simulators.hcloud.store import HcloudStore, Row
from tests.simulators.http_core import Request, Response, Route

# hcloud-openapi, Zone.authoritative_nameservers example: the three nameservers Hetzner assigns.
ASSIGNED_NAMESERVERS = ("hydrogen.ns.hetzner.com.", "oxygen.ns.hetzner.com.", "helium.ns.hetzner.de.")
# POST /zones: "ttl ... default 3600, minimum 60, maximum 2147483647" (zone and RRset TTL alike).
DEFAULT_ZONE_TTL = 3600
MIN_TTL, MAX_TTL = 60, 2147483647
RRSET_TYPES = ("A", "AAAA", "CAA", "CNAME", "DS", "HINFO", "HTTPS", "MX", "NS", "PTR", "RP", "SOA", "SRV",
               "SVCB", "TLSA", "TXT")
# GET /zones/{id_or_name}/rrsets: "The maximum value for per_page on this endpoint is 100 instead of 50".
RRSET_MAX_PER_PAGE = 100
_LABEL = re.compile(r"^(?:\*|_?[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?)$")
_ZONE_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_PSL = PublicSuffixList()


def zone_view(zone: Row, rrsets: list[Row]) -> dict[str, Any]:
    return {
        "id": zone["id"],
        "name": zone["name"],
        "created": zone["created"],
        "mode": zone["mode"],
        "ttl": zone["ttl"],
        "labels": dict(zone["labels"]),
        "protection": {"delete": zone["protection"]["delete"]},
        "primary_nameservers": [dict(ns) for ns in zone["primary_nameservers"]],
        "authoritative_nameservers": {
            "assigned": list(ASSIGNED_NAMESERVERS),
            # The simulated registry never delegates to Hetzner: nothing is delegated, status unknown.
            "delegated": [],
            "delegation_last_check": None,
            "delegation_status": "unknown",
        },
        "registrar": "other",
        "status": "ok",
        "record_count": sum(len(rrset["records"]) for rrset in rrsets),
    }


def rrset_view(rrset: Row) -> dict[str, Any]:
    return {
        "id": f"{rrset['name']}/{rrset['type']}",
        "name": rrset["name"],
        "type": rrset["type"],
        "ttl": rrset["ttl"],
        "labels": dict(rrset["labels"]),
        "protection": {"change": rrset["protection"]["change"]},
        "records": [dict(record) for record in rrset["records"]],
        "zone": rrset["zone"],
    }


def _ttl(raw: Any, field: str, *, nullable: bool) -> int | None:
    if raw is None and nullable:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not MIN_TTL <= raw <= MAX_TTL:
        raise invalid_input(field, f"{field} must be an integer between {MIN_TTL} and {MAX_TTL}")
    return raw


def _zone_name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw:
        raise invalid_input("name", "name is required")
    labels = raw.split(".")
    if raw != raw.lower() or raw.endswith(".") or len(raw) > 255 or not all(_ZONE_LABEL.match(x) for x in labels):
        # POST /zones: "The name must be in lower case and must not end with a dot", Punycode for IDNs.
        raise invalid_input("name", "invalid zone name")
    if _PSL.privatesuffix(raw) != raw:
        # POST /zones: names with well-known public suffixes are supported; "Subdomains are not supported".
        raise invalid_input("name", "zone name must be a registrable domain (subdomains are not supported)")
    return raw


def _rrset_name(raw: Any, zone: Row) -> str:
    if not isinstance(raw, str) or not raw:
        raise invalid_input("name", "name is required")
    if raw == "@":
        return raw
    # POST /zones/{id_or_name}/rrsets: lower case, "must not end with a dot or the Zone name"; `@` for the apex.
    if raw != raw.lower() or raw.endswith(".") or raw == zone["name"] or raw.endswith("." + zone["name"]):
        raise invalid_input("name", "invalid RRSet name")
    if not all(_LABEL.match(label) for label in raw.split(".")):
        raise invalid_input("name", "invalid RRSet name")
    return raw


def _rrset_type(raw: Any) -> str:
    if raw not in RRSET_TYPES:
        raise invalid_input("type", f"type must be one of {', '.join(RRSET_TYPES)}")
    return str(raw)


def _records(raw: Any, rrset_type: str, *, allow_empty: bool = False) -> list[dict[str, str]]:
    # "Must not be empty and must only contain distinct record values."
    if not isinstance(raw, list) or (not raw and not allow_empty):
        raise invalid_input("records", "records must be a non-empty list")
    records: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str) or not item["value"]:
            raise invalid_input("records", "every record needs a value")
        comment = item.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise invalid_input("records", "comment must be a string")
        _check_value(rrset_type, item["value"])
        record = {"value": item["value"]}
        if comment:
            record["comment"] = comment
        records.append(record)
    values = [record["value"] for record in records]
    if len(set(values)) != len(values):
        raise invalid_input("records", "record values must be distinct")
    return records


def _check_value(rrset_type: str, value: str) -> None:
    """A and AAAA values are addresses of their family (docs.hetzner.com DNS record types)."""
    family = {"A": ipaddress.IPv4Address, "AAAA": ipaddress.IPv6Address}.get(rrset_type)
    if family is None:
        return
    try:
        family(value)
    except ValueError:
        raise invalid_input("records", f"{value!r} is not a valid {rrset_type} record value") from None


class ZoneApi:
    def __init__(self, store: HcloudStore) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        zone = "/v1/zones/{zone}"
        rrset = zone + "/rrsets/{rr_name}/{rr_type}"
        return [
            Route("GET", "/v1/zones", self.list_zones),
            Route("POST", "/v1/zones", self.create),
            Route("GET", "/v1/zones/actions", self.list_all_actions),
            Route("GET", "/v1/zones/actions/{action_id}", self.get_any_action),
            Route("GET", zone, self.get),
            Route("PUT", zone, self.update),
            Route("DELETE", zone, self.delete),
            Route("GET", zone + "/actions", self.list_zone_actions),
            Route("GET", zone + "/actions/{action_id}", self.get_zone_action),
            Route("POST", zone + "/actions/change_protection", self.change_protection),
            Route("POST", zone + "/actions/change_ttl", self.change_ttl),
            Route("POST", zone + "/actions/change_primary_nameservers", self.change_primary_nameservers),
            Route("GET", zone + "/rrsets", self.list_rrsets),
            Route("POST", zone + "/rrsets", self.create_rrset),
            Route("GET", rrset, self.get_rrset),
            Route("PUT", rrset, self.update_rrset),
            Route("DELETE", rrset, self.delete_rrset),
            Route("POST", rrset + "/actions/change_protection", self.change_rrset_protection),
            Route("POST", rrset + "/actions/change_ttl", self.change_rrset_ttl),
            Route("POST", rrset + "/actions/set_records", self.set_records),
            Route("POST", rrset + "/actions/add_records", self.add_records),
            Route("POST", rrset + "/actions/remove_records", self.remove_records),
            Route("POST", rrset + "/actions/update_records", self.update_records),
        ]

    # --- lookups ------------------------------------------------------------------------------------
    def _zone(self, request: Request) -> Row:
        # Every zone path takes `{id_or_name}` (hcloud-go Zone.idOrName: the id if set, else the name).
        key = request.params["zone"]
        if key.isdigit():
            found = self.store.zones.get(int(key))
        else:
            found = next((z for z in self.store.zones.values() if z["name"] == key), None)
        if found is None:
            raise not_found("zone")
        return found

    def _primary(self, zone: Row) -> None:
        if zone["mode"] != "primary":
            # RRset operations: 422 incorrect_zone_mode "not supported for this Zone's mode".
            raise api_error("incorrect_zone_mode", "This operation is not supported for this Zone's mode.")

    def _zone_rrsets(self, zone: Row) -> list[Row]:
        return [r for r in self.store.rrsets.values() if r["zone"] == zone["id"]]

    def _rrset(self, request: Request) -> tuple[Row, Row]:
        zone = self._zone(request)
        self._primary(zone)
        key = (zone["id"], request.params["rr_name"], request.params["rr_type"])
        found = self.store.rrsets.get(key)
        if found is None:
            raise not_found("rrset")
        return zone, found

    def _view(self, zone: Row) -> dict[str, Any]:
        return zone_view(zone, self._zone_rrsets(zone))

    def _action(self, command: str, zone: Row) -> Action:
        return self.store.actions.start(command, [("zone", zone["id"])])

    @staticmethod
    def _unprotected(rrset: Row) -> None:
        if rrset["protection"]["change"]:
            # Change protection protects the RRset "from changes (deletion and updates)".
            raise api_error("protected", "RRSet is change protected")

    # --- zones --------------------------------------------------------------------------------------
    def list_zones(self, request: Request) -> Response:
        items = [self._view(zone) for zone in self.store.zones.values()]
        modes = request.args("mode")
        if modes:
            items = [item for item in items if item["mode"] in modes]
        return page_response(request, "zones", filtered(request, items), {"id", "name", "created"})

    def get(self, request: Request) -> Response:
        return Response(200, {"zone": self._view(self._zone(request))})

    def create(self, request: Request) -> Response:
        data = body(request)
        name = _zone_name(data.get("name"))
        mode = data.get("mode")
        if mode not in ("primary", "secondary"):
            raise invalid_input("mode", "mode must be primary or secondary")
        ttl = _ttl(data.get("ttl", DEFAULT_ZONE_TTL), "ttl", nullable=False)
        labels = validated_labels(data.get("labels"))
        primaries = data.get("primary_nameservers") or []
        if data.get("zonefile"):
            # Zone file import is not simulated: refuse loudly rather than create a zone without its records.
            raise invalid_input("zonefile", "zone file import is not supported by this simulator")
        if mode == "secondary" and not primaries:
            raise invalid_input("primary_nameservers", "primary_nameservers are required for secondary zones")
        if any(z["name"] == name for z in self.store.zones.values()):
            raise uniqueness_error("name", "zone name is already used")
        # "rrsets ... Only applicable for Zones in primary mode. Ignored for Zones in secondary mode."
        initial = [
            (_rrset_name(item.get("name"), {"name": name}), _rrset_type(item.get("type")),
             _ttl(item.get("ttl"), "ttl", nullable=True), _records(item.get("records"), str(item.get("type"))),
             validated_labels(item.get("labels")))
            for item in (data.get("rrsets") or []) if mode == "primary" and isinstance(item, dict)
        ]
        zone = self._new_zone(name, mode, ttl, labels, primaries)
        for rr_name, rr_type, rr_ttl, records, rr_labels in initial:
            self._store_rrset(zone, rr_name, rr_type, rr_ttl, records, rr_labels)
        action = self._action("create_zone", zone)
        return Response(201, {"zone": self._view(zone), "action": action.view()})

    def _new_zone(self, name: str, mode: str, ttl: int | None, labels: dict[str, str], primaries: list[Any]) -> Row:
        zone_id = self.store.next_id("zone")
        zone = {
            "id": zone_id, "name": name, "mode": mode, "ttl": ttl, "labels": labels, "created": now_iso(),
            "protection": {"delete": False},
            # "Ignored for Zones in primary mode."
            "primary_nameservers": [
                {"address": ns.get("address"), "port": ns.get("port", 53),
                 **{k: ns[k] for k in ("tsig_algorithm", "tsig_key") if ns.get(k)}}
                for ns in primaries if isinstance(ns, dict)
            ] if mode == "secondary" else [],
        }
        self.store.zones[zone_id] = zone
        if mode == "primary":
            # "A default SOA and three NS resource records with the assigned Hetzner nameservers are created."
            self._store_rrset(zone, "@", "SOA", None, [{
                "value": f"{ASSIGNED_NAMESERVERS[0]} dns.hetzner.com. {zone_id}01 86400 10800 3600000 3600"}])
            self._store_rrset(zone, "@", "NS", None, [{"value": ns} for ns in ASSIGNED_NAMESERVERS])
        return zone

    def create_outside(self, name: str, *, delete_protection: bool) -> dict[str, Any]:
        """For tests: a primary zone created by someone else, as the API would have made it."""
        zone = self._new_zone(_zone_name(name), "primary", DEFAULT_ZONE_TTL, {}, [])
        zone["protection"]["delete"] = delete_protection
        return self._view(zone)

    def update(self, request: Request) -> Response:
        zone = self._zone(request)
        data = body(request)
        if "labels" in data:
            zone["labels"] = validated_labels(data["labels"])
        return Response(200, {"zone": self._view(zone)})

    def delete(self, request: Request) -> Response:
        zone = self._zone(request)
        if zone["protection"]["delete"]:
            raise api_error("protected", "zone is delete protected")
        for key in [k for k, r in self.store.rrsets.items() if r["zone"] == zone["id"]]:
            del self.store.rrsets[key]
        del self.store.zones[zone["id"]]
        action = self.store.actions.start("delete_zone", [("zone", zone["id"])])
        return Response(201, {"action": action.view()})

    def change_protection(self, request: Request) -> Response:
        zone = self._zone(request)
        data = body(request)
        if "delete" in data:
            if not isinstance(data["delete"], bool):
                raise invalid_input("delete", "delete must be a boolean")
            zone["protection"]["delete"] = data["delete"]
        return Response(201, {"action": self._action("change_protection", zone).view()})

    def change_ttl(self, request: Request) -> Response:
        zone = self._zone(request)
        zone["ttl"] = _ttl(body(request).get("ttl"), "ttl", nullable=False)
        return Response(201, {"action": self._action("change_ttl", zone).view()})

    def change_primary_nameservers(self, request: Request) -> Response:
        zone = self._zone(request)
        if zone["mode"] != "secondary":
            raise api_error("incorrect_zone_mode", "This operation is not supported for this Zone's mode.")
        primaries = body(request).get("primary_nameservers")
        if not isinstance(primaries, list) or not primaries:
            raise invalid_input("primary_nameservers", "primary_nameservers must be a non-empty list")
        zone["primary_nameservers"] = [{"address": ns.get("address"), "port": ns.get("port", 53)}
                                       for ns in primaries if isinstance(ns, dict)]
        return Response(201, {"action": self._action("change_primary_nameservers", zone).view()})

    # --- zone actions -------------------------------------------------------------------------------
    def _zone_actions(self, zone_id: int | None = None) -> list[Action]:
        return [a for a in self.store.actions.actions.values()
                if any(r["type"] == "zone" and (zone_id is None or r["id"] == zone_id) for r in a.resources)]

    def _action_listing(self, request: Request, actions: list[Action]) -> Response:
        ids = {int(v) for v in request.args("id") if v.isdigit()}
        if request.args("id"):
            actions = [a for a in actions if a.id in ids]
        views = [self.store.actions.observe(a) for a in actions]
        statuses = request.args("status")
        if statuses:
            views = [v for v in views if v["status"] in statuses]
        return page_response(request, "actions", views, {"id", "command", "status", "started", "finished", "progress"})

    def _one_action(self, request: Request, actions: list[Action]) -> Response:
        raw = request.params["action_id"]
        found = next((a for a in actions if raw.isdigit() and a.id == int(raw)), None)
        if found is None:
            raise not_found("action")
        return Response(200, {"action": self.store.actions.observe(found)})

    def list_all_actions(self, request: Request) -> Response:
        return self._action_listing(request, self._zone_actions())

    def get_any_action(self, request: Request) -> Response:
        return self._one_action(request, self._zone_actions())

    def list_zone_actions(self, request: Request) -> Response:
        return self._action_listing(request, self._zone_actions(self._zone(request)["id"]))

    def get_zone_action(self, request: Request) -> Response:
        return self._one_action(request, self._zone_actions(self._zone(request)["id"]))

    # --- rrsets -------------------------------------------------------------------------------------
    def _store_rrset(self, zone: Row, name: str, rr_type: str, ttl: int | None, records: list[dict[str, str]],
                     labels: dict[str, str] | None = None) -> Row:
        key = (zone["id"], name, rr_type)
        if key in self.store.rrsets:
            raise uniqueness_error("name", "RRSet with the same name and type already exists")
        rrset = {"zone": zone["id"], "name": name, "type": rr_type, "ttl": ttl, "labels": labels or {},
                 "records": records, "protection": {"change": False}}
        self.store.rrsets[key] = rrset
        return rrset

    def list_rrsets(self, request: Request) -> Response:
        zone = self._zone(request)
        self._primary(zone)
        items = [rrset_view(r) for r in self._zone_rrsets(zone)]
        types = request.args("type")
        if types:
            items = [item for item in items if item["type"] in types]
        return page_response(request, "rrsets", filtered(request, items), {"id", "name", "type", "ttl"},
                             max_per_page=RRSET_MAX_PER_PAGE)

    def create_rrset(self, request: Request) -> Response:
        zone = self._zone(request)
        self._primary(zone)
        data = body(request)
        rr_type = _rrset_type(data.get("type"))
        name = _rrset_name(data.get("name"), zone)
        ttl = _ttl(data.get("ttl"), "ttl", nullable=True)
        records = _records(data.get("records"), rr_type)
        labels = validated_labels(data.get("labels"))
        rrset = self._store_rrset(zone, name, rr_type, ttl, records, labels)
        action = self._action("create_rrset", zone)
        return Response(201, {"rrset": rrset_view(rrset), "action": action.view()})

    def get_rrset(self, request: Request) -> Response:
        return Response(200, {"rrset": rrset_view(self._rrset(request)[1])})

    def update_rrset(self, request: Request) -> Response:
        _, rrset = self._rrset(request)
        data = body(request)
        if "labels" in data:
            rrset["labels"] = validated_labels(data["labels"])
        return Response(200, {"rrset": rrset_view(rrset)})

    def delete_rrset(self, request: Request) -> Response:
        zone, rrset = self._rrset(request)
        self._unprotected(rrset)
        del self.store.rrsets[(zone["id"], rrset["name"], rrset["type"])]
        return Response(201, {"action": self._action("delete_rrset", zone).view()})

    def change_rrset_protection(self, request: Request) -> Response:
        zone, rrset = self._rrset(request)
        change = body(request).get("change")
        if not isinstance(change, bool):
            raise invalid_input("change", "change must be a boolean")
        rrset["protection"]["change"] = change
        return Response(201, {"action": self._action("change_rrset_protection", zone).view()})

    def change_rrset_ttl(self, request: Request) -> Response:
        zone, rrset = self._rrset(request)
        self._unprotected(rrset)
        data = body(request)
        if "ttl" not in data:
            raise invalid_input("ttl", "ttl is required (null for the zone's default)")
        rrset["ttl"] = _ttl(data["ttl"], "ttl", nullable=True)
        return Response(201, {"action": self._action("change_rrset_ttl", zone).view()})

    def set_records(self, request: Request) -> Response:
        zone, rrset = self._rrset(request)
        self._unprotected(rrset)
        rrset["records"] = _records(body(request).get("records"), rrset["type"])
        return Response(201, {"action": self._action("set_rrset_records", zone).view()})

    def add_records(self, request: Request) -> Response:
        zone = self._zone(request)
        self._primary(zone)
        data = body(request)
        rr_type = _rrset_type(request.params["rr_type"])
        added = _records(data.get("records"), rr_type)
        ttl = _ttl(data.get("ttl"), "ttl", nullable=True)
        rrset = self.store.rrsets.get((zone["id"], request.params["rr_name"], rr_type))
        if rrset is None:
            # "the RRSet will be automatically created if it doesn't exist".
            self._store_rrset(zone, _rrset_name(request.params["rr_name"], zone), rr_type, ttl, added)
        else:
            self._unprotected(rrset)
            existing = {r["value"] for r in rrset["records"]}
            rrset["records"] += [r for r in added if r["value"] not in existing]
            if ttl is not None:
                rrset["ttl"] = ttl
        return Response(201, {"action": self._action("add_rrset_records", zone).view()})

    def remove_records(self, request: Request) -> Response:
        zone, rrset = self._rrset(request)
        self._unprotected(rrset)
        removed = {r["value"] for r in _records(body(request).get("records"), rrset["type"])}
        rrset["records"] = [r for r in rrset["records"] if r["value"] not in removed]
        if not rrset["records"]:
            # "the RRSet will be automatically deleted if it doesn't contain any RRs afterwards".
            del self.store.rrsets[(zone["id"], rrset["name"], rrset["type"])]
        return Response(201, {"action": self._action("remove_rrset_records", zone).view()})

    def update_records(self, request: Request) -> Response:
        zone, rrset = self._rrset(request)
        self._unprotected(rrset)
        updates = _records(body(request).get("records"), rrset["type"])
        by_value = {r["value"]: r for r in rrset["records"]}
        for update in updates:
            if update["value"] not in by_value:
                raise invalid_input("records", f"record {update['value']!r} is not in the RRSet")
            by_value[update["value"]].pop("comment", None)
            if update.get("comment"):
                by_value[update["value"]]["comment"] = update["comment"]
        return Response(201, {"action": self._action("update_rrset_records", zone).view()})
