//! `recordIncident` and `incidents`: the supervision team records incidents, whose
//! free text is stored without its personal data, the count and kinds kept.

use chrono::{Duration, Utc};
use platform_tests::{Backend, TestApp, error_code, on_both_backends};
use sea_orm::EntityTrait;
use serde_json::json;

use super::support::{call, zone_id};

const RECORD: &str = "mutation($input: RecordIncidentInput!) { recordIncident(input: $input) {
  incident { id description redactionCount redactedKinds field severity category zone { code } } } }";
const LIST: &str = "query($filter: IncidentFilter, $first: Int, $after: String) { incidents(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id description occurredAt } } } }";

async fn incident_text_is_stored_without_its_personal_data(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let supervisor = app.token_for("supervisor").await;
    let zone = zone_id(&app, "site-vieux-port").await;
    let input = |description: &str, minutes_ago: i64| {
        json!({ "input": { "occurredAt": Utc::now() - Duration::minutes(minutes_ago), "zoneId": zone.to_string(), "field": "TRANQUILLITY",
            "category": "noise", "severity": 2, "description": description } })
    };
    let body = call(
        &app,
        &supervisor,
        Some("event_planning"),
        RECORD,
        input("Appeler M. Dupont au 06 12 34 56 78", 30),
    )
    .await;
    let incident = &body["data"]["recordIncident"]["incident"];
    assert_eq!(
        incident["description"], "Appeler M. Dupont au [PHONE]",
        "{body}"
    );
    assert_eq!(incident["redactionCount"], 1, "{body}");
    assert_eq!(incident["redactedKinds"], json!(["PHONE"]), "{body}");
    let stored = entity::incident::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].description.contains("06 12"),
        "the number never reaches the database: {stored:?}"
    );
    assert_eq!(
        (
            stored[0].redaction_count,
            stored[0].redaction_kinds.as_str()
        ),
        (1, "phone")
    );

    let body = call(
        &app,
        &supervisor,
        Some("event_planning"),
        RECORD,
        input("Attroupement bruyant quai du Port", 10),
    )
    .await;
    assert_eq!(
        body["data"]["recordIncident"]["incident"]["redactionCount"], 0,
        "{body}"
    );

    let page = call(
        &app,
        &supervisor,
        Some("event_planning"),
        LIST,
        json!({ "first": 1 }),
    )
    .await;
    let connection = &page["data"]["incidents"];
    assert_eq!(connection["totalCount"], 2, "{page}");
    assert_eq!(
        connection["edges"][0]["node"]["description"], "Attroupement bruyant quai du Port",
        "newest first: {page}"
    );
    let next = call(
        &app,
        &supervisor,
        Some("event_planning"),
        LIST,
        json!({ "first": 1, "after": connection["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(
        next["data"]["incidents"]["edges"][0]["node"]["description"],
        "Appeler M. Dupont au [PHONE]",
        "{next}"
    );
    assert_eq!(
        next["data"]["incidents"]["pageInfo"]["hasNextPage"], false,
        "{next}"
    );
}

async fn bad_or_late_incidents_are_refused_and_nothing_is_stored(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let supervisor = app.token_for("supervisor").await;
    let zone = zone_id(&app, "13201").await;
    let city = zone_id(&app, "13055").await;
    let base = json!({ "occurredAt": Utc::now() - Duration::hours(1), "zoneId": zone.to_string(), "field": "SECURITY",
        "category": "brawl", "severity": 3, "description": "Rixe devant un bar" });
    let cases = [
        (
            "settled",
            json!({ "occurredAt": Utc::now() - Duration::days(8) }),
            "POLICY_VIOLATION",
        ),
        (
            "in the future",
            json!({ "occurredAt": Utc::now() + Duration::hours(2) }),
            "BAD_USER_INPUT",
        ),
        ("severity 5", json!({ "severity": 5 }), "BAD_USER_INPUT"),
        (
            "the whole city",
            json!({ "zoneId": city.to_string() }),
            "BAD_USER_INPUT",
        ),
        (
            "an empty text",
            json!({ "description": "  " }),
            "BAD_USER_INPUT",
        ),
        (
            "a phone number as category",
            json!({ "category": "0612345678" }),
            "POLICY_VIOLATION",
        ),
        (
            "an unknown event",
            json!({ "eventId": "999999" }),
            "BAD_USER_INPUT",
        ),
    ];
    for (why, change, code) in cases {
        let mut input = base.clone();
        for (key, value) in change.as_object().unwrap() {
            input[key] = value.clone();
        }
        let body = call(
            &app,
            &supervisor,
            Some("event_planning"),
            RECORD,
            json!({ "input": input }),
        )
        .await;
        assert_eq!(error_code(&body), Some(code), "{why}: {body}");
    }
    assert_eq!(app.count("incident").await, 0, "nothing stored");

    let analyst = app.token_for("analyst").await;
    let body = call(&app, &analyst, Some("statistics"), LIST, json!({})).await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "record-level data is the supervisors': {body}"
    );
    let body = call(
        &app,
        &analyst,
        Some("statistics"),
        RECORD,
        json!({ "input": base }),
    )
    .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    assert_eq!(app.count("incident").await, 0);
}

on_both_backends!(
    incident_text_is_stored_without_its_personal_data,
    bad_or_late_incidents_are_refused_and_nothing_is_stored,
);
