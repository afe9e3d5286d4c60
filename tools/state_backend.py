"""Log in to the team's shared Pulumi state (S3 backend, e.g. Hetzner Object Storage), with one clear line on failure.

    python -m tools.state_backend url --bucket penpal-infra-state --location fsn1   # prints the backend URL
    python -m tools.state_backend login [URL]    # URL defaults to $PULUMI_BACKEND_URL

`login` runs `pulumi login URL`. The CLI opens the bucket and reads (or creates) `.pulumi/meta.yaml`, so bad
credentials, a missing bucket or a wrong endpoint fail right there, but as a long AWS SDK error chain; this
wrapper turns the common ones into one line that says what to fix. Credentials come from the environment
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), never from the URL or a command line.

Exit codes: 0 logged in; 1 the login failed (one line on stderr); 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlencode, urlsplit

# Hetzner Object Storage: one S3 endpoint per location, path-style bucket addressing
# (docs.hetzner.com/storage/object-storage/getting-started/using-s3-api-tools).
HETZNER_ENDPOINT = "https://{location}.your-objectstorage.com"

# (pattern in the CLI's output, the line shown instead). AWS error codes as S3 returns them.
_FAILURES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"NoSuchBucket|StatusCode: 404"),
     "bucket {bucket!r} does not exist at {endpoint}: create it first (Hetzner console: Object Storage -> "
     "Create bucket), or fix the bucket name in the URL"),
    (re.compile(r"InvalidAccessKeyId|SignatureDoesNotMatch|InvalidClientTokenId|StatusCode: 403|AccessDenied"),
     "the S3 credentials were refused by {endpoint} for bucket {bucket!r}: check AWS_ACCESS_KEY_ID and "
     "AWS_SECRET_ACCESS_KEY (the Object Storage keys of the project that owns the bucket)"),
    (re.compile(r"failed to retrieve credentials|no EC2 IMDS role|NoCredentialProviders|get credentials"),
     "no S3 credentials: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the Object Storage keys)"),
    (re.compile(r"connection refused|no such host|i/o timeout|dial tcp|TLS handshake"),
     "cannot reach the S3 endpoint {endpoint}: check the endpoint in the URL (Hetzner: "
     "https://<location>.your-objectstorage.com) and the network"),
)


def backend_url(bucket: str, endpoint: str, region: str) -> str:
    """The S3 backend URL gocloud.dev's s3blob opener accepts: custom endpoint, region, path-style addressing."""
    query = urlencode({"endpoint": endpoint, "region": region, "s3ForcePathStyle": "true"})
    return f"s3://{bucket}?{query}"


def hetzner_url(bucket: str, location: str) -> str:
    return backend_url(bucket, HETZNER_ENDPOINT.format(location=location), location)


def explain_failure(url: str, output: str) -> str:
    """One line for a failed `pulumi login`: what is wrong and what to do (never a secret: the URL holds none)."""
    parts = urlsplit(url)
    endpoint = parse_qs(parts.query).get("endpoint", ["the default AWS endpoint"])[0]
    for pattern, line in _FAILURES:
        if pattern.search(output):
            return "state backend: " + line.format(bucket=parts.netloc, endpoint=endpoint)
    last = next((text.strip() for text in reversed(output.splitlines()) if text.strip()), "no output")
    return f"state backend: pulumi login {parts.scheme}://{parts.netloc} failed: {last}"


def _missing_credentials(env: Mapping[str, str]) -> bool:
    has_keys = bool(env.get("AWS_ACCESS_KEY_ID")) and bool(env.get("AWS_SECRET_ACCESS_KEY"))
    return not has_keys and not env.get("AWS_PROFILE")


def login(url: str, env: Mapping[str, str], pulumi: str = "pulumi") -> tuple[int, str]:
    """Runs `pulumi login url`; (exit code, the one line to show)."""
    parts = urlsplit(url)
    if parts.scheme == "s3" and _missing_credentials(env):
        return 1, "state backend: no S3 credentials: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    completed = subprocess.run(
        [pulumi, "login", url], env=dict(env), capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    if completed.returncode != 0:
        return 1, explain_failure(url, completed.stdout + completed.stderr)
    return 0, f"Logged in to the {parts.scheme} state backend {parts.scheme}://{parts.netloc}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.state_backend", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    url_cmd = commands.add_parser("url", help="print the S3 backend URL of a Hetzner Object Storage bucket")
    url_cmd.add_argument("--bucket", required=True)
    url_cmd.add_argument("--location", required=True, help="fsn1, nbg1 or hel1")
    login_cmd = commands.add_parser("login", help="pulumi login, with one clear line on failure")
    login_cmd.add_argument("url", nargs="?", help="default: $PULUMI_BACKEND_URL")
    args = parser.parse_args(argv)

    if args.command == "url":
        print(hetzner_url(args.bucket, args.location))
        return 0
    url = args.url or os.environ.get("PULUMI_BACKEND_URL", "")
    if not url:
        print("state backend: no URL: pass one or set PULUMI_BACKEND_URL", file=sys.stderr)
        return 2
    code, line = login(url, os.environ)
    print(line, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
