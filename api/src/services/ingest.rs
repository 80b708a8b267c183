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

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::SourceStatus;
use entity::{ingestion_batch, observation, source, zone};
use policies::permissions::{OrgId, ResourceRef};
use policies::roles::SourceId;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    DbErr, EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::services::work::Change;
use records::{check_not_received, check_records, established_lengths};

mod records;

pub use records::{policy_level, rules_of};

/// Largest batch: about what the 256 KiB request body holds, and a bound on the
/// work one request can cause.
pub const MAX_BATCH: usize = 2_000;
/// Longest idempotency key (a UUID or a sender's own batch name fits).
pub const MAX_KEY_LEN: usize = 128;
/// Attempts of a batch whose write collided with a concurrent one.
const ATTEMPTS: u32 = 3;
/// Rows per INSERT statement: well under SQLite's bound on bound parameters.
const INSERT_CHUNK: usize = 400;

/// Rule code: the source is a draft or suspended.
pub const RULE_SOURCE_INACTIVE: &str = "SOURCE_INACTIVE";
/// Rule code: the bucket is already settled (published to non-owners).
pub const RULE_LATE_DATA: &str = "LATE_DATA";

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
    change: Change<'_>,
    input: BatchInput,
) -> ApiResult<IngestOutcome> {
    check_shape(&input)?;
    let fingerprint = fingerprint(&input.observations)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_ingest(db, change, &input, &fingerprint).await {
            Err(Attempt::Collided(err)) if attempt < ATTEMPTS => {
                // The attempt's unit of work rolled back with its audit entry.
                // Another request is writing the same key (or the same cells): once
                // it has committed, this attempt finds its batch and replays it.
                tracing::debug!(error = %err, attempt, "ingestion collided, retrying");
                tokio::time::sleep(std::time::Duration::from_millis(50 * u64::from(attempt))).await;
            }
            Err(Attempt::Collided(err)) => return Err(err),
            Err(Attempt::Failed(err)) => return Err(err),
            Ok(outcome) => return Ok(outcome),
        }
    }
}

/// Why one attempt did not succeed.
enum Attempt {
    /// A write or the commit failed, most likely against a concurrent batch.
    Collided(ApiError),
    /// A final answer.
    Failed(ApiError),
}

impl<E: Into<ApiError>> From<E> for Attempt {
    fn from(err: E) -> Self {
        Attempt::Failed(err.into())
    }
}

fn collided(err: DbErr) -> Attempt {
    Attempt::Collided(err.into())
}

async fn try_ingest(
    db: &DatabaseConnection,
    change: Change<'_>,
    input: &BatchInput,
    fingerprint: &str,
) -> Result<IngestOutcome, Attempt> {
    let viewer = &change.ctx.viewer;
    let work = change.begin(db).await?;
    let txn = work.txn();
    let source = find_source(txn, &input.source).await?;
    let resource = ResourceRef::Source {
        id: SourceId::parse(&source.code).ok_or_else(|| {
            ApiError::Forbidden(format!("source {} has no scope id", source.code))
        })?,
        organization: OrgId(source.organization_id),
    };
    work.authorize(&resource)?;

    if let Some(known) = ingestion_batch::Entity::find()
        .filter(ingestion_batch::Column::SourceId.eq(source.id))
        .filter(ingestion_batch::Column::IdempotencyKey.eq(input.idempotency_key.as_str()))
        .one(txn)
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
    crate::services::register::ensure_source_may_ingest(txn, &source).await?;

    let zones: HashMap<String, zone::Model> = crate::services::catalog::zones_without_outline()
        .all(txn)
        .await?
        .into_iter()
        .map(|z| (z.code.clone(), z))
        .collect();
    let now = Utc::now();
    let established = established_lengths(txn, &source).await?;
    let rows = check_records(&source, &established, &zones, &input.observations, now)?;
    if let Err(refusal) = check_not_received(txn, &source, &rows).await {
        // The cells may be those of the same batch, sent concurrently and committed
        // since the key was looked up: then this is a replay, not a conflict.
        if let Some(known) = ingestion_batch::Entity::find()
            .filter(ingestion_batch::Column::SourceId.eq(source.id))
            .filter(ingestion_batch::Column::IdempotencyKey.eq(input.idempotency_key.as_str()))
            .one(txn)
            .await?
        {
            return Ok(replay(known, fingerprint)?);
        }
        return Err(refusal.into());
    }

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
    .insert(txn)
    .await
    .map_err(collided)?;
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
            .exec(txn)
            .await
            .map_err(collided)?;
    }
    // Alerts and the re-scoring of the events these cells concern, in this change.
    let cells: Vec<crate::services::live::Cell> = rows
        .iter()
        .map(|row| crate::services::live::Cell {
            zone_id: row.zone_id,
            metric: row.input.metric.clone(),
            start: row.input.bucket_start,
            minutes: row.input.bucket_minutes,
            value: row.input.value,
        })
        .collect();
    crate::services::live::after_observations(txn, &source, &input.idempotency_key, &cells)
        .await
        .map_err(Attempt::Collided)?;
    let mut stored: ingestion_batch::ActiveModel = batch.into();
    stored.response = Set(serde_json::to_string(&receipt).map_err(ApiError::internal)?);
    stored.update(txn).await.map_err(collided)?;
    work.commit(i64::try_from(rows.len()).unwrap_or(i64::MAX))
        .await
        .map_err(Attempt::Collided)?;
    Ok(IngestOutcome {
        receipt,
        replayed: false,
    })
}

/// The first answer of a known key, if the batch is the same.
fn replay(known: ingestion_batch::Model, fingerprint: &str) -> ApiResult<IngestOutcome> {
    if known.fingerprint != fingerprint {
        return Err(ApiError::Conflict(format!(
            "idempotency key \"{}\" was already used for a different batch ({}); use a new key for new data",
            known.idempotency_key, known.id
        )));
    }
    let receipt: IngestReceipt =
        serde_json::from_str(&known.response).map_err(ApiError::internal)?;
    Ok(IngestOutcome {
        receipt,
        replayed: true,
    })
}

/// The key and the batch's size. The key is stored and echoed in every receipt,
/// so it must not hold personal data (an e-mail is not a batch name).
fn check_shape(input: &BatchInput) -> ApiResult<()> {
    let key = input.idempotency_key.as_str();
    let key_ok =
        !key.is_empty() && key.len() <= MAX_KEY_LEN && key.chars().all(|c| c.is_ascii_graphic());
    if !key_ok {
        return Err(ApiError::bad_input(
            "input.idempotencyKey",
            format!(
                "the idempotency key must be 1 to {MAX_KEY_LEN} printable ASCII characters without spaces"
            ),
        ));
    }
    let kinds = policies::pii::kinds_in(key);
    if !kinds.is_empty() {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        return Err(ApiError::PolicyViolation {
            rule: "PERSONAL_DATA".to_owned(),
            message: format!(
                "the idempotency key looks like personal data ({}): use a UUID or a batch name",
                names.join(", ")
            ),
        });
    }
    if input.observations.is_empty() || input.observations.len() > MAX_BATCH {
        return Err(ApiError::bad_input(
            "input.observations",
            format!("a batch holds 1 to {MAX_BATCH} observations"),
        ));
    }
    Ok(())
}

/// SHA-256 of the batch's canonical JSON: the same observations give the same print.
fn fingerprint(observations: &[ObservationInput]) -> ApiResult<String> {
    // Hashed as it is written: a batch's canonical JSON is never held whole.
    let mut hasher = Sha256::new();
    serde_json::to_writer(&mut hasher, observations).map_err(ApiError::internal)?;
    Ok(hex::encode(hasher.finalize()))
}

/// The source by id or by code.
async fn find_source(txn: &DatabaseTransaction, key: &str) -> ApiResult<source::Model> {
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
    found.ok_or_else(|| ApiError::not_found(format!("source {key}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_print_is_the_hash_of_the_whole_canonical_json() {
        let at = |hour: &str| {
            DateTime::parse_from_rfc3339(&format!("2026-06-21T{hour}:00:00Z"))
                .expect("a time")
                .with_timezone(&Utc)
        };
        let cell = |zone: &str, hour: &str, value: f64| ObservationInput {
            zone: zone.to_owned(),
            metric: "presence".to_owned(),
            bucket_start: at(hour),
            bucket_minutes: 15,
            value,
            contributors: Some(40),
            note: Some("quai du Port".to_owned()),
            labels: vec!["estimate".to_owned()],
        };
        let batch = vec![cell("13201", "18", 1200.5), cell("13202", "19", 80.0)];
        let whole = serde_json::to_vec(&batch).expect("json");
        assert_eq!(
            fingerprint(&batch).expect("a print"),
            hex::encode(Sha256::digest(&whole))
        );
        let mut other = batch.clone();
        other.reverse();
        assert_ne!(fingerprint(&batch).ok(), fingerprint(&other).ok());
    }
}
