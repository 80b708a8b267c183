//! One unit of work for every change: each change from the command line or GraphQL
//! leaves exactly one audit entry per operation, committed with the change or not at
//! all; the actor is always the authenticated caller; a login attempt is an entry of
//! its own; nested fields follow the field-level matrix; free text is redacted.

use platform_tests::{Backend, TestApp, error_code, on_both_backends};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter};
use serde_json::{Value, json};

/// Entries whose resource (root field) is `resource`, newest first, as the DPO sees them.
async fn entries_for(app: &TestApp, resource: &str) -> Vec<Value> {
    let body = app
        .graphql_as(
            "dpo",
            "query($f: AuditEntryFilter) { auditEntries(filter: $f, first: 100) { edges { node { seq actor role operationType operationName resources outcome reason purpose } } } }",
            json!({ "f": { "resource": resource } }),
        )
        .await;
    body["data"]["auditEntries"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Runs `api <args>` in-process against the test's database, as an operator would.
async fn api(app: &TestApp, args: &[&str]) -> Result<(), api::cli::CliError> {
    use clap::Parser;
    let mut argv = vec![
        "api".to_owned(),
        "--data-dir".to_owned(),
        app.settings.data_dir.display().to_string(),
    ];
    if let Some(url) = &app.settings.database_url {
        argv.extend(["--database-url".to_owned(), url.clone()]);
    }
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    api::cli::Cli::try_parse_from(argv)
        .expect("valid command line")
        .run()
        .await
}

async fn command_line_changes_write_exactly_one_verified_entry_each(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // The DPO's account first, so that the entries counted below are the commands'.
    app.token_for("dpo").await;
    let mut before = std::collections::HashMap::new();
    for resource in ["createUser", "issuePartnerToken", "revokePartnerToken"] {
        before.insert(resource, entries_for(&app, resource).await.len());
    }
    let password = app.settings.data_dir.join("password.txt");
    std::fs::write(&password, "a long enough password\n").unwrap();
    api(
        &app,
        &[
            "user",
            "add",
            "--email",
            "new.analyst@marseille.example",
            "--role",
            "analyst",
            "--org",
            "csu",
            "--password-file",
            password.to_str().unwrap(),
        ],
    )
    .await
    .unwrap();
    api(
        &app,
        &[
            "token",
            "issue",
            "--org",
            "rtm",
            "--scopes",
            "read:agenda",
            "--days",
            "7",
        ],
    )
    .await
    .unwrap();
    let token_id: i64 = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT CAST(MAX(id) AS BIGINT) AS id FROM partner_token",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();
    api(&app, &["token", "revoke", &token_id.to_string()])
        .await
        .unwrap();
    // A refused change: an e-mail that exists already. Nothing is stored; its entry
    // says it failed.
    let refused = api(
        &app,
        &[
            "user",
            "add",
            "--email",
            "new.analyst@marseille.example",
            "--role",
            "analyst",
            "--org",
            "csu",
            "--password-file",
            password.to_str().unwrap(),
        ],
    )
    .await;
    assert!(refused.is_err(), "a second account with one e-mail");

    for (resource, operation, outcomes) in [
        ("createUser", "api user add", vec!["error", "allowed"]),
        ("issuePartnerToken", "api token issue", vec!["allowed"]),
        ("revokePartnerToken", "api token revoke", vec!["allowed"]),
    ] {
        let all = entries_for(&app, resource).await;
        let new = all.len() - before[resource];
        let entries: Vec<Value> = all.into_iter().take(new).collect();
        let got: Vec<&str> = entries
            .iter()
            .map(|e| e["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(
            got, outcomes,
            "{resource}: one entry per command: {entries:?}"
        );
        for entry in &entries {
            assert_eq!(entry["operationName"], operation, "{entry}");
            assert!(
                entry["actor"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("command line (")),
                "the operator is the actor: {entry}"
            );
        }
    }
    assert_eq!(
        app.count("app_user WHERE email = 'new.analyst@marseille.example'")
            .await,
        1,
        "the refused second account stored nothing"
    );
    api(&app, &["audit", "verify"]).await.unwrap();
}

async fn a_document_with_two_mutations_writes_two_entries(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let issued = app
        .graphql_as(
            "admin",
            "mutation($input: IssuePartnerTokenInput!) { issuePartnerToken(input: $input) { token { id } } }",
            json!({ "input": { "organizationId": "1", "label": "to revoke", "scopes": ["read:agenda"], "purposes": ["event_planning"], "days": 1 } }),
        )
        .await;
    let id = issued["data"]["issuePartnerToken"]["token"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{issued}"))
        .to_owned();
    let csu = entity::organization::Entity::find()
        .filter(entity::organization::Column::Code.eq("csu"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the city supervision centre is seeded")
        .id;
    let body = app
        .graphql_as(
            "admin",
            "mutation Both($id: ID!, $org: ID!) { revokePartnerToken(id: $id) { id } createUser(input: { email: \"second.admin@marseille.example\", role: \"admin\", organizationId: $org, password: \"a long enough password\" }) { id } }",
            json!({ "id": id, "org": csu.to_string() }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    for resource in ["revokePartnerToken", "createUser"] {
        let entries: Vec<Value> = entries_for(&app, resource)
            .await
            .into_iter()
            .filter(|e| e["operationName"] == "Both")
            .collect();
        assert_eq!(
            entries.len(),
            1,
            "{resource} has its own entry: {entries:?}"
        );
        assert_eq!(entries[0]["outcome"], "allowed");
        assert_eq!(entries[0]["actor"], "admin@test.example");
    }
}

async fn a_change_whose_entry_cannot_be_written_stores_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // The database refuses the success entry of one operation: its change must go
    // with it, and its failure still be on record.
    let refuse = match app.db.get_database_backend() {
        DbBackend::Postgres => vec![
            "CREATE FUNCTION refuse_create_event() RETURNS trigger AS $$ BEGIN \
             IF NEW.resources = 'createEvent' AND NEW.outcome = 'allowed' THEN \
             RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_create_event BEFORE INSERT ON audit_entry \
             FOR EACH ROW EXECUTE FUNCTION refuse_create_event()",
        ],
        _ => vec![
            "CREATE TRIGGER refuse_create_event BEFORE INSERT ON audit_entry \
             WHEN NEW.resources = 'createEvent' AND NEW.outcome = 'allowed' \
             BEGIN SELECT RAISE(ABORT, 'refused for the test'); END",
        ],
    };
    for statement in refuse {
        app.db.execute_unprepared(statement).await.unwrap();
    }
    let events_before = app.count("event").await;
    let body = app
        .graphql_as(
            "supervisor",
            "mutation($input: CreateEventInput!) { createEvent(input: $input) { event { id } } }",
            json!({ "input": { "title": "Concert sans trace", "category": "CONCERT", "zoneId": "1",
                "startsAt": "2026-12-20T18:00:00Z", "endsAt": "2026-12-20T22:00:00Z", "expectedAttendance": 500, "publicProfile": "STANDING" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("INTERNAL"), "{body}");
    assert_eq!(
        app.count("event").await,
        events_before,
        "the event went with its entry"
    );
    let entries = entries_for(&app, "createEvent").await;
    let outcomes: Vec<&str> = entries
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["error"], "only the failure is on record");
}

async fn a_login_inside_another_document_is_its_own_entry_by_the_caller(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dpo = app.account("dpo").await;
    let supervisor = app.account("supervisor").await;
    let body = app
        .graphql_as(
            "supervisor",
            "mutation Mixed($input: CreateEventInput!, $e: String!) { createEvent(input: $input) { event { id } } claim: login(email: $e, password: \"not the password\") { accessToken } }",
            json!({ "e": dpo, "input": { "title": "Marché de Noël", "category": "MARKET", "zoneId": "1",
                "startsAt": "2026-12-20T09:00:00Z", "endsAt": "2026-12-20T13:00:00Z", "expectedAttendance": 300, "publicProfile": "STANDING_DYNAMIC" } }),
        )
        .await;
    assert!(
        body["data"]["createEvent"]["event"]["id"].is_string(),
        "{body}"
    );
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    let created: Vec<Value> = entries_for(&app, "createEvent")
        .await
        .into_iter()
        .filter(|e| e["operationName"] == "Mixed")
        .collect();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["actor"], supervisor.as_str());
    assert_eq!(created[0]["outcome"], "allowed");
    let logins: Vec<Value> = entries_for(&app, "login")
        .await
        .into_iter()
        .filter(|e| e["operationName"] == "Mixed")
        .collect();
    assert_eq!(
        logins.len(),
        1,
        "the login attempt has its own entry: {logins:?}"
    );
    assert_eq!(
        logins[0]["actor"],
        supervisor.as_str(),
        "the actor is the caller, not the e-mail claimed"
    );
    assert_eq!(logins[0]["outcome"], "denied");
    // The password is never recorded, the claimed e-mail stays out of the actor.
    assert!(!logins[0].to_string().contains("not the password"));
}

async fn nested_fields_follow_the_field_matrix(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let issued = app
        .graphql_as(
            "admin",
            "mutation($input: IssuePartnerTokenInput!) { issuePartnerToken(input: $input) { secret } }",
            json!({ "input": { "organizationId": "1", "label": "events", "scopes": ["read:events"], "purposes": ["event_planning"], "days": 1 } }),
        )
        .await;
    let token = issued["data"]["issuePartnerToken"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{issued}"))
        .to_owned();
    for (query, field) in [
        (
            "{ events(first: 5) { edges { node { title decisions { decidedBy rationale } } } } }",
            "Event.decisions",
        ),
        (
            "{ events(first: 5) { edges { node { deployments { kind organization { name description } } } } } }",
            "Deployment.organization",
        ),
    ] {
        let body = app.graphql_with(&token, query, json!({})).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{field}: {body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(field)),
            "the refusal names {field}: {body}"
        );
        assert!(body["data"].is_null(), "nothing ran: {body}");
    }
    let allowed = app
        .graphql_with(
            &token,
            "{ events(first: 5) { edges { node { title deployments { kind count } } } } }",
            json!({}),
        )
        .await;
    assert!(allowed["errors"].is_null(), "{allowed}");
}

async fn free_text_is_redacted_before_other_roles_read_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let events = app
        .graphql_as(
            "supervisor",
            "{ events(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let id = events["data"]["events"]["edges"][0]["node"]["id"].clone();
    let body = app
        .graphql_as(
            "supervisor",
            "mutation($input: RecordDecisionInput!) { recordDecision(input: $input) { rationale } }",
            json!({ "input": { "eventId": id, "action": "MAINTAIN",
                "rationale": "Agreed with Jean Martin, 06 12 34 56 78, jean.martin@example.org" } }),
        )
        .await;
    let rationale = body["data"]["recordDecision"]["rationale"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"));
    assert!(
        !rationale.contains("06 12 34") && !rationale.contains("jean.martin@"),
        "{rationale}"
    );
    let read = app
        .graphql_as(
            "analyst",
            "query($id: ID!) { event(id: $id) { decisions { rationale } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        read["data"]["event"]["decisions"][0]["rationale"], rationale,
        "{read}"
    );
}

async fn the_platforms_own_changes_are_audited_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // The first start seeded the demo agenda: one entry, by the platform, with a summary.
    let seeded = entries_for(&app, "seedDemoData").await;
    assert_eq!(seeded.len(), 1, "{seeded:?}");
    let entry = &seeded[0];
    assert_eq!(entry["operationType"], "system", "{entry}");
    assert_eq!(entry["outcome"], "allowed", "{entry}");
    assert!(
        entry["actor"]
            .as_str()
            .is_some_and(|a| a.starts_with("platform (")),
        "{entry}"
    );
    assert!(
        entry["reason"]
            .as_str()
            .is_some_and(|r| r.contains("agenda days")),
        "the entry says what was seeded: {entry}"
    );
    // Seeding again finds everything in place: nothing changes, nothing is recorded.
    let today = api::time::paris_today(chrono::Utc::now());
    let again = api::seed::run(&app.db, today).await.expect("seeding again");
    assert_eq!((again.reference_rows, again.days), (0, 0), "{again:?}");
    assert_eq!(entries_for(&app, "seedDemoData").await.len(), 1);
    api(&app, &["audit", "verify"])
        .await
        .expect("the chain holds");
}

on_both_backends!(
    the_platforms_own_changes_are_audited_once,
    command_line_changes_write_exactly_one_verified_entry_each,
    a_document_with_two_mutations_writes_two_entries,
    a_change_whose_entry_cannot_be_written_stores_nothing,
    a_login_inside_another_document_is_its_own_entry_by_the_caller,
    nested_fields_follow_the_field_matrix,
    free_text_is_redacted_before_other_roles_read_it,
);
