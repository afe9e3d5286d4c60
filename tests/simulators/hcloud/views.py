"""API representations of store rows (what GET answers), computed from the current state."""

from __future__ import annotations

from typing import Any

from tests.simulators.hcloud.catalogue import IMAGES, SERVER_TYPES, find_by_id_or_name, location_named
from tests.simulators.hcloud.labels import selector_matcher
from tests.simulators.hcloud.store import HcloudStore, Row


def _location(name: str) -> dict[str, Any]:
    found = location_named(name)
    assert found is not None, name
    return dict(found)


def firewall_ids_for_server(store: HcloudStore, server: Row) -> list[int]:
    """Firewalls applied to the server directly or through a matching label selector."""
    ids = []
    for firewall in store.firewalls.values():
        for target in firewall["applied_to"]:
            if target["type"] == "server" and target["server"]["id"] == server["id"]:
                ids.append(firewall["id"])
                break
            if target["type"] == "label_selector" and selector_matcher(target["label_selector"]["selector"])(
                server["labels"]
            ):
                ids.append(firewall["id"])
                break
    return ids


def server_view(store: HcloudStore, server: Row) -> dict[str, Any]:
    ipv4 = store.primary_ips.get(server["ipv4"]) if server["ipv4"] else None
    ipv6 = store.primary_ips.get(server["ipv6"]) if server["ipv6"] else None
    image = find_by_id_or_name(IMAGES, server["image"])
    server_type = find_by_id_or_name(SERVER_TYPES, server["server_type"])
    return {
        "id": server["id"],
        "name": server["name"],
        "status": server["status"],
        "created": server["created"],
        "public_net": {
            "ipv4": {"id": ipv4["id"], "ip": ipv4["ip"], "blocked": False, "dns_ptr": f"static.{ipv4['ip']}.sim"}
            if ipv4 else None,
            "ipv6": {"id": ipv6["id"], "ip": ipv6["ip"], "blocked": False, "dns_ptr": []} if ipv6 else None,
            "floating_ips": [],
            "firewalls": [{"id": fw_id, "status": "applied"} for fw_id in firewall_ids_for_server(store, server)],
        },
        "private_net": [],
        "server_type": dict(server_type) if server_type else None,
        "included_traffic": 21990232555520,
        "outgoing_traffic": 0,
        "ingoing_traffic": 0,
        "backup_window": server["backup_window"],
        "rescue_enabled": server["rescue_enabled"],
        "iso": None,
        "locked": False,
        "location": _location(server["location"]),
        "image": dict(image) if image else None,
        "protection": dict(server["protection"]),
        "labels": dict(server["labels"]),
        "volumes": [vid for vid, volume in sorted(store.volumes.items()) if volume["server"] == server["id"]],
        "primary_disk_size": server_type["disk"] if server_type else 20,
        "placement_group": None,
        "load_balancers": [],
    }


def firewall_view(store: HcloudStore, firewall: Row) -> dict[str, Any]:
    applied_to: list[dict[str, Any]] = []
    for target in firewall["applied_to"]:
        if target["type"] == "server":
            applied_to.append({"type": "server", "server": {"id": target["server"]["id"]}})
            continue
        selector = target["label_selector"]["selector"]
        matches = selector_matcher(selector)
        resources = [
            {"type": "server", "server": {"id": sid}}
            for sid, server in sorted(store.servers.items())
            if matches(server["labels"])
        ]
        applied_to.append(
            {"type": "label_selector", "label_selector": {"selector": selector}, "applied_to_resources": resources}
        )
    return {
        "id": firewall["id"],
        "name": firewall["name"],
        "labels": dict(firewall["labels"]),
        "created": firewall["created"],
        "rules": [dict(rule) for rule in firewall["rules"]],
        "applied_to": applied_to,
    }


def ssh_key_view(key: Row) -> dict[str, Any]:
    return {
        "id": key["id"],
        "name": key["name"],
        "fingerprint": key["fingerprint"],
        "public_key": key["public_key"],
        "labels": dict(key["labels"]),
        "created": key["created"],
    }


def volume_view(volume: Row) -> dict[str, Any]:
    return {
        "id": volume["id"],
        "name": volume["name"],
        "server": volume["server"],
        "status": volume["status"],
        "location": _location(volume["location"]),
        "size": volume["size"],
        "format": volume["format"],
        "protection": dict(volume["protection"]),
        "labels": dict(volume["labels"]),
        "linux_device": f"/dev/disk/by-id/scsi-0HC_Volume_{volume['id']}",
        "created": volume["created"],
    }


def primary_ip_view(primary_ip: Row) -> dict[str, Any]:
    assigned = primary_ip["assignee_id"] is not None
    return {
        "id": primary_ip["id"],
        "name": primary_ip["name"],
        "ip": primary_ip["ip"],
        "type": primary_ip["type"],
        "labels": dict(primary_ip["labels"]),
        "protection": dict(primary_ip["protection"]),
        "dns_ptr": [],
        "assignee_id": primary_ip["assignee_id"],
        # Since 2026-08-01 the API says `unassigned` instead of repeating `server` for a free IP.
        "assignee_type": "server" if assigned else "unassigned",
        "auto_delete": primary_ip["auto_delete"],
        "blocked": False,
        "created": primary_ip["created"],
        "location": _location(primary_ip["location"]),
    }
