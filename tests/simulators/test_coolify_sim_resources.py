"""Projects, environments, keys, servers, applications, env vars, MongoDB and backups."""

from __future__ import annotations

from typing import Any

from tests.simulators.coolify import CoolifySimulator, Seed, sample_private_key
from tests.simulators.coolify.testing import SimSession, create_app

# --- projects and environments ------------------------------------------------------------------------


def test_project_create_returns_uuid_only_and_adds_production(api: SimSession) -> None:
    created = api.post("/projects", json={"name": "penpal"})
    assert created.status_code == 201 and list(created.json()) == ["uuid"]
    project = api.get(f"/projects/{created.json()['uuid']}").json()
    assert project["description"] == ""
    assert [e["name"] for e in project["environments"]] == ["production"]


def test_project_validation_messages_and_not_allowed(api: SimSession) -> None:
    response = api.post("/projects", json={"name": "ab", "color": "red"})
    assert response.status_code == 422
    assert response.json() == {"message": "Validation failed.", "errors": {
        "name": ["The name must be at least 3 characters."], "color": ["This field is not allowed."]}}
    assert api.post("/projects", json={"description": "x"}).json()["errors"]["name"] == [
        "The name field is required."]


def test_json_precheck_answers_400(api: SimSession) -> None:
    as_form = api.post("/projects", data="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert as_form.json() == {"message": "Invalid request.", "error": "Content-Type must be application/json."}
    as_list = api.post("/projects", data="[]", headers={"Content-Type": "application/json"})
    assert as_list.json() == {"message": "Invalid request.", "error": "Invalid JSON."}
    empty = api.post("/projects", json={})
    assert (empty.status_code, empty.json()["error"]) == (400, "Empty JSON.")


def test_project_patch_answers_201_and_delete_refuses_non_empty(api: SimSession, seed: Seed) -> None:
    patched = api.patch(f"/projects/{seed.project_uuid}", json={"description": "  trimmed  "})
    assert patched.status_code == 201
    assert patched.json() == {"uuid": seed.project_uuid, "name": "penpal", "description": "trimmed"}
    create_app(api, seed)
    refused = api.delete(f"/projects/{seed.project_uuid}")
    assert refused.json() == {"message": "Project has resources, so it cannot be deleted."}
    assert refused.status_code == 400


def test_environment_names_are_lowercased_and_checked_raw(api: SimSession, seed: Seed) -> None:
    base = f"/projects/{seed.project_uuid}/environments"
    created = api.post(base, json={"name": "Staging/EU"})
    assert created.status_code == 201
    names = [e["name"] for e in api.get(base).json()]
    assert names == ["production", "staging-eu"]
    assert api.post(base, json={"name": "production"}).status_code == 409
    assert api.post(base, json={"name": "qa"}).status_code == 422
    assert api.post(base, json={"name": "dev", "description": "no"}).json()["errors"] == {
        "description": ["This field is not allowed."]}
    by_name = api.get(f"/projects/{seed.project_uuid}/staging-eu").json()
    assert by_name["uuid"] == created.json()["uuid"] and by_name["applications"] == []


def test_environment_patch_answers_200_and_delete(api: SimSession, seed: Seed) -> None:
    path = f"/projects/{seed.project_uuid}/environments"
    api.post(path, json={"name": "staging"})
    patched = api.patch(f"{path}/staging", json={"description": "pre-prod"})
    assert patched.status_code == 200 and patched.json()["description"] == "pre-prod"
    assert api.delete(f"{path}/staging").json() == {"message": "Environment deleted."}
    assert api.delete(f"{path}/staging").json() == {"message": "Environment not found."}


# --- keys and servers -----------------------------------------------------------------------------------


def test_private_keys_reject_bad_pem_and_duplicate_fingerprints(api: SimSession) -> None:
    key = sample_private_key("k1")
    created = api.post("/security/keys", json={"private_key": key, "extra": "ignored"})
    assert created.status_code == 201 and list(created.json()) == ["uuid"]
    assert api.post("/security/keys", json={"private_key": key}).json() == {"message": "Private key already exists."}
    assert api.post("/security/keys", json={"private_key": "nope"}).json() == {"message": "Invalid private key."}
    stored = api.get(f"/security/keys/{created.json()['uuid']}").json()
    assert stored["description"] == "Created by Coolify via API" and stored["fingerprint"].startswith("SHA256:")


def test_private_key_patch_needs_the_key_and_answers_201(api: SimSession) -> None:
    uuid = api.post("/security/keys", json={"private_key": sample_private_key("k2")}).json()["uuid"]
    missing = api.patch(f"/security/keys/{uuid}", json={"name": "renamed"})
    assert missing.json()["errors"] == {"private_key": ["This field is required."]}
    ok = api.patch(f"/security/keys/{uuid}", json={"name": "renamed", "private_key": sample_private_key("k2")})
    assert (ok.status_code, ok.json()) == (201, {"uuid": uuid})


def test_server_create_validate_and_unique_ip(api: SimSession, sim: CoolifySimulator) -> None:
    key = api.post("/security/keys", json={"private_key": sample_private_key("s")}).json()["uuid"]
    created = api.post("/servers", json={"ip": "10.9.9.9", "private_key_uuid": key, "proxy_type": "Caddy"})
    assert created.status_code == 201
    uuid = created.json()["uuid"]
    server = api.get(f"/servers/{uuid}").json()
    assert (server["port"], server["user"], server["proxy"]["type"]) == (22, "root", "CADDY")
    assert server["settings"]["is_usable"] is False
    sim.set_host("10.9.9.9", docker_installed=True)  # a host that already runs Docker validates as usable
    assert api.post(f"/servers/{uuid}/validate").json() == {"message": "Validation started."}
    assert api.get(f"/servers/{uuid}").json()["settings"]["is_usable"] is True
    duplicate = api.post("/servers", json={"ip": "10.9.9.9", "private_key_uuid": key})
    assert duplicate.json() == {"message": "A server with this IP/Domain is already in use."}
    assert api.post("/servers", json={"ip": "10.9.9.8", "private_key_uuid": key, "proxy_type": "apache"}).json() == {
        "message": "Invalid proxy type."}
    assert api.delete(f"/security/keys/{key}").status_code == 422


def test_server_validation_can_report_unusable(api: SimSession, sim: CoolifySimulator) -> None:
    sim.set_server_validation("10.7.7.7", reachable=True, usable=False)
    key = api.post("/security/keys", json={"private_key": sample_private_key("u")}).json()["uuid"]
    uuid = api.post("/servers", json={"ip": "10.7.7.7", "private_key_uuid": key, "instant_validate": True}).json()[
        "uuid"]
    settings = api.get(f"/servers/{uuid}").json()["settings"]
    assert (settings["is_reachable"], settings["is_usable"]) == (True, False)


# --- applications -----------------------------------------------------------------------------------------


def test_create_splits_the_image_tag_and_normalises_domains(api: SimSession, seed: Seed) -> None:
    response = api.post("/applications/dockerimage", json={
        "project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
        "docker_registry_image_name": "ghcr.io/penpal-ai/api:1.4.2", "domains": "HTTPS://Api.Example.COM/Path",
    })
    assert response.status_code == 201
    assert response.json()["domains"] == "https://api.example.com/Path"
    app = api.get(f"/applications/{response.json()['uuid']}").json()
    assert (app["docker_registry_image_name"], app["docker_registry_image_tag"]) == ("ghcr.io/penpal-ai/api", "1.4.2")
    assert app["fqdn"] == "https://api.example.com/Path" and "domains" not in app
    assert (app["git_repository"], app["build_pack"], app["status"]) == ("coollabsio/coolify", "dockerimage", "exited")
    assert "settings" in app


def test_untagged_image_gets_latest_and_digest_is_split(api: SimSession, seed: Seed) -> None:
    plain = api.get(f"/applications/{create_app(api, seed, docker_registry_image_name='nginx')}").json()
    assert plain["docker_registry_image_tag"] == "latest"
    digest = "a" * 64
    pinned = create_app(api, seed, docker_registry_image_name=f"nginx@sha256:{digest}")
    app = api.get(f"/applications/{pinned}").json()
    assert (app["docker_registry_image_name"], app["docker_registry_image_tag"]) == ("nginx@sha256", digest)
    bad = api.post("/applications/dockerimage", json={
        "project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
        "docker_registry_image_name": f"nginx:sha256:{digest}"})
    assert bad.status_code == 422 and "docker_registry_image_name" in bad.json()["errors"]


def test_autogenerate_domain_defaults_to_a_public_sslip_url(api: SimSession, seed: Seed) -> None:
    response = api.post("/applications/dockerimage", json={
        "project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
        "docker_registry_image_name": "nginx"})
    uuid = response.json()["uuid"]
    assert response.json()["domains"] == f"http://{uuid}.{seed.server_ip}.sslip.io"


def test_create_error_order(api: SimSession, seed: Seed) -> None:
    base = {"project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "docker_registry_image_name": "x"}
    no_env = api.post("/applications/dockerimage", json=base)
    assert no_env.json() == {"message": "You need to provide at least one of environment_name or environment_uuid."}
    wrong_env = api.post("/applications/dockerimage", json={**base, "environment_name": "nope"})
    assert (wrong_env.status_code, wrong_env.json()) == (404, {"message": "Environment not found."})
    by_uuid = api.post("/applications/dockerimage", json={**base, "environment_uuid": seed.environment_uuid})
    assert by_uuid.status_code == 201
    missing = api.post("/applications/dockerimage", json={"docker_registry_image_name": "x", "environment_name": "p"})
    assert missing.json()["errors"] == {"project_uuid": ["This field is required."],
                                        "server_uuid": ["This field is required."]}


def test_custom_labels_must_be_base64_with_a_string_error(api: SimSession, seed: Seed) -> None:
    response = api.post("/applications/dockerimage", json={
        "project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
        "docker_registry_image_name": "nginx", "custom_labels": "not base64!"})
    assert response.json() == {"message": "Validation failed.",
                               "errors": {"custom_labels": "The custom_labels should be base64 encoded."}}


def test_domain_conflicts_answer_409_unless_forced(api: SimSession, seed: Seed) -> None:
    create_app(api, seed, domains="https://api.example.com", name="first")
    body = {"project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
            "docker_registry_image_name": "nginx", "domains": "https://api.example.com"}
    conflict = api.post("/applications/dockerimage", json=body)
    assert conflict.status_code == 409
    assert conflict.json()["conflicts"][0]["resource_name"] == "first"
    assert api.post("/applications/dockerimage", json={**body, "force_domain_override": True}).status_code == 201


def test_patch_rejects_placement_fields_and_answers_200_uuid(api: SimSession, seed: Seed) -> None:
    uuid = create_app(api, seed)
    rejected = api.patch(f"/applications/{uuid}", json={"server_uuid": seed.server_uuid, "autogenerate_domain": False})
    assert rejected.status_code == 422
    assert rejected.json()["errors"] == {"server_uuid": ["This field is not allowed."],
                                         "autogenerate_domain": ["This field is not allowed."]}
    with_tag = api.patch(f"/applications/{uuid}", json={"docker_registry_image_name": "nginx:1.27"})
    assert with_tag.json()["errors"]["docker_registry_image_name"] == [
        "The docker registry image name field format is invalid."]
    ok = api.patch(f"/applications/{uuid}", json={"docker_registry_image_tag": "1.5.0", "domains": "https://b.example.com"})
    assert (ok.status_code, ok.json()) == (200, {"uuid": uuid})
    app = api.get(f"/applications/{uuid}").json()
    assert (app["docker_registry_image_tag"], app["fqdn"]) == ("1.5.0", "https://b.example.com")
    assert api.patch("/applications/nope", json={"name": "x"}).json() == {"message": "Application not found"}


def test_patch_ignores_domains_when_the_server_runs_no_proxy(api: SimSession, sim: CoolifySimulator,
                                                            seed: Seed) -> None:
    uuid = create_app(api, seed, domains="https://a.example.com")
    sim.edit("servers", seed.server_uuid, proxy={"type": "NONE", "status": "exited"})
    assert api.patch(f"/applications/{uuid}", json={"domains": "https://z.example.com"}).status_code == 200
    assert api.get(f"/applications/{uuid}").json()["fqdn"] == "https://a.example.com"


def test_list_has_no_settings_and_is_ordered_by_name(api: SimSession, seed: Seed) -> None:
    create_app(api, seed, name="zeta")
    create_app(api, seed, name="alpha")
    listed = api.get("/applications").json()
    assert [a["name"] for a in listed] == ["alpha", "zeta"]
    assert all("settings" not in a for a in listed)


def test_delete_is_asynchronous_and_lingers(api: SimSession, sim: CoolifySimulator, seed: Seed) -> None:
    sim.set_delete_linger(polls=2)
    uuid = create_app(api, seed)
    deleted = api.delete(f"/applications/{uuid}")
    assert deleted.json() == {"message": "Application deletion request queued."}
    assert api.get(f"/applications/{uuid}").status_code == 200
    assert api.delete(f"/projects/{seed.project_uuid}").status_code == 400  # still has the lingering app
    assert api.get(f"/applications/{uuid}").status_code == 200
    assert api.get(f"/applications/{uuid}").status_code == 404
    assert sim.state.find("applications", uuid=uuid) == []
    assert api.delete(f"/projects/{seed.project_uuid}").json() == {"message": "Project deleted."}


def test_delete_options_default_to_true(api: SimSession, sim: CoolifySimulator, seed: Seed) -> None:
    uuid = create_app(api, seed)
    api.delete(f"/applications/{uuid}?delete_volumes=false")
    options = sim.state.get("applications", uuid)["_delete_options"]  # type: ignore[index]
    assert options == {"delete_configurations": True, "delete_volumes": False, "docker_cleanup": True,
                       "delete_connected_networks": True}


def test_out_of_band_edits_show_up_as_drift(api: SimSession, sim: CoolifySimulator, seed: Seed) -> None:
    uuid = create_app(api, seed)
    sim.edit_application(uuid, docker_registry_image_tag="hotfix", settings={"is_force_https_enabled": False})
    app = api.get(f"/applications/{uuid}").json()
    assert app["docker_registry_image_tag"] == "hotfix" and app["settings"]["is_force_https_enabled"] is False
    sim.delete_application_oob(uuid)
    assert api.get(f"/applications/{uuid}").json() == {"message": "Application not found."}


# --- env vars ----------------------------------------------------------------------------------------------


def test_env_create_makes_a_preview_copy_and_409s_duplicates(api: SimSession, seed: Seed) -> None:
    app = create_app(api, seed)
    created = api.post(f"/applications/{app}/envs", json={"key": " PORT ", "value": " 3000 "})
    assert created.status_code == 201 and list(created.json()) == ["uuid"]
    rows = api.get(f"/applications/{app}/envs").json()
    assert [(r["key"], r["is_preview"], r["value"]) for r in rows] == [("PORT", False, "3000"), ("PORT", True, "3000")]
    assert api.post(f"/applications/{app}/envs", json={"key": "PORT"}).json() == {
        "message": "Environment variable already exists. Use PATCH request to update it."}
    assert api.post(f"/applications/{app}/envs", json={"key": "X", "is_build_time": True}).json()["errors"] == {
        "is_build_time": ["This field is not allowed."]}
    assert api.post(f"/applications/{app}/envs", json={"key": "1BAD"}).status_code == 422


def test_env_patch_is_close_to_a_full_replace(api: SimSession, seed: Seed) -> None:
    app = create_app(api, seed)
    api.post(f"/applications/{app}/envs", json={"key": "K", "value": "v", "is_literal": True, "is_buildtime": False,
                                                 "comment": "keep"})
    patched = api.patch(f"/applications/{app}/envs", json={"key": "K"})
    assert patched.status_code == 201
    row = patched.json()
    assert (row["value"], row["is_literal"], row["is_buildtime"], row["comment"]) == (None, False, False, "keep")
    assert api.patch(f"/applications/{app}/envs", json={"key": "MISSING", "value": "x"}).json() == {
        "message": "Environment variable not found."}
    preview = next(r for r in api.get(f"/applications/{app}/envs").json() if r["is_preview"])
    assert preview["value"] == "v"  # updates do not reach the preview copy


def test_env_bulk_upserts_drops_unknown_fields_and_is_not_atomic(api: SimSession, sim: CoolifySimulator,
                                                                 seed: Seed) -> None:
    app = create_app(api, seed)
    ok = api.patch(f"/applications/{app}/envs/bulk", json={"data": [{"key": "A", "value": "1", "junk": True}]})
    assert ok.status_code == 201 and ok.json()[0]["key"] == "A"
    failed = api.patch(f"/applications/{app}/envs/bulk", json={"data": [{"key": "B", "value": "2"}, {"value": "x"}]})
    assert failed.status_code == 422
    assert {e["key"] for e in sim.state.env_vars if not e["is_preview"]} == {"A", "B"}
    assert api.patch(f"/applications/{app}/envs/bulk", json={"data": []}).json() == {
        "message": "Bulk data is required."}


def test_env_bulk_answers_each_row_as_stored_a_created_one_without_unloaded_defaults(
        api: SimSession, seed: Seed) -> None:
    app = create_app(api, seed)
    api.patch(f"/applications/{app}/envs/bulk", json={"data": [{"key": "OLD", "value": "1"}]})
    answer = api.patch(f"/applications/{app}/envs/bulk", json={"data": [
        {"key": "OLD", "value": " 2 ", "is_buildtime": False}, {"key": "NEW", "value": "3"}]}).json()
    listed = {r["key"]: r for r in api.get(f"/applications/{app}/envs").json() if not r["is_preview"]}
    assert [r["key"] for r in answer] == ["OLD", "NEW"]
    old, new = answer
    # An updated row was loaded from the database: the answer is the row as listed.
    assert old == listed["OLD"] and (old["value"], old["is_buildtime"]) == ("2", False)
    # A created row is the model create() returned: no is_required or order, the rest as listed.
    assert "is_required" not in new and "order" not in new
    assert new == {k: v for k, v in listed["NEW"].items() if k not in ("is_required", "order")}


def test_env_delete_by_uuid_leaves_the_preview_copy(api: SimSession, seed: Seed) -> None:
    app = create_app(api, seed)
    uuid = api.post(f"/applications/{app}/envs", json={"key": "GONE", "value": "x"}).json()["uuid"]
    assert api.delete(f"/applications/{app}/envs/{uuid}").json() == {"message": "Environment variable deleted."}
    assert [(r["key"], r["is_preview"]) for r in api.get(f"/applications/{app}/envs").json()] == [("GONE", True)]
    assert api.delete(f"/applications/{app}/envs/{uuid}").status_code == 404


# --- MongoDB and backups -----------------------------------------------------------------------------------


def mongo_body(seed: Seed, **fields: Any) -> dict[str, Any]:
    return {"project_uuid": seed.project_uuid, "server_uuid": seed.server_uuid, "environment_name": "production",
            **fields}


def test_mongodb_create_returns_credentials_and_defaults(api: SimSession, seed: Seed) -> None:
    created = api.post("/databases/mongodb", json=mongo_body(seed, mongo_initdb_root_password="pw-1",
                                                             mongo_initdb_database="penpal"))
    assert created.status_code == 201
    uuid = created.json()["uuid"]
    assert created.json()["internal_db_url"] == f"mongodb://root:pw-1@{uuid}:27017/?directConnection=true"
    db = api.get(f"/databases/{uuid}").json()
    assert (db["image"], db["name"], db["is_public"], db["database_type"]) == (
        "mongo:7", f"mongodb-database-{uuid}", False, "standalone-mongodb")
    assert db["mongo_initdb_database"] == "penpal"


def test_mongodb_public_port_range_and_external_url(api: SimSession, seed: Seed) -> None:
    low = api.post("/databases/mongodb", json=mongo_body(seed, is_public=True, public_port=80))
    assert low.json()["errors"] == {"public_port": "The public port should be between 1024 and 65535."}
    public = api.post("/databases/mongodb", json=mongo_body(seed, is_public=True, public_port=27017)).json()
    assert public["external_db_url"].startswith("mongodb://root:") and f"@{seed.server_ip}:27017/" in public[
        "external_db_url"]
    taken = api.post("/databases/mongodb", json=mongo_body(seed, is_public=True, public_port=27017))
    assert taken.json() == {"message": "Public port already used by another database."}


def test_mongodb_errors_list_form_env_422_and_type_specific_object(api: SimSession, seed: Seed) -> None:
    unknown = api.post("/databases/mongodb", json=mongo_body(seed, bogus=1))
    assert unknown.json() == {"message": "Validation failed.", "errors": ["bogus"]}
    other_type = api.post("/databases/mongodb", json=mongo_body(seed, postgres_user="x"))
    assert other_type.json()["errors"] == {"postgres_user": ["This field is not allowed."]}
    wrong_env = api.post("/databases/mongodb", json=mongo_body(seed, environment_name="nope"))
    assert wrong_env.status_code == 422
    no_project = api.post("/databases/mongodb", json={"server_uuid": seed.server_uuid, "environment_name": "x"})
    assert (no_project.status_code, no_project.json()) == (404, {"message": "Project not found."})


def test_mongodb_patch_strips_placement_and_rejects_unknown(api: SimSession, seed: Seed) -> None:
    uuid = api.post("/databases/mongodb", json=mongo_body(seed)).json()["uuid"]
    ok = api.patch(f"/databases/{uuid}", json={"image": "mongo:8", "project_uuid": "ignored", "limits_memory": "1g"})
    assert (ok.status_code, ok.json()) == (200, {"message": "Database updated."})
    assert api.get(f"/databases/{uuid}").json()["image"] == "mongo:8"
    assert api.patch(f"/databases/{uuid}", json={"bogus": 1}).json()["errors"] == {"bogus": [
        "This field is not allowed."]}


def test_mongodb_delete_lingers_and_lifecycle_actions(api: SimSession, seed: Seed) -> None:
    uuid = api.post("/databases/mongodb", json=mongo_body(seed)).json()["uuid"]
    assert api.post(f"/databases/{uuid}/stop").json() == {"message": "Database is already stopped."}
    assert api.post(f"/databases/{uuid}/start").json() == {"message": "Database starting request queued."}
    assert api.post(f"/databases/{uuid}/start").json() == {"message": "Database is already running."}
    assert api.delete(f"/databases/{uuid}").json() == {"message": "Database deletion request queued."}
    assert api.get(f"/databases/{uuid}").status_code == 200
    assert api.get(f"/databases/{uuid}").status_code == 404


def test_backup_schedule_crud(api: SimSession, seed: Seed) -> None:
    db = api.post("/databases/mongodb", json=mongo_body(seed)).json()["uuid"]
    bad = api.post(f"/databases/{db}/backups", json={"frequency": "every day"})
    assert bad.json()["errors"] == {"frequency": ["Invalid cron expression or frequency format."]}
    assert api.post(f"/databases/{db}/backups", json={"enabled": True}).json()["errors"] == {
        "frequency": ["This field is required."]}
    created = api.post(f"/databases/{db}/backups", json={"frequency": "0 3 * * *", "backup_now": True,
                                                         "database_backup_retention_amount_locally": 7})
    assert created.status_code == 201
    assert created.json()["message"] == "Backup configuration created successfully."
    backup = created.json()["uuid"]
    listed = api.get(f"/databases/{db}/backups").json()
    assert listed[0]["frequency"] == "0 3 * * *" and len(listed[0]["executions"]) == 1
    assert api.get("/databases").json()[0]["backup_configs"][0]["uuid"] == backup
    updated = api.patch(f"/databases/{db}/backups/{backup}", json={"frequency": "@daily", "enabled": False})
    assert updated.json() == {"message": "Database backup configuration updated"}
    assert api.get(f"/databases/{db}/backups").json()[0]["enabled"] is False
    assert api.patch(f"/databases/{db}/backups/{backup}", json={"nope": 1}).status_code == 422
    executions = api.get(f"/databases/{db}/backups/{backup}/executions").json()["executions"]
    assert executions[0]["status"] == "success"
    assert api.delete(f"/databases/{db}/backups/{backup}").json() == {
        "message": "Backup configuration and all executions deleted."}
    assert api.delete(f"/databases/{db}/backups/{backup}").json() == {"message": "Backup config not found."}
