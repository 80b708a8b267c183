//! Risk scoring and human oversight over HTTP: assessments made when events and
//! deployments change, their history, decisions and overrides, the pause switch,
//! and the scoring method's card. Each test seeds a small synthetic history and
//! trains on it through the services (the harness starts without history).

use api::services::history::{HistoryPlan, seed_history};
use chrono::{Days, Utc};
use platform_tests::{Backend, TestApp, error_code, error_field, on_both_backends};
use serde_json::{Value, json};

const CREATE: &str = r#"mutation($input: CreateEventInput!) {
  createEvent(input: $input) { event { id assessment { id risk } } }
}"#;

const DEPLOY: &str = r#"mutation($input: UpsertDeploymentInput!) {
  upsertDeployment(input: $input) { event { id } }
}"#;

const ASSESSMENTS: &str = r#"query($id: ID!) { event(id: $id) {
  assessment { id risk riskByField { field risk } expected { field incidents } adequacy
    adequacyByKind { kind planned required percent } shortKinds missingKinds
    expectedLoad { field unit unitWords value low high } egress { peakOutflow capacity }
    requirements { kind count basis }
    firstAid { ris workers dpsType } modelVersion computedAt
    explanation { modelVersion fields { field expectedIncidents contributions { feature factor } } } }
  assessments { id adequacy }
} }"#;

const DECIDE: &str = r#"mutation($input: RecordDecisionInput!) {
  recordDecision(input: $input) { id action rationale override overrideReason decidedBy assessment { id } }
}"#;

/// A server with two years of synthetic history (2023-2024) and a model trained on
/// it, backtested on 2024.
pub(crate) async fn app_with_model(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn_with(backend, |s| s.seed_history = false).await?;
    let plan = HistoryPlan::calendar_years(2022, 3, 3_000, 7);
    let seeded = seed_history(&app.db, &plan, &())
        .await
        .expect("history seeded");
    assert!(seeded.events > 4_000, "two years of history: {seeded:?}");
    platform_tests::train_for_tests(&app.db).await;
    Some(app)
}

/// Tomorrow (UTC), so that the event is in the window re-scored on resume.
fn tomorrow() -> chrono::NaiveDate {
    Utc::now().date_naive() + Days::new(1)
}

pub(crate) async fn create_event(app: &TestApp, attendance: i64) -> Value {
    let venues = app
        .graphql_as("supervisor", "{ venues { id code } }", json!({}))
        .await;
    let venue = venues["data"]["venues"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["code"] == "parc-borely"))
        .map(|v| v["id"].clone())
        .expect("seeded venue parc-borely");
    let day = tomorrow();
    let input = json!({
        "title": "Fête du Panier", "category": "FESTIVAL", "venueId": venue,
        "startsAt": format!("{day}T15:00:00Z"), "endsAt": format!("{day}T22:00:00Z"),
        "expectedAttendance": attendance, "publicProfile": "STANDING_DYNAMIC", "alcohol": true
    });
    let body = app
        .graphql_as("supervisor", CREATE, json!({ "input": input }))
        .await;
    assert!(body["errors"].is_null(), "creation failed: {body}");
    body["data"]["createEvent"]["event"].clone()
}

async fn read(app: &TestApp, id: &Value) -> Value {
    let body = app
        .graphql_as("supervisor", ASSESSMENTS, json!({ "id": id }))
        .await;
    assert!(body["errors"].is_null(), "read failed: {body}");
    body["data"]["event"].clone()
}

async fn an_event_is_assessed_when_created_and_again_when_its_deployment_changes(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let created = create_event(&app, 8_000).await;
    assert!(
        created["assessment"]["id"].is_string(),
        "scored on creation: {created}"
    );

    let event = read(&app, &created["id"]).await;
    let assessment = &event["assessment"];
    let risk = assessment["risk"].as_f64().expect("a risk");
    assert!(
        (0.0..=10.0).contains(&risk),
        "risk {risk} on the 0-10 scale"
    );
    assert_eq!(
        assessment["riskByField"].as_array().map(Vec::len),
        Some(3),
        "three fields"
    );
    assert_eq!(
        assessment["adequacyByKind"].as_array().map(Vec::len),
        Some(7),
        "seven kinds"
    );
    assert_eq!(
        assessment["firstAid"]["dpsType"], "DPS_PE",
        "8,000 standing dynamic people: {assessment}"
    );
    assert!(
        assessment["shortKinds"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "FIRST_AID")),
        "nothing planned yet"
    );
    assert!(
        assessment["missingKinds"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "FIRST_AID")),
        "a required kind with nothing planned is named missing: {assessment}"
    );
    assert_eq!(
        assessment["adequacy"],
        Value::Null,
        "nothing planned: no overall percentage, not a silent 0 %"
    );
    let loads = assessment["expectedLoad"].as_array().expect("loads");
    let units: Vec<&str> = loads.iter().filter_map(|l| l["unit"].as_str()).collect();
    assert_eq!(
        units,
        [
            "POLICE_INCIDENTS",
            "PATIENTS",
            "HOSPITAL_TRANSFERS",
            "OVERLOAD_RATIO"
        ]
    );
    for load in loads {
        let (low, value, high) = (
            load["low"].as_f64().unwrap_or(-1.0),
            load["value"].as_f64().unwrap_or(-1.0),
            load["high"].as_f64().unwrap_or(-1.0),
        );
        assert!(
            0.0 <= low && low <= high && value <= high && value > 0.0,
            "{load}"
        );
    }
    assert!(assessment["egress"]["capacity"].as_f64().unwrap_or(0.0) > 0.0);
    let requirements = assessment["requirements"].as_array().expect("requirements");
    assert!(
        requirements
            .iter()
            .any(|r| r["kind"] == "FIRST_AID"
                && r["basis"].as_str().is_some_and(|b| b.contains("DPS"))),
        "{requirements:?}"
    );
    assert!(
        assessment["explanation"]["fields"][0]["contributions"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    assert_eq!(event["assessments"].as_array().map(Vec::len), Some(1));

    let deploy = json!({ "input": { "eventId": created["id"], "kind": "FIRST_AID", "count": 40 } });
    let body = app.graphql_as("supervisor", DEPLOY, deploy.clone()).await;
    assert!(body["errors"].is_null(), "{body}");
    let event = read(&app, &created["id"]).await;
    let history = event["assessments"].as_array().expect("history");
    assert_eq!(
        history.len(),
        2,
        "a new assessment after the deployment change: {event}"
    );
    assert_eq!(
        history[0]["id"], event["assessment"]["id"],
        "newest first, and it is the current one"
    );
    let first_aid = event["assessment"]["adequacyByKind"]
        .as_array()
        .and_then(|k| k.iter().find(|k| k["kind"] == "FIRST_AID"))
        .cloned()
        .expect("first aid adequacy");
    assert_eq!(first_aid["planned"], 40, "{first_aid}");

    app.graphql_as("supervisor", DEPLOY, deploy).await;
    let unchanged = read(&app, &created["id"]).await;
    assert_eq!(
        unchanged["assessments"].as_array().map(Vec::len),
        Some(2),
        "same inputs, no new assessment"
    );

    let update = r#"mutation($id: ID!) { updateEvent(id: $id, input: { expectedAttendance: 12000 }) { event { id } } }"#;
    app.graphql_as("supervisor", update, json!({ "id": created["id"] }))
        .await;
    let grown = read(&app, &created["id"]).await;
    assert_eq!(
        grown["assessments"].as_array().map(Vec::len),
        Some(3),
        "the history grows with each change"
    );
}

async fn a_decision_without_rationale_is_refused_and_nothing_is_stored(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let event = create_event(&app, 3_000).await;
    let before = app.count("decision").await;
    for rationale in ["", "   "] {
        let input = json!({ "input": { "eventId": event["id"], "action": "MAINTAIN", "rationale": rationale } });
        let body = app.graphql_as("supervisor", DECIDE, input).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(error_field(&body), Some("input.rationale"), "{body}");
    }
    assert_eq!(app.count("decision").await, before, "nothing stored");
}

async fn decisions_against_the_advice_are_flagged_as_overrides(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let event = create_event(&app, 8_000).await;
    // Nothing is planned: every required kind is short, the advice is to reinforce.
    let maintain = json!({ "input": { "eventId": event["id"], "action": "MAINTAIN", "rationale": "the organiser's own staff will do" } });
    let body = app.graphql_as("supervisor", DECIDE, maintain).await;
    let decision = &body["data"]["recordDecision"];
    assert_eq!(
        decision["override"], true,
        "maintaining a short deployment overrides: {body}"
    );
    assert!(
        decision["overrideReason"]
            .as_str()
            .is_some_and(|r| r.contains("reinforce")),
        "{body}"
    );
    assert_eq!(
        decision["assessment"]["id"], event["assessment"]["id"],
        "answers the current assessment"
    );
    assert_eq!(decision["decidedBy"], "supervisor@test.example");

    let reinforce = json!({ "input": { "eventId": event["id"], "action": "REINFORCE", "rationale": "follow the advice" } });
    let body = app.graphql_as("supervisor", DECIDE, reinforce).await;
    assert_eq!(body["data"]["recordDecision"]["override"], false, "{body}");

    let listed = app
        .graphql_as(
            "supervisor",
            "query($id: ID!) { event(id: $id) { decisions { action override rationale } } }",
            json!({ "id": event["id"] }),
        )
        .await;
    let decisions = listed["data"]["event"]["decisions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(decisions.len(), 2, "{listed}");
    assert_eq!(decisions[0]["action"], "REINFORCE", "newest first");
}

async fn pausing_stops_new_assessments_and_the_agenda_says_so(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let refused = app
        .graphql_as(
            "supervisor",
            "mutation { pauseScoring(reason: \" \") { paused } }",
            json!({}),
        )
        .await;
    assert_eq!(
        error_code(&refused),
        Some("BAD_USER_INPUT"),
        "a pause needs a reason: {refused}"
    );

    let paused = app
        .graphql_as(
            "supervisor",
            "mutation { pauseScoring(reason: \"model under review\") { paused reason changedBy } }",
            json!({}),
        )
        .await;
    assert_eq!(paused["data"]["pauseScoring"]["paused"], true, "{paused}");
    assert_eq!(
        paused["data"]["pauseScoring"]["reason"],
        "model under review"
    );
    let before = app.count("assessment").await;
    let event = create_event(&app, 5_000).await;
    assert!(
        event["assessment"].is_null(),
        "no score while paused: {event}"
    );
    assert_eq!(
        app.count("assessment").await,
        before,
        "nothing stored while paused"
    );

    let agenda = r#"query($from: Date!) { agenda(from: $from, days: 1) { scoringPaused maxRisk events { id } } }"#;
    let day = json!({ "from": tomorrow().to_string() });
    let body = app.graphql_as("analyst", agenda, day.clone()).await;
    assert_eq!(body["data"]["agenda"][0]["scoringPaused"], true, "{body}");

    let resumed = app
        .graphql_as(
            "supervisor",
            "mutation { resumeScoring { paused } }",
            json!({}),
        )
        .await;
    assert_eq!(
        resumed["data"]["resumeScoring"]["paused"], false,
        "{resumed}"
    );
    let scored = read(&app, &event["id"]).await;
    assert!(
        scored["assessment"]["risk"].is_number(),
        "resuming scores the coming days: {scored}"
    );
    let body = app.graphql_as("analyst", agenda, day).await;
    assert_eq!(body["data"]["agenda"][0]["scoringPaused"], false, "{body}");
    assert!(
        body["data"]["agenda"][0]["maxRisk"].is_number(),
        "the day has a scored event: {body}"
    );
}

async fn the_scoring_method_describes_the_model_in_words(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.seed_history = false).await else {
        return;
    };
    let query = r#"{ scoringMethod { status { paused } decisionRules model {
      version trainingWindow { first last events } features { name meaning }
      fields { field model effects { feature coefficient factor words } }
      rules { topic rule } backtest { field spearman devianceReductionPercent } performance limitations text } } }"#;
    let before = app.graphql_as("dpo", query, json!({})).await;
    assert!(
        before["data"]["scoringMethod"]["model"].is_null(),
        "no model yet: {before}"
    );
    assert_eq!(before["data"]["scoringMethod"]["status"]["paused"], false);

    let plan = HistoryPlan::calendar_years(2022, 3, 3_000, 7);
    seed_history(&app.db, &plan, &())
        .await
        .expect("history seeded");
    platform_tests::train_for_tests(&app.db).await;
    let body = app.graphql_as("dpo", query, json!({})).await;
    let method = &body["data"]["scoringMethod"];
    let model = &method["model"];
    assert!(
        model["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("risk-v1")),
        "{body}"
    );
    assert!(
        model["features"].as_array().is_some_and(|f| f.len() > 10),
        "inputs listed"
    );
    assert_eq!(model["fields"].as_array().map(Vec::len), Some(3));
    assert!(
        model["fields"][0]["effects"][0]["words"]
            .as_str()
            .is_some_and(|w| w.contains("multiplies"))
    );
    assert!(model["rules"].as_array().is_some_and(|r| {
        r.iter()
            .any(|r| r["rule"].as_str().is_some_and(|t| t.contains("DPS")))
    }));
    assert_eq!(
        model["backtest"].as_array().map(Vec::len),
        Some(3),
        "backtest figures per field: {body}"
    );
    let text = model["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("SYNTHETIC"),
        "the card says the history is synthetic"
    );
    assert!(
        text.contains("cannot know"),
        "and what the model cannot know"
    );
    assert!(
        model["rules"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["topic"]
                .as_str()
                .is_some_and(|t| t.contains("security scale")))),
        "the absolute scale is published"
    );
    assert!(
        method["decisionRules"]
            .as_array()
            .is_some_and(|r| r.len() >= 3)
    );
}

on_both_backends!(
    an_event_is_assessed_when_created_and_again_when_its_deployment_changes,
    a_decision_without_rationale_is_refused_and_nothing_is_stored,
    decisions_against_the_advice_are_flagged_as_overrides,
    pausing_stops_new_assessments_and_the_agenda_says_so,
    the_scoring_method_describes_the_model_in_words,
);
