//! `ingestObservations`: a batch is accepted whole or refused whole at its first
//! offending record, nothing stored; a key sent again is answered as the first
//! time, even under concurrency; only the source's own organization ingests.

use chrono::Duration;
use platform_tests::{Backend, TestApp, error_code, on_both_backends};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

use super::support::{INGEST, call, current_quarter, source, token, transit_batch, transit_cell};

async fn rtm_token(app: &TestApp) -> String {
    token(app, "rtm", &["ingest:rtm-frequentation"], &["ingestion"]).await
}

async fn stored(app: &TestApp) -> (i64, i64) {
    (
        app.count("observation").await,
        app.count("ingestion_batch").await,
    )
}

async fn a_batch_is_stored_once_and_its_key_replays_the_first_answer(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let rtm = rtm_token(&app).await;
    let input = transit_batch("rtm-2026-11-28T10:00");

    let first = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": input }),
    )
    .await;
    let receipt = &first["data"]["ingestObservations"];
    assert_eq!(receipt["accepted"], 3, "{first}");
    assert_eq!(receipt["replayed"], false, "{first}");
    assert_eq!(stored(&app).await, (3, 1));

    let again = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": input }),
    )
    .await;
    let replay = &again["data"]["ingestObservations"];
    assert_eq!(replay["replayed"], true, "the key is known: {again}");
    for field in ["batchId", "accepted", "receivedAt", "idempotencyKey"] {
        assert_eq!(replay[field], receipt[field], "the first answer's {field}");
    }
    assert_eq!(stored(&app).await, (3, 1), "nothing stored twice");

    let mut different = input.clone();
    different["observations"][0]["value"] = json!(99.0);
    let reused = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": different }),
    )
    .await;
    assert_eq!(
        error_code(&reused),
        Some("CONFLICT"),
        "a reused key with other data: {reused}"
    );
    assert_eq!(stored(&app).await, (3, 1));

    let mut overlap = transit_batch("another-key");
    overlap["observations"] = json!([transit_cell(0)]);
    let body = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": overlap }),
    )
    .await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "a cell is sent once: {body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["index"], 0, "{body}");
    assert_eq!(stored(&app).await, (3, 1));
}

async fn concurrent_sends_of_one_key_store_the_batch_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let rtm = rtm_token(&app).await;
    let input = transit_batch("concurrent-key");
    let send = || {
        call(
            &app,
            &rtm,
            Some("ingestion"),
            INGEST,
            json!({ "input": input }),
        )
    };
    let (a, b, c, d) = tokio::join!(send(), send(), send(), send());
    let answers = [a, b, c, d];
    let ids: Vec<&Value> = answers
        .iter()
        .map(|a| &a["data"]["ingestObservations"]["batchId"])
        .collect();
    assert!(
        ids.iter().all(|id| id.is_string() && *id == ids[0]),
        "one batch for all: {answers:?}"
    );
    let fresh = answers
        .iter()
        .filter(|a| a["data"]["ingestObservations"]["replayed"] == false)
        .count();
    assert_eq!(fresh, 1, "exactly one request stored it: {answers:?}");
    assert_eq!(stored(&app).await, (3, 1));
}

async fn each_rule_refuses_the_whole_batch_at_its_first_offending_record(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let rtm = rtm_token(&app).await;
    let late = current_quarter() - Duration::hours(6);
    // (what is wrong with record 1, the change, the code, the rule)
    let cases: Vec<(&str, Value, &str, Option<&str>)> = vec![
        (
            "a metric outside the schema",
            json!({ "metric": "ticket_sales" }),
            "POLICY_VIOLATION",
            Some("UNKNOWN_FIELD"),
        ),
        (
            "a zone finer than allowed",
            json!({ "zone": "site-vieux-port" }),
            "POLICY_VIOLATION",
            Some("ZONE_TOO_FINE"),
        ),
        (
            "a bucket finer than allowed",
            json!({ "bucketMinutes": 5 }),
            "POLICY_VIOLATION",
            Some("BUCKET_TOO_FINE"),
        ),
        (
            "a bucket off the grid",
            json!({ "bucketMinutes": 45 }),
            "POLICY_VIOLATION",
            Some("BUCKET_NOT_ALIGNED"),
        ),
        (
            "a negative value",
            json!({ "value": -3.0 }),
            "POLICY_VIOLATION",
            Some("NEGATIVE_VALUE"),
        ),
        (
            "fewer contributors than k",
            json!({ "contributors": 10 }),
            "POLICY_VIOLATION",
            Some("K_ANONYMITY"),
        ),
        (
            "no contributor count",
            json!({ "contributors": null }),
            "POLICY_VIOLATION",
            Some("K_ANONYMITY"),
        ),
        (
            "a phone number in the note",
            json!({ "note": "rappeler le 06 12 34 56 78" }),
            "POLICY_VIOLATION",
            Some("PERSONAL_DATA"),
        ),
        (
            "an e-mail in a label",
            json!({ "labels": ["ok", "jean.dupont@gmail.com"] }),
            "POLICY_VIOLATION",
            Some("PERSONAL_DATA"),
        ),
        (
            "a settled bucket",
            json!({ "bucketStart": late }),
            "POLICY_VIOLATION",
            Some("LATE_DATA"),
        ),
        (
            "an unknown zone",
            json!({ "zone": "13299" }),
            "BAD_USER_INPUT",
            None,
        ),
        (
            "a cell twice",
            json!({ "bucketStart": current_quarter() - Duration::minutes(30) }),
            "BAD_USER_INPUT",
            None,
        ),
    ];
    let before = stored(&app).await;
    for (why, change, code, rule) in cases {
        let mut input = transit_batch(&format!("bad-{}", why.replace(' ', "-")));
        for (key, value) in change.as_object().unwrap() {
            input["observations"][1][key] = value.clone();
        }
        // A later record is bad too: the first offending one is the one named.
        input["observations"][2]["contributors"] = json!(3);
        let body = call(
            &app,
            &rtm,
            Some("ingestion"),
            INGEST,
            json!({ "input": input }),
        )
        .await;
        let error = &body["errors"][0];
        assert_eq!(error_code(&body), Some(code), "{why}: {body}");
        assert_eq!(
            error["extensions"]["index"], 1,
            "{why} names record 1: {body}"
        );
        if let Some(rule) = rule {
            assert_eq!(error["extensions"]["rule"], rule, "{why}: {body}");
        }
        assert!(
            body["data"].is_null() || body["data"]["ingestObservations"].is_null(),
            "{why}: {body}"
        );
        assert_eq!(stored(&app).await, before, "{why}: nothing stored");
    }
    for (why, input) in [
        (
            "an empty batch",
            json!({ "sourceId": "rtm-frequentation", "idempotencyKey": "k", "observations": [] }),
        ),
        (
            "a key with spaces",
            json!({ "sourceId": "rtm-frequentation", "idempotencyKey": "a key", "observations": [transit_cell(0)] }),
        ),
    ] {
        let body = call(
            &app,
            &rtm,
            Some("ingestion"),
            INGEST,
            json!({ "input": input }),
        )
        .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{why}: {body}");
    }
    assert_eq!(stored(&app).await, before);
}

async fn only_the_sources_own_organization_may_ingest_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let rtm = rtm_token(&app).await;
    let mut other_source = transit_batch("other-source");
    other_source["sourceId"] = json!("bmpm-interventions");
    let body = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": other_source }),
    )
    .await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "another source: {body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["reason"], "SCOPE_MISSING",
        "{body}"
    );

    // A token issued to the fire brigade naming RTM's source by mistake.
    let mistaken = token(&app, "bmpm", &["ingest:rtm-frequentation"], &["ingestion"]).await;
    let body = call(
        &app,
        &mistaken,
        Some("ingestion"),
        INGEST,
        json!({ "input": transit_batch("mistaken") }),
    )
    .await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "another organization: {body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["reason"], "NOT_OWN_RESOURCE",
        "{body}"
    );

    // The source's numeric id works like its code, and for the same checks.
    let bmpm = source(&app, "bmpm-interventions").await;
    let mut by_id = transit_batch("by-id");
    by_id["sourceId"] = json!(bmpm.id.to_string());
    let body = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": by_id }),
    )
    .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    let body = app
        .graphql_as(
            "analyst",
            INGEST,
            json!({ "input": transit_batch("analyst") }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "analysts do not ingest: {body}"
    );
    assert_eq!(stored(&app).await, (0, 0), "nothing stored");

    let body = app
        .graphql_as(
            "partner",
            INGEST,
            json!({ "input": transit_batch("partner-user") }),
        )
        .await;
    assert_eq!(
        body["data"]["ingestObservations"]["accepted"], 3,
        "an RTM person ingests RTM's source: {body}"
    );
}

async fn supervisors_ingest_their_organizations_municipal_sources_only(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let report = |source: &str, key: &str| {
        json!({ "input": { "sourceId": source, "idempotencyKey": key, "observations": [
            { "zone": "site-vieux-port", "metric": "reports", "bucketStart": current_quarter(), "bucketMinutes": 15, "value": 4.0 }
        ] } })
    };
    let own = app
        .graphql_as("supervisor", INGEST, report("csu-journal", "csu-1"))
        .await;
    assert_eq!(
        own["data"]["ingestObservations"]["accepted"], 1,
        "record sources need no k: {own}"
    );
    let other = app
        .graphql_as("supervisor", INGEST, report("pm-activite", "pm-1"))
        .await;
    assert_eq!(error_code(&other), Some("FORBIDDEN"), "{other}");
    assert_eq!(app.count("observation").await, 1);
}

async fn inactive_or_unregistered_sources_cannot_ingest(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let operators = token(
        &app,
        "operateurs-mobiles",
        &["ingest:presence-quartiers"],
        &["ingestion"],
    )
    .await;
    let draft = json!({ "input": { "sourceId": "presence-quartiers", "idempotencyKey": "draft", "observations": [
        { "zone": "13208", "metric": "presence", "bucketStart": current_quarter(), "bucketMinutes": 60, "value": 4000.0, "contributors": 4000 }
    ] } });
    let body = call(&app, &operators, Some("ingestion"), INGEST, draft).await;
    assert_eq!(
        body["errors"][0]["extensions"]["rule"], "SOURCE_INACTIVE",
        "a draft source: {body}"
    );

    let rtm = rtm_token(&app).await;
    let mut unregistered: entity::source::ActiveModel =
        source(&app, "rtm-frequentation").await.into();
    unregistered.processing_activity_id = Set(None);
    unregistered.update(&app.db).await.unwrap();
    let body = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": transit_batch("gate") }),
    )
    .await;
    assert_eq!(error_code(&body), Some("POLICY_VIOLATION"), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["rule"], "SOURCE_NOT_REGISTERED",
        "the DPIA gate: {body}"
    );
    assert_eq!(stored(&app).await, (0, 0), "nothing stored");
}

on_both_backends!(
    a_batch_is_stored_once_and_its_key_replays_the_first_answer,
    concurrent_sends_of_one_key_store_the_batch_once,
    each_rule_refuses_the_whole_batch_at_its_first_offending_record,
    only_the_sources_own_organization_may_ingest_it,
    supervisors_ingest_their_organizations_municipal_sources_only,
    inactive_or_unregistered_sources_cannot_ingest,
);
