"""A whole stack's lifecycle through the providers: every request matches the spec, and no more calls than needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from components.coolify.resources.application import ApplicationProvider
from components.coolify.resources.deployment import DeploymentProvider
from components.coolify.resources.deployment_wait import DeploymentWaitProvider
from components.coolify.resources.env_vars import ApplicationEnvVarsProvider
from components.coolify.resources.environment import EnvironmentProvider
from components.coolify.resources.mongodb import MongoDatabaseProvider
from components.coolify.resources.private_key import PrivateKeyProvider
from components.coolify.resources.project import ProjectProvider
from components.coolify.resources.server import ServerProvider
from tests.coolify.helpers import fake_pem

if TYPE_CHECKING:
    from tests.simulators.coolify import CoolifySimulator

MakeProvider = Callable[[type[Any]], Any]


def test_full_lifecycle_requests_validate_against_the_spec(make_provider: MakeProvider, sim: CoolifySimulator) -> None:
    from tests.simulators.coolify import validate_request

    project_p, env_p = make_provider(ProjectProvider), make_provider(EnvironmentProvider)
    key_p, server_p = make_provider(PrivateKeyProvider), make_provider(ServerProvider)
    app_p, envs_p = make_provider(ApplicationProvider), make_provider(ApplicationEnvVarsProvider)
    mongo_p, deploy_p = make_provider(MongoDatabaseProvider), make_provider(DeploymentProvider)

    project = project_p.create({"name": "penpal-ai"})
    env = env_p.create({"project_uuid": project.id, "name": "staging"})
    key = key_p.create({"name": "penpal-staging", "private_key": fake_pem()})
    server = server_p.create({"name": "penpal-staging", "ip": "203.0.113.20", "private_key_uuid": key.id,
                              "port": 22, "user": "root", "validate": True, "validate_timeout_s": 5})
    mongo_inputs = {"name": "penpal-mongo", "project_uuid": project.id, "environment_name": "staging",
                    "server_uuid": server.id, "root_password": "S3cretPassw0rd", "root_username": "root",
                    "init_database": "penpal", "image": "mongo:7", "is_public": False, "backup_cron": "daily",
                    "backup_retention": 5}
    mongo = mongo_p.create(mongo_inputs)
    app_inputs = {"name": "penpal-api", "project_uuid": project.id, "environment_name": "staging",
                  "server_uuid": server.id, "image": "ghcr.io/penpal-ai/penpal-api", "tag": "develop-latest",
                  "ports_exposes": "3000", "domains": ["https://staging.api.penpal-ai.maksou.dev"],
                  "health_check_path": "/health"}
    app = app_p.create(app_inputs)
    envs = envs_p.create({"application_uuid": app.id, "variables": {"NODE_ENV": "staging", "PORT": "3000"},
                          "build_time_keys": []})
    deployment = deploy_p.create({"application_uuid": app.id, "triggers": {"image": "develop-latest"},
                                  "force": False})
    wait_p = make_provider(DeploymentWaitProvider)
    waited = wait_p.create({"deployments": {"api": {"application_uuid": app.id, "deployment_uuid": deployment.id}},
                            "timeout_s": 5, "poll_interval_s": 0.01})
    assert waited.outs["deployments"]["api"]["status"] == "finished"

    # Updates in place.
    app_outs = app_p.update(app.id, app.outs, {**app_inputs, "tag": "sha-1a2b3c4"}).outs
    mongo_p.update(mongo.id, mongo.outs, {**mongo_inputs, "limits_memory": "1g"})

    # Refresh, then destroy in dependency order.
    for provider, uuid, outs in ((project_p, project.id, project.outs), (env_p, env.id, env.outs),
                                 (key_p, key.id, key.outs), (server_p, server.id, server.outs),
                                 (app_p, app.id, app_outs), (envs_p, envs.id, envs.outs),
                                 (mongo_p, mongo.id, mongo.outs), (deploy_p, deployment.id, deployment.outs),
                                 (wait_p, waited.id, waited.outs)):
        assert provider.read(uuid, outs).id == uuid
    wait_p.delete(waited.id, waited.outs)
    deploy_p.delete(deployment.id, deployment.outs)
    envs_p.delete(envs.id, envs.outs)
    app_p.delete(app.id, app_outs)
    mongo_p.delete(mongo.id, mongo.outs)
    env_p.delete(env.id, env.outs)
    server_p.delete(server.id, server.outs)
    key_p.delete(key.id, key.outs)
    project_p.delete(project.id, project.outs)

    writes = [r for r in sim.requests if r.method in ("POST", "PATCH", "DELETE")]
    assert len(writes) >= 20
    for request in sim.requests:
        validate_request(request.method, request.path, request.body)
    assert sim.state.projects == [] and sim.state.applications == [] and sim.state.databases == []
    assert all(r.status < 500 for r in sim.requests)
