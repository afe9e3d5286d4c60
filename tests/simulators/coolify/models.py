"""Row constructors with the column defaults Coolify's migrations give each table."""

from __future__ import annotations

import secrets
import string
from typing import Any

from .store import Row, new_uuid

_PASSWORD_ALPHABET = string.ascii_letters + string.digits


def random_secret(length: int) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def project_row(team_id: int, name: str, description: str | None) -> Row:
    # A missing description is stored as "" (not null).
    return {"uuid": new_uuid(), "name": name, "description": description or "", "team_id": team_id}


def environment_row(project_id: int, name: str, description: str | None = None) -> Row:
    return {"uuid": new_uuid(), "name": name, "description": description, "project_id": project_id}


def private_key_row(team_id: int, name: str, description: str, pem: str, fingerprint: str, public_key: str) -> Row:
    return {
        "uuid": new_uuid(),
        "name": name,
        "description": description,
        "private_key": pem,
        "public_key": public_key,
        "fingerprint": fingerprint,
        "is_git_related": False,
        "team_id": team_id,
    }


def server_settings_row(server_id: int, is_build_server: bool) -> Row:
    return {
        "server_id": server_id,
        "concurrent_builds": 2,
        "deployment_queue_limit": 25,
        "dynamic_timeout": 3600,
        "connection_timeout": 10,
        "force_disabled": False,
        "force_server_cleanup": False,
        "is_build_server": is_build_server,
        "is_cloudflare_tunnel": False,
        "is_jump_server": False,
        "is_logdrain_axiom_enabled": False,
        "is_logdrain_custom_enabled": False,
        "is_logdrain_highlight_enabled": False,
        "is_logdrain_newrelic_enabled": False,
        "logdrain_axiom_api_key": None,
        "logdrain_axiom_dataset_name": None,
        "logdrain_custom_config": None,
        "logdrain_custom_config_parser": None,
        "logdrain_highlight_project_id": None,
        "logdrain_newrelic_base_uri": None,
        "logdrain_newrelic_license_key": None,
        "is_metrics_enabled": False,
        "is_reachable": False,
        "is_usable": False,
        "is_sentinel_enabled": False,
        "is_sentinel_debug_enabled": False,
        "sentinel_token": random_secret(40),
        "sentinel_custom_url": None,
        "sentinel_metrics_history_days": 7,
        "sentinel_metrics_refresh_rate_seconds": 10,
        "is_swarm_manager": False,
        "is_swarm_worker": False,
        "is_terminal_enabled": True,
        "docker_cleanup_frequency": "0 0 * * *",
        "docker_cleanup_threshold": 80,
        "delete_unused_volumes": False,
        "delete_unused_networks": False,
        "server_disk_usage_notification_threshold": 80,
        "server_disk_usage_check_frequency": "0 23 * * *",
        "wildcard_domain": None,
    }


def server_row(team_id: int, private_key_id: int, fields: dict[str, Any], proxy_type: str) -> Row:
    return {
        "uuid": new_uuid(),
        "name": fields["name"],
        "description": fields.get("description"),
        "ip": fields["ip"],
        "port": fields["port"],
        "user": fields["user"],
        "team_id": team_id,
        "private_key_id": private_key_id,
        "proxy": {"type": proxy_type, "status": "exited"},
        "high_disk_usage_notification_sent": False,
        "unreachable_notification_sent": False,
        "unreachable_count": 0,
        "validation_logs": None,
        "is_validating": False,
        "log_drain_notification_sent": False,
        "swarm_cluster": None,
        "sentinel_updated_at": None,
        "hetzner_server_id": None,
        "hetzner_server_status": None,
        "cloud_provider_token_id": None,
        "is_metrics_enabled": False,
    }


def destination_row(server_id: int) -> Row:
    # Creating a server creates its default Docker destination on the `coolify` network.
    return {"uuid": new_uuid(), "name": "default", "network": "coolify", "server_id": server_id}


def application_settings_row() -> Row:
    return {
        "is_static": False,
        "is_spa": False,
        "is_git_submodules_enabled": True,
        "is_git_lfs_enabled": True,
        "is_git_shallow_clone_enabled": True,
        "is_auto_deploy_enabled": True,
        "is_force_https_enabled": True,
        "is_debug_enabled": False,
        "is_preview_deployments_enabled": False,
        "is_pr_deployments_public_enabled": False,
        "is_log_drain_enabled": False,
        "is_gpu_enabled": False,
        "gpu_driver": "nvidia",
        "gpu_count": None,
        "gpu_device_ids": None,
        "gpu_options": None,
        "is_include_timestamps": False,
        "is_swarm_only_worker_nodes": True,
        "is_raw_compose_deployment_enabled": False,
        "is_build_server_enabled": False,
        "is_consistent_container_name_enabled": False,
        "is_gzip_enabled": True,
        "is_stripprefix_enabled": True,
        "connect_to_docker_network": False,
        "custom_internal_name": None,
        "is_container_label_escape_enabled": True,
        "is_env_sorting_enabled": False,
        "is_container_label_readonly_enabled": True,
        "is_preserve_repository_enabled": False,
        "disable_build_cache": False,
        "use_build_secrets": False,
        "inject_build_args_to_dockerfile": True,
        "include_source_commit_in_build": False,
        "docker_images_to_keep": 2,
        "stop_grace_period": None,
    }


def application_row(team_id: int, environment_id: int, destination_id: int) -> Row:
    return {
        "uuid": new_uuid(),
        "name": None,
        "description": None,
        "fqdn": None,
        "noindex_domains": None,
        "config_hash": None,
        "repository_project_id": None,
        # A docker-image application carries placeholder git fields.
        "git_repository": "coollabsio/coolify",
        "git_branch": "main",
        "git_commit_sha": "HEAD",
        "git_full_url": None,
        "docker_registry_image_name": None,
        "docker_registry_image_tag": None,
        "build_pack": "dockerimage",
        "static_image": "nginx:alpine",
        "install_command": None,
        "build_command": None,
        "start_command": None,
        "ports_exposes": None,
        "ports_mappings": None,
        "custom_network_aliases": None,
        "base_directory": "/",
        "publish_directory": None,
        "health_check_enabled": False,
        "health_check_type": "http",
        "health_check_command": None,
        "health_check_path": "/",
        "health_check_port": None,
        "health_check_host": "localhost",
        "health_check_method": "GET",
        "health_check_return_code": 200,
        "health_check_scheme": "http",
        "health_check_response_text": None,
        "health_check_interval": 5,
        "health_check_timeout": 5,
        "health_check_retries": 10,
        "health_check_start_period": 5,
        "limits_memory": "0",
        "limits_memory_swap": "0",
        "limits_memory_swappiness": 60,
        "limits_memory_reservation": "0",
        "limits_cpus": "0",
        "limits_cpuset": None,
        "limits_cpu_shares": 1024,
        "status": "exited",
        "preview_url_template": "{{pr_id}}.{{domain}}",
        "max_restart_count": 10,
        "restart_count": 0,
        "last_restart_at": None,
        "last_restart_type": None,
        "destination_type": "App\\Models\\StandaloneDocker",
        "destination_id": destination_id,
        "source_id": None,
        "source_type": None,
        "private_key_id": None,
        "environment_id": environment_id,
        "dockerfile": None,
        "dockerfile_location": "/Dockerfile",
        "dockerfile_target_build": None,
        "custom_labels": None,
        "custom_docker_run_options": None,
        "custom_nginx_configuration": None,
        "manual_webhook_secret_github": random_secret(40),
        "manual_webhook_secret_gitlab": random_secret(40),
        "manual_webhook_secret_bitbucket": random_secret(40),
        "manual_webhook_secret_gitea": random_secret(40),
        "docker_compose_location": "/docker-compose.yaml",
        "docker_compose": None,
        "docker_compose_raw": None,
        "docker_compose_domains": None,
        "docker_compose_custom_start_command": None,
        "docker_compose_custom_build_command": None,
        "swarm_replicas": 1,
        "swarm_placement_constraints": None,
        "post_deployment_command": None,
        "post_deployment_command_container": None,
        "pre_deployment_command": None,
        "pre_deployment_command_container": None,
        "watch_paths": None,
        "custom_healthcheck_found": False,
        "redirect": "both",
        "compose_parsing_version": "5",
        "is_http_basic_auth_enabled": False,
        "http_basic_auth_username": None,
        "http_basic_auth_password": None,
        "last_online_at": None,
        "deleted_at": None,
        "_team_id": team_id,
        "_settings": application_settings_row(),
    }


def app_env_row(application_uuid: str, key: str, fields: dict[str, Any], is_preview: bool) -> Row:
    return {
        "uuid": new_uuid(),
        "key": key,
        "value": fields.get("value"),
        "is_preview": is_preview,
        "is_literal": bool(fields.get("is_literal") or False),
        "is_multiline": bool(fields.get("is_multiline") or False),
        "is_shown_once": bool(fields.get("is_shown_once") or False),
        "is_runtime": True if fields.get("is_runtime") is None else bool(fields["is_runtime"]),
        "is_buildtime": True if fields.get("is_buildtime") is None else bool(fields["is_buildtime"]),
        "is_shared": False,
        "is_required": False,
        "comment": fields.get("comment"),
        "order": None,
        "version": "4.0.0",
        "_application_uuid": application_uuid,
    }


def mongodb_row(team_id: int, environment_id: int, destination_id: int) -> Row:
    uuid = new_uuid()
    return {
        "uuid": uuid,
        "name": f"mongodb-database-{uuid}",
        "description": None,
        "image": "mongo:7",
        "status": "exited",
        "is_public": False,
        "public_port": None,
        "public_port_timeout": 3600,
        "ports_mappings": None,
        "mongo_conf": None,
        "mongo_initdb_root_username": "root",
        "mongo_initdb_root_password": random_secret(64),
        "mongo_initdb_database": "default",
        "limits_memory": "0",
        "limits_memory_swap": "0",
        "limits_memory_swappiness": 60,
        "limits_memory_reservation": "0",
        "limits_cpus": "0",
        "limits_cpuset": None,
        "limits_cpu_shares": 1024,
        "health_check_enabled": True,
        "health_check_interval": 15,
        "health_check_timeout": 5,
        "health_check_retries": 5,
        "health_check_start_period": 5,
        "enable_ssl": False,
        "ssl_mode": None,
        "custom_docker_run_options": None,
        "is_log_drain_enabled": False,
        "is_include_timestamps": False,
        "init_scripts": None,
        "started_at": None,
        "restart_count": 0,
        "last_restart_at": None,
        "last_restart_type": None,
        "last_online_at": None,
        "config_hash": None,
        "environment_id": environment_id,
        "destination_id": destination_id,
        "destination_type": "App\\Models\\StandaloneDocker",
        "deleted_at": None,
        "_team_id": team_id,
        "_volumes": [f"mongodb-configdb-{uuid}", f"mongodb-db-{uuid}"],
    }


def backup_row(team_id: int, database: Row, fields: dict[str, Any]) -> Row:
    row: Row = {
        "uuid": new_uuid(),
        "description": None,
        "enabled": True,
        "save_s3": False,
        "frequency": fields["frequency"],
        "dump_all": False,
        "databases_to_backup": None,
        "database_backup_retention_amount_locally": 0,
        "database_backup_retention_days_locally": 0,
        "database_backup_retention_max_storage_locally": 0,
        "database_backup_retention_amount_s3": 0,
        "database_backup_retention_days_s3": 0,
        "database_backup_retention_max_storage_s3": 0,
        "disable_local_backup": False,
        "timeout": 3600,
        "s3_storage_id": None,
        "database_type": "App\\Models\\StandaloneMongodb",
        "database_id": database["id"],
        "team_id": team_id,
        "_database_uuid": database["uuid"],
    }
    row.update(fields)
    return row


def deployment_row(app: Row, server: Row, deployment_uuid: str, *, force_rebuild: bool, restart_only: bool,
                   is_api: bool = True) -> Row:
    return {
        "deployment_uuid": deployment_uuid,
        # application_id and destination_id are string columns in the queue table.
        "application_id": str(app["id"]),
        "application_name": app["name"],
        "pull_request_id": 0,
        "docker_registry_image_tag": None,
        "configuration_hash": None,
        "configuration_snapshot": None,
        "configuration_diff": None,
        "force_rebuild": force_rebuild,
        "commit": app.get("git_commit_sha") or "HEAD",
        "status": "queued",
        "is_webhook": False,
        "is_api": is_api,
        "logs": None,
        "current_process_id": None,
        "restart_only": restart_only,
        "rollback": False,
        "only_this_server": False,
        "git_type": None,
        "server_id": server["id"],
        "server_name": server["name"],
        "deployment_url": None,
        "destination_id": str(app["destination_id"]),
        "build_server_id": None,
        "commit_message": None,
        "horizon_job_id": None,
        "horizon_job_worker": None,
        "finished_at": None,
        "_application_uuid": app["uuid"],
        "_log": [],
        "_polls": 0,
    }
