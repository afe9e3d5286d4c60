"""A minimal OCI registry stand-in for digest resolution: manifest HEAD/GET behind a GHCR-like token flow.

It serves what pulumi-docker's `get_registry_image` (kreuzwerker provider) asks of a registry:
`HEAD /v2/<name>/manifests/<tag>` answering `Docker-Content-Digest`, after a 401 challenge
`WWW-Authenticate: Bearer realm="<base>/token",service="sim-registry",scope="repository:<name>:pull"`
and a token from `GET /token` with Basic `user:password`. Images are seeded with `push_image()`,
which returns the digest (sha256 of the exact manifest bytes). Errors use the distribution
`{"errors": [{"code", "message", "detail"}]}` shape. Blob upload is not simulated.

Standalone: `python -m tests.simulators.registry --port 0 --image penpal-ai/api:main`.
"""

from tests.simulators.registry.simulator import RegistrySimulator

__all__ = ["RegistrySimulator"]
