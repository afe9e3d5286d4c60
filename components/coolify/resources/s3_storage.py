"""An S3-compatible storage registered in Coolify (e.g. Hetzner Object Storage), for database backups.

Created through `/s3-storages` (Coolify 4.3.0 or newer), adopted by name, and validated by Coolify
(a ListObjectsV2 on the bucket) after every create or change: a storage Coolify cannot list is an
error here, not a backup that silently never leaves the server.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from ..client import CoolifyError, NotFoundError
from ..provider import CoolifyProvider
from ._check import PROJECT_NAME, Checker
from ._diff import FieldRule, text_or_none
from ._resource import args_to_props, with_secret_outputs

# ValidationPatterns::S3_BUCKET_NAME_PATTERN and isValidS3BucketName() (no "..", ".-", "-.", no IPv4 form).
BUCKET = re.compile(r"\A(?=.{3,63}\Z)[a-z0-9][a-z0-9.-]*[a-z0-9]\Z")
IPV4 = re.compile(r"\A\d{1,3}(\.\d{1,3}){3}\Z")
PLAIN = ("name", "description", "endpoint", "bucket", "region")
CREDENTIALS = {"access_key": "key", "secret_key": "secret"}


class S3StorageInvalidError(CoolifyError):
    """Coolify could not list the bucket with these settings."""


@dataclass(frozen=True)
class S3StorageArgs:
    name: pulumi.Input[str]
    """Name, unique in the team; an existing storage with this name is adopted (3-255 characters)."""
    endpoint: pulumi.Input[str]
    """https URL of the S3 endpoint, e.g. `https://fsn1.your-objectstorage.com` (Hetzner, Falkenstein)."""
    bucket: pulumi.Input[str]
    region: pulumi.Input[str]
    access_key: pulumi.Input[str]
    """Secret."""
    secret_key: pulumi.Input[str]
    """Secret."""
    description: pulumi.Input[str] | None = None


def _endpoint(value: Any) -> Any:
    # S3Storage::endpoint() trims; a trailing slash names the same endpoint.
    text = text_or_none(value)
    return text.rstrip("/") if isinstance(text, str) else text


class S3StorageProvider(CoolifyProvider):
    field_rules = (
        FieldRule("name", text_or_none),
        FieldRule("description", text_or_none),
        FieldRule("endpoint", _endpoint),
        FieldRule("bucket", text_or_none),
        FieldRule("region", text_or_none),
        FieldRule("access_key", text_or_none),
        FieldRule("secret_key", text_or_none),
    )

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = Checker(news)
        if checker.required_text("name", min_length=3) is not None:
            checker.pattern("name", PROJECT_NAME, "letters, digits, spaces and - _ . / @ & ( ) # , : +")
        checker.optional_text("description")
        endpoint = checker.required_text("endpoint")
        if endpoint is not None:
            parts = urlsplit(endpoint)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
                checker.fail("endpoint", f"must be an http(s) URL with no path, such as "
                                         f"'https://fsn1.your-objectstorage.com', got {endpoint!r}")
        bucket = checker.required_text("bucket")
        if bucket is not None and (not BUCKET.match(bucket) or ".." in bucket or ".-" in bucket or "-." in bucket
                                   or IPV4.match(bucket)):
            checker.fail("bucket", f"must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens), "
                                   f"got {bucket!r}")
        checker.required_text("region")
        checker.required_text("access_key")
        checker.required_text("secret_key")
        return CheckResult(news, checker.failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        storages = self.client.s3_storages
        name = str(props["name"]).strip()
        existing = next((s for s in storages.list() if s.get("name") == name), None)
        if existing is not None:
            uuid = str(existing["uuid"])
            # Credentials are hidden without read:sensitive: always set ours on an adopted storage.
            storages.update(uuid, _body(props, [*PLAIN, *CREDENTIALS]))
        else:
            uuid = storages.create(_body(props, [*PLAIN, *CREDENTIALS]))
        self._validate(uuid, name)
        return CreateResult(uuid, self._outs(uuid, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return self.read_or_gone(id_, lambda: self._outs(id_, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        changed = self.changed_fields(olds, news)
        if changed:
            self.client.s3_storages.update(id_, _body(news, changed))
            self._validate(id_, str(news["name"]))
        return UpdateResult(self._outs(id_, news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        with contextlib.suppress(NotFoundError):  # already gone
            self.client.s3_storages.delete(id_)

    def _validate(self, uuid: str, name: str) -> None:
        valid, message = self.client.s3_storages.validate(uuid)
        if not valid:
            raise S3StorageInvalidError(
                f"S3 storage {name!r}: Coolify cannot list the bucket with these settings ({message}). "
                "Check endpoint, bucket, region and keys; backups would not leave the server."
            )

    def _outs(self, uuid: str, props: dict[str, Any]) -> dict[str, Any]:
        storage = self.client.s3_storages.get(uuid)
        return {
            "uuid": uuid,
            "name": storage.get("name"),
            "description": storage.get("description"),
            "endpoint": storage.get("endpoint"),
            "bucket": storage.get("bucket"),
            "region": storage.get("region"),
            # Hidden without read:sensitive and never compared with the API: the values last applied.
            "access_key": props.get("access_key"),
            "secret_key": props.get("secret_key"),
            "is_usable": bool(storage.get("is_usable")),
        }


def _body(props: dict[str, Any], keys: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key in keys:
        if props.get(key) is None:
            continue
        value = str(props[key]).strip()
        body[CREDENTIALS.get(key, key)] = _endpoint(value) if key == "endpoint" else value
    return body


class S3Storage(Resource, module="coolify", name="S3Storage"):
    """An S3 storage in Coolify (`pulumi-python:dynamic/coolify:S3Storage`); keys are secrets in state."""

    uuid: pulumi.Output[str]
    is_usable: pulumi.Output[bool]

    def __init__(self, resource_name: str, args: S3StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = args_to_props(args, "is_usable")
        props["access_key"] = pulumi.Output.secret(args.access_key)
        props["secret_key"] = pulumi.Output.secret(args.secret_key)
        super().__init__(
            S3StorageProvider(), resource_name, props, with_secret_outputs(opts, "access_key", "secret_key")
        )
