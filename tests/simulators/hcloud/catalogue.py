"""The static catalogue every project sees: locations, server types and system images."""

from __future__ import annotations

from typing import Any

LOCATIONS: list[dict[str, Any]] = [
    {"id": 1, "name": "fsn1", "description": "Falkenstein DC Park 1", "country": "DE", "city": "Falkenstein",
     "latitude": 50.47612, "longitude": 12.370071, "network_zone": "eu-central"},
    {"id": 2, "name": "nbg1", "description": "Nuremberg DC Park 1", "country": "DE", "city": "Nuremberg",
     "latitude": 49.452102, "longitude": 11.076665, "network_zone": "eu-central"},
    {"id": 3, "name": "hel1", "description": "Helsinki DC Park 1", "country": "FI", "city": "Helsinki",
     "latitude": 60.169855, "longitude": 24.938379, "network_zone": "eu-central"},
    {"id": 4, "name": "ash", "description": "Ashburn, VA", "country": "US", "city": "Ashburn, VA",
     "latitude": 39.045821, "longitude": -77.487073, "network_zone": "us-east"},
    {"id": 5, "name": "hil", "description": "Hillsboro, OR", "country": "US", "city": "Hillsboro, OR",
     "latitude": 45.54222, "longitude": -122.951181, "network_zone": "us-west"},
    {"id": 6, "name": "sin", "description": "Singapore", "country": "SG", "city": "Singapore",
     "latitude": 1.283333, "longitude": 103.833333, "network_zone": "ap-southeast"},
]

# (id, name, cores, memory GB, disk GB, cpu_type, architecture, category)
_SERVER_TYPES = [
    (22, "cpx11", 2, 2.0, 40, "shared", "x86", "regular_purpose"),
    (23, "cpx21", 3, 4.0, 80, "shared", "x86", "regular_purpose"),
    (24, "cpx31", 4, 8.0, 160, "shared", "x86", "regular_purpose"),
    (25, "cpx41", 8, 16.0, 240, "shared", "x86", "regular_purpose"),
    (104, "cx22", 2, 4.0, 40, "shared", "x86", "cost_optimized"),
    (105, "cx32", 4, 8.0, 80, "shared", "x86", "cost_optimized"),
    (106, "cx42", 8, 16.0, 160, "shared", "x86", "cost_optimized"),
    (107, "cx52", 16, 32.0, 320, "shared", "x86", "cost_optimized"),
    (114, "cx23", 2, 4.0, 40, "shared", "x86", "cost_optimized"),
    (115, "cx33", 4, 8.0, 80, "shared", "x86", "cost_optimized"),
    (45, "cax11", 2, 4.0, 40, "shared", "arm", "cost_optimized"),
    (93, "cax21", 4, 8.0, 80, "shared", "arm", "cost_optimized"),
    (96, "ccx13", 2, 8.0, 80, "dedicated", "x86", "general_purpose"),
]

def _price(location: str, cores: int) -> dict[str, Any]:
    """One `prices[]` entry (illustrative amounts: 2 EUR a month per core, VAT 19 %)."""
    monthly = 2.0 * cores
    return {
        "location": location,
        "price_hourly": {"net": f"{monthly / 730:.4f}", "gross": f"{monthly * 1.19 / 730:.4f}"},
        "price_monthly": {"net": f"{monthly:.4f}", "gross": f"{monthly * 1.19:.4f}"},
        "included_traffic": 21990232555520,
        "price_per_tb_traffic": {"net": "1.0000", "gross": "1.1900"},
    }


SERVER_TYPES: list[dict[str, Any]] = [
    {
        "id": type_id,
        "name": name,
        "description": name.upper(),
        "category": category,
        "cores": cores,
        "memory": memory,
        "disk": disk,
        "storage_type": "local",
        "cpu_type": cpu_type,
        "architecture": arch,
        # Traffic moved into prices[] on 2024-08-05; the top-level field is null since (Hetzner changelog
        # 2024-07-25 "traffic information in a different format"; hcloud-python ServerType.included_traffic).
        "included_traffic": None,
        "prices": [_price(location["name"], cores) for location in LOCATIONS],
        "deprecated": False,
        "deprecation": None,
        # Since 2026-04-01 each entry also says whether the type can be ordered there and is recommended
        # (docs.hetzner.cloud changelog "datacenter deprecations"; hcloud-python 2.18 ServerTypeLocation).
        "locations": [
            {"id": location["id"], "name": location["name"], "deprecation": None, "available": True,
             "recommended": True}
            for location in LOCATIONS
        ],
    }
    for type_id, name, cores, memory, disk, cpu_type, arch, category in _SERVER_TYPES
]

# (id, name, os_flavor, os_version, architecture)
_IMAGES = [
    (161547269, "ubuntu-24.04", "ubuntu", "24.04", "x86"),
    (161547270, "ubuntu-24.04", "ubuntu", "24.04", "arm"),
    (67794396, "ubuntu-22.04", "ubuntu", "22.04", "x86"),
    (103908070, "ubuntu-22.04", "ubuntu", "22.04", "arm"),
    (114690387, "debian-12", "debian", "12", "x86"),
    (114690389, "debian-12", "debian", "12", "arm"),
    (226789870, "debian-13", "debian", "13", "x86"),
    (226789871, "debian-13", "debian", "13", "arm"),
]

IMAGES: list[dict[str, Any]] = [
    {
        "id": image_id,
        "type": "system",
        "status": "available",
        "name": name,
        "description": f"{os_flavor.capitalize()} {os_version}",
        "image_size": None,
        "disk_size": 5.0,
        "created": "2024-04-25T12:00:00+00:00",
        "created_from": None,
        "bound_to": None,
        "os_flavor": os_flavor,
        "os_version": os_version,
        "architecture": arch,
        "rapid_deploy": True,
        "protection": {"delete": False},
        "deprecated": None,
        "deleted": None,
        "labels": {},
    }
    for image_id, name, os_flavor, os_version, arch in _IMAGES
]


def find_by_id_or_name(items: list[dict[str, Any]], id_or_name: Any) -> dict[str, Any] | None:
    for item in items:
        if str(item["id"]) == str(id_or_name) or item["name"] == id_or_name:
            return item
    return None


def location_named(name: str) -> dict[str, Any] | None:
    return find_by_id_or_name(LOCATIONS, name)
