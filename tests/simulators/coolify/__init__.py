"""A stateful, in-process simulator of Coolify's REST API (v4.3.x), for tests and local demos.

It behaves like the real Coolify does (see /work/shared/notes/coolify-api.md), not like its OpenAPI file:
create returns only `{uuid}` (applications `{uuid, domains}`, MongoDB `{uuid, internal_db_url}`), PATCH
answers a uuid or a message, deletes of applications/databases are asynchronous, secrets are hidden without
`read:sensitive`, unknown fields get 422 "This field is not allowed.", GET on actions is 405, and unknown
paths hit a JSON 404 catch-all.

In a pytest fixture::

    from tests.simulators.coolify import CoolifySimulator

    @pytest.fixture
    def coolify():
        with CoolifySimulator() as sim:           # 127.0.0.1, free port, one root token: sim.token
            yield sim

    def test_something(coolify):
        seed = coolify.seed()                      # key + usable server + project "penpal"/production
        client = make_client(coolify.url, coolify.token)   # coolify.url has no /api/v1 suffix
        ...
        assert coolify.count("POST", "/applications/dockerimage") == 1
        app = coolify.state.applications[0]        # deep copies of the rows

Tokens and abilities: ``CoolifySimulator(tokens={"t1": {"read"}, "t2": {"root"}})`` or
``sim.add_token(value, {"read", "write", "deploy", "read:sensitive"}, team_id=0, role="owner")``.
``sim.api_enabled = False`` gives the 403 ``{"success": true, "message": "API is disabled."}``.
``sim.allowed_ips = "10.0.0.0/8"`` refuses other client IPs (the peer, or the right-most X-Forwarded-For entry)
with the 403 ``{"success": true, "message": "You are not allowed to access the API."}``.
``CoolifySimulator(version="4.1.0")`` rejects fields newer than that version and lets GET run actions.

Faults (per route template, with or without the /api/v1 prefix)::

    sim.inject("GET", "/applications/{uuid}", 503, times=1)
    sim.inject("POST", "/deploy", 429, headers={"Retry-After": "1"})
    sim.inject("GET", "/version", delay_s=2.0)                    # slow: provoke a client timeout
    sim.inject("POST", "/applications/dockerimage", 500, after_write=True)   # created, then fails

Drift and timing: ``sim.edit_application(uuid, name="x")``, ``sim.delete_application_oob(uuid)``,
``sim.set_delete_linger(polls=1, seconds=0.0)`` (a deleted resource stays visible for that many reads),
``sim.set_deploy_timing(queued_polls=1, in_progress_polls=2)``,
``sim.set_deploy_outcome(app_uuid_or_None, "failed", log_lines=[...])``, ``sim.finish_deployments()``.

``tests.simulators.coolify.testing.SimSession(sim, token=None)`` is a requests.Session with the bearer
token and relative URLs under /api/v1. ``sim.config`` (a ``SimConfig``) holds the live knobs (version,
api_enabled, timings). Deviation from the notes, verified in the code: a duplicate ``POST /deploy`` answers
"Deployment already queued for this commit." *with* a ``deployment_uuid`` that was never stored.

Contract checks against the committed contract ``contracts/coolify-4.3.11.json`` (routes, fields and types
this project uses, as Coolify's code has them): ``validate_request(method, path, body)`` and
``validate_response(method, path, status, body)`` raise ``ContractError``; ``SPEC_DISAGREEMENTS`` lists the
documented places where the upstream spec is wrong about the real API, and ``contract_upstream`` compares
the contract with the full upstream spec when one is at hand (``COOLIFY_OPENAPI`` or shared/ beside the
checkout).

Routes real Coolify serves (the version's ``coolify_routes`` in its contract) that the simulator does not
answer 501 ``{"message": "Not simulated: ...", "not_simulated": true}``; unknown paths get Coolify's catch-all
404 as before, so a wrong URL and a missing route can be told apart.

On its own: ``python -m tests.simulators.coolify --port 0 --token TOKEN [--write-info FILE]`` prints the
URL; ``--write-info`` (or env ``COOLIFY_SIM_INFO``) writes ``{"url": ..., "token": ...}`` to a file.
"""

from .contract import SPEC_DISAGREEMENTS, ContractError, validate_request, validate_response
from .server import DEFAULT_TOKEN, CoolifySimulator, RecordedRequest
from .state import Seed, sample_private_key

__all__ = [
    "DEFAULT_TOKEN",
    "SPEC_DISAGREEMENTS",
    "ContractError",
    "CoolifySimulator",
    "RecordedRequest",
    "Seed",
    "sample_private_key",
    "validate_request",
    "validate_response",
]
