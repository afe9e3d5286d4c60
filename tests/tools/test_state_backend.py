"""tools/state_backend.py without a server: the URL it builds and the line it shows for each failure."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tools.state_backend import explain_failure, hetzner_url

URL = "s3://penpal-infra-state?endpoint=https%3A%2F%2Ffsn1.your-objectstorage.com&region=fsn1&s3ForcePathStyle=true"


def test_hetzner_url_has_endpoint_region_and_path_style() -> None:
    url = hetzner_url("penpal-infra-state", "fsn1")
    assert url == URL
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("s3", "penpal-infra-state")
    assert parse_qs(parts.query) == {
        "endpoint": ["https://fsn1.your-objectstorage.com"], "region": ["fsn1"], "s3ForcePathStyle": ["true"]}


def test_an_unknown_failure_shows_the_cli_s_last_line() -> None:
    assert explain_failure(URL, "error: something new\n\n") == (
        "state backend: pulumi login s3://penpal-infra-state failed: error: something new")


def test_an_unreachable_endpoint_names_it() -> None:
    line = explain_failure(URL, "error: ... dial tcp: lookup fsn1.your-objectstorage.com: no such host")
    assert line.startswith("state backend: cannot reach the S3 endpoint https://fsn1.your-objectstorage.com: ")
