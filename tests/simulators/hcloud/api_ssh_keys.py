"""`/v1/ssh_keys`: create, get, list (name/fingerprint/label_selector), update, delete."""

from __future__ import annotations

import base64
import binascii
import hashlib

from tests.simulators.hcloud.clock import now_iso
from tests.simulators.hcloud.common import body, name_taken, require_str, row
from tests.simulators.hcloud.errors import invalid_input, uniqueness_error
from tests.simulators.hcloud.labels import validated_labels
from tests.simulators.hcloud.listing import filtered, page_response
from tests.simulators.hcloud.store import HcloudStore
from tests.simulators.hcloud.views import ssh_key_view
from tests.simulators.http_core import Request, Response, Route


def fingerprint_of(public_key: str) -> str:
    """The MD5 fingerprint of the key blob, as `aa:bb:...`; invalid keys are rejected."""
    parts = public_key.split()
    if len(parts) < 2:
        raise invalid_input("public_key", "invalid public key")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise invalid_input("public_key", "invalid public key") from None
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


class SshKeyApi:
    def __init__(self, store: HcloudStore) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/v1/ssh_keys", self.list),
            Route("POST", "/v1/ssh_keys", self.create),
            Route("GET", "/v1/ssh_keys/{id}", self.get),
            Route("PUT", "/v1/ssh_keys/{id}", self.update),
            Route("DELETE", "/v1/ssh_keys/{id}", self.delete),
        ]

    def list(self, request: Request) -> Response:
        items = [ssh_key_view(key) for key in self.store.ssh_keys.values()]
        fingerprint = request.arg("fingerprint")
        if fingerprint is not None:
            items = [item for item in items if item["fingerprint"] == fingerprint]
        return page_response(request, "ssh_keys", filtered(request, items))

    def create(self, request: Request) -> Response:
        data = body(request)
        name = require_str(data, "name")
        public_key = require_str(data, "public_key")
        labels = validated_labels(data.get("labels"))
        fingerprint = fingerprint_of(public_key)
        if name_taken(self.store, "ssh_key", name):
            raise uniqueness_error("name", "SSH key with the same name already exists")
        if any(key["fingerprint"] == fingerprint for key in self.store.ssh_keys.values()):
            raise uniqueness_error("public_key", "SSH key with the same fingerprint already exists")
        key_id = self.store.next_id("ssh_key")
        key = {"id": key_id, "name": name, "public_key": public_key, "fingerprint": fingerprint,
               "labels": labels, "created": now_iso()}
        self.store.ssh_keys[key_id] = key
        return Response(201, {"ssh_key": ssh_key_view(key)})

    def get(self, request: Request) -> Response:
        return Response(200, {"ssh_key": ssh_key_view(row(self.store, "ssh_key", request))})

    def update(self, request: Request) -> Response:
        key = row(self.store, "ssh_key", request)
        data = body(request)
        if data.get("name"):
            if name_taken(self.store, "ssh_key", data["name"], except_id=key["id"]):
                raise uniqueness_error("name", "SSH key with the same name already exists")
            key["name"] = data["name"]
        if "labels" in data:
            key["labels"] = validated_labels(data["labels"])
        return Response(200, {"ssh_key": ssh_key_view(key)})

    def delete(self, request: Request) -> Response:
        key = row(self.store, "ssh_key", request)
        del self.store.ssh_keys[key["id"]]
        return Response(204)
