"""Coolify as Pulumi dynamic resources (types `pulumi-python:dynamic/coolify:<Class>`).

Provider settings come from stack config: `coolify:url` and `coolify:token` (secret).
"""

from .resources.application import Application, ApplicationArgs
from .resources.deployment import Deployment, DeploymentArgs
from .resources.deployment_wait import DeploymentWait, DeploymentWaitArgs
from .resources.env_vars import ApplicationEnvVars, ApplicationEnvVarsArgs
from .resources.environment import Environment, EnvironmentArgs
from .resources.fingerprint_key import FingerprintKey
from .resources.mongodb import MongoDatabase, MongoDatabaseArgs
from .resources.private_key import PrivateKey, PrivateKeyArgs
from .resources.project import Project, ProjectArgs
from .resources.s3_storage import S3Storage, S3StorageArgs
from .resources.server import Server, ServerArgs

__all__ = [
    "Application",
    "ApplicationArgs",
    "ApplicationEnvVars",
    "ApplicationEnvVarsArgs",
    "Deployment",
    "DeploymentArgs",
    "DeploymentWait",
    "DeploymentWaitArgs",
    "Environment",
    "EnvironmentArgs",
    "FingerprintKey",
    "MongoDatabase",
    "MongoDatabaseArgs",
    "PrivateKey",
    "PrivateKeyArgs",
    "Project",
    "ProjectArgs",
    "S3Storage",
    "S3StorageArgs",
    "Server",
    "ServerArgs",
]
