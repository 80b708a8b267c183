//! The gate: a source is activated, and may ingest, only while the DPIA of its
//! processing activity is validated; and the register's entries themselves.

use api::services::register::ensure_source_may_ingest;
use entity::enums::SourceStatus;
use platform_tests::{Backend, TestApp, error_code, error_field, on_both_backends};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use super::{activity_input, validate};

const SET_STATUS: &str = "mutation($id: ID!, $status: SourceStatus!) { setSourceStatus(sourceId: $id, status: $status) { source { code status } } }";
const REGISTER: &str = "{ processingActivities { id code dpiaValidated retentionDays sources { id code status } dpias { id status } } }";

async fn register(app: &TestApp) -> Vec<Value> {
    let body = app.graphql_as("dpo", REGISTER, json!({})).await;
    body["data"]["processingActivities"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("register: {body}"))
}

async fn source(app: &TestApp, code: &str) -> entity::source::Model {
    entity::source::Entity::find()
        .filter(entity::source::Column::Code.eq(code))
        .one(&app.db)
        .await
        .expect("source query")
        .expect("seeded source")
}

async fn the_seed_registers_every_source_and_validates_the_active_ones(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let activities = register(&app).await;
    assert!(activities.len() >= 6, "{activities:?}");
    for activity in &activities {
        for source in activity["sources"].as_array().into_iter().flatten() {
            if source["status"] == "ACTIVE" {
                assert_eq!(
                    activity["dpiaValidated"], true,
                    "active source {} runs under a validated DPIA",
                    source["code"]
                );
            }
        }
    }
    let project = activities.iter().find(|a| {
        a["sources"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["code"] == "presence-quartiers"))
    });
    let project = project.expect("presence-quartiers is registered");
    assert_eq!(project["dpiaValidated"], false);
    assert_eq!(project["dpias"][0]["status"], "DRAFT");
    let unregistered = entity::source::Entity::find()
        .filter(entity::source::Column::ProcessingActivityId.is_null())
        .all(&app.db)
        .await
        .expect("query");
    assert!(
        unregistered.is_empty(),
        "every seeded source belongs to an activity: {unregistered:?}"
    );
    api::seed::run(&app.db, chrono::Utc::now().date_naive())
        .await
        .expect("seed again");
    assert_eq!(
        register(&app).await,
        activities,
        "seeding twice changes nothing"
    );
}

async fn a_source_runs_only_while_its_dpia_is_validated(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let project = source(&app, "presence-quartiers").await;
    let err = ensure_source_may_ingest(&app.db, &project)
        .await
        .expect_err("draft DPIA");
    assert_eq!(err.code(), api::error::ErrorCode::PolicyViolation);
    assert!(err.to_string().contains("presence-quartiers"), "{err}");
    ensure_source_may_ingest(&app.db, &source(&app, "presence-operateurs").await)
        .await
        .expect("validated DPIA");
    let unregistered = entity::source::Model {
        processing_activity_id: None,
        ..project.clone()
    };
    let err = ensure_source_may_ingest(&app.db, &unregistered)
        .await
        .expect_err("no activity");
    assert!(
        matches!(err, api::error::ApiError::PolicyViolation { ref rule, .. } if rule == "SOURCE_NOT_REGISTERED"),
        "{err:?}"
    );

    let id = json!(project.id.to_string());
    let refused = app
        .graphql_as("admin", SET_STATUS, json!({ "id": id, "status": "ACTIVE" }))
        .await;
    assert_eq!(error_code(&refused), Some("POLICY_VIOLATION"), "{refused}");
    assert_eq!(
        refused["errors"][0]["extensions"]["rule"],
        "DPIA_NOT_VALIDATED"
    );
    let message = refused["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("presence-quartiers") && message.contains("DPIA"),
        "the message names the missing DPIA: {message}"
    );
    assert_eq!(
        source(&app, "presence-quartiers").await.status,
        SourceStatus::Draft,
        "still inactive"
    );
    let not_admin = app
        .graphql_as("dpo", SET_STATUS, json!({ "id": id, "status": "ACTIVE" }))
        .await;
    assert_eq!(error_code(&not_admin), Some("FORBIDDEN"), "{not_admin}");

    let activities = register(&app).await;
    let dpia = activities.iter().find_map(|a| {
        a["sources"]
            .as_array()?
            .iter()
            .any(|s| s["code"] == "presence-quartiers")
            .then(|| a["dpias"][0]["id"].clone())
    });
    validate(&app, &dpia.expect("the project's draft")).await;
    let activated = app
        .graphql_as("admin", SET_STATUS, json!({ "id": id, "status": "ACTIVE" }))
        .await;
    assert_eq!(
        activated["data"]["setSourceStatus"]["source"]["status"], "ACTIVE",
        "{activated}"
    );
    ensure_source_may_ingest(&app.db, &source(&app, "presence-quartiers").await)
        .await
        .expect("now validated");
    let suspended = app
        .graphql_as(
            "admin",
            SET_STATUS,
            json!({ "id": id, "status": "SUSPENDED" }),
        )
        .await;
    assert_eq!(
        suspended["data"]["setSourceStatus"]["source"]["status"], "SUSPENDED",
        "{suspended}"
    );
}

async fn the_register_keeps_checked_entries_and_links_sources(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let upsert = "mutation($input: ProcessingActivityInput!) { upsertProcessingActivity(input: $input) { processingActivity { id code name retentionDays purposes sources { code } } } }";
    let before = app.count("processing_activity").await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "retentionDays": 0 }), "input.retentionDays"),
        (json!({ "purposes": [] }), "input.purposes"),
        (json!({ "code": "Pas Un Code" }), "input.code"),
        (
            json!({ "controllerContact": " " }),
            "input.controllerContact",
        ),
        (json!({ "sourceIds": ["999999"] }), "input.sourceIds"),
    ];
    for (patch, field) in cases {
        let mut input = activity_input("test-registre");
        for (key, value) in patch.as_object().into_iter().flatten() {
            input[key] = value.clone();
        }
        let body = app
            .graphql_as("admin", upsert, json!({ "input": input }))
            .await;
        assert_eq!(error_field(&body), Some(field), "{body}");
    }
    assert_eq!(
        app.count("processing_activity").await,
        before,
        "refused entries store nothing"
    );
    let supervisor = app
        .graphql_as(
            "supervisor",
            upsert,
            json!({ "input": activity_input("test-registre") }),
        )
        .await;
    assert_eq!(error_code(&supervisor), Some("FORBIDDEN"), "{supervisor}");

    let active = source(&app, "meteo-observations").await;
    let mut input = activity_input("test-registre");
    input["sourceIds"] = json!([active.id.to_string()]);
    let moved = app
        .graphql_as("dpo", upsert, json!({ "input": input }))
        .await;
    assert_eq!(
        error_field(&moved),
        Some("input.sourceIds"),
        "an active source cannot join an activity without a validated DPIA: {moved}"
    );
    let project = source(&app, "presence-quartiers").await;
    input["sourceIds"] = json!([project.id.to_string()]);
    input["retentionDays"] = json!(90);
    let created = app
        .graphql_as("dpo", upsert, json!({ "input": input.clone() }))
        .await;
    let entry = &created["data"]["upsertProcessingActivity"]["processingActivity"];
    assert_eq!(
        entry["sources"],
        json!([{ "code": "presence-quartiers" }]),
        "{created}"
    );
    input["name"] = json!("Nom révisé");
    input["sourceIds"] = json!([]);
    let replaced = app
        .graphql_as("admin", upsert, json!({ "input": input }))
        .await;
    let again = &replaced["data"]["upsertProcessingActivity"]["processingActivity"];
    assert_eq!(
        again["id"], entry["id"],
        "the code finds the entry to replace"
    );
    assert_eq!(again["name"], "Nom révisé");
    assert_eq!(again["sources"], json!([]), "a draft source can leave");
    assert_eq!(app.count("processing_activity").await, before + 1);
}

on_both_backends!(
    the_seed_registers_every_source_and_validates_the_active_ones,
    a_source_runs_only_while_its_dpia_is_validated,
    the_register_keeps_checked_entries_and_links_sources,
);
