//! `presence` and `incidentStats`: the data's owner sees its numbers as they are;
//! anyone else sees small numbers, and the totals that would reveal them, marked
//! suppressed (never 0), and unsettled buckets marked pending.

use chrono::{DateTime, Duration, Utc};
use entity::incident::IncidentField;
use platform_tests::{Backend, TestApp, error_code, on_both_backends};
use serde_json::{Value, json};

use super::support::{
    call, current_quarter, midnight, store_cells, store_incident, token, zone_id,
};

const PRESENCE: &str = "query($zone: ID!, $from: DateTime!, $to: DateTime!, $bucket: BucketSize!) {
  presence(zoneId: $zone, from: $from, to: $to, bucket: $bucket) {
    controlled settledUntil
    cells { zone { code } start status value suppressed }
    zoneTotals { zone { code } status value }
    bucketTotals { start status value }
    total { status value suppressed } } }";

const STATS: &str = "query($zone: ID!, $field: RiskField!, $from: DateTime!, $to: DateTime!) {
  incidentStats(zoneId: $zone, field: $field, from: $from, to: $to, bucket: DAY) {
    controlled
    zoneTotals { zone { code } status value }
    total { status value } } }";

fn vars(zone: i64, from: DateTime<Utc>, to: DateTime<Utc>, bucket: &str) -> Value {
    json!({ "zone": zone.to_string(), "from": from, "to": to, "bucket": bucket })
}

/// A withheld number is never shown as a number, least of all 0.
fn assert_never_zero_for_hidden(answer: &Value) {
    for cell in answer["cells"].as_array().unwrap() {
        if cell["status"] == "VALUE" {
            assert!(cell["value"].is_i64(), "{cell}");
        } else {
            assert!(
                cell["value"].is_null(),
                "a withheld cell has no value: {cell}"
            );
        }
        assert_eq!(cell["suppressed"], cell["status"] == "SUPPRESSED", "{cell}");
    }
}

async fn owners_see_their_counts_and_others_see_small_ones_suppressed(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // Counts stored before the operators' threshold was 20: one quarter holds 12.
    let ten = midnight(3) + Duration::hours(10);
    let q = |n: i64| ten + Duration::minutes(15 * n);
    store_cells(
        &app,
        "presence-operateurs",
        "presence",
        &[
            ("site-plages-prado", q(0), 12),
            ("site-plages-prado", q(1), 150),
            ("site-plages-prado", q(2), 200),
            ("site-plages-prado", q(3), 180),
            ("site-plages-prado", q(4), 300),
        ],
    )
    .await;
    let prado = zone_id(&app, "site-plages-prado").await;
    let owner = token(
        &app,
        "operateurs-mobiles",
        &["read:aggregates:presence"],
        &["statistics"],
    )
    .await;
    let quarters = vars(prado, ten, ten + Duration::hours(2), "FIFTEEN_MINUTES");

    let body = call(&app, &owner, Some("statistics"), PRESENCE, quarters.clone()).await;
    let mine = &body["data"]["presence"];
    assert_eq!(mine["controlled"], false, "{body}");
    assert_eq!(
        mine["cells"][0]["value"], 12,
        "the owner sees its small cell: {body}"
    );
    assert_eq!(mine["total"]["value"], 842, "{body}");

    let analyst = app.token_for("analyst").await;
    let body = call(
        &app,
        &analyst,
        Some("statistics"),
        PRESENCE,
        quarters.clone(),
    )
    .await;
    let theirs = &body["data"]["presence"];
    assert_eq!(theirs["controlled"], true, "{body}");
    assert_eq!(
        theirs["cells"][0]["status"], "SUPPRESSED",
        "12 people < k = 20: {body}"
    );
    // The small quarter is protected by withholding a second one with it, so the
    // hour less the shown quarters is never 12; the rest of the window, empty,
    // looks withheld like the small quarter.
    let shown: Vec<i64> = theirs["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["value"].as_i64())
        .collect();
    assert!(shown.iter().all(|v| *v >= 150), "{body}");
    assert!(!shown.is_empty(), "large quarters stay visible: {body}");
    assert_eq!(theirs["cells"][5]["status"], "SUPPRESSED", "{body}");
    if let Some(total) = theirs["total"]["value"].as_i64() {
        let hidden = total - shown.iter().sum::<i64>();
        assert!(
            hidden >= 20,
            "the total less the shown quarters must not isolate the 12: {body}"
        );
    }
    assert_never_zero_for_hidden(theirs);

    let hours = vars(prado, ten, ten + Duration::hours(2), "HOUR");
    let body = call(&app, &analyst, Some("statistics"), PRESENCE, hours).await;
    let cells = &body["data"]["presence"]["cells"];
    // The hour holding the small cell hides it among the two withheld quarters.
    assert!(
        cells[0]["value"].is_null() || cells[0]["value"] == 542,
        "the hour holding the small cell: {body}"
    );
    assert_eq!(cells[1]["value"], 300, "{body}");
    assert_never_zero_for_hidden(&body["data"]["presence"]);

    let partner = app.token_for("partner").await;
    let body = call(&app, &partner, Some("statistics"), PRESENCE, quarters).await;
    assert_eq!(
        body["data"]["presence"]["cells"][0]["status"], "SUPPRESSED",
        "another partner: {body}"
    );
}

async fn unsettled_buckets_are_pending_for_everyone_but_the_owner(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let now = current_quarter();
    store_cells(
        &app,
        "presence-operateurs",
        "presence",
        &[("13208", now, 5000)],
    )
    .await;
    let zone = zone_id(&app, "13208").await;
    let window = vars(zone, now, now + Duration::minutes(15), "FIFTEEN_MINUTES");
    let analyst = app.token_for("analyst").await;
    let body = call(&app, &analyst, Some("statistics"), PRESENCE, window.clone()).await;
    assert_eq!(
        body["data"]["presence"]["cells"][0]["status"], "PENDING",
        "{body}"
    );
    assert_eq!(
        body["data"]["presence"]["cells"][0]["value"],
        Value::Null,
        "{body}"
    );
    let owner = token(
        &app,
        "operateurs-mobiles",
        &["read:aggregates:presence"],
        &["statistics"],
    )
    .await;
    let body = call(&app, &owner, Some("statistics"), PRESENCE, window).await;
    assert_eq!(
        body["data"]["presence"]["cells"][0]["value"], 5000,
        "{body}"
    );
}

async fn the_city_is_answered_per_arrondissement_and_windows_are_bounded(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let city = zone_id(&app, "13055").await;
    let analyst = app.token_for("analyst").await;
    let day = midnight(2);
    let body = call(
        &app,
        &analyst,
        Some("statistics"),
        PRESENCE,
        vars(city, day, day + Duration::days(1), "DAY"),
    )
    .await;
    let totals = body["data"]["presence"]["zoneTotals"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(totals.len(), 16, "{body}");
    assert!(totals.iter().all(|t| t["status"] == "NO_DATA"), "{body}");

    let body = call(
        &app,
        &analyst,
        Some("statistics"),
        PRESENCE,
        vars(city, day, day + Duration::days(200), "DAY"),
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = call(
        &app,
        &analyst,
        Some("statistics"),
        PRESENCE,
        vars(city, day, day - Duration::hours(1), "DAY"),
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

async fn incident_statistics_hide_small_counts_from_all_but_the_supervision_team(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let day = midnight(10);
    for minutes in [9 * 60, 9 * 60 + 20, 14 * 60] {
        store_incident(
            &app,
            "csu-journal",
            "site-plages-prado",
            IncidentField::Security,
            day + Duration::minutes(minutes),
        )
        .await;
    }
    for i in 0..12 {
        store_incident(
            &app,
            "pm-activite",
            "13201",
            IncidentField::Security,
            day + Duration::minutes(30 * i),
        )
        .await;
    }
    let city = zone_id(&app, "13055").await;
    let stats = |field: &str| json!({ "zone": city.to_string(), "field": field, "from": day, "to": day + Duration::days(1) });
    let total_of = |body: &Value, code: &str| -> Value {
        body["data"]["incidentStats"]["zoneTotals"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .find(|t| t["zone"]["code"] == code)
            .cloned()
            .unwrap()
    };

    let analyst = app.token_for("analyst").await;
    let body = call(&app, &analyst, Some("statistics"), STATS, stats("SECURITY")).await;
    assert_eq!(
        total_of(&body, "13201")["value"],
        12,
        "12 incidents >= k = 11: {body}"
    );
    assert_eq!(
        total_of(&body, "13208")["status"],
        "SUPPRESSED",
        "3 incidents on the beach, counted in 13208: {body}"
    );
    assert_eq!(total_of(&body, "13208")["value"], Value::Null, "{body}");
    assert_eq!(
        body["data"]["incidentStats"]["total"]["status"], "SUPPRESSED",
        "{body}"
    );

    let supervisor = app.token_for("supervisor").await;
    let body = call(
        &app,
        &supervisor,
        Some("event_planning"),
        STATS,
        stats("SECURITY"),
    )
    .await;
    assert_eq!(body["data"]["incidentStats"]["controlled"], false, "{body}");
    assert_eq!(total_of(&body, "13208")["value"], 3, "{body}");
    assert_eq!(
        body["data"]["incidentStats"]["total"]["value"], 15,
        "{body}"
    );

    let security = token(&app, "rtm", &["read:aggregates:security"], &["statistics"]).await;
    let body = call(
        &app,
        &security,
        Some("statistics"),
        STATS,
        stats("SECURITY"),
    )
    .await;
    assert_eq!(
        total_of(&body, "13208")["status"],
        "SUPPRESSED",
        "a partner: {body}"
    );
    let body = call(
        &app,
        &security,
        Some("statistics"),
        STATS,
        stats("TRANQUILLITY"),
    )
    .await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "read:aggregates:security only: {body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["reason"], "SCOPE_MISSING",
        "{body}"
    );

    let site = zone_id(&app, "site-plages-prado").await;
    let mut at_site = stats("SECURITY");
    at_site["zone"] = json!(site.to_string());
    let body = call(&app, &analyst, Some("statistics"), STATS, at_site).await;
    assert_eq!(
        error_code(&body),
        Some("BAD_USER_INPUT"),
        "released per arrondissement: {body}"
    );
}

async fn the_demo_presence_seed_fills_the_last_two_weeks_once(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.seed_presence = true).await else {
        return;
    };
    let seeded = app.count("observation").await;
    assert!(
        seeded > 14 * 96 * 16,
        "every quarter of 14 days for 16 arrondissements and the sites: {seeded}"
    );
    assert_eq!(app.count("ingestion_batch").await, 14, "one batch per day");
    let again = api::seed::presence::run(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(again, 0, "a second run adds nothing");
    assert_eq!(app.count("observation").await, seeded);

    let centre = zone_id(&app, "13201").await;
    let day = midnight(2);
    let analyst = app.token_for("analyst").await;
    let body = call(
        &app,
        &analyst,
        Some("statistics"),
        PRESENCE,
        vars(centre, day, day + Duration::days(1), "HOUR"),
    )
    .await;
    let cells = body["data"]["presence"]["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let at = |hour: usize| {
        cells[hour]["value"]
            .as_i64()
            .unwrap_or_else(|| panic!("hour {hour}: {body}"))
    };
    // Hourly values sum four quarters; the centre fills by day.
    assert!(
        at(11) > at(2),
        "busier at noon (UTC) than at night: {} vs {}",
        at(11),
        at(2)
    );
}

on_both_backends!(
    the_demo_presence_seed_fills_the_last_two_weeks_once,
    owners_see_their_counts_and_others_see_small_ones_suppressed,
    unsettled_buckets_are_pending_for_everyone_but_the_owner,
    the_city_is_answered_per_arrondissement_and_windows_are_bounded,
    incident_statistics_hide_small_counts_from_all_but_the_supervision_team,
);
