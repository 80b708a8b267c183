//! Purpose limitation: protected operations need a declared purpose (`X-Purpose`)
//! allowed for the role or token; otherwise `FORBIDDEN` says which were allowed.

use chrono::Duration;
use platform_tests::{Backend, TestApp, error_code, on_both_backends};
use serde_json::{Value, json};

use super::support::{INGEST, call, midnight, token, transit_batch, zone_id};

const PRESENCE: &str = "query($zone: ID!, $from: DateTime!, $to: DateTime!) { presence(zoneId: $zone, from: $from, to: $to, bucket: DAY) { controlled } }";
const STATS: &str = "query($zone: ID!, $from: DateTime!, $to: DateTime!) { incidentStats(zoneId: $zone, field: SECURITY, from: $from, to: $to) { controlled } }";

/// The reason code of a refusal, or "granted" when the operation answered.
fn outcome(body: &Value, field: &str) -> String {
    if body["data"][field].is_object() {
        return "granted".to_owned();
    }
    assert_eq!(error_code(body), Some("FORBIDDEN"), "{body}");
    body["errors"][0]["extensions"]["reason"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn aggregates_need_a_declared_purpose_allowed_for_the_caller(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let zone = zone_id(&app, "13208").await;
    let vars = json!({ "zone": zone.to_string(), "from": midnight(2), "to": midnight(2) + Duration::days(1) });
    let analyst = app.token_for("analyst").await;
    let security = token(
        &app,
        "rtm",
        &["read:aggregates:security"],
        &["statistics", "event_planning"],
    )
    .await;
    let presence = token(&app, "rtm", &["read:aggregates:presence"], &["statistics"]).await;
    // (who, operation, declared purpose, expected outcome)
    let cases = [
        (&analyst, PRESENCE, "presence", None, "PURPOSE_REQUIRED"),
        (
            &analyst,
            PRESENCE,
            "presence",
            Some("crisis_response"),
            "PURPOSE_NOT_ALLOWED",
        ),
        (
            &analyst,
            PRESENCE,
            "presence",
            Some("statistics"),
            "granted",
        ),
        (
            &presence,
            PRESENCE,
            "presence",
            Some("event_planning"),
            "PURPOSE_NOT_ALLOWED",
        ),
        // The token allows one purpose here: it is implied.
        (&presence, PRESENCE, "presence", None, "granted"),
        (&analyst, STATS, "incidentStats", None, "PURPOSE_REQUIRED"),
        (
            &analyst,
            STATS,
            "incidentStats",
            Some("audit"),
            "PURPOSE_NOT_ALLOWED",
        ),
        (
            &analyst,
            STATS,
            "incidentStats",
            Some("event_planning"),
            "granted",
        ),
        (&security, STATS, "incidentStats", None, "PURPOSE_REQUIRED"),
        (
            &security,
            STATS,
            "incidentStats",
            Some("crisis_response"),
            "PURPOSE_NOT_ALLOWED",
        ),
        (
            &security,
            STATS,
            "incidentStats",
            Some("statistics"),
            "granted",
        ),
    ];
    for (who, query, field, purpose, expected) in cases {
        let body = call(&app, who, purpose, query, vars.clone()).await;
        assert_eq!(
            outcome(&body, field),
            expected,
            "{field} with {purpose:?}: {body}"
        );
        if expected == "PURPOSE_REQUIRED" {
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(
                message.contains("statistics"),
                "the refusal lists the allowed purposes: {message}"
            );
        }
    }
}

async fn ingestion_accepts_only_the_ingestion_purpose(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let rtm = token(&app, "rtm", &["ingest:rtm-frequentation"], &["ingestion"]).await;
    let batch = json!({ "input": transit_batch("purposes") });
    let body = call(&app, &rtm, Some("statistics"), INGEST, batch.clone()).await;
    assert_eq!(
        outcome(&body, "ingestObservations"),
        "PURPOSE_NOT_ALLOWED",
        "{body}"
    );
    assert_eq!(app.count("observation").await, 0, "nothing stored");
    // `ingestion` is the only purpose that fits: left undeclared, it is implied.
    let body = call(&app, &rtm, None, INGEST, batch.clone()).await;
    assert_eq!(outcome(&body, "ingestObservations"), "granted", "{body}");
    let body = call(&app, &rtm, Some("ingestion"), INGEST, batch).await;
    assert_eq!(
        body["data"]["ingestObservations"]["replayed"], true,
        "{body}"
    );
    assert_eq!(app.count("observation").await, 3);
}

async fn incident_records_need_a_planning_purpose(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let supervisor = app.token_for("supervisor").await;
    let list = "{ incidents { totalCount } }";
    for (purpose, expected) in [
        (None, "PURPOSE_REQUIRED"),
        (Some("statistics"), "PURPOSE_NOT_ALLOWED"),
        (Some("crisis_response"), "granted"),
    ] {
        let body = call(&app, &supervisor, purpose, list, json!({})).await;
        assert_eq!(outcome(&body, "incidents"), expected, "{purpose:?}: {body}");
    }
}

on_both_backends!(
    aggregates_need_a_declared_purpose_allowed_for_the_caller,
    ingestion_accepts_only_the_ingestion_purpose,
    incident_records_need_a_planning_purpose,
);
