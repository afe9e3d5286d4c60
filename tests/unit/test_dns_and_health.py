"""DNS records per service domain (shared zone owned by prod) and the health check after each deployment."""

from __future__ import annotations

from typing import Any

import pytest

from components import stack as outputs
from components.config import ConfigError, load_config
from components.dns import record_name
from components.stack import build_stack
from tests.unit.conftest import InstallMocks
from tests.unit.mocks import SERVER_IPV4, RecordingMocks, T
from tests.unit.outputs import resolve, run_program
from tests.unit.stack_configs import DB_SERVICE, stack_config

SERVER_IPV6 = "2001:db8::1"  # what the mocks give every server
STACKS = {"staging": "staging", "production": "prod"}


def deploy(install_mocks: InstallMocks, environment: str, **overrides: Any) -> tuple[RecordingMocks, dict[str, Any]]:
    mocks = install_mocks(stack=STACKS[environment], config=stack_config(environment, overrides))
    exported = run_program(lambda: build_stack(load_config()))
    return mocks, exported


def rrsets(mocks: RecordingMocks, service: str = DB_SERVICE) -> dict[str, Any]:
    return {r.plain("type"): r for r in mocks.of_type(T.HCLOUD_RRSET) if r.name.startswith(f"{service}-dns-")}


@pytest.mark.parametrize(("environment", "prefix"), [("staging", "staging"), ("production", "prod")])
def test_a_and_aaaa_records_point_at_the_environments_server(
    install_mocks: InstallMocks, environment: str, prefix: str
) -> None:
    mocks, _ = deploy(install_mocks, environment)
    records = rrsets(mocks)
    assert sorted(records) == ["A", "AAAA"]
    for record_type, value in (("A", SERVER_IPV4), ("AAAA", SERVER_IPV6)):
        record = records[record_type]
        # Zone `maksou.dev` (Hetzner hosts registrable domains only); the name is relative to it.
        assert record.plain("zone") == "maksou.dev"
        assert record.plain("name") == f"{prefix}.{DB_SERVICE}.penpal-ai"
        assert record.plain("records") == [{"value": value}]
        assert record.plain("ttl") == 300
        assert record.plain("labels")["service"] == DB_SERVICE
    # The records are the service's own children: removing the service removes them.
    service = mocks.named(DB_SERVICE)
    dns = mocks.named(f"{DB_SERVICE}-dns")
    assert dns.parent_urn == service.urn and records["A"].parent_urn == dns.urn


def test_prod_owns_the_shared_zone_and_never_deletes_it(install_mocks: InstallMocks) -> None:
    mocks, _ = deploy(install_mocks, "production")
    zone = mocks.one(T.HCLOUD_ZONE)
    assert (zone.plain("name"), zone.plain("mode"), zone.plain("deleteProtection")) == ("maksou.dev", "primary", True)
    assert zone.protect and zone.retain_on_delete
    # Records wait for the zone they live in.
    assert all(zone.urn in r.dependencies for r in mocks.of_type(T.HCLOUD_RRSET))


def test_staging_adopts_the_zone_by_name(install_mocks: InstallMocks) -> None:
    mocks, _ = deploy(install_mocks, "staging")
    assert mocks.of_type(T.HCLOUD_ZONE) == []
    assert {r.plain("zone") for r in mocks.of_type(T.HCLOUD_RRSET)} == {"maksou.dev"}


def test_zone_and_ttl_are_configurable(install_mocks: InstallMocks) -> None:
    mocks, exported = deploy(install_mocks, "staging", **{"penpal:dns": {"zone": "maksou.dev", "ttl": 120}})
    assert {r.plain("ttl") for r in mocks.of_type(T.HCLOUD_RRSET)} == {120}
    assert resolve(exported[outputs.OUT_DNS_ZONE]) == {"zone": "maksou.dev", "managed": True}


def test_unmanaged_zone_lists_the_records_to_create_by_hand(install_mocks: InstallMocks) -> None:
    mocks, exported = deploy(install_mocks, "production",
                             **{"penpal:dns": {"zone": "penpal-ai.maksou.dev", "manage": False}})
    assert mocks.of_type(T.HCLOUD_RRSET) == [] and mocks.of_type(T.HCLOUD_ZONE) == []
    records = resolve(exported[outputs.OUT_DNS_RECORDS])
    domain = f"prod.{DB_SERVICE}.penpal-ai.maksou.dev"
    assert records[DB_SERVICE] == [
        {"name": domain, "type": "A", "value": SERVER_IPV4, "ttl": 300},
        {"name": domain, "type": "AAAA", "value": SERVER_IPV6, "ttl": 300},
    ]
    assert resolve(exported[outputs.OUT_DNS_ZONE]) == {"zone": "penpal-ai.maksou.dev", "managed": False}


@pytest.mark.parametrize(
    ("dns", "message"),
    [
        ({"zone": "penpal-ai.maksou.dev"}, "penpal:dns.zone: Hetzner hosts zones for registrable domains only"),
        ({"zone": "example.com"}, "is not inside zone 'example.com'"),
        ({"ttl": 30}, "penpal:dns.ttl: expected an integer from 60"),
        ({"manage": "yes"}, "penpal:dns.manage: expected true or false"),
        ({"owner": "prod"}, "penpal:dns: unknown key 'owner'"),
        ("maksou.dev", "penpal:dns: expected an object"),
    ],
)
def test_bad_dns_config_names_the_key(install_mocks: InstallMocks, dns: Any, message: str) -> None:
    install_mocks(stack="staging", config=stack_config("staging", {"penpal:dns": dns}))
    with pytest.raises(ConfigError) as error:
        load_config()
    assert message in str(error.value)


def test_health_check_follows_each_deployment(install_mocks: InstallMocks) -> None:
    resolve_map = {f"staging.{DB_SERVICE}.penpal-ai.maksou.dev": "127.0.0.1:8443", "other.example.com": "10.0.0.1"}
    mocks, _ = deploy(install_mocks, "staging", **{"penpal:healthCheck": {
        "path": "/healthz", "timeoutSeconds": 60, "intervalSeconds": 2, "expectedStatus": 204,
        "resolve": resolve_map}})
    [check] = [r for r in mocks.of_type(T.HEALTH_CHECK) if r.name == f"{DB_SERVICE}-health"]
    assert check.plain("url") == f"https://staging.{DB_SERVICE}.penpal-ai.maksou.dev/healthz"
    assert check.plain("deployment") == f"{DB_SERVICE}-deployment-deployment"
    assert (check.plain("expected_status"), check.plain("timeout_s"), check.plain("interval_s")) == (204, 60, 2)
    # Only this host's entry: another host's entry changing re-checks nothing here.
    assert check.plain("resolve") == {f"staging.{DB_SERVICE}.penpal-ai.maksou.dev": "127.0.0.1:8443"}
    # Checked once the deployment finished and the service's records exist.
    deployment = mocks.named(f"{DB_SERVICE}-deployment")
    assert deployment.urn in check.dependencies
    assert all(record.urn in check.dependencies for record in rrsets(mocks).values())
    # Coolify's own container health check uses the same path.
    app = mocks.named(f"{DB_SERVICE}-app")
    assert app.plain("health_check_path") == "/healthz"


def test_health_check_defaults(install_mocks: InstallMocks) -> None:
    mocks, _ = deploy(install_mocks, "staging")
    check = mocks.named(f"{DB_SERVICE}-health")
    assert check.plain("url").endswith("/health")
    assert (check.plain("expected_status"), check.plain("timeout_s"), check.plain("interval_s")) == (200, 300, 5)
    assert check.plain("resolve") == {} and check.plain("ca_bundle_pem") is None


def test_ca_bundle_is_read_from_its_file(install_mocks: InstallMocks, tmp_path: Any) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    mocks, _ = deploy(install_mocks, "staging", **{"penpal:healthCheck": {"caBundle": str(bundle)}})
    assert mocks.named(f"{DB_SERVICE}-health").plain("ca_bundle_pem") == bundle.read_text()


@pytest.mark.parametrize(
    ("health", "message"),
    [
        ({"path": "health"}, "penpal:healthCheck.path: expected a URL path starting with '/'"),
        ({"timeoutSeconds": 0}, "penpal:healthCheck.timeoutSeconds: expected a number of seconds from 1 to 3600"),
        ({"intervalSeconds": -1}, "penpal:healthCheck.intervalSeconds: expected a positive number"),
        ({"expectedStatus": 42}, "penpal:healthCheck.expectedStatus: expected an HTTP status from 100 to 599"),
        ({"resolve": {"a.example": "nope:port"}}, "penpal:healthCheck.resolve: a.example: expected a port"),
        ({"resolve": ["a.example:443:127.0.0.1"]}, "penpal:healthCheck.resolve: expected an object"),
        ({"caBundle": "/nonexistent/ca.pem"}, "penpal:healthCheck.caBundle: cannot read '/nonexistent/ca.pem'"),
        ({"timeout": 5}, "penpal:healthCheck: unknown key 'timeout'"),
    ],
)
def test_bad_health_check_config_names_the_key(install_mocks: InstallMocks, health: Any, message: str) -> None:
    install_mocks(stack="staging", config=stack_config("staging", {"penpal:healthCheck": health}))
    with pytest.raises(ConfigError) as error:
        load_config()
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("fqdn", "zone", "name"),
    [
        ("staging.svc.penpal-ai.maksou.dev", "maksou.dev", "staging.svc.penpal-ai"),
        ("staging.svc.penpal-ai.maksou.dev", "penpal-ai.maksou.dev", "staging.svc"),
        ("maksou.dev", "maksou.dev", "@"),
    ],
)
def test_record_names_are_relative_to_the_zone(fqdn: str, zone: str, name: str) -> None:
    assert record_name(fqdn, zone) == name


def test_a_domain_outside_the_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="not inside DNS zone"):
        record_name("staging.svc.example.com", "maksou.dev")
