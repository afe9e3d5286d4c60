"""Applications from a Docker image: create, list, get, update, async delete, start/stop/restart (notes §8)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..context import Ctx
from ..deployments import new_deployment_uuid, queue_deployment
from ..models import application_row
from ..routes import Route
from ..rules import OneOf, Regex, Rules, api_validate, merge_not_allowed, unknown_fields, validate
from ..serialize import application_payload
from ..store import Row
from ..versions import (
    APPLICATION_FIELD_SINCE,
    PORTS_EXPOSES_OPTIONAL_SINCE,
    at_least,
    fields_unknown_to,
)
from ..wire import Response, is_base64, message, ok, parse_bool, validation_failed

SETTING_FIELDS = (
    "is_git_submodules_enabled", "is_git_lfs_enabled", "is_git_shallow_clone_enabled", "disable_build_cache",
    "inject_build_args_to_dockerfile", "include_source_commit_in_build", "is_env_sorting_enabled",
    "is_pr_deployments_public_enabled", "stop_grace_period", "docker_images_to_keep", "is_gzip_enabled",
    "is_stripprefix_enabled", "is_raw_compose_deployment_enabled", "is_log_drain_enabled", "is_gpu_enabled",
    "gpu_driver", "gpu_count", "gpu_device_ids", "gpu_options", "is_consistent_container_name_enabled",
    "custom_internal_name",
)
# Settings that live on application_settings but are sent as top-level request fields.
EXTRA_SETTING_FIELDS = {
    "is_force_https_enabled": "is_force_https_enabled",
    "is_preview_deployments_enabled": "is_preview_deployments_enabled",
    "connect_to_docker_network": "connect_to_docker_network",
    "use_build_server": "is_build_server_enabled",
    "use_build_secrets": "use_build_secrets",
    "is_container_label_escape_enabled": "is_container_label_escape_enabled",
    "is_preserve_repository_enabled": "is_preserve_repository_enabled",
    "is_static": "is_static",
    "is_spa": "is_spa",
    "is_auto_deploy_enabled": "is_auto_deploy_enabled",
}
CREATE_FIELDS = frozenset({
    "project_uuid", "environment_name", "environment_uuid", "server_uuid", "destination_uuid", "type", "name",
    "description", "is_static", "is_spa", "is_auto_deploy_enabled", "is_force_https_enabled",
    "is_preview_deployments_enabled", "domains", "noindex_domains", "git_repository", "git_branch", "git_commit_sha",
    "private_key_uuid", "docker_registry_image_name", "docker_registry_image_tag", "build_pack", "install_command",
    "build_command", "start_command", "ports_exposes", "ports_mappings", "custom_network_aliases", "base_directory",
    "publish_directory", "health_check_enabled", "health_check_type", "health_check_command", "health_check_path",
    "health_check_port", "health_check_host", "health_check_method", "health_check_return_code",
    "health_check_scheme", "health_check_response_text", "health_check_interval", "health_check_timeout",
    "health_check_retries", "health_check_start_period", "limits_memory", "limits_memory_swap",
    "limits_memory_swappiness", "limits_memory_reservation", "limits_cpus", "limits_cpuset", "limits_cpu_shares",
    "custom_labels", "custom_docker_run_options", "post_deployment_command", "post_deployment_command_container",
    "pre_deployment_command", "pre_deployment_command_container", "manual_webhook_secret_github",
    "manual_webhook_secret_gitlab", "manual_webhook_secret_bitbucket", "manual_webhook_secret_gitea", "redirect",
    "github_app_uuid", "instant_deploy", "dockerfile", "dockerfile_location", "docker_compose_location",
    "docker_compose_raw", "docker_compose_custom_start_command", "docker_compose_custom_build_command",
    "docker_compose_domains", "watch_paths", "use_build_server", "use_build_secrets", "static_image",
    "custom_nginx_configuration", "is_http_basic_auth_enabled", "http_basic_auth_username",
    "http_basic_auth_password", "connect_to_docker_network", "force_domain_override", "autogenerate_domain",
    "is_container_label_escape_enabled", "tags", "is_preserve_repository_enabled", "preview_url_template",
    "max_restart_count", *SETTING_FIELDS,
})
# PATCH drops the placement fields (and autogenerate_domain, tags, dockerfile, ...): they are "not allowed".
UPDATE_FIELDS = (CREATE_FIELDS - {
    "project_uuid", "environment_name", "environment_uuid", "server_uuid", "destination_uuid", "type",
    "github_app_uuid", "private_key_uuid", "dockerfile", "docker_compose_raw", "autogenerate_domain", "tags",
}) | {"dockerfile_target_build"}
# Request-only fields that are not columns of the applications table.
NOT_COLUMNS = frozenset({
    "project_uuid", "environment_name", "environment_uuid", "destination_uuid", "server_uuid", "type", "domains",
    "instant_deploy", "github_app_uuid", "private_key_uuid", "force_domain_override", "autogenerate_domain", "tags",
    "noindex_domains", *EXTRA_SETTING_FIELDS, *SETTING_FIELDS,
})

IMAGE_NAME_PATTERN = (
    r"\A(?=.{1,255}\Z)(?:(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?:@sha256)?\Z"
)
IMAGE_TAG_PATTERN = r"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z"
IMAGE_FORMAT_ERROR = "The docker registry image name format is invalid. Use image:tag or image@sha256:hash format."


def _shared_rules() -> Rules:
    """sharedDataApplications(): the field rules create and update share."""
    booleans = (
        "is_static", "is_spa", "is_auto_deploy_enabled", "is_force_https_enabled", "is_preview_deployments_enabled",
        "use_build_secrets", "is_git_submodules_enabled", "is_git_lfs_enabled", "is_git_shallow_clone_enabled",
        "disable_build_cache", "inject_build_args_to_dockerfile", "include_source_commit_in_build",
        "is_env_sorting_enabled", "is_pr_deployments_public_enabled", "is_gzip_enabled", "is_stripprefix_enabled",
        "is_raw_compose_deployment_enabled", "is_log_drain_enabled", "is_gpu_enabled",
        "is_consistent_container_name_enabled", "health_check_enabled", "is_container_label_escape_enabled",
        "is_preserve_repository_enabled",
    )
    rules: Rules = {name: ["boolean"] for name in booleans}
    rules.update({
        "preview_url_template": ["string"],
        "max_restart_count": ["integer", "min:0"],
        "stop_grace_period": ["nullable", "integer", "min:1", "max:3600"],
        "docker_images_to_keep": ["integer", "min:0", "max:100"],
        "static_image": [OneOf(("nginx:alpine", "nginx:latest"))],
        "domains": ["nullable", "string", "max:2048"],
        "noindex_domains": ["array", "nullable"],
        "redirect": [OneOf(("www", "non-www", "both"))],
        "docker_registry_image_name": ["nullable", "string", "max:255", Regex(IMAGE_NAME_PATTERN)],
        "docker_registry_image_tag": ["nullable", "string", "max:128", Regex(IMAGE_TAG_PATTERN)],
        "ports_exposes": ["string", Regex(r"^(\d+)(,\d+)*$")],
        "ports_mappings": ["string", Regex(r"^(\d+:\d+)(,\d+:\d+)*$"), "nullable"],
        "health_check_type": ["string", OneOf(("http", "cmd"))],
        "health_check_command": ["nullable", "string", "max:1000", Regex(r"^[a-zA-Z0-9 \-_./:=@,+]+$")],
        "health_check_path": ["string", Regex(r"^[a-zA-Z0-9/\-_.~%,;]+$")],
        "health_check_port": ["integer", "nullable", "min:1", "max:65535"],
        "health_check_host": ["string", Regex(r"^[a-zA-Z0-9.\-_]+$")],
        "health_check_method": ["string", OneOf(("GET", "HEAD", "POST", "OPTIONS"))],
        "health_check_return_code": ["numeric"],
        "health_check_scheme": ["string", OneOf(("http", "https"))],
        "health_check_response_text": ["string", "nullable"],
        "health_check_interval": ["numeric"],
        "health_check_timeout": ["numeric"],
        "health_check_retries": ["numeric"],
        "health_check_start_period": ["numeric"],
        "limits_memory": ["string"],
        "limits_memory_swap": ["string"],
        "limits_memory_swappiness": ["numeric"],
        "limits_memory_reservation": ["string"],
        "limits_cpus": ["string"],
        "limits_cpuset": ["string", "nullable"],
        "limits_cpu_shares": ["numeric"],
        "custom_labels": ["string", "nullable"],
        "post_deployment_command": ["string", "nullable"],
        "pre_deployment_command": ["string", "nullable"],
        "post_deployment_command_container": ["nullable", "string", Regex(r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$")],
        "pre_deployment_command_container": ["nullable", "string", Regex(r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$")],
        "gpu_driver": ["string", "nullable"],
        "gpu_count": ["string", "nullable"],
        "gpu_device_ids": ["string", "nullable"],
        "gpu_options": ["string", "nullable"],
        "custom_internal_name": ["string", "nullable"],
    })
    for name in ("github", "gitlab", "bitbucket", "gitea"):
        rules[f"manual_webhook_secret_{name}"] = ["string", "nullable"]
    return rules


def _base_create_rules() -> Rules:
    """The rules create_application() checks before looking anything up."""
    return {
        "name": ["string", "max:255"],
        "description": ["string", "nullable"],
        "project_uuid": ["string", "required"],
        "environment_name": ["string", "nullable"],
        "environment_uuid": ["string", "nullable"],
        "server_uuid": ["string", "required"],
        "destination_uuid": ["string"],
        "is_http_basic_auth_enabled": ["boolean"],
        "http_basic_auth_username": ["string", "nullable"],
        "http_basic_auth_password": ["string", "nullable"],
        "autogenerate_domain": ["boolean"],
        "tags": ["array", "nullable"],
    }


def _dockerimage_rules(version: str) -> Rules:
    rules = _shared_rules()
    rules["docker_registry_image_name"] = ["required", "string", "max:255"]
    # ports_exposes became optional in v4.1.2.
    needs_ports = not at_least(version, PORTS_EXPOSES_OPTIONAL_SINCE)
    rules["ports_exposes"] = ["required" if needs_ports else "nullable", "string", Regex(r"^(\d+)(,\d+)*$")]
    return rules


def _allowed(ctx: Ctx, fields: frozenset[str]) -> frozenset[str]:
    return fields - fields_unknown_to(ctx.config.version, APPLICATION_FIELD_SINCE)


def split_image(name: str, tag: str | None) -> tuple[str, str]:
    """DockerImageParser: `nginx:1.27` -> (`nginx`, `1.27`); no tag -> `latest`; a digest -> (`x@sha256`, hex)."""
    reference = f"{name}:{tag}" if tag else name
    digest = re.fullmatch(r"(.+)@sha256:([a-f0-9]{64})", reference, re.I)
    if digest:
        return f"{digest.group(1)}@sha256", digest.group(2)
    last_colon, last_slash = reference.rfind(":"), reference.rfind("/")
    if last_colon > last_slash:
        return reference[:last_colon], reference[last_colon + 1:]
    return reference, "latest"


def image_reference_error(value: Any) -> str | None:
    """The DockerImageFormat rule used on create (a `:tag` or `@sha256:` digest is allowed)."""
    if not isinstance(value, str):
        return IMAGE_FORMAT_ERROR
    if re.search(r":sha256?:", value, re.I):
        return ("The docker registry image name must use @ before sha256 digest (e.g., image@sha256:hash, not "
                "image:sha256:hash).")
    name, tag = value, None
    digest = re.fullmatch(r"(.+)@sha256:([a-f0-9]{64})", value, re.I)
    if digest:
        name = digest.group(1)
    else:
        last_colon, last_slash = value.rfind(":"), value.rfind("/")
        if last_colon > last_slash:
            name, tag = value[:last_colon], value[last_colon + 1:]
    if re.search(IMAGE_NAME_PATTERN, name) is None or (tag is not None and re.search(IMAGE_TAG_PATTERN, tag) is None):
        return IMAGE_FORMAT_ERROR
    return None


def domain_list(value: str | None) -> list[str]:
    if not value:
        return []
    return [url.strip() for url in value.strip(",").strip().split(",") if url.strip()]


def domain_errors(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str):
        return ["The domains field must be a string."]
    errors = []
    for url in domain_list(value):
        parts = urlsplit(url)
        if not parts.scheme or not parts.netloc or " " in url:
            errors.append(f"Invalid URL: {url}")
        elif parts.scheme.lower() not in ("http", "https"):
            errors.append(f"Invalid URL scheme: {parts.scheme} for URL: {url}. Only http and https are supported.")
    return errors


def normalise_domains(value: str | None) -> str | None:
    """Scheme and host are lower-cased; path, query and fragment keep their case."""
    urls = domain_list(value)
    if not urls:
        return None
    normalised = []
    for url in urls:
        parts = urlsplit(url)
        rest = url[len(parts.scheme) + 3 + len(parts.netloc):]
        normalised.append(f"{parts.scheme.lower()}://{parts.netloc.lower()}{rest}")
    return ",".join(normalised)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _domain_conflicts(ctx: Ctx, domains: str | None, own_uuid: str | None) -> list[dict[str, Any]]:
    conflicts = []
    for url in domain_list(domains):
        for other in ctx.store.applications.values():
            if other["uuid"] == own_uuid or other["_team_id"] != ctx.team_id:
                continue
            if _host(url) in {_host(u) for u in domain_list(other["fqdn"])}:
                conflicts.append({
                    "domain": _host(url),
                    "resource_name": other["name"],
                    "resource_uuid": other["uuid"],
                    "resource_type": "application",
                    "message": f"Domain {_host(url)} is already in use by application '{other['name']}'",
                })
    return conflicts


def _proxy_runs(server: Row) -> bool:
    return server["proxy"]["type"] != "NONE" and not server["_settings"]["is_build_server"]


def _validate_data(ctx: Ctx, data: dict[str, Any], server: Row, own_uuid: str | None) -> Response | None:
    """validateDataApplications(): port mappings, base64 labels, then domains and their conflicts."""
    if data.get("ports_mappings"):
        hosts = [mapping.split(":")[0] for mapping in str(data["ports_mappings"]).split(",")]
        if len(hosts) != len(set(hosts)):
            return validation_failed({"ports_mappings": "The first number before : should be unique between mappings."})
    if "custom_labels" in data and not (isinstance(data["custom_labels"], str) and is_base64(data["custom_labels"])):
        return validation_failed({"custom_labels": "The custom_labels should be base64 encoded."})
    if "domains" in data and _proxy_runs(server):
        if errors := domain_errors(data["domains"]):
            return validation_failed({"domains": errors})
        data["domains"] = normalise_domains(data["domains"])
        conflicts = _domain_conflicts(ctx, data["domains"], own_uuid)
        if conflicts and not parse_bool(data.get("force_domain_override")):
            return ok({
                "message": "Domain conflicts detected. Use force_domain_override=true to proceed.",
                "conflicts": conflicts,
                "warning": "Using the same domain for multiple resources can cause routing conflicts and "
                           "unpredictable behavior.",
            }, 409)
    return None


def _apply_settings(app: Row, data: dict[str, Any]) -> None:
    settings = app["_settings"]
    for name in SETTING_FIELDS:
        if name in data:
            value = data[name]
            settings[name] = parse_bool(value) if isinstance(settings.get(name), bool) else value
    for request_name, column in EXTRA_SETTING_FIELDS.items():
        if request_name in data and data[request_name] is not None:
            settings[column] = parse_bool(data[request_name])


def _fill(app: Row, data: dict[str, Any], allowed: frozenset[str]) -> None:
    for name, value in data.items():
        if name in allowed and name not in NOT_COLUMNS and name in app:
            app[name] = value
    if "noindex_domains" in data:
        # Only the application's own domains are kept as noindex flags.
        own = set(domain_list(app["fqdn"]))
        wanted = [d for d in (data["noindex_domains"] or []) if d in own]
        app["noindex_domains"] = wanted or None


def _instant_deploy(ctx: Ctx, app: Row) -> Response | None:
    result = queue_deployment(ctx.store, app, new_deployment_uuid(), no_questions_asked=True)
    if result.status == "skipped":
        return message(200, result.message)
    return None


def _lookup_placement(ctx: Ctx, data: dict[str, Any]) -> tuple[Row, Row, Row] | Response:
    if not data.get("environment_name") and not data.get("environment_uuid"):
        return message(422, "You need to provide at least one of environment_name or environment_uuid.")
    project = ctx.store.project(ctx.team_id, data["project_uuid"])
    if project is None:
        return message(404, "Project not found.")
    env = ctx.store.environment(project, data.get("environment_name")) or ctx.store.environment(
        project, data.get("environment_uuid"))
    if env is None:
        return message(404, "Environment not found.")
    server = ctx.store.server(ctx.team_id, data["server_uuid"])
    if server is None:
        return message(404, "Server not found.")
    return project, env, server


def pick_destination(ctx: Ctx, server: Row, data: dict[str, Any]) -> Row | Response:
    if server["_settings"]["is_build_server"]:
        return validation_failed({"server_uuid": [
            "The specified server is configured as a build server and cannot host resources."]})
    destinations = ctx.store.destinations_of(server)
    if not destinations:
        return message(400, "Server has no destinations.")
    if len(destinations) > 1 and "destination_uuid" not in data:
        return message(400, "Server has multiple destinations and you do not set destination_uuid.")
    if len(destinations) > 1:
        match = next((d for d in destinations if d["uuid"] == data["destination_uuid"]), None)
        if match is None:
            return validation_failed({"destination_uuid": "Provided destination_uuid does not belong to the "
                                                          "specified server."})
        return match
    # With exactly one destination, destination_uuid is ignored.
    return destinations[0]


def create_dockerimage(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    data = ctx.all()
    allowed = _allowed(ctx, CREATE_FIELDS)
    errors = api_validate(data, _base_create_rules())
    extra = unknown_fields(data, allowed)
    if errors or extra:
        return validation_failed(merge_not_allowed(errors, extra))
    if any(not isinstance(t, str) or len(t) < 2 for t in data.get("tags") or []):
        return validation_failed({"tags": ["Each tag must be at least 2 characters."]})
    if data.get("custom_nginx_configuration") is not None and not is_base64(str(data["custom_nginx_configuration"])):
        return validation_failed({"custom_nginx_configuration": "The custom_nginx_configuration should be base64 "
                                                                "encoded."})
    placement = _lookup_placement(ctx, data)
    if isinstance(placement, Response):
        return placement
    _, env, server = placement
    destination = pick_destination(ctx, server, data)
    if isinstance(destination, Response):
        return destination
    errors = api_validate(data, _dockerimage_rules(ctx.config.version))
    if "docker_registry_image_name" not in errors and (
            image_error := image_reference_error(data["docker_registry_image_name"])):
        errors["docker_registry_image_name"] = [image_error]
    if "domains" not in errors and (problems := domain_errors(data.get("domains"))):
        errors["domains"] = problems
    if errors:
        return validation_failed(errors)
    if failure := _validate_data(ctx, data, server, None):
        return failure
    app = application_row(ctx.team_id, env["id"], destination["id"])
    app["name"] = data.get("name") or f"docker-image-{app['uuid']}"
    name, tag = split_image(data["docker_registry_image_name"], data.get("docker_registry_image_tag"))
    _fill(app, data, allowed)
    app.update(docker_registry_image_name=name, docker_registry_image_tag=tag, build_pack="dockerimage",
               git_repository="coollabsio/coolify", git_branch="main")
    fqdn = normalise_domains(data.get("domains"))
    app["fqdn"] = fqdn
    # autogenerate_domain defaults to true: without domains Coolify invents a public sslip.io URL.
    if parse_bool(data.get("autogenerate_domain"), default=True) and not fqdn:
        wildcard = server["_settings"].get("wildcard_domain")
        app["fqdn"] = f"{wildcard.split('://')[0]}://{app['uuid']}.{wildcard.split('://')[-1]}" if wildcard else (
            f"http://{app['uuid']}.{server['ip']}.sslip.io")
    if "noindex_domains" in data:
        _fill(app, {"noindex_domains": data["noindex_domains"]}, allowed)
    _apply_settings(app, data)
    app["_tags"] = sorted({str(tag).lower() for tag in data.get("tags") or []})
    ctx.store.insert("applications", app)
    if parse_bool(data.get("instant_deploy")) and (skipped := _instant_deploy(ctx, app)):
        return skipped
    # Create answers {uuid, domains} only, not the application (the spec says {uuid}).
    return ok({"uuid": app["uuid"], "domains": app["fqdn"]}, 201)


def list_applications(ctx: Ctx) -> Response:
    apps = [a for a in ctx.store.applications.values() if a["_team_id"] == ctx.team_id]
    tag = ctx.query.get("tag")
    if tag:
        apps = [a for a in apps if tag in a.get("_tags", [])]
    for app in apps:
        ctx.store.observe(app)
    apps.sort(key=lambda a: str(a["name"]))
    return ok([application_payload(ctx.store, a, ctx.can_read_sensitive, single=False) for a in apps])


def get_application(ctx: Ctx) -> Response:
    app = ctx.store.application(ctx.team_id, ctx.params["uuid"])
    if app is None:
        return message(404, "Application not found.")
    ctx.store.observe(app)
    return ok(application_payload(ctx.store, app, ctx.can_read_sensitive, single=True))


def _server_of(ctx: Ctx, app: Row) -> Row:
    destination = ctx.store.destination_by_id(app["destination_id"])
    server = ctx.store.server_by_id(destination["server_id"]) if destination else None
    assert server is not None, "an application always has a server in the simulator"
    return server


def update_application(ctx: Ctx) -> Response:
    if failure := ctx.json_precheck():
        return failure
    app = ctx.store.application(ctx.team_id, ctx.params["uuid"])
    if app is None:
        return message(404, "Application not found")
    data = ctx.all()
    allowed = _allowed(ctx, UPDATE_FIELDS)
    server = _server_of(ctx, app)
    if "ports_exposes" in data and any(not p.isdigit() for p in str(data["ports_exposes"]).split(",")):
        return validation_failed({"ports_exposes": "The ports_exposes should be a comma separated list of numbers."})
    if data.get("custom_nginx_configuration") is not None and not is_base64(str(data["custom_nginx_configuration"])):
        return validation_failed({"custom_nginx_configuration": "The custom_nginx_configuration should be base64 "
                                                                "encoded."})
    if failure := _validate_data(ctx, data, server, app["uuid"]):
        return failure
    rules = _shared_rules()
    rules.update({
        "name": ["string", "max:255"], "description": ["string", "nullable"], "static_image": ["string"],
        "watch_paths": ["string", "nullable"], "custom_nginx_configuration": ["string", "nullable"],
        "is_http_basic_auth_enabled": ["boolean", "nullable"],
        "is_preview_deployments_enabled": ["boolean", "nullable"],
        "http_basic_auth_username": ["string"], "http_basic_auth_password": ["string"],
    })
    errors = validate(data, rules)
    extra = unknown_fields(data, allowed)
    if errors or extra:
        return validation_failed(merge_not_allowed(errors, extra))
    if data.get("is_http_basic_auth_enabled") is True and not (
            app["http_basic_auth_username"] and app["http_basic_auth_password"]):
        missing = {f"http_basic_auth_{part}": f"The http_basic_auth_{part} is required."
                   for part in ("username", "password") if not data.get(f"http_basic_auth_{part}")}
        if missing:
            return validation_failed(missing)
    _apply_settings(app, data)
    # `domains` is applied only when the server runs a proxy; otherwise it is silently ignored.
    if "domains" in data and _proxy_runs(server):
        app["fqdn"] = data["domains"]
    _fill(app, data, allowed)
    ctx.store.touch(app)
    if parse_bool(data.get("instant_deploy")):
        result = queue_deployment(ctx.store, app, new_deployment_uuid())
        if result.status == "skipped":
            return message(200, result.message)
    # PATCH answers 200 with the uuid only.
    return ok({"uuid": app["uuid"]})


def delete_application(ctx: Ctx) -> Response:
    app = ctx.store.application(ctx.team_id, ctx.params["uuid"])
    if app is None:
        return message(404, "Application not found")
    app["_delete_options"] = {
        name: parse_bool(ctx.query.get(name), default=True)
        for name in ("delete_configurations", "delete_volumes", "docker_cleanup", "delete_connected_networks")
    }
    # The delete runs as a background job: the row stays visible until it finishes.
    ctx.store.mark_deleting(app, ctx.config.delete_linger)
    return message(200, "Application deletion request queued.")


def start_application(ctx: Ctx) -> Response:
    app = ctx.store.application(ctx.team_id, ctx.params["uuid"])
    if app is None:
        return message(404, "Application not found.")
    deployment_uuid = new_deployment_uuid()
    result = queue_deployment(ctx.store, app, deployment_uuid, force_rebuild=parse_bool(ctx.input("force")),
                              no_questions_asked=parse_bool(ctx.input("instant_deploy")))
    if result.status == "skipped":
        return message(200, result.message)
    # A full queue still answers "queued" here, with a deployment_uuid that was never stored (a Coolify bug).
    return message(200, "Deployment request queued.", deployment_uuid=deployment_uuid)


def stop_application(ctx: Ctx) -> Response:
    app = ctx.store.application(ctx.team_id, ctx.params["uuid"])
    if app is None:
        return message(404, "Application not found.")
    app["status"] = "exited"
    return message(200, "Application stopping request queued.")


def restart_application(ctx: Ctx) -> Response:
    app = ctx.store.application(ctx.team_id, ctx.params["uuid"])
    if app is None:
        return message(404, "Application not found.")
    deployment_uuid = new_deployment_uuid()
    result = queue_deployment(ctx.store, app, deployment_uuid, restart_only=True)
    if result.status == "skipped":
        return message(200, result.message)
    return message(200, "Restart request queued.", deployment_uuid=deployment_uuid)


ROUTES = [
    Route("GET", "/applications", "read", list_applications),
    Route("POST", "/applications/dockerimage", "write", create_dockerimage),
    Route("GET", "/applications/{uuid}", "read", get_application),
    Route("PATCH", "/applications/{uuid}", "write", update_application),
    Route("DELETE", "/applications/{uuid}", "write", delete_application),
    Route("POST", "/applications/{uuid}/start", "deploy", start_application, post_only_action=True),
    Route("POST", "/applications/{uuid}/stop", "deploy", stop_application, post_only_action=True),
    Route("POST", "/applications/{uuid}/restart", "deploy", restart_application, post_only_action=True),
]
