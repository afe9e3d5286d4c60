"""The registry stand-in resolves tags to digests behind the Bearer challenge a docker client follows."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
import requests

from tests.simulators.registry import RegistrySimulator

ACCEPT = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json"


@pytest.fixture
def registry() -> Iterator[RegistrySimulator]:
    with RegistrySimulator() as simulator:
        yield simulator


def token_for(registry: RegistrySimulator, challenge: str) -> str:
    """Follow `WWW-Authenticate: Bearer realm=..,service=..,scope=..` as the docker provider does."""
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    response = requests.get(params["realm"], params={"service": params["service"], "scope": params["scope"]},
                            auth=(registry.username, registry.password), timeout=10)
    assert response.status_code == 200
    return str(response.json()["token"])


def test_head_manifest_answers_the_digest_after_the_token_dance(registry: RegistrySimulator) -> None:
    digest = registry.push_image("penpal-ai/api", "main")
    url = f"{registry.base_url}/v2/penpal-ai/api/manifests/main"
    challenged = requests.head(url, headers={"Accept": ACCEPT}, timeout=10)
    assert challenged.status_code == 401
    assert 'scope="repository:penpal-ai/api:pull"' in challenged.headers["WWW-Authenticate"]
    token = token_for(registry, challenged.headers["WWW-Authenticate"])
    head = requests.head(url, headers={"Accept": ACCEPT, "Authorization": f"Bearer {token}"}, timeout=10)
    assert head.status_code == 200 and head.headers["Docker-Content-Digest"] == digest
    body = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).content
    assert "sha256:" + hashlib.sha256(body).hexdigest() == digest
    by_digest = requests.head(f"{registry.base_url}/v2/penpal-ai/api/manifests/{digest}",
                              headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert by_digest.headers["Docker-Content-Digest"] == digest
    assert registry.count("HEAD", "/v2/{name+}/manifests/{reference}") == 3


def test_retagging_moves_the_digest_and_unknown_tags_are_manifest_unknown(registry: RegistrySimulator) -> None:
    first = registry.push_image("penpal-ai/api", "main")
    second = registry.push_image("penpal-ai/api", "main")
    assert first != second and registry.digest_of("penpal-ai/api", "main") == second
    challenge = requests.get(f"{registry.base_url}/v2/", timeout=10).headers["WWW-Authenticate"]
    token = token_for(registry, challenge.replace("user/image", "penpal-ai/api"))
    missing = requests.get(f"{registry.base_url}/v2/penpal-ai/api/manifests/nope",
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "MANIFEST_UNKNOWN"


def test_wrong_credentials_get_no_token(registry: RegistrySimulator) -> None:
    response = requests.get(f"{registry.base_url}/token", auth=("penpal-bot", "wrong"), timeout=10)
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert requests.get(f"{registry.base_url}/token", timeout=10).status_code == 401
