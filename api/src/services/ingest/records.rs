//! The per-record checks of a batch: its zone, the source's disclosure rules
//! (`policies::disclosure`), the platform's own rules (late data, duplicates,
//! sizes), and cells already received in an earlier batch.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use entity::enums::{Granularity, ZoneLevel};
use entity::{observation, source, zone};
use policies::disclosure::{self, Observation, SourceRules, Violation};
use policies::grid::{self, BucketSize};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::{ObservationInput, RULE_LATE_DATA};
use crate::error::{ApiError, ApiResult};
use crate::services::aggregates;

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

/// A record that passed every check, with its zone resolved.
pub(super) struct Row<'a> {
    /// The record as sent.
    pub input: &'a ObservationInput,
    /// Its zone.
    pub zone_id: i64,
}

/// Checks every record; the first offending one refuses the batch. Zones are
/// resolved first, then the disclosure rules run on the records before any unknown
/// zone, then the platform's own rules; the smallest index wins, disclosure rules
/// first on a tie, so the answer does not depend on which pass found what.
pub(super) fn check_records<'a>(
    source: &source::Model,
    established: &HashMap<String, i64>,
    zones: &HashMap<String, zone::Model>,
    inputs: &'a [ObservationInput],
    now: DateTime<Utc>,
) -> ApiResult<Vec<Row<'a>>> {
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
                ApiError::bad_input(
                    path("zone"),
                    format!("unknown zone {}", policies::pii::echo(&input.zone)),
                ),
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
    if let Err(refused) = disclosure::check_bucket_lengths(&observations, established) {
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
        Some((index, error)) => Err(ApiError::in_record(index, error)),
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

/// The bucket length each metric of `source` was stored with (one per metric:
/// ingestion refuses a second one).
pub(super) async fn established_lengths(
    txn: &DatabaseTransaction,
    source: &source::Model,
) -> ApiResult<HashMap<String, i64>> {
    let mut lengths = HashMap::new();
    for metric in rules_of(source).fields {
        let first = observation::Entity::find()
            .filter(observation::Column::SourceId.eq(source.id))
            .filter(observation::Column::Metric.eq(metric.as_str()))
            .one(txn)
            .await?;
        if let Some(row) = first {
            lengths.insert(metric, i64::from(row.bucket_minutes));
        }
    }
    Ok(lengths)
}

/// Refuses cells already received in an earlier batch: a cell has one value, and a
/// correction would change what was answered from it.
pub(super) async fn check_not_received(
    txn: &DatabaseTransaction,
    source: &source::Model,
    rows: &[Row<'_>],
) -> ApiResult<()> {
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
            return Err(ApiError::in_record(
                index,
                ApiError::Conflict(format!(
                    "this cell was already received in batch {batch}; a cell is sent once"
                )),
            ));
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
