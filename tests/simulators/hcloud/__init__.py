"""A stateful local simulator of the Hetzner Cloud API, for end-to-end tests of pulumi-hcloud.

It reproduces what the bridged terraform-provider-hcloud (via hcloud-go) sends and expects:

- `/v1` routes for SSH keys, firewalls (rules, `set_rules`, `apply_to_resources`,
  `remove_from_resources`), servers (create returns `action` + `next_actions` and a `root_password`
  only when no SSH key is given; power, type, protection, backup, rebuild and rescue actions; labels;
  public IPv4/IPv6 from auto-created primary IPs; firewall attachment), volumes (create, attach,
  detach, resize), primary IPs (create, assign/unassign with the server off, protection), and the
  locations / server types / images catalogue (server types list per-location `available`/`recommended`).
- 2026 removals: no `datacenter` in servers or primary IPs and refused in requests (2026-07-01);
  `/datacenters` answers 410 `deprecated_api_endpoint` (2026-10-01).
- tests/fidelity drives it with the official `hcloud` Python library, unpatched.
- DNS zones and RRsets (`/v1/zones`, `/v1/zones/{id_or_name}/rrsets/{name}/{type}`): a primary zone
  comes with its SOA and three NS RRsets; zone names must be registrable domains (no subdomains);
  RRset ids are `name/TYPE`; records, TTL (60..2147483647 or null), labels, change/delete
  protection (`protected`), the RRset actions (set/add/remove/update records, change TTL and
  protection) and `incorrect_zone_mode` for secondary zones. `add_zone()` seeds a zone made elsewhere.
  Zone file import/export are not simulated (import is refused, export is an unknown route).
- Actions start `running` and succeed after `running_polls` reads through `GET /v1/actions?id=..`
  (what hcloud-go polls), `/v1/actions/{id}` or the resource-scoped action routes. Their effects
  (e.g. a server turning `running`) apply on success; `fail_next_action()` makes one end in `error`.
- Errors use `{"error": {"code", "message", "details"}}`; lists carry `meta.pagination` and a `Link`
  header and accept `name`, `label_selector` and `sort`; every response has `RateLimit-*` headers.
- `Authorization: Bearer <token>` must equal the configured token (default: 64 characters, because
  the provider refuses any other length); anything else answers 401 `unauthorized`.

Usage::

    with HcloudSimulator() as sim:          # or sim.start() / sim.stop()
        env = {"HCLOUD_ENDPOINT": sim.endpoint, "HCLOUD_TOKEN": sim.token}
        ...
        assert sim.count("POST", "/v1/servers") == 1
        sim.inject("POST", "/v1/servers", status=503, times=1)
        sim.set_server_labels("web-1", {"env": "drifted"})

Standalone: `python -m tests.simulators.hcloud --port 0 --info-file sim.json` prints and writes
`{"url", "endpoint", "token"}` and serves until interrupted.
"""

from tests.simulators.hcloud.simulator import DEFAULT_TOKEN, HcloudSimulator

__all__ = ["DEFAULT_TOKEN", "HcloudSimulator"]
