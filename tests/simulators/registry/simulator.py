"""`RegistrySimulator`: `/v2/` manifests with Bearer-token auth, for registry digest lookups."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterable
from typing import Any

from tests.simulators.http_core import Request, Response, Route, SimulatorBase

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
SERVICE = "sim-registry"


def _errors(status: int, code: str, message: str, detail: Any = None) -> Response:
    return Response(status, {"errors": [{"code": code, "message": message, "detail": detail}]})


class RegistrySimulator(SimulatorBase):
    def __init__(self, username: str = "penpal-bot", password: str = "ghp_registry_simulator",
                 anonymous_pull: bool = False, host: str = "127.0.0.1", port: int = 0) -> None:
        self.username = username
        self.password = password
        self.anonymous_pull = anonymous_pull
        self._tokens: set[str] = set()
        self._manifests: dict[str, dict[str, bytes]] = {}  # repository -> reference (tag or digest) -> bytes
        super().__init__(host, port)

    def routes(self) -> Iterable[Route]:
        return [
            Route("GET", "/v2/", self.version_check),
            Route("GET", "/token", self.token),
            Route("HEAD", "/v2/{name+}/manifests/{reference}", self.manifest),
            Route("GET", "/v2/{name+}/manifests/{reference}", self.manifest),
        ]

    def error_response(self, status: int, message: str) -> Response:
        return _errors(status, "UNKNOWN" if status >= 500 else "DENIED", message)

    def not_found_response(self, request: Request) -> Response:
        return _errors(404, "NAME_UNKNOWN", "repository name not known to registry")

    def common_headers(self) -> dict[str, str]:
        return {"Docker-Distribution-Api-Version": "registry/2.0"}

    # --- auth ---------------------------------------------------------------------------------------
    def _challenge(self, request: Request, scope: str | None) -> Response:
        realm = f"http://{request.headers.get('host', '127.0.0.1')}/token"
        value = f'Bearer realm="{realm}",service="{SERVICE}"' + (f',scope="{scope}"' if scope else "")
        response = _errors(401, "UNAUTHORIZED", "authentication required")
        response.headers["WWW-Authenticate"] = value
        return response

    def _authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token in self._tokens

    def token(self, request: Request) -> Response:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(encoded).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                user, password = "", ""
            if (user, password) != (self.username, self.password):
                return _errors(401, "UNAUTHORIZED", "authentication required")
        elif not self.anonymous_pull:
            return _errors(401, "UNAUTHORIZED", "authentication required")
        issued = secrets.token_urlsafe(24)
        self._tokens.add(issued)
        return Response(200, {"token": issued})

    # --- API ----------------------------------------------------------------------------------------
    def version_check(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._challenge(request, "repository:user/image:pull")
        return Response(200, {})

    def manifest(self, request: Request) -> Response:
        name, reference = request.params["name"], request.params["reference"]
        if not self._authorized(request):
            return self._challenge(request, f"repository:{name}:pull")
        stored = self._manifests.get(name, {}).get(reference)
        if stored is None:
            return _errors(404, "MANIFEST_UNKNOWN", "manifest unknown", {"name": name, "reference": reference})
        digest = "sha256:" + hashlib.sha256(stored).hexdigest()
        return Response(200, stored, {"Content-Type": OCI_INDEX, "Docker-Content-Digest": digest,
                                      "ETag": f'"{digest}"'})

    # --- seeding and inspection ---------------------------------------------------------------------
    def push_image(self, repository: str, tag: str, manifest: bytes | None = None) -> str:
        """Store (or move) `repository:tag`; returns its digest. Without `manifest`, a unique index is made."""
        body = manifest or json.dumps({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "digest": "sha256:" + hashlib.sha256(f"{repository}:{tag}:{secrets.token_hex(8)}"
                                                               .encode()).hexdigest(),
                           "size": 1024, "platform": {"architecture": "amd64", "os": "linux"}}],
        }, separators=(",", ":")).encode()
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        with self.lock:
            references = self._manifests.setdefault(repository, {})
            references[tag] = body
            references[digest] = body
        return digest

    def digest_of(self, repository: str, tag: str) -> str | None:
        with self.lock:
            stored = self._manifests.get(repository, {}).get(tag)
        return "sha256:" + hashlib.sha256(stored).hexdigest() if stored is not None else None
