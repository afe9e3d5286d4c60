"""A real S3 server on 127.0.0.1 for the state-backend tests: versitygw with its POSIX backend.

versitygw serves the sub-folders of one directory as S3 buckets (object `a/b` of bucket `x` is the file
`<root>/x/a/b`). `make setup` installs it (tools/install_versitygw.sh) into the toolchain cache. The
credentials reach the gateway and its admin CLI through the environment, never a command line.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import urlencode

from tests.harness.tools import require_tool

REGION = "fsn1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class VersityGateway:
    """`versitygw posix <root>` on 127.0.0.1, with one root account; a context manager."""

    def __init__(self, root: Path, access_key: str = "penpal-state-key", secret_key: str = "penpal-state-secret-0123"):
        self.root = root
        self.access_key = access_key
        self.secret_key = secret_key
        self.port = _free_port()
        self.log = root.parent / "versitygw.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def backend_url(self, bucket: str) -> str:
        """The `pulumi login` URL of `bucket`: gocloud.dev s3blob with a custom endpoint and path-style addressing."""
        query = urlencode({"endpoint": self.endpoint, "region": REGION, "s3ForcePathStyle": "true"})
        return f"s3://{bucket}?{query}"

    def credentials(self, access_key: str | None = None, secret_key: str | None = None) -> dict[str, str]:
        """The AWS SDK environment a client of this gateway needs."""
        return {
            "AWS_ACCESS_KEY_ID": access_key or self.access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key or self.secret_key,
            "AWS_REGION": REGION,
            # No shared config or instance metadata lookups on this machine.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "ROOT_ACCESS_KEY_ID": self.access_key,
            "ROOT_SECRET_ACCESS_KEY": self.secret_key,
        }
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                [str(require_tool("versitygw")), "--port", f"127.0.0.1:{self.port}", "--region", REGION, "--quiet",
                 "posix", str(self.root)],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"versitygw exited at start ({self._process.returncode}): {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"versitygw did not listen on 127.0.0.1:{self.port} within 30 s")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def create_bucket(self, bucket: str) -> None:
        """CreateBucket through the gateway's admin API (`versitygw admin create-bucket`)."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "ADMIN_ACCESS_KEY_ID": self.access_key,
            "ADMIN_SECRET_ACCESS_KEY": self.secret_key,
            "ADMIN_REGION": REGION,
            "ADMIN_ENDPOINT_URL": self.endpoint,
        }
        completed = subprocess.run(
            [str(require_tool("versitygw")), "admin", "create-bucket", "--bucket", bucket, "--owner", self.access_key],
            env=env, capture_output=True, text=True, check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"create-bucket {bucket} failed: {completed.stdout}{completed.stderr}")

    def objects(self, bucket: str) -> list[str]:
        """The object keys of `bucket`, read from the POSIX backend's folder (independently of any client)."""
        base = self.root / bucket
        return sorted(str(path.relative_to(base)) for path in base.rglob("*") if path.is_file())

    def __enter__(self) -> VersityGateway:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
