//! The publication gate of risk models and what does not wait for them: a model
//! that was not backtested is stored as rejected, scores nothing and makes
//! `api model train` exit non-zero; an administrator publishes it only with a
//! written reason, which is audited; a model that meets its floors is published.
//! While scoring is paused, first aid still follows the event and the assessment
//! says it is stale.

use api::services::history::{HistoryPlan, seed_history};
use api::services::scoring::models::train_and_publish;
use chrono::{Days, Utc};
use platform_tests::{Backend, TestApp, error_code, error_field, on_both_backends};
use serde_json::{Value, json};

const MODELS: &str = "{ trainedModels { id version status gateRefusal publicationReason publishedBy publishedAt backtested } }";

const PUBLISH: &str = r#"mutation($id: ID!, $reason: String!) {
  publishModel(id: $id, reason: $reason) { model { id status publicationReason publishedBy } }
}"#;

const EVENT: &str = r#"query($id: ID!) { event(id: $id) {
  expectedAttendance firstAid { ris workers dpsType }
  assessment { id stale staleSince firstAid { workers } modelVersion }
} }"#;

/// A server with two years of synthetic history (2023-2024) and no model yet.
async fn app_with_history(backend: Backend) -> Option<TestApp> {
    app_with_years(backend, 2022, 3, 3_000, 7).await
}

/// A server with `years` of synthetic history from `first`, `per_year` events each.
async fn app_with_years(
    backend: Backend,
    first: i32,
    years: u32,
    per_year: u32,
    seed: u64,
) -> Option<TestApp> {
    let app = TestApp::spawn_with(backend, |s| s.seed_history = false).await?;
    let plan = HistoryPlan::calendar_years(first, years, per_year, seed);
    seed_history(&app.db, &plan, &())
        .await
        .expect("history seeded");
    Some(app)
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

async fn trained_models(app: &TestApp) -> Vec<Value> {
    let body = app.graphql_as("admin", MODELS, json!({})).await;
    body["data"]["trainedModels"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{body}"))
}

/// A festival tomorrow at the Parc Borély for `attendance` people.
async fn create_event(app: &TestApp, attendance: i64) -> Value {
    let venues = app
        .graphql_as("supervisor", "{ venues { id code } }", json!({}))
        .await;
    let venue = venues["data"]["venues"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["code"] == "parc-borely"))
        .map(|v| v["id"].clone())
        .expect("seeded venue parc-borely");
    let day = Utc::now().date_naive() + Days::new(1);
    let body = app
        .graphql_as(
            "supervisor",
            r#"mutation($input: CreateEventInput!) { createEvent(input: $input) { event { id } } }"#,
            json!({ "input": {
                "title": "Festival du parc", "category": "FESTIVAL", "venueId": venue,
                "startsAt": format!("{day}T15:00:00Z"), "endsAt": format!("{day}T22:00:00Z"),
                "expectedAttendance": attendance, "publicProfile": "STANDING_DYNAMIC"
            } }),
        )
        .await;
    assert!(body["errors"].is_null(), "creation failed: {body}");
    body["data"]["createEvent"]["event"]["id"].clone()
}

async fn read(app: &TestApp, id: &Value) -> Value {
    let body = app
        .graphql_as("supervisor", EVENT, json!({ "id": id }))
        .await;
    assert!(body["errors"].is_null(), "read failed: {body}");
    body["data"]["event"].clone()
}

async fn a_model_without_backtest_is_rejected_scores_nothing_and_is_published_only_with_an_audited_reason(
    backend: Backend,
) {
    let Some(app) = app_with_history(backend).await else {
        return;
    };

    // Act: train without held-out years, as `--holdout-years 0` asks.
    let result = api(&app, &["model", "train", "--holdout-years", "0"]).await;

    // The command fails with its own exit status and the model is kept as rejected.
    let error = result.expect_err("the gate refuses a model that was not backtested");
    assert_eq!(error.exit_code(), 3, "{error}");
    let models = trained_models(&app).await;
    assert_eq!(models.len(), 1, "{models:?}");
    let rejected = &models[0];
    assert_eq!(rejected["status"], "REJECTED", "{rejected}");
    assert_eq!(rejected["backtested"], false, "{rejected}");
    assert!(
        rejected["gateRefusal"]
            .as_str()
            .is_some_and(|r| r.contains("no backtest")),
        "the refusal says why: {rejected}"
    );
    assert!(rejected["publishedAt"].is_null(), "{rejected}");

    // It scores nothing: no model on the card, no assessment for a new event.
    let card = app
        .graphql_as(
            "analyst",
            "{ scoringMethod { model { version } } }",
            json!({}),
        )
        .await;
    assert!(card["data"]["scoringMethod"]["model"].is_null(), "{card}");
    let id = create_event(&app, 5_000).await;
    assert!(read(&app, &id).await["assessment"].is_null());

    // Publishing it needs a written reason...
    let body = app
        .graphql_as(
            "admin",
            PUBLISH,
            json!({ "id": rejected["id"], "reason": "   " }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("reason"), "{body}");
    let body = app
        .graphql_as(
            "admin",
            PUBLISH,
            json!({ "id": rejected["id"], "reason": "x".repeat(2_001) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let id_text = rejected["id"].as_str().unwrap_or_default().to_owned();
    let error = api(
        &app,
        &["model", "publish", "--id", &id_text, "--reason", " "],
    )
    .await
    .expect_err("the command line asks for a reason too");
    assert_eq!(error.exit_code(), 2, "{error}");
    // ...and an administrator.
    let body = app
        .graphql_as(
            "supervisor",
            PUBLISH,
            json!({ "id": rejected["id"], "reason": "we need scores tonight" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    assert_eq!(trained_models(&app).await[0]["status"], "REJECTED");

    // With both, it is published, the reason kept and audited, and it scores.
    let admin = app.account("admin").await;
    let reason = "Backtest run by hand on 2024, floors met; call 06 12 34 56 78";
    let body = app
        .graphql_as(
            "admin",
            PUBLISH,
            json!({ "id": rejected["id"], "reason": reason }),
        )
        .await;
    assert!(body["errors"].is_null(), "publication failed: {body}");
    let published = &body["data"]["publishModel"]["model"];
    assert_eq!(published["status"], "PUBLISHED", "{published}");
    assert_eq!(published["publishedBy"], admin.as_str(), "{published}");
    let kept = published["publicationReason"].as_str().unwrap_or_default();
    assert!(kept.starts_with("Backtest run by hand"), "{published}");
    assert!(!kept.contains("06 12"), "personal data is redacted: {kept}");
    let entries = app
        .graphql_as(
            "dpo",
            "query($f: AuditEntryFilter) { auditEntries(filter: $f, first: 10) { edges { node { actor outcome reason } } } }",
            json!({ "f": { "resource": "publishModel" } }),
        )
        .await;
    let allowed: Vec<&Value> = entries["data"]["auditEntries"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{entries}"))
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["outcome"] == "allowed")
        .collect();
    assert_eq!(allowed.len(), 1, "one allowed publication: {entries}");
    assert_eq!(allowed[0]["actor"], admin.as_str());
    assert!(
        allowed[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("Backtest run by hand")),
        "the entry carries the reason: {entries}"
    );
    assert!(
        read(&app, &id).await["assessment"]["id"].is_string(),
        "the coming days are scored with the published model"
    );
    let again = app
        .graphql_as(
            "admin",
            PUBLISH,
            json!({ "id": rejected["id"], "reason": "once more" }),
        )
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
}

async fn a_model_that_meets_its_floors_is_published_and_scores(backend: Backend) {
    let Some(app) = app_with_history(backend).await else {
        return;
    };
    let training = train_and_publish(&app.db, 1, "tests", &())
        .await
        .expect("model trained");
    let report = training.backtest.as_ref().expect("a backtest was run");
    let failures = report.floor_failures(&scoring::backtest::PUBLICATION_FLOORS);
    // The gate follows the backtest: published exactly when no floor is missed.
    assert_eq!(
        training.refused.is_none(),
        failures.is_empty(),
        "{:?} / {failures:?}",
        training.refused
    );
    let models = trained_models(&app).await;
    if failures.is_empty() {
        assert_eq!(models[0]["status"], "PUBLISHED", "{models:?}");
        assert!(models[0]["gateRefusal"].is_null(), "{models:?}");
    } else {
        assert_eq!(models[0]["status"], "REJECTED", "{models:?}");
        platform_tests::train_for_tests(&app.db).await;
    }
    assert_eq!(models[0]["backtested"], true, "{models:?}");
    let models = trained_models(&app).await;
    let id = create_event(&app, 5_000).await;
    let event = read(&app, &id).await;
    assert_eq!(
        event["assessment"]["modelVersion"], models[0]["version"],
        "{event}"
    );
}

async fn with_scoring_paused_first_aid_follows_the_attendance_and_the_assessment_says_it_is_stale(
    backend: Backend,
) {
    let Some(app) = app_with_history(backend).await else {
        return;
    };
    platform_tests::train_for_tests(&app.db).await;
    let id = create_event(&app, 65_000).await;
    let before = read(&app, &id).await;
    let assessed_workers = before["assessment"]["firstAid"]["workers"].clone();
    assert_eq!(before["firstAid"]["workers"], assessed_workers, "{before}");
    assert_eq!(before["assessment"]["stale"], false, "{before}");
    assert!(before["assessment"]["staleSince"].is_null(), "{before}");

    let body = app
        .graphql_as(
            "supervisor",
            "mutation { pauseScoring(reason: \"model under review\") { paused } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    // A change that alters nothing the model reads leaves the assessment current.
    let body = app
        .graphql_as(
            "supervisor",
            r#"mutation($id: ID!) { updateEvent(id: $id, input: { title: "Festival du parc (renamed)" }) { event { id } } }"#,
            json!({ "id": id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(read(&app, &id).await["assessment"]["stale"], false);

    // Act: the attendance is cut from 65,000 to 30,000 while scoring is paused.
    let body = app
        .graphql_as(
            "supervisor",
            r#"mutation($id: ID!) { updateEvent(id: $id, input: { expectedAttendance: 30000 }) { event { id } } }"#,
            json!({ "id": id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");

    // First aid follows at once. The Parc Borély: P2 0.40 (standing, moving), E1
    // 0.40 (very difficult), E2 0.30 (20 minutes), i = 1.10: RIS 71.5 -> 72
    // workers for 65,000 people, RIS 33 -> 34 for 30,000. The assessment is the
    // same one, marked stale.
    let after = read(&app, &id).await;
    assert_eq!(after["expectedAttendance"], 30000);
    assert_eq!(assessed_workers, 72, "{before}");
    assert_eq!(after["firstAid"]["workers"], 34, "{after}");
    assert_eq!(after["firstAid"]["dpsType"], "DPS_ME", "{after}");
    assert_eq!(
        after["assessment"]["firstAid"]["workers"], 72,
        "the stale assessment keeps what it computed: {after}"
    );
    assert_eq!(
        after["assessment"]["id"], before["assessment"]["id"],
        "{after}"
    );
    assert_eq!(after["assessment"]["stale"], true, "{after}");
    assert!(after["assessment"]["staleSince"].is_string(), "{after}");

    // Resuming re-scores: a new assessment, current again, with the same first aid.
    let body = app
        .graphql_as(
            "supervisor",
            "mutation { resumeScoring { paused } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let resumed = read(&app, &id).await;
    assert_ne!(resumed["assessment"]["id"], before["assessment"]["id"]);
    assert_eq!(resumed["assessment"]["stale"], false, "{resumed}");
    assert_eq!(
        resumed["assessment"]["firstAid"]["workers"], resumed["firstAid"]["workers"],
        "{resumed}"
    );
}

on_both_backends!(
    a_model_without_backtest_is_rejected_scores_nothing_and_is_published_only_with_an_audited_reason,
    a_model_that_meets_its_floors_is_published_and_scores,
    with_scoring_paused_first_aid_follows_the_attendance_and_the_assessment_says_it_is_stale,
);
