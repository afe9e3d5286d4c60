"""`load_config()`: reads the whole stack config once, validates it, returns the typed StackConfig.

Every `penpal:` key the stack has is validated, known or not, so a typo such as `penpal:servces`
fails the run instead of becoming an empty list (and a preview full of deletes). Keys of other
namespaces are read only where we use them (`github:`, `hcloud:`, `coolify:`); the rest belong to
their providers.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pulumi
from pydantic import ValidationError

from components.config.errors import Problem, missing_hint, problems_of, rule_problems, top_level_order
from components.config.schema import (
    Doc,
    HealthCheckInput,
    ServiceInput,
    StackInput,
    cross_key_problems_of,
    from_json,
)
from components.config.values import (
    PROJECT_NAMESPACE,
    ApiTokens,
    ConfigError,
    Environment,
    GhcrLoginConfig,
    MongoConfig,
    MongoS3Config,
    ServerConfig,
    ServiceConfig,
    SshTargetConfig,
    StackConfig,
)
from components.reachability_config import DnsConfig, HealthCheckConfig, read_ca_bundle
from components.tokens import PROVIDER_TOKENS, named_by_variable, resolve_token

_NAMESPACE = f"{PROJECT_NAMESPACE}:"


def _engine_config() -> dict[str, Any]:
    """Every config value the engine passed to the program (the SDK keeps the whole map)."""
    values = dict(pulumi.runtime.config.get_config_env())
    values.update(pulumi.runtime.config.CONFIG.get())
    return values


def _our_keys(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every `penpal:` key plus the other namespaces' keys StackInput reads; "" counts as unset."""
    known = {field.alias for field in StackInput.model_fields.values()}
    return {
        key: value
        for key, value in values.items()
        if (key.startswith(_NAMESPACE) or key in known) and value is not None and value != ""
    }


def _json_keys() -> set[str]:
    """Keys whose values are objects or lists (the engine passes them as JSON text)."""
    return {
        field.alias
        for field in StackInput.model_fields.values()
        if field.alias and any(getattr(item, "func", None) is from_json for item in field.metadata)
    }


def _decoded(raw: dict[str, Any]) -> dict[str, Any]:
    """JSON text decoded up front, so problems show the value as written; bad JSON is left to the schema."""
    result = dict(raw)
    for key in _json_keys() & set(raw):
        if isinstance(raw[key], str):
            with contextlib.suppress(json.JSONDecodeError):
                result[key] = json.loads(raw[key])
    return result


def _secret_docs() -> dict[str, Doc]:
    docs: dict[str, Doc] = {}
    for field in StackInput.model_fields.values():
        for item in field.metadata:
            if isinstance(item, Doc) and item.secret and field.alias:
                docs[field.alias] = item
    return docs


def _plain_text_secrets(raw: dict[str, Any]) -> list[Problem]:
    """A secret key stored in plain text is refused (and dropped, so it is not reported twice)."""
    found: list[Problem] = []
    for key, doc in _secret_docs().items():
        if key in raw and not pulumi.runtime.is_config_secret(key):
            del raw[key]
            text = f"{key} must be stored as a secret: {missing_hint(key, doc)}"
            found.append(Problem(order=(top_level_order(key), -1, 0), text=text))
    return found


def _plain_text_bucket_keys(raw: Mapping[str, Any]) -> list[Problem]:
    """`penpal:mongo.s3`'s keys are set with `--secret --path`, which makes all of `penpal:mongo` a secret."""
    mongo = raw.get("penpal:mongo")
    s3 = mongo.get("s3") if isinstance(mongo, Mapping) else None
    if not isinstance(s3, Mapping) or not ({"accessKey", "secretKey"} & set(s3)):
        return []
    if pulumi.runtime.is_config_secret("penpal:mongo"):
        return []
    key = "penpal:mongo.s3"
    text = (f"{key}.accessKey and {key}.secretKey must be stored as secrets: "
            f"pulumi config set --secret --path '{key}.secretKey' <value> (and the same for accessKey)")
    return [Problem(order=(top_level_order("penpal:mongo"), -1, 0), text=text)]


def _environment_of(raw: Mapping[str, Any]) -> Environment | None:
    try:
        return Environment(str(raw.get("penpal:environment")))
    except ValueError:
        return None


def _tokens_from_environment(
    raw: dict[str, Any], configured: Mapping[str, Any], environ: Mapping[str, str]
) -> dict[str, str]:
    """Each provider token the stack config does not set, from its environment variable; returns key -> variable.

    A token the config sets (even in plain text, which is reported) is never replaced by the environment's.
    """
    taken: dict[str, str] = {}
    for source in PROVIDER_TOKENS:
        resolved = resolve_token(source, configured, environ)
        if resolved is not None and resolved.from_environment:
            raw[source.key] = resolved.value
            taken[source.key] = source.variable
    return taken


def _named_by_variable(problem: Problem, taken: Mapping[str, str]) -> Problem:
    return Problem(problem.order, named_by_variable(problem.text, taken))


def _reported(problem: Problem, dropped: set[str]) -> bool:
    """A secret stored in plain text is not also "required"."""
    return " is required " in problem.text and problem.text.split(" ", 1)[0] in dropped


def _invalid_keys(err: ValidationError, raw: Mapping[str, Any]) -> set[str]:
    """The top-level keys that failed, and the unset keys an unknown key may be a misspelling of."""
    failed = {str(error["loc"][0]) for error in err.errors() if error["loc"]}
    unset = [field.alias for field in StackInput.model_fields.values() if field.alias and field.alias not in raw]
    for error in err.errors():
        if error["type"] == "extra_forbidden" and len(error["loc"]) == 1:
            # The same likeness as the "did you mean" of the unknown key's message (errors.py).
            failed.update(difflib.get_close_matches(str(error["loc"][0]), unset, n=1, cutoff=0.6))
    return failed


def validate(values: Mapping[str, Any], stack: str, environ: Mapping[str, str] | None = None) -> StackInput:
    """Validates the engine's config map, provider tokens it lacks taken from `environ` (default: os.environ).

    Raises ConfigError listing every problem.
    """
    raw = _decoded(_our_keys(values))
    configured = dict(raw)
    problems = _plain_text_secrets(raw) + _plain_text_bucket_keys(raw)
    dropped = {problem.text.split(" ", 1)[0] for problem in problems}
    taken = _tokens_from_environment(raw, configured, os.environ if environ is None else environ)
    # A dropped secret would look missing to the rules across keys: they wait for the next run.
    context = {"stack": stack, "environment": _environment_of(raw), "partial": bool(dropped)}
    parsed: StackInput | None = None
    invalid = {key.split(".")[0] for key in dropped}
    try:
        parsed = StackInput.model_validate(raw, context=context)
    except ValidationError as err:
        problems += [_named_by_variable(p, taken) for p in problems_of(err.errors()) if not _reported(p, dropped)]
        invalid |= _invalid_keys(err, raw)
    if invalid:
        # Pydantic ran no rule across keys (a field failed) or they waited (a dropped secret): run them on
        # the keys that are valid, so that one mistake does not hide another until it is fixed.
        problems += [_named_by_variable(p, taken) for p in rule_problems(cross_key_problems_of(raw, invalid, context))]
    if problems or parsed is None:
        raise ConfigError([p.text for p in sorted(problems, key=lambda p: p.order)])
    return parsed


def _service(service: ServiceInput, secrets: Mapping[str, Mapping[str, str]]) -> ServiceConfig:
    values = secrets.get(service.name, {})
    return ServiceConfig(
        name=service.name,
        image=service.image or service.name,
        port=service.port,
        repo=service.repo or service.name,
        tag_override=service.tag,
        env=MappingProxyType(dict(service.env)),
        secret_env=MappingProxyType({key: pulumi.Output.secret(values[key]) for key in service.secret_env}),
        write_workflow=service.write_workflow,
        node_version=service.node_version,
    )


def _health_check(health: HealthCheckInput) -> HealthCheckConfig:
    ca_pem, _ = read_ca_bundle(health.ca_bundle) if health.ca_bundle else (None, None)
    return HealthCheckConfig(
        path=health.path,
        timeout_s=float(health.timeout_seconds),
        interval_s=float(health.interval_seconds),
        expected_status=health.expected_status,
        resolve=MappingProxyType({host.lower().rstrip("."): target for host, target in health.resolve.items()}),
        ca_bundle_pem=ca_pem,
    )


def _mongo_s3(parsed: StackInput) -> MongoS3Config | None:
    s3 = parsed.mongo.s3
    if s3 is None:
        return None
    return MongoS3Config(
        endpoint=s3.endpoint,
        bucket=s3.bucket,
        region=s3.region.strip(),
        retention=s3.retention,
        access_key=pulumi.Output.secret(s3.access_key.strip()),
        secret_key=pulumi.Output.secret(s3.secret_key.strip()),
    )
def _ghcr_login(parsed: StackInput) -> GhcrLoginConfig | None:
    if parsed.ghcr_username is None or parsed.ghcr_token is None:
        return None
    target = parsed.ghcr_login_ssh
    override = SshTargetConfig(target.host.strip(), target.port, target.user) if target is not None else None
    return GhcrLoginConfig(parsed.ghcr_username, pulumi.Output.secret(parsed.ghcr_token.strip()), override)


def load_config(environ: Mapping[str, str] | None = None) -> StackConfig:
    """Reads and validates the whole stack configuration; raises ConfigError listing every problem.

    The provider tokens the stack config does not set come from `environ` (default: os.environ).
    """
    configured = _engine_config()
    parsed = validate(configured, pulumi.get_stack(), environ)
    from_environment = {
        source.key: source.variable
        for source in PROVIDER_TOKENS
        if (token := resolve_token(source, configured, environ)) is not None and token.from_environment
    }
    return StackConfig(
        environment=parsed.environment,
        domain_base=parsed.domain_base,
        github_owner=parsed.github_owner,
        image_owner=(parsed.image_owner or parsed.github_owner).lower(),
        coolify_url=parsed.coolify_url,
        coolify_token=pulumi.Output.secret(parsed.coolify_token),
        deploy_token=pulumi.Output.secret(parsed.deploy_token),
        api_tokens=ApiTokens(
            coolify=parsed.coolify_token,
            hcloud=parsed.hcloud_token,
            github=parsed.github_token,
            deploy=parsed.deploy_token,
            from_environment=MappingProxyType(from_environment),
        ),
        server=ServerConfig(
            server_type=parsed.server.type,
            location=parsed.server.location,
            image=parsed.server.image,
            volume_size_gb=parsed.server.volume_size_gb,
        ),
        admin_cidrs=tuple(parsed.admin_cidrs),
        ssh_public_key=parsed.ssh_public_key,
        ssh_private_key=pulumi.Output.secret(parsed.ssh_private_key),
        mongo=MongoConfig(
            version=parsed.mongo.version,
            backup_cron=parsed.mongo.backup_cron,
            backup_retention=parsed.mongo.backup_retention,
            s3=_mongo_s3(parsed),
        ),
        mongo_root_password=pulumi.Output.secret(parsed.mongo_root_password),
        services=tuple(_service(service, parsed.service_secrets) for service in parsed.services),
        resolve_digests=parsed.resolve_digests,
        dns=DnsConfig(zone=parsed.dns_zone or parsed.domain_base, ttl=parsed.dns.ttl, manage=parsed.dns.manage),
        health_check=_health_check(parsed.health_check),
        allow_prod_replacement=parsed.allow_prod_replacement,
        mongo_root_password_rotated=parsed.mongo_root_password_rotated,
        ghcr_login=_ghcr_login(parsed),
    )
