//! Retention: `runRetention` purges each source's data past its processing
//! activity's retention period (a default for a source without one), and only that.

use chrono::Duration;
use entity::incident::IncidentField;
use platform_tests::{Backend, TestApp, error_code, on_both_backends};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

use super::support::{midnight, source, store_cells, store_incident};

const RUN: &str = "mutation { runRetention { observations incidents batches
  sources { sourceCode processingActivityId retentionDays cutoff observations incidents batches } } }";

async fn retention_purges_only_what_is_past_its_period(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let hour = Duration::hours(10);
    // RTM's activity keeps ten years (3650 days); the municipal logbooks five (1825).
    store_cells(
        &app,
        "rtm-frequentation",
        "transit_load",
        &[("13201", midnight(3652) + hour, 900)],
    )
    .await;
    store_cells(
        &app,
        "rtm-frequentation",
        "transit_load",
        &[("13201", midnight(3640) + hour, 900)],
    )
    .await;
    store_incident(
        &app,
        "csu-journal",
        "13201",
        IncidentField::Security,
        midnight(1830) + hour,
    )
    .await;
    store_incident(
        &app,
        "csu-journal",
        "13201",
        IncidentField::Security,
        midnight(1800) + hour,
    )
    .await;
    // A source taken out of the register falls back to the default (365 days).
    let mut meteo: entity::source::ActiveModel = source(&app, "meteo-observations").await.into();
    meteo.processing_activity_id = Set(None);
    meteo.update(&app.db).await.unwrap();
    store_cells(
        &app,
        "meteo-observations",
        "temperature",
        &[("13055", midnight(400) + hour, 14)],
    )
    .await;
    store_cells(
        &app,
        "meteo-observations",
        "temperature",
        &[("13055", midnight(300) + hour, 21)],
    )
    .await;

    let body = app.graphql_as("supervisor", RUN, json!({})).await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "administrators run it: {body}"
    );
    assert_eq!(
        app.count("observation").await,
        4,
        "nothing purged by a refused call"
    );

    let body = app.graphql_as("admin", RUN, json!({})).await;
    let run = &body["data"]["runRetention"];
    assert_eq!(run["observations"], 2, "{body}");
    assert_eq!(run["incidents"], 1, "{body}");
    assert_eq!(run["batches"], 2, "emptied batches go too: {body}");
    let of = |code: &str| -> Value {
        run["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["sourceCode"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code}: {body}"))
    };
    let rtm = of("rtm-frequentation");
    assert_eq!(rtm["retentionDays"], 3650, "{rtm}");
    assert!(rtm["processingActivityId"].is_string(), "{rtm}");
    let cutoff = chrono::DateTime::parse_from_rfc3339(rtm["cutoff"].as_str().unwrap()).unwrap();
    assert_eq!(
        cutoff,
        midnight(3650),
        "ten years back, down to midnight UTC: {rtm}"
    );
    assert_eq!(
        (rtm["observations"].as_u64(), rtm["batches"].as_u64()),
        (Some(1), Some(1)),
        "{rtm}"
    );
    assert_eq!(of("csu-journal")["incidents"], 1);
    let meteo = of("meteo-observations");
    assert_eq!(
        (
            meteo["retentionDays"].as_i64(),
            meteo["processingActivityId"].is_null()
        ),
        (Some(365), true),
        "{meteo}"
    );
    assert_eq!(meteo["observations"], 1, "{meteo}");

    assert_eq!(
        app.count("observation").await,
        2,
        "what is within its period stays"
    );
    assert_eq!(app.count("incident").await, 1);
    assert_eq!(app.count("ingestion_batch").await, 2);

    let again = app.graphql_as("admin", RUN, json!({})).await;
    assert_eq!(again["data"]["runRetention"]["observations"], 0, "{again}");
}

async fn the_retention_service_reports_the_same_as_the_mutation(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    store_cells(
        &app,
        "rtm-frequentation",
        "transit_load",
        &[("13201", midnight(4000), 900)],
    )
    .await;
    let change = api::cli::CommandChange::new("retention run", "runRetention");
    let report =
        api::services::retention::run_retention(&app.db, change.change(), chrono::Utc::now())
            .await
            .unwrap();
    assert_eq!(
        (report.observations(), report.batches(), report.incidents()),
        (1, 1, 0)
    );
    let rtm = report
        .sources
        .iter()
        .find(|s| s.source_code == "rtm-frequentation")
        .unwrap();
    assert_eq!(rtm.cutoff, midnight(3650));
    assert!(!rtm.default_period);
}

on_both_backends!(
    retention_purges_only_what_is_past_its_period,
    the_retention_service_reports_the_same_as_the_mutation,
);
