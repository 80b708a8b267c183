//! The seven findings of the statistician's attack on the release layer, each
//! replayed through the API: statuses that solve cells, nested zones released
//! separately, k checked on contributors while values are released, raw counts
//! following the role instead of the owner, purposes missing from the audit,
//! personal data through side doors, and mixed bucket lengths.

use chrono::{DateTime, Duration, Utc};
use entity::incident::IncidentField;
use platform_tests::{Backend, TestApp, error_code, on_both_backends};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use super::support::{
    INGEST, call, current_quarter, midnight, org_id, source, store_incident, token, zone_id,
};

const STATS: &str = "query($zone: ID!, $from: DateTime!, $to: DateTime!, $bucket: BucketSize!) {
  incidentStats(zoneId: $zone, field: SECURITY, from: $from, to: $to, bucket: $bucket) {
    controlled cells { start status value } total { status value } } }";

const PRESENCE: &str = "query($zone: ID!, $from: DateTime!, $to: DateTime!, $bucket: BucketSize!) {
  presence(zoneId: $zone, from: $from, to: $to, bucket: $bucket) {
    controlled cells { start status value } total { status value } } }";

fn window(zone: i64, from: DateTime<Utc>, to: DateTime<Utc>, bucket: &str) -> Value {
    json!({ "zone": zone.to_string(), "from": from, "to": to, "bucket": bucket })
}

fn cells<'a>(body: &'a Value, field: &str) -> &'a Vec<Value> {
    body["data"][field]["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
}

/// A presence cell stored directly with its own value and contributor count.
async fn store_presence(
    app: &TestApp,
    zone: &str,
    start: DateTime<Utc>,
    value: f64,
    contributors: i32,
) {
    let source = source(app, "presence-operateurs").await;
    let batch = entity::ingestion_batch::Entity::insert(entity::ingestion_batch::ActiveModel {
        source_id: Set(source.id),
        idempotency_key: Set(uuid::Uuid::new_v4().to_string()),
        fingerprint: Set("test".to_owned()),
        observation_count: Set(1),
        response: Set("{}".to_owned()),
        sent_by: Set("test".to_owned()),
        created_at: Set(start),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap()
    .last_insert_id;
    entity::observation::Entity::insert(entity::observation::ActiveModel {
        source_id: Set(source.id),
        zone_id: Set(zone_id(app, zone).await),
        metric: Set("presence".to_owned()),
        bucket_start: Set(start),
        bucket_minutes: Set(15),
        value: Set(value),
        contributors: Set(Some(contributors)),
        note: Set(None),
        labels: Set(None),
        batch_id: Set(batch),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap();
}

async fn finding_1_withheld_cells_share_one_status_and_no_quarter_is_pinned(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // 12 incidents in 11 hours of one day, each alone in its quarter hour.
    let day = midnight(10);
    for i in 0..12 {
        let at = day + Duration::minutes(60 * (i % 11) + 15 * (i / 11) + 7);
        store_incident(&app, "csu-journal", "13208", IncidentField::Security, at).await;
    }
    let zone = zone_id(&app, "13208").await;
    let analyst = app.token_for("analyst").await;
    let to = day + Duration::days(1);
    let body = call(
        &app,
        &analyst,
        Some("statistics"),
        STATS,
        window(zone, day, to, "DAY"),
    )
    .await;
    assert_eq!(
        cells(&body, "incidentStats")[0]["value"],
        12,
        "the day's 12 incidents are safe to publish: {body}"
    );
    for bucket in ["HOUR", "FIFTEEN_MINUTES"] {
        let body = call(
            &app,
            &analyst,
            Some("statistics"),
            STATS,
            window(zone, day, to, bucket),
        )
        .await;
        let statuses: Vec<&str> = cells(&body, "incidentStats")
            .iter()
            .map(|c| c["status"].as_str().unwrap())
            .collect();
        assert!(
            statuses.iter().all(|s| *s == "SUPPRESSED"),
            "{bucket}: an empty bucket must look like a withheld one, or SUPPRESSED means >= 1: {statuses:?}"
        );
    }
}

async fn finding_2_a_site_and_its_arrondissement_never_give_away_the_rest(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let start = midnight(3) + Duration::hours(20);
    store_presence(&app, "13208", start, 31.0, 31).await;
    store_presence(&app, "site-velodrome", start, 25.0, 25).await;
    let analyst = app.token_for("analyst").await;
    let arrondissement = zone_id(&app, "13208").await;
    let site = zone_id(&app, "site-velodrome").await;
    for bucket in ["FIFTEEN_MINUTES", "HOUR", "DAY"] {
        let ask = |zone| window(zone, start, start + Duration::minutes(15), bucket);
        let outer = call(
            &app,
            &analyst,
            Some("statistics"),
            PRESENCE,
            ask(arrondissement),
        )
        .await;
        let inner = call(&app, &analyst, Some("statistics"), PRESENCE, ask(site)).await;
        let (a, s) = (
            &cells(&outer, "presence")[0]["value"],
            &cells(&inner, "presence")[0]["value"],
        );
        if let (Some(a), Some(s)) = (a.as_i64(), s.as_i64()) {
            let rest = a - s;
            assert!(
                rest == 0 || rest >= 20,
                "{bucket}: 13208 = {a} and the Vélodrome = {s} give {rest} people in the rest of 13208"
            );
        }
    }
}

async fn finding_3_k_applies_to_the_released_value_and_rounding_never_goes_under_it(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let start = midnight(3) + Duration::hours(9);
    store_presence(&app, "13201", start, 3.0, 25).await;
    store_presence(&app, "13201", start + Duration::minutes(15), 19.4, 25).await;
    store_presence(&app, "13201", start + Duration::minutes(30), 0.4, 25).await;
    store_presence(&app, "13201", start + Duration::minutes(45), 250.0, 250).await;
    let analyst = app.token_for("analyst").await;
    let zone = zone_id(&app, "13201").await;
    let body = call(
        &app,
        &analyst,
        Some("statistics"),
        PRESENCE,
        window(zone, start, start + Duration::hours(1), "FIFTEEN_MINUTES"),
    )
    .await;
    let shown = cells(&body, "presence");
    for cell in shown {
        if let Some(value) = cell["value"].as_i64() {
            assert!(value >= 20, "a value under k = 20 was released: {body}");
        }
    }
    assert_eq!(shown[3]["value"], 250, "the large quarter stays: {body}");
}

async fn finding_4_a_partner_organisations_supervisor_gets_no_raw_city_data(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let day = midnight(10);
    for i in 0..3 {
        let at = day + Duration::hours(10 + i);
        store_incident(&app, "csu-journal", "13201", IncidentField::Security, at).await;
    }
    // An account whose role contradicts its organization is refused at creation...
    let auth = api::auth::service::AuthState::from_settings(&app.settings).unwrap();
    let change = api::cli::CommandChange::new("user add", "createUser");
    let password = "rtm-supervisor-password-2026";
    let rtm = org_id(&app, "rtm").await;
    let new = api::auth::service::NewUser {
        email: "chef@rtm.example".to_owned(),
        role: policies::roles::Role::Supervisor,
        organization_id: Some(rtm),
        password: password.to_owned(),
    };
    let refused = api::auth::service::create_user(&app.db, &auth, change.change(), new)
        .await
        .expect_err("a city role in a partner agency contradicts the register");
    assert!(
        matches!(&refused, api::error::ApiError::PolicyViolation { rule, .. } if rule == "CITY_ROLE_IN_PARTNER_ORGANIZATION"),
        "{refused:?}"
    );
    let stored = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq("chef@rtm.example"))
        .one(&app.db)
        .await
        .unwrap();
    assert!(stored.is_none(), "a refused account is not stored");
    // ...and one stored before the check existed still reaches no raw city data.
    entity::user::Entity::insert(entity::user::ActiveModel {
        email: Set("chef@rtm.example".to_owned()),
        password_hash: Set(auth.passwords.hash(password.to_owned()).await.unwrap()),
        role: Set("supervisor".to_owned()),
        organization_id: Set(Some(rtm)),
        locked_until: Set(None),
        deleted_at: Set(None),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap();
    let login = app.login("chef@rtm.example", password).await;
    let rtm_supervisor = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}"))
        .to_owned();
    let zone = zone_id(&app, "13201").await;
    let ask = window(zone, day, day + Duration::days(1), "HOUR");
    let body = call(
        &app,
        &rtm_supervisor,
        Some("statistics"),
        STATS,
        ask.clone(),
    )
    .await;
    if body["data"]["incidentStats"].is_object() {
        assert_eq!(
            body["data"]["incidentStats"]["controlled"], true,
            "another organization's counts are disclosure-controlled: {body}"
        );
        assert!(
            cells(&body, "incidentStats")
                .iter()
                .all(|c| c["value"].is_null()),
            "counts of 1 must not reach another organization: {body}"
        );
    } else {
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    }
    let list = call(
        &app,
        &rtm_supervisor,
        Some("event_planning"),
        "{ incidents(first: 10) { totalCount edges { node { id } } } }",
        json!({}),
    )
    .await;
    let reached = list["data"]["incidents"]["totalCount"]
        .as_i64()
        .unwrap_or(0);
    assert_eq!(
        reached, 0,
        "the city's incident records are not a partner's: {list}"
    );
    // The city's own supervision team still reads its counts as they are.
    let supervisor = app.token_for("supervisor").await;
    let body = call(&app, &supervisor, Some("statistics"), STATS, ask).await;
    assert_eq!(body["data"]["incidentStats"]["controlled"], false, "{body}");
    assert_eq!(body["data"]["incidentStats"]["total"]["value"], 3, "{body}");
}

/// The purpose of the newest audit entry of an operation, once the audit writer
/// (which batches read entries) has written it.
async fn audited_purpose(app: &TestApp, resource: &str) -> Option<String> {
    for _ in 0..100 {
        let entry = entity::audit_entry::Entity::find()
            .filter(entity::audit_entry::Column::Resources.contains(resource))
            .order_by_desc(entity::audit_entry::Column::Seq)
            .one(&app.db)
            .await
            .unwrap();
        if let Some(entry) = entry {
            return entry.purpose;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no audit entry for {resource}")
}

async fn finding_5_the_purpose_used_is_the_purpose_audited(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let zone = zone_id(&app, "13201").await;
    let stats = token(&app, "rtm", &["read:aggregates:security"], &["statistics"]).await;
    let body = call(
        &app,
        &stats,
        None,
        STATS,
        window(zone, midnight(10), midnight(9), "DAY"),
    )
    .await;
    assert!(body["data"]["incidentStats"].is_object(), "{body}");
    assert_eq!(
        audited_purpose(&app, "incidentStats").await.as_deref(),
        Some("statistics")
    );

    let ingest = token(&app, "rtm", &["ingest:rtm-frequentation"], &["ingestion"]).await;
    let batch = super::support::transit_batch("purpose-key");
    let body = call(&app, &ingest, None, INGEST, json!({ "input": batch })).await;
    assert!(body["data"]["ingestObservations"].is_object(), "{body}");
    assert_eq!(
        audited_purpose(&app, "ingestObservations").await.as_deref(),
        Some("ingestion")
    );
}

async fn finding_6_client_strings_with_personal_data_are_neither_stored_nor_echoed(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let rtm = token(&app, "rtm", &["ingest:rtm-frequentation"], &["ingestion"]).await;
    let email = "jean.dupont@gmail.com";
    let batch = super::support::transit_batch(email);
    let body = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": batch }),
    )
    .await;
    assert_eq!(error_code(&body), Some("POLICY_VIOLATION"), "{body}");
    assert!(!body.to_string().contains(email), "echoed: {body}");
    assert_eq!(app.count("ingestion_batch").await, 0, "nothing stored");

    let mut batch = super::support::transit_batch("zone-echo-key");
    batch["observations"][0]["zone"] = json!("appeler le 06 12 34 56 78");
    let body = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": batch }),
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(!body.to_string().contains("06 12 34"), "echoed: {body}");
    audited_purpose(&app, "ingestObservations").await;
    let entries = entity::audit_entry::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    for entry in entries {
        let text = format!("{:?} {:?}", entry.reason, entry.resources);
        assert!(
            !text.contains("06 12 34") && !text.contains(email),
            "{text}"
        );
    }
}

async fn finding_7_one_bucket_length_per_source_and_metric(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let rtm = token(&app, "rtm", &["ingest:rtm-frequentation"], &["ingestion"]).await;
    let hour = current_quarter()
        .duration_trunc_hour()
        .unwrap_or_else(current_quarter);
    let cell = |start: DateTime<Utc>, minutes: i32, value: f64| {
        json!({ "zone": "13201", "metric": "transit_load", "bucketStart": start,
            "bucketMinutes": minutes, "value": value, "contributors": value as i32 })
    };
    let quarters = json!({ "sourceId": "rtm-frequentation", "idempotencyKey": "quarters",
        "observations": [cell(hour, 15, 25.0), cell(hour + Duration::minutes(15), 15, 25.0), cell(hour + Duration::minutes(30), 15, 25.0)] });
    let body = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": quarters }),
    )
    .await;
    assert!(body["data"]["ingestObservations"].is_object(), "{body}");
    let whole_hour = json!({ "sourceId": "rtm-frequentation", "idempotencyKey": "hour",
        "observations": [cell(hour, 60, 100.0)] });
    let body = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": whole_hour }),
    )
    .await;
    assert_eq!(error_code(&body), Some("POLICY_VIOLATION"), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["rule"], "BUCKET_LENGTH_CHANGED",
        "{body}"
    );
    let mixed = json!({ "sourceId": "rtm-frequentation", "idempotencyKey": "mixed",
        "observations": [cell(hour + Duration::hours(1), 15, 25.0), cell(hour + Duration::hours(2), 60, 100.0)] });
    let body = call(
        &app,
        &rtm,
        Some("ingestion"),
        INGEST,
        json!({ "input": mixed }),
    )
    .await;
    assert_eq!(error_code(&body), Some("POLICY_VIOLATION"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["index"], 1, "{body}");
    let rows = entity::observation::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(rows.iter().all(|r| r.bucket_minutes == 15), "{rows:?}");
}

/// Truncation to the hour for the bucket arithmetic of finding 7.
trait HourFloor: Sized {
    fn duration_trunc_hour(self) -> Option<Self>;
}

impl HourFloor for DateTime<Utc> {
    fn duration_trunc_hour(self) -> Option<Self> {
        use chrono::DurationRound;
        self.duration_trunc(Duration::hours(1)).ok()
    }
}

on_both_backends!(
    finding_1_withheld_cells_share_one_status_and_no_quarter_is_pinned,
    finding_2_a_site_and_its_arrondissement_never_give_away_the_rest,
    finding_3_k_applies_to_the_released_value_and_rounding_never_goes_under_it,
    finding_4_a_partner_organisations_supervisor_gets_no_raw_city_data,
    finding_5_the_purpose_used_is_the_purpose_audited,
    finding_6_client_strings_with_personal_data_are_neither_stored_nor_echoed,
    finding_7_one_bucket_length_per_source_and_metric,
);
