"""The environment's dedicated MongoDB, run by Coolify on the environment's host, with its backups
kept on the host and, when configured (always in production), uploaded to an S3 bucket as well."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pulumi

from components.config import Environment, MongoS3Config
from components.coolify import MongoDatabase, MongoDatabaseArgs, S3Storage, S3StorageArgs


@dataclass(frozen=True)
class MongoDbArgs:
    environment: Environment
    project_uuid: pulumi.Input[str]
    environment_name: pulumi.Input[str]
    server_uuid: pulumi.Input[str]
    root_password: pulumi.Input[str]
    """Secret; only URI-unreserved characters, because Coolify embeds it unescaped in the URL."""
    image: str = "mongo:7"
    backup_cron: str | None = None
    backup_retention: int | None = None
    root_password_rotated: bool = False
    """The new root password was set inside MongoDB first (see README, "Production safety")."""
    backup_s3: MongoS3Config | None = None
    """Also upload each backup to this bucket (through an S3 storage registered in Coolify)."""


class MongoDb(pulumi.ComponentResource):
    """One MongoDB per environment. In production it is protected and kept if removed from the program."""

    TYPE = "penpal:infra:MongoDb"

    uuid: pulumi.Output[str]
    internal_url: pulumi.Output[str]

    def __init__(self, name: str, args: MongoDbArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        is_production = args.environment is Environment.PRODUCTION
        storage_uuid: pulumi.Output[str] | None = None
        if args.backup_s3 is not None:
            storage = S3Storage(
                f"{name}-backup-storage",
                S3StorageArgs(
                    name=f"penpal-{args.environment.value}-mongodb-backups",
                    endpoint=args.backup_s3.endpoint,
                    bucket=args.backup_s3.bucket,
                    region=args.backup_s3.region,
                    access_key=args.backup_s3.access_key,
                    secret_key=args.backup_s3.secret_key,
                    description="MongoDB backups, managed by Pulumi",
                ),
                # Deleting it would silently turn off the off-server copies (Coolify sets save_s3 false).
                opts=pulumi.ResourceOptions(parent=self, protect=is_production),
            )
            storage_uuid = storage.uuid
        database = MongoDatabase(
            f"{name}-database",
            MongoDatabaseArgs(
                name=f"penpal-{args.environment.value}-mongodb",
                project_uuid=args.project_uuid,
                environment_name=args.environment_name,
                server_uuid=args.server_uuid,
                root_password=pulumi.Output.secret(args.root_password),
                image=args.image,
                backup_cron=args.backup_cron,
                backup_retention=args.backup_retention,
                root_password_rotated=args.root_password_rotated,
                backup_s3_storage_uuid=storage_uuid,
                backup_retention_s3=args.backup_s3.retention if args.backup_s3 else None,
            ),
            # Production data outlives mistakes: no delete through Pulumi, and kept if dropped from the program.
            opts=pulumi.ResourceOptions(parent=self, protect=is_production, retain_on_delete=is_production),
        )
        self.uuid = database.uuid
        self.internal_url = pulumi.Output.secret(database.internal_url)
        self.register_outputs({"uuid": self.uuid, "internal_url": self.internal_url})


def database_uri(internal_url: str, database: str) -> str:
    """The server's URL with `database` as the default database, still authenticating as root.

    A database in the path also becomes the auth source by default, but Coolify's root user lives
    in `admin`, so `authSource=admin` is added unless the URL already names one.
    """
    parts = urlsplit(internal_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(key == "authSource" for key, _ in query):
        query.append(("authSource", "admin"))
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", urlencode(query, safe="/"), parts.fragment))
