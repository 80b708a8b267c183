//! Ingestion of observation batches (DESIGN §6, §10): a partner (or a supervisor,
//! for a municipal source) sends aggregated cells for one source; the batch is
//! accepted whole or refused whole at its first offending record, and a batch sent
//! again with the same idempotency key is answered as the first time, stored once.
//!
//! Order of the checks: input shape, the source, who may ingest it (the permission
//! matrix with the source as resource), a replay of a known key, the source's
//! status, the DPIA gate, then every record (zone, the disclosure rules of
//! `policies::disclosure`, late data, duplicates). Nothing is written before the
//! last check passed, and everything is written in one transaction.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use entity::enums::{Granularity, SourceStatus, ZoneLevel};
use entity::{ingestion_batch, observation, source, zone};
use policies::disclosure::{self, Observation, SourceRules, Violation};
use policies::grid::{self, BucketSize};
use policies::permissions::{Denial, OrgId, ResourceRef, authorize};
use policies::roles::SourceId;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    DbErr, EntityTrait, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::services::aggregates;

/// Largest batch: about what the 256 KiB request body holds, and a bound on the
/// work one request can cause.
pub const MAX_BATCH: usize = 2_000;
/// Longest idempotency key (a UUID or a sender's own batch name fits).
pub const MAX_KEY_LEN: usize = 128;
/// Longest note of an observation.
const MAX_NOTE: usize = 1_000;
/// Most labels on one observation, and the longest label.
const MAX_LABELS: usize = 20;
const MAX_LABEL_LEN: usize = 100;
/// Forecasts (weather) may describe the coming days, not an arbitrary future.
const MAX_DAYS_AHEAD: i64 = 31;
/// A batch is checked against the settlement boundary of a few minutes from now, so
/// that no bucket can settle while the batch's transaction is still running (the
/// request time limit is far shorter).
const SETTLEMENT_MARGIN_MINUTES: i64 = 5;
/// Attempts of a batch whose write collided with a concurrent one.
const ATTEMPTS: u32 = 3;
/// Rows per INSERT statement: well under SQLite's bound on bound parameters.
const INSERT_CHUNK: usize = 400;

/// Rule code: the source is a draft or suspended.
pub const RULE_SOURCE_INACTIVE: &str = "SOURCE_INACTIVE";
/// Rule code: the bucket is already settled (published to non-owners).
pub const RULE_LATE_DATA: &str = "LATE_DATA";

/// Why a privacy operation failed: an API error, a denial of the permission matrix
/// (shown like the central guard's), or a refused record of a batch.
#[derive(Debug)]
pub enum PrivacyError {
    /// Any coded error.
    Api(ApiError),
    /// The matrix refused the operation on this resource.
    Denied(Denial),
    /// A record of the batch broke a rule; nothing of the batch was stored.
    Record {
        /// Zero-based index of the first offending record.
        index: usize,
        /// The error (`POLICY_VIOLATION` with its rule, `BAD_USER_INPUT` or `CONFLICT`).
        error: ApiError,
    },
}

impl From<ApiError> for PrivacyError {
    fn from(err: ApiError) -> Self {
        PrivacyError::Api(err)
    }
}

impl From<DbErr> for PrivacyError {
    fn from(err: DbErr) -> Self {
        PrivacyError::Api(err.into())
    }
}

/// One observation as sent.
#[derive(Debug, Clone, Serialize)]
pub struct ObservationInput {
    /// Code of the zone (INSEE code of an arrondissement, slug of a site).
    pub zone: String,
    /// The metric measured.
    pub metric: String,
    /// Start of the bucket.
    pub bucket_start: DateTime<Utc>,
    /// Length of the bucket in minutes.
    pub bucket_minutes: i32,
    /// The value.
    pub value: f64,
    /// People behind the value.
    pub contributors: Option<i32>,
    /// Optional free text.
    pub note: Option<String>,
    /// Optional labels.
    pub labels: Vec<String>,
}

/// A batch as sent.
#[derive(Debug, Clone)]
pub struct BatchInput {
    /// The source: its id, or its code as written in `ingest:<code>` scopes.
    pub source: String,
    /// The sender's key for the batch.
    pub idempotency_key: String,
    /// The observations.
    pub observations: Vec<ObservationInput>,
}

/// The answer to an accepted batch, stored with it and returned on every replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestReceipt {
    /// The stored batch.
    pub batch_id: i64,
    /// Its source.
    pub source_id: i64,
    /// The sender's key.
    pub idempotency_key: String,
    /// Observations stored.
    pub accepted: usize,
    /// When the batch was accepted.
    pub received_at: DateTime<Utc>,
}

/// A receipt and whether it answers a replay.
#[derive(Debug, Clone)]
pub struct IngestOutcome {
    /// The first answer.
    pub receipt: IngestReceipt,
    /// True when the key was already known and nothing was stored this time.
    pub replayed: bool,
}

/// Accepts a batch whole or refuses it whole.
pub async fn ingest(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: BatchInput,
) -> Result<IngestOutcome, PrivacyError> {
    check_shape(&input)?;
    let fingerprint = fingerprint(&input.observations)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_ingest(db, viewer, &input, &fingerprint).await {
            Err(Attempt::Collided(err)) if attempt < ATTEMPTS => {
                // Another request is writing the same key (or the same cells): once
                // it has committed, this attempt finds its batch and replays it.
                tracing::debug!(error = %err, attempt, "ingestion collided, retrying");
                tokio::time::sleep(std::time::Duration::from_millis(50 * u64::from(attempt))).await;
            }
            Err(Attempt::Collided(err)) => return Err(ApiError::from(err).into()),
            Err(Attempt::Failed(err)) => return Err(err),
            Ok(outcome) => return Ok(outcome),
        }
    }
}

/// Why one attempt did not succeed.
enum Attempt {
    /// A write or the commit failed, most likely against a concurrent batch.
    Collided(DbErr),
    /// A final answer.
    Failed(PrivacyError),
}

impl<E: Into<PrivacyError>> From<E> for Attempt {
    fn from(err: E) -> Self {
        Attempt::Failed(err.into())
    }
}

async fn try_ingest(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: &BatchInput,
    fingerprint: &str,
) -> Result<IngestOutcome, Attempt> {
    let txn = db.begin().await?;
    let source = find_source(&txn, &input.source).await?;
    let resource = ResourceRef::Source {
        id: SourceId::parse(&source.code).ok_or_else(|| {
            ApiError::Forbidden(format!("source {} has no scope id", source.code))
        })?,
        organization: OrgId(source.organization_id),
    };
    authorize(
        &viewer.subject,
        "ingestObservations",
        viewer.purpose,
        Some(&resource),
    )
    .map_err(PrivacyError::Denied)?;

    if let Some(known) = ingestion_batch::Entity::find()
        .filter(ingestion_batch::Column::SourceId.eq(source.id))
        .filter(ingestion_batch::Column::IdempotencyKey.eq(input.idempotency_key.as_str()))
        .one(&txn)
        .await?
    {
        return Ok(replay(known, fingerprint)?);
    }

    if source.status != SourceStatus::Active {
        return Err(ApiError::PolicyViolation {
            rule: RULE_SOURCE_INACTIVE.to_owned(),
            message: format!(
                "source {} is {}: only active sources ingest",
                source.code,
                if source.status == SourceStatus::Draft {
                    "a draft"
                } else {
                    "suspended"
                }
            ),
        }
        .into());
    }
    crate::services::register::ensure_source_may_ingest(&txn, &source).await?;

    let zones: HashMap<String, zone::Model> = zone::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|z| (z.code.clone(), z))
        .collect();
    let now = Utc::now();
    let rows = check_records(&source, &zones, &input.observations, now)?;
    check_not_received(&txn, &source, &rows).await?;

    let batch = ingestion_batch::ActiveModel {
        source_id: Set(source.id),
        idempotency_key: Set(input.idempotency_key.clone()),
        fingerprint: Set(fingerprint.to_owned()),
        observation_count: Set(i32::try_from(rows.len()).unwrap_or(i32::MAX)),
        response: Set(String::new()),
        sent_by: Set(viewer.actor.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(Attempt::Collided)?;
    let receipt = IngestReceipt {
        batch_id: batch.id,
        source_id: source.id,
        idempotency_key: input.idempotency_key.clone(),
        accepted: rows.len(),
        received_at: now,
    };
    for chunk in rows.chunks(INSERT_CHUNK) {
        let models = chunk.iter().map(|row| observation::ActiveModel {
            source_id: Set(source.id),
            zone_id: Set(row.zone_id),
            metric: Set(row.input.metric.clone()),
            bucket_start: Set(row.input.bucket_start),
            bucket_minutes: Set(row.input.bucket_minutes),
            value: Set(row.input.value),
            contributors: Set(row.input.contributors),
            note: Set(row.input.note.clone()),
            labels: Set((!row.input.labels.is_empty()).then(|| row.input.labels.clone().into())),
            batch_id: Set(batch.id),
            ..Default::default()
        });
        observation::Entity::insert_many(models)
            .exec(&txn)
            .await
            .map_err(Attempt::Collided)?;
    }
    let mut stored: ingestion_batch::ActiveModel = batch.into();
    stored.response = Set(serde_json::to_string(&receipt).map_err(ApiError::internal)?);
    stored.update(&txn).await.map_err(Attempt::Collided)?;
    txn.commit().await.map_err(Attempt::Collided)?;
    Ok(IngestOutcome {
        receipt,
        replayed: false,
    })
}

/// The first answer of a known key, if the batch is the same.
fn replay(known: ingestion_batch::Model, fingerprint: &str) -> Result<IngestOutcome, PrivacyError> {
    if known.fingerprint != fingerprint {
        return Err(ApiError::Conflict(format!(
            "idempotency key \"{}\" was already used for a different batch ({}); use a new key for new data",
            known.idempotency_key, known.id
        ))
        .into());
    }
    let receipt: IngestReceipt =
        serde_json::from_str(&known.response).map_err(ApiError::internal)?;
    Ok(IngestOutcome {
        receipt,
        replayed: true,
    })
}

/// The key and the batch's size.
fn check_shape(input: &BatchInput) -> Result<(), PrivacyError> {
    let key = input.idempotency_key.as_str();
    let key_ok =
        !key.is_empty() && key.len() <= MAX_KEY_LEN && key.chars().all(|c| c.is_ascii_graphic());
    if !key_ok {
        return Err(ApiError::bad_input(
            "input.idempotencyKey",
            format!("the idempotency key must be 1 to {MAX_KEY_LEN} printable ASCII characters without spaces"),
        )
        .into());
    }
    if input.observations.is_empty() || input.observations.len() > MAX_BATCH {
        return Err(ApiError::bad_input(
            "input.observations",
            format!("a batch holds 1 to {MAX_BATCH} observations"),
        )
        .into());
    }
    Ok(())
}

/// SHA-256 of the batch's canonical JSON: the same observations give the same print.
fn fingerprint(observations: &[ObservationInput]) -> Result<String, PrivacyError> {
    let canonical = serde_json::to_vec(observations).map_err(ApiError::internal)?;
    Ok(hex::encode(Sha256::digest(canonical)))
}

/// The source by id or by code.
async fn find_source(txn: &DatabaseTransaction, key: &str) -> Result<source::Model, PrivacyError> {
    let by_id = match key.parse::<i64>() {
        Ok(id) => source::Entity::find_by_id(id).one(txn).await?,
        Err(_) => None,
    };
    let found = match by_id {
        Some(found) => Some(found),
        None => {
            source::Entity::find()
                .filter(source::Column::Code.eq(key))
                .one(txn)
                .await?
        }
    };
    found.ok_or_else(|| ApiError::not_found(format!("source {key}")).into())
}

/// A record that passed every check, with its zone resolved.
struct Row<'a> {
    input: &'a ObservationInput,
    zone_id: i64,
}

/// Checks every record; the first offending one refuses the batch. Zones are
/// resolved first, then the disclosure rules run on the records before any unknown
/// zone, then the platform's own rules; the smallest index wins, disclosure rules
/// first on a tie, so the answer does not depend on which pass found what.
fn check_records<'a>(
    source: &source::Model,
    zones: &HashMap<String, zone::Model>,
    inputs: &'a [ObservationInput],
    now: DateTime<Utc>,
) -> Result<Vec<Row<'a>>, PrivacyError> {
    let rules: SourceRules = rules_of(source);
    let mut first: Option<(usize, ApiError)> = None;
    let mut keep = |index: usize, error: ApiError| {
        if first.as_ref().is_none_or(|(i, _)| index < *i) {
            first = Some((index, error));
        }
    };
    let mut observations = Vec::with_capacity(inputs.len());
    let mut rows = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let path = |field: &str| format!("input.observations[{index}].{field}");
        let Some(zone) = zones.get(input.zone.trim()) else {
            keep(
                index,
                ApiError::bad_input(path("zone"), format!("unknown zone \"{}\"", input.zone)),
            );
            break;
        };
        let contributors = match input.contributors.map(u32::try_from).transpose() {
            Ok(n) => n,
            Err(_) => {
                keep(
                    index,
                    ApiError::bad_input(path("contributors"), "contributors cannot be negative"),
                );
                break;
            }
        };
        observations.push(Observation {
            zone_level: policy_level(zone.level),
            metric: input.metric.clone(),
            bucket_start: input.bucket_start,
            bucket_minutes: i64::from(input.bucket_minutes),
            value: input.value,
            contributors,
            text: input.note.clone(),
            labels: input.labels.clone(),
        });
        rows.push(Row {
            input,
            zone_id: zone.id,
        });
    }
    if let Err(refused) = disclosure::validate_batch(&rules, &observations) {
        keep(refused.index, policy_error(&refused.violation));
    }
    let settled =
        aggregates::observations_settled_until(now + Duration::minutes(SETTLEMENT_MARGIN_MINUTES));
    let mut seen = HashSet::new();
    for (index, row) in rows.iter().enumerate() {
        if let Some(error) = platform_rule(row, index, settled, now, &mut seen) {
            keep(index, error);
            break;
        }
    }
    match first {
        Some((index, error)) => Err(PrivacyError::Record { index, error }),
        None => Ok(rows),
    }
}

fn policy_error(violation: &Violation) -> ApiError {
    ApiError::PolicyViolation {
        rule: violation.code().to_owned(),
        message: violation.to_string(),
    }
}

/// The platform's rules beyond the source's disclosure rules.
fn platform_rule(
    row: &Row<'_>,
    index: usize,
    settled_until: DateTime<Utc>,
    now: DateTime<Utc>,
    seen: &mut HashSet<(i64, String, DateTime<Utc>, i32)>,
) -> Option<ApiError> {
    let path = |field: &str| format!("input.observations[{index}].{field}");
    let input = row.input;
    if input
        .note
        .as_deref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE)
    {
        return Some(ApiError::bad_input(
            path("note"),
            format!("a note has at most {MAX_NOTE} characters"),
        ));
    }
    if input.labels.len() > MAX_LABELS
        || input
            .labels
            .iter()
            .any(|l| l.trim().is_empty() || l.chars().count() > MAX_LABEL_LEN)
    {
        return Some(ApiError::bad_input(
            path("labels"),
            format!("at most {MAX_LABELS} labels of 1 to {MAX_LABEL_LEN} characters"),
        ));
    }
    let end = input.bucket_start + Duration::minutes(i64::from(input.bucket_minutes));
    if end <= settled_until {
        return Some(ApiError::PolicyViolation {
            rule: RULE_LATE_DATA.to_owned(),
            message: format!(
                "the bucket starting {} is settled (buckets ending before {settled_until} are published): late data would change published figures",
                input.bucket_start
            ),
        });
    }
    if input.bucket_start > now + Duration::days(MAX_DAYS_AHEAD) {
        return Some(ApiError::bad_input(
            path("bucketStart"),
            format!("buckets start at most {MAX_DAYS_AHEAD} days ahead"),
        ));
    }
    let key = (
        row.zone_id,
        input.metric.clone(),
        input.bucket_start,
        input.bucket_minutes,
    );
    if !seen.insert(key) {
        return Some(ApiError::bad_input(
            path("bucketStart"),
            "this cell (zone, metric, bucket) appears twice in the batch",
        ));
    }
    None
}

/// Refuses cells already received in an earlier batch: a cell has one value, and a
/// correction would change what was answered from it.
async fn check_not_received(
    txn: &DatabaseTransaction,
    source: &source::Model,
    rows: &[Row<'_>],
) -> Result<(), PrivacyError> {
    let (Some(first), Some(last)) = (
        rows.iter().map(|r| r.input.bucket_start).min(),
        rows.iter().map(|r| r.input.bucket_start).max(),
    ) else {
        return Ok(());
    };
    let metrics: BTreeSet<&str> = rows.iter().map(|r| r.input.metric.as_str()).collect();
    let existing: HashMap<(i64, String, DateTime<Utc>, i32), i64> = observation::Entity::find()
        .filter(observation::Column::SourceId.eq(source.id))
        .filter(observation::Column::Metric.is_in(metrics))
        .filter(observation::Column::BucketStart.between(first, last))
        .all(txn)
        .await?
        .into_iter()
        .map(|o| {
            (
                (o.zone_id, o.metric, o.bucket_start, o.bucket_minutes),
                o.batch_id,
            )
        })
        .collect();
    for (index, row) in rows.iter().enumerate() {
        let key = (
            row.zone_id,
            row.input.metric.clone(),
            row.input.bucket_start,
            row.input.bucket_minutes,
        );
        if let Some(batch) = existing.get(&key) {
            return Err(PrivacyError::Record {
                index,
                error: ApiError::Conflict(format!(
                    "this cell was already received in batch {batch}; a cell is sent once"
                )),
            });
        }
    }
    Ok(())
}

/// The disclosure rules of a stored source, as `policies::disclosure` reads them.
///
/// The stored finest bucket may be finer than the fixed grid (record sources say 1
/// minute): the grid's finest size, 15 minutes, is then what applies.
pub fn rules_of(source: &source::Model) -> SourceRules {
    SourceRules {
        k: u32::try_from(source.min_contributors).unwrap_or(SourceRules::DEFAULT_K),
        min_bucket: BucketSize::ALL
            .into_iter()
            .rev()
            .find(|size| size.minutes() <= i64::from(source.min_bucket_minutes))
            .unwrap_or(BucketSize::Quarter),
        min_zone_level: policy_level(source.min_zone_level),
        fields: source
            .metrics
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
            .collect(),
        granularity: match source.granularity {
            Granularity::Aggregate => disclosure::Granularity::Aggregate,
            Granularity::Record => disclosure::Granularity::Record,
        },
    }
}

/// A stored zone level as the policies crate orders them (finest first).
pub fn policy_level(level: ZoneLevel) -> grid::ZoneLevel {
    match level {
        ZoneLevel::Site => grid::ZoneLevel::Site,
        ZoneLevel::Quartier => grid::ZoneLevel::Quartier,
        ZoneLevel::Arrondissement => grid::ZoneLevel::Arrondissement,
        ZoneLevel::City => grid::ZoneLevel::City,
    }
}
