"""S3 storages (`/s3-storages`), as app/Http/Controllers/Api/S3StoragesController.php answers them.

Coolify 4.3.0 is the first release with these routes (commit e560bdf9e0, 2026-07-22, tagged from
v4.3.0 on); older versions answer the catch-all 404. Coolify never exposes a storage's `id`, and
shows `key` and `secret` only to `root` / `read:sensitive` tokens (removeSensitiveData()).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from ..context import Ctx
from ..routes import Route
from ..rules import Regex, Rules, api_validate, unknown_fields
from ..serialize import ordered, public
from ..store import Row, new_uuid
from ..versions import S3_STORAGES_SINCE
from ..wire import Response, message, not_allowed, ok
from .projects import DESCRIPTION_PATTERN, NAME_MESSAGES, NAME_PATTERN

FIELDS = frozenset({"name", "description", "endpoint", "bucket", "region", "key", "secret", "is_usable"})
# ValidationPatterns::S3_BUCKET_NAME_PATTERN plus isValidS3BucketName()'s extra checks.
_BUCKET = re.compile(r"\A(?=.{3,63}\Z)[a-z0-9][a-z0-9.-]*[a-z0-9]\Z")
BUCKET_MESSAGE = (
    "The bucket must be a valid S3 bucket name: 3-63 lowercase letters, numbers, dots, or hyphens; start and end "
    "with a letter or number; no consecutive dots, dot-hyphen pairs, or IP address format."
)
NOT_FOUND = "S3 storage not found."
# SafeWebhookUrl::privateTargetMessage(); the settings URL is route('settings.advanced').
PRIVATE_TARGET = (
    "The endpoint points to a local or private address that is not allowed. Configure allowed internal targets: "
    "{base}/settings/advanced#endpoint-section"
)


def _rules(create: bool) -> Rules:
    """store() / update() rules: ValidationPatterns::nameRules() and descriptionRules(), then the S3 fields."""
    need = "required" if create else "nullable"
    rules: Rules = {
        "name": [need, "string", "min:3", "max:255", Regex(NAME_PATTERN)],
        "description": ["nullable", "string", "max:255", Regex(DESCRIPTION_PATTERN)],
        "region": ["required", "string", "max:255"] if create else ["string", "max:255"],
        "key": ["required", "string", "max:255"] if create else ["string", "max:255"],
        "secret": ["required", "string", "max:255"] if create else ["string", "max:255"],
        "is_usable": ["boolean"],
    }
    if create:
        rules["endpoint"] = ["required", "string", "max:255"]
        rules["bucket"] = ["required"]
    else:
        rules["endpoint"] = ["string", "max:255"]
    return rules


def valid_bucket(value: Any) -> bool:
    """ValidationPatterns::isValidS3BucketName()."""
    if not isinstance(value, str) or _BUCKET.match(value) is None:
        return False
    if ".." in value or ".-" in value or "-." in value:
        return False
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return True
    return False


def endpoint_error(ctx: Ctx, value: str) -> str | None:
    """SafeWebhookUrl::validate(): an http(s) URL whose host is public and resolves (only hosts the
    simulator's DNS knows resolve; it never connects)."""
    parts = urlsplit(value)
    if not parts.scheme or not parts.netloc:
        return "The endpoint must be a valid URL."
    if parts.scheme.lower() not in ("http", "https"):
        return "The endpoint must use the http or https scheme."
    host = (parts.hostname or "").lower()
    if not host:
        return "The endpoint must contain a valid host."
    if host.endswith("."):
        return "The endpoint host must not end with a trailing dot."
    private = PRIVATE_TARGET.format(base=ctx.base_url)
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".internal"):
        return private
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        known = ctx.config.s3_dns.get(host)
        if not known:
            return "The endpoint host could not be resolved."
        addresses = [ipaddress.ip_address(ip) for ip in known]
    for address in addresses:
        if address.is_link_local:
            return "The endpoint must not point to link-local addresses."
        if address.is_private or address.is_loopback or address.is_reserved or address.is_unspecified:
            return private
    return None


def _check_body(ctx: Ctx, create: bool) -> Response | None:
    """validateBody(): the rule errors and every field outside the allowed list, in one 422."""
    body = ctx.body()
    errors = api_validate(body, _rules(create), NAME_MESSAGES)
    endpoint = body.get("endpoint")
    if "endpoint" not in errors and isinstance(endpoint, str) and (failure := endpoint_error(ctx, endpoint)):
        errors["endpoint"] = [failure]
    if "bucket" not in errors and "bucket" in body and not valid_bucket(body["bucket"]):
        errors["bucket"] = [BUCKET_MESSAGE]
    extra = unknown_fields(body, FIELDS)
    if errors or extra:
        return not_allowed(extra, errors)
    return None


def storage_payload(row: Row, sensitive: bool) -> dict[str, Any]:
    # `id` is always hidden; `key` and `secret` are $hidden on the model unless the token may read sensitive data.
    return ordered(public(row, ("id",) if sensitive else ("id", "key", "secret")))


def _storage_or_404(ctx: Ctx) -> Row | Response:
    row = ctx.store.s3_storages.get(ctx.params["uuid"])
    if row is None or row["team_id"] != ctx.team_id:
        return message(404, NOT_FOUND)
    return row


def list_storages(ctx: Ctx) -> Response:
    # ownedByCurrentTeamAPI() orders by name.
    rows = sorted((r for r in ctx.store.s3_storages.values() if r["team_id"] == ctx.team_id), key=lambda r: r["name"])
    return ok([storage_payload(r, ctx.can_read_sensitive) for r in rows])


def show_storage(ctx: Ctx) -> Response:
    row = _storage_or_404(ctx)
    if isinstance(row, Response):
        return row
    return ok(storage_payload(row, ctx.can_read_sensitive))


def create_storage(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    if failure := _check_body(ctx, create=True):
        return failure
    body = ctx.body()
    row: Row = {
        "uuid": new_uuid(),
        "name": body["name"],
        "description": body.get("description"),
        "endpoint": body["endpoint"],
        "bucket": body["bucket"],
        "region": body["region"],
        "key": body["key"],
        "secret": body["secret"],
        "is_usable": bool(body.get("is_usable", False)),
        "unusable_email_sent": False,
        "path": None,
        "team_id": ctx.team_id,
    }
    ctx.store.insert("s3_storages", row)
    return ok({"uuid": row["uuid"]}, 201)


def update_storage(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    # The body is validated before the storage is looked up.
    if failure := _check_body(ctx, create=False):
        return failure
    row = _storage_or_404(ctx)
    if isinstance(row, Response):
        return row
    row.update({k: v for k, v in ctx.body().items() if k in FIELDS})
    ctx.store.touch(row)
    return ok({"uuid": row["uuid"]})


def delete_storage(ctx: Ctx) -> Response:
    row = _storage_or_404(ctx)
    if isinstance(row, Response):
        return row
    # S3Storage::boot() `deleting`: backups that used it stop saving to S3.
    for backup in ctx.store.backups.values():
        if backup.get("s3_storage_id") == row["id"]:
            backup.update(save_s3=False, s3_storage_id=None)
    del ctx.store.s3_storages[row["uuid"]]
    return message(200, "S3 storage deleted.")


def validate_storage(ctx: Ctx) -> Response:
    row = _storage_or_404(ctx)
    if isinstance(row, Response):
        return row
    # S3Storage::testConnection(shouldSave: true): a ListObjectsV2 on the bucket; is_usable is saved either way.
    error = endpoint_error(ctx, row["endpoint"])
    if error is None:
        host = (urlsplit(row["endpoint"]).hostname or "").lower()
        account = ctx.config.s3_buckets.get((host, row["bucket"]))
        # Stand-ins for the S3 SDK's error text (the real message names the failing ListObjectsV2 call).
        if account is None:
            error = f'Error executing "ListObjectsV2" on "{row["endpoint"]}/{row["bucket"]}": NoSuchBucket'
        elif account != (row["key"], row["secret"]):
            error = f'Error executing "ListObjectsV2" on "{row["endpoint"]}/{row["bucket"]}": InvalidAccessKeyId'
    else:
        error = f"S3 endpoint is not allowed: {error}"
    row["is_usable"] = error is None
    ctx.store.touch(row)
    return ok({"valid": error is None, "message": "S3 storage connection is valid." if error is None else error})


def storage_for_backup(ctx: Ctx, uuid: str) -> Row | None:
    return next((r for r in ctx.store.s3_storages.values() if r["uuid"] == uuid and r["team_id"] == ctx.team_id),
                None)


def storage_exists(ctx: Ctx, uuid: str) -> bool:
    """The `exists:s3_storages,uuid` rule: any team's storage."""
    return uuid in ctx.store.s3_storages


# routes/api.php, each with its api.ability middleware.
ROUTES = [
    Route("GET", "/s3-storages", "read", list_storages, since=S3_STORAGES_SINCE),
    Route("POST", "/s3-storages", "write", create_storage, since=S3_STORAGES_SINCE),
    Route("GET", "/s3-storages/{uuid}", "read", show_storage, since=S3_STORAGES_SINCE),
    Route("PATCH", "/s3-storages/{uuid}", "write", update_storage, since=S3_STORAGES_SINCE),
    Route("DELETE", "/s3-storages/{uuid}", "write", delete_storage, since=S3_STORAGES_SINCE),
    Route("POST", "/s3-storages/{uuid}/validate", "write", validate_storage, since=S3_STORAGES_SINCE),
]
