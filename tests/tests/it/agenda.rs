//! The agenda: every day present, events by start, filters, conflicts, bad input.

use chrono::{Days, NaiveDate, Utc};
use platform_tests::{Backend, TestApp, error_code, error_field, on_both_backends};
use serde_json::{Value, json};

const AGENDA: &str = r#"query($from: Date, $days: Int, $zone: ID, $cat: EventCategory) {
  agenda(from: $from, days: $days, zoneId: $zone, category: $cat) {
    date eventCount
    events { id title category startsAt endsAt zone { id code parent { code } } venue { code } deployments { kind count } conflicts { kind eventIds } }
    conflicts { kind eventIds message }
  }
}"#;

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
}

async fn agenda_answers_every_day_of_thirty_with_its_events_in_order(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = app.graphql_as("analyst", AGENDA, json!({})).await;
    let days = body["data"]["agenda"]
        .as_array()
        .unwrap_or_else(|| panic!("no agenda: {body}"));
    assert_eq!(days.len(), 30, "30 days by default");
    let mut distinct = std::collections::HashSet::new();
    for (offset, day) in days.iter().enumerate() {
        let expected = today() + Days::new(offset as u64);
        assert_eq!(
            day["date"],
            expected.to_string(),
            "day {offset} is the next Paris day"
        );
        let events = day["events"].as_array().unwrap();
        assert_eq!(day["eventCount"].as_u64(), Some(events.len() as u64));
        assert!(
            !events.is_empty(),
            "the demo agenda has events on {expected}"
        );
        let starts: Vec<&str> = events
            .iter()
            .map(|e| e["startsAt"].as_str().unwrap())
            .collect();
        let mut sorted = starts.clone();
        sorted.sort();
        assert_eq!(starts, sorted, "events of {expected} are ordered by start");
        for event in events {
            distinct.insert(event["id"].as_str().unwrap().to_owned());
        }
    }
    assert!(
        distinct.len() >= 150,
        "at least 150 events over 30 days, got {}",
        distinct.len()
    );
}

async fn agenda_filters_by_zone_including_the_sites_inside_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let zones = app
        .graphql_as(
            "analyst",
            "{ zones(level: ARRONDISSEMENT) { id code } }",
            json!({}),
        )
        .await;
    let eighth = zones["data"]["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["code"] == "13208")
        .expect("8th arrondissement")["id"]
        .clone();
    let body = app
        .graphql_as("analyst", AGENDA, json!({ "zone": eighth, "days": 14 }))
        .await;
    let events: Vec<&Value> = body["data"]["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["events"].as_array().unwrap())
        .collect();
    assert!(!events.is_empty(), "the 8th has events: {body}");
    assert!(
        events
            .iter()
            .any(|e| e["zone"]["code"] == "site-velodrome"
                || e["zone"]["code"] == "site-plages-prado"),
        "sites inside the 8th are included"
    );
    for event in events {
        let inside = event["zone"]["code"] == "13208" || event["zone"]["parent"]["code"] == "13208";
        assert!(inside, "{} is not in the 8th", event["title"]);
    }
}

async fn agenda_filters_by_category(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = app
        .graphql_as("analyst", AGENDA, json!({ "cat": "MARKET", "days": 7 }))
        .await;
    let events: Vec<&Value> = body["data"]["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["events"].as_array().unwrap())
        .collect();
    assert!(events.len() >= 7, "markets every day: {}", events.len());
    assert!(events.iter().all(|e| e["category"] == "MARKET"));
}

async fn agenda_refuses_bad_windows_with_coded_errors(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for days in [0, -1, 91, 1000] {
        let body = app
            .graphql_as("analyst", AGENDA, json!({ "days": days }))
            .await;
        assert_eq!(
            error_code(&body),
            Some("BAD_USER_INPUT"),
            "days = {days}: {body}"
        );
        assert_eq!(error_field(&body), Some("days"), "days = {days}");
    }
    for from in ["2026-13-45", "tomorrow", "28/11/2026"] {
        let body = app
            .graphql_as("analyst", AGENDA, json!({ "from": from }))
            .await;
        assert_eq!(
            error_code(&body),
            Some("BAD_USER_INPUT"),
            "from = {from}: {body}"
        );
    }
    let literal = app
        .graphql_as(
            "analyst",
            r#"{ agenda(from: "2026-02-30") { date } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_code(&literal), Some("BAD_USER_INPUT"), "{literal}");
    let unknown = app
        .graphql_as("analyst", AGENDA, json!({ "zone": "999999" }))
        .await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"), "{unknown}");
    assert_eq!(error_field(&unknown), Some("zoneId"));
}

async fn agenda_flags_overlaps_and_missing_plans(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let venues = app
        .graphql_as(
            "supervisor",
            "{ venues { id code capacity zone { id } } }",
            json!({}),
        )
        .await;
    let silo = venues["data"]["venues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == "silo-arenc")
        .unwrap()["id"]
        .clone();
    let day = today() + Days::new(40);
    let create =
        r#"mutation($input: CreateEventInput!) { createEvent(input: $input) { event { id } } }"#;
    let mut ids = Vec::new();
    for (title, hour, people) in [("Concert A", 18, 2000), ("Concert B", 19, 1500)] {
        let body = app
            .graphql_as("supervisor", create, json!({ "input": {
                "title": title, "category": "CONCERT", "venueId": silo,
                "startsAt": format!("{day}T{hour}:00:00Z"), "endsAt": format!("{day}T{}:00:00Z", hour + 2),
                "expectedAttendance": people, "publicProfile": "STANDING" } }))
            .await;
        ids.push(
            body["data"]["createEvent"]["event"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_owned(),
        );
    }
    let body = app
        .graphql_as(
            "analyst",
            AGENDA,
            json!({ "from": day.to_string(), "days": 1 }),
        )
        .await;
    let agenda_day = &body["data"]["agenda"][0];
    let kinds = |conflicts: &Value| -> Vec<String> {
        conflicts
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    let day_kinds = kinds(&agenda_day["conflicts"]);
    assert!(
        day_kinds.contains(&"SAME_VENUE_OVERLAP".to_owned()),
        "{day_kinds:?}"
    );
    assert!(
        day_kinds.contains(&"NO_DEPLOYMENT".to_owned()),
        "{day_kinds:?}"
    );
    let overlap = agenda_day["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "SAME_VENUE_OVERLAP")
        .unwrap();
    let mut involved: Vec<String> = overlap["eventIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    involved.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(involved, expected);

    // A plan clears the missing-plan flag, as seen through `event`.
    let plan = r#"mutation($input: UpsertDeploymentInput!) { upsertDeployment(input: $input) { event { conflicts { kind } } } }"#;
    let body = app
        .graphql_as(
            "supervisor",
            plan,
            json!({ "input": { "eventId": ids[0], "kind": "FIRST_AID", "count": 4 } }),
        )
        .await;
    let remaining = kinds(&body["data"]["upsertDeployment"]["event"]["conflicts"]);
    assert_eq!(remaining, vec!["SAME_VENUE_OVERLAP".to_owned()], "{body}");
}

on_both_backends!(
    agenda_answers_every_day_of_thirty_with_its_events_in_order,
    agenda_filters_by_zone_including_the_sites_inside_it,
    agenda_filters_by_category,
    agenda_refuses_bad_windows_with_coded_errors,
    agenda_flags_overlaps_and_missing_plans,
);
