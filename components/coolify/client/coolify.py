"""`CoolifyClient`: one session, one version probe, one object per API family."""

from __future__ import annotations

from .application_envs import ApplicationEnvsApi
from .applications import ApplicationsApi
from .databases import DatabasesApi
from .deployments import DeploymentsApi
from .http import CoolifyHttp
from .private_keys import PrivateKeysApi
from .projects import EnvironmentsApi, ProjectsApi
from .rate_budget import RateBudget
from .s3_storages import S3StoragesApi
from .servers import ServersApi
from .settings import ClientSettings
from .version import CoolifyVersion, VersionProbe


class CoolifyClient:
    """Typed entry point to the Coolify REST API (v4.1.0 and newer).

    Paces itself to Coolify's rate limit (`RateBudget`, shared by the clients of one token given the same
    budget). Retries: 429 for every method honouring `Retry-After`; 502/503/504 and read timeouts only for
    GET, PUT, PATCH and DELETE, with exponential backoff (urllib3 `Retry`).
    """

    def __init__(self, settings: ClientSettings, budget: RateBudget | None = None) -> None:
        self.settings = settings
        self.http = CoolifyHttp(settings, budget)
        self.versions = VersionProbe(self.http)
        self.projects = ProjectsApi(self.http)
        self.environments = EnvironmentsApi(self.http)
        self.private_keys = PrivateKeysApi(self.http)
        self.servers = ServersApi(self.http, self.versions)
        self.applications = ApplicationsApi(self.http, self.versions)
        self.application_envs = ApplicationEnvsApi(self.http, self.versions)
        self.databases = DatabasesApi(self.http)
        self.deployments = DeploymentsApi(self.http)
        self.s3_storages = S3StoragesApi(self.http, self.versions)

    def __repr__(self) -> str:
        return f"CoolifyClient({self.settings.instance_url!r})"

    @property
    def version(self) -> CoolifyVersion:
        """The running version, probed once; raises CoolifyVersionError below 4.1.0."""
        return self.versions.version

    def deploy_webhook_url(self, application_uuid: str) -> str:
        return f"{self.settings.instance_url}/api/v1/deploy?uuid={application_uuid}&force=false"

    def close(self) -> None:
        self.http.close()
