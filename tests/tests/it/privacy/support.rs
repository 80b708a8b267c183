//! Shared arrangements of the privacy tests: tokens, batches, rows stored directly
//! (for data older than what ingestion accepts now), and lookups.

use chrono::{DateTime, Duration, DurationRound, Utc};
use platform_tests::TestApp;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

pub const INGEST: &str = "mutation($input: IngestObservationsInput!) { ingestObservations(input: $input) { batchId sourceId idempotencyKey accepted receivedAt replayed } }";

const ISSUE: &str =
    "mutation($input: IssuePartnerTokenInput!) { issuePartnerToken(input: $input) { secret } }";

/// The start of the current 15-minute bucket: its buckets are not settled yet.
pub fn current_quarter() -> DateTime<Utc> {
    Utc::now().duration_trunc(Duration::minutes(15)).unwrap()
}

/// Midnight UTC `days` days ago.
pub fn midnight(days: i64) -> DateTime<Utc> {
    (Utc::now() - Duration::days(days))
        .duration_trunc(Duration::days(1))
        .unwrap()
}

pub async fn org_id(app: &TestApp, code: &str) -> i64 {
    entity::organization::Entity::find()
        .filter(entity::organization::Column::Code.eq(code))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("organization {code} is seeded"))
        .id
}

pub async fn source(app: &TestApp, code: &str) -> entity::source::Model {
    entity::source::Entity::find()
        .filter(entity::source::Column::Code.eq(code))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("source {code} is seeded"))
}

pub async fn zone_id(app: &TestApp, code: &str) -> i64 {
    entity::zone::Entity::find()
        .filter(entity::zone::Column::Code.eq(code))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("zone {code} is seeded"))
        .id
}

/// A partner token issued by the admin for `org` with `scopes` and `purposes`.
pub async fn token(app: &TestApp, org: &str, scopes: &[&str], purposes: &[&str]) -> String {
    let org = org_id(app, org).await;
    let body = app
        .graphql_as(
            "admin",
            ISSUE,
            json!({ "input": { "organizationId": org.to_string(), "label": format!("test {scopes:?}"), "scopes": scopes, "purposes": purposes, "days": 1 } }),
        )
        .await;
    body["data"]["issuePartnerToken"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("token issued: {body}"))
        .to_owned()
}

/// Runs an operation with a bearer token and an optional `X-Purpose`.
pub async fn call(
    app: &TestApp,
    token: &str,
    purpose: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let headers: Vec<(&str, &str)> = purpose.map(|p| ("X-Purpose", p)).into_iter().collect();
    app.post(
        Some(token),
        &headers,
        json!({ "query": query, "variables": variables }),
    )
    .await
    .json()
    .await
    .unwrap()
}

/// One RTM transit cell in 13201, `back` quarters before the current one.
pub fn transit_cell(back: i64) -> Value {
    json!({
        "zone": "13201",
        "metric": "transit_load",
        "bucketStart": current_quarter() - Duration::minutes(15 * back),
        "bucketMinutes": 15,
        "value": 1250.0,
        "contributors": 1250,
    })
}

/// A valid RTM batch of three cells.
pub fn transit_batch(key: &str) -> Value {
    json!({
        "sourceId": "rtm-frequentation",
        "idempotencyKey": key,
        "observations": [transit_cell(2), transit_cell(1), transit_cell(0)],
    })
}

/// Observations stored directly (one batch), as if received when they were
/// current: `(zone code, bucket start, value and contributors)`, 15-minute buckets.
pub async fn store_cells(
    app: &TestApp,
    source_code: &str,
    metric: &str,
    cells: &[(&str, DateTime<Utc>, i32)],
) {
    let source = source(app, source_code).await;
    let batch = entity::ingestion_batch::Entity::insert(entity::ingestion_batch::ActiveModel {
        source_id: Set(source.id),
        idempotency_key: Set(uuid::Uuid::new_v4().to_string()),
        fingerprint: Set("test".to_owned()),
        observation_count: Set(cells.len() as i32),
        response: Set("{}".to_owned()),
        sent_by: Set("test".to_owned()),
        created_at: Set(cells.iter().map(|c| c.1).min().unwrap_or_else(Utc::now)),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap()
    .last_insert_id;
    for (zone, start, count) in cells {
        let zone = zone_id(app, zone).await;
        entity::observation::Entity::insert(entity::observation::ActiveModel {
            source_id: Set(source.id),
            zone_id: Set(zone),
            metric: Set(metric.to_owned()),
            bucket_start: Set(*start),
            bucket_minutes: Set(15),
            value: Set(f64::from(*count)),
            contributors: Set(Some(*count)),
            note: Set(None),
            labels: Set(None),
            batch_id: Set(batch),
            ..Default::default()
        })
        .exec(&app.db)
        .await
        .unwrap();
    }
}

/// An incident stored directly, for dates recording no longer accepts.
pub async fn store_incident(
    app: &TestApp,
    source_code: &str,
    zone: &str,
    field: entity::incident::IncidentField,
    at: DateTime<Utc>,
) {
    let source = source(app, source_code).await;
    let zone = zone_id(app, zone).await;
    entity::incident::Entity::insert(entity::incident::ActiveModel {
        source_id: Set(source.id),
        occurred_at: Set(at),
        zone_id: Set(zone),
        field: Set(field),
        category: Set("test".to_owned()),
        severity: Set(2),
        event_id: Set(None),
        description: Set("stored by the test".to_owned()),
        redaction_count: Set(0),
        redaction_kinds: Set(String::new()),
        recorded_by: Set("test".to_owned()),
        created_at: Set(at),
        ..Default::default()
    })
    .exec(&app.db)
    .await
    .unwrap();
}
