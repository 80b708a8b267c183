//! Retention (DESIGN §6): each source's data is kept as long as its processing
//! activity's retention period says, then purged: observations, incident records,
//! and ingestion batches left without observations. Run by `api retention run`, by
//! the server's daily task and by the admin's `runRetention`; the report says what
//! went, per source, so the caller can write it to the audit log.
//!
//! Cutoffs are aligned on UTC midnight: a purge removes whole days, the top nodes of
//! the release module's time trees, so what stays published is exactly what was
//! published before (a purge that cut a day in two would change that day's totals).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::register::processing_activity;
use entity::{incident, ingestion_batch, observation, source};
use policies::grid::{BucketSize, instant, unix};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use serde::Serialize;

use crate::context::{Operation, OperationKind, RequestContext};
use crate::error::ApiResult;
use crate::services::work::Change;

/// Retention of a source that belongs to no processing activity. Such a source
/// cannot ingest (the DPIA gate needs an activity), so this only bounds data left
/// by a source unlinked from the register; a year is the register's shortest
/// period (the audit log's) and errs on the side of keeping less.
pub const DEFAULT_RETENTION_DAYS: i32 = 365;

/// What the purge did for one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourcePurge {
    /// The source.
    pub source_id: i64,
    /// Its code.
    pub source_code: String,
    /// The processing activity whose period applied, if any.
    pub processing_activity_id: Option<i64>,
    /// The period applied, in days.
    pub retention_days: i32,
    /// True when the source has no activity and the default applied.
    pub default_period: bool,
    /// Data before this instant was purged (UTC midnight).
    pub cutoff: DateTime<Utc>,
    /// Observations deleted.
    pub observations: u64,
    /// Incident records deleted.
    pub incidents: u64,
    /// Ingestion batches deleted (older than the cutoff, with no observation left).
    pub batches: u64,
}

/// What a retention run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    /// The instant the run reasoned from.
    pub ran_at: DateTime<Utc>,
    /// Every source, with its cutoff and what went.
    pub sources: Vec<SourcePurge>,
}

impl RetentionReport {
    /// Observations deleted in all.
    pub fn observations(&self) -> u64 {
        self.sources.iter().map(|s| s.observations).sum()
    }
    /// Incident records deleted in all.
    pub fn incidents(&self) -> u64 {
        self.sources.iter().map(|s| s.incidents).sum()
    }
    /// Ingestion batches deleted in all.
    pub fn batches(&self) -> u64 {
        self.sources.iter().map(|s| s.batches).sum()
    }
}

/// Purges every source's data past its retention period, in one unit of work: the
/// purge and its audit entry (with what went, per source) commit together.
pub async fn run_retention(
    db: &DatabaseConnection,
    change: Change<'_>,
    now: DateTime<Utc>,
) -> ApiResult<RetentionReport> {
    let work = change.begin(db).await?;
    let report = purge(work.txn(), now).await?;
    let purged = report.observations() + report.incidents() + report.batches();
    let summary: Vec<String> = report
        .sources
        .iter()
        .filter(|s| s.observations + s.incidents + s.batches > 0)
        .map(|s| {
            format!(
                "{}: {} observations, {} incidents, {} batches before {}",
                s.source_code,
                s.observations,
                s.incidents,
                s.batches,
                s.cutoff.format("%Y-%m-%d")
            )
        })
        .collect();
    work.commit_with_summary(
        i64::try_from(purged).unwrap_or(i64::MAX),
        (!summary.is_empty()).then(|| summary.join("; ")),
    )
    .await?;
    Ok(report)
}

/// The purge itself, inside the caller's transaction (so an audit entry can be
/// written in the same one).
pub async fn purge<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> ApiResult<RetentionReport> {
    let periods: HashMap<i64, i32> = processing_activity::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.retention_days))
        .collect();
    let sources = source::Entity::find()
        .order_by_asc(source::Column::Code)
        .all(db)
        .await?;
    let mut report = RetentionReport {
        ran_at: now,
        sources: Vec::with_capacity(sources.len()),
    };
    for source in sources {
        let activity = source
            .processing_activity_id
            .and_then(|id| periods.get(&id).map(|days| (id, *days)));
        let retention_days = activity.map_or(DEFAULT_RETENTION_DAYS, |(_, days)| days);
        let cutoff = cutoff(now, retention_days);
        let observations = observation::Entity::delete_many()
            .filter(observation::Column::SourceId.eq(source.id))
            .filter(observation::Column::BucketStart.lt(cutoff))
            .exec(db)
            .await?
            .rows_affected;
        let incidents = incident::Entity::delete_many()
            .filter(incident::Column::SourceId.eq(source.id))
            .filter(incident::Column::OccurredAt.lt(cutoff))
            .exec(db)
            .await?
            .rows_affected;
        // A batch goes with its last observation: a recent batch may hold
        // forecasts, and its key must keep answering replays while they stay.
        let still_used = observation::Entity::find()
            .select_only()
            .column(observation::Column::BatchId)
            .filter(observation::Column::SourceId.eq(source.id))
            .into_query();
        let batches = ingestion_batch::Entity::delete_many()
            .filter(ingestion_batch::Column::SourceId.eq(source.id))
            .filter(ingestion_batch::Column::CreatedAt.lt(cutoff))
            .filter(ingestion_batch::Column::Id.not_in_subquery(still_used))
            .exec(db)
            .await?
            .rows_affected;
        report.sources.push(SourcePurge {
            source_id: source.id,
            source_code: source.code,
            processing_activity_id: activity.map(|(id, _)| id),
            retention_days,
            default_period: activity.is_none(),
            cutoff,
            observations,
            incidents,
            batches,
        });
    }
    Ok(report)
}

/// How often the server's task runs.
const TASK_PERIOD: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);
/// The task's first run waits this long after start: a server restarted daily still
/// purges, and a short-lived one (a test, a migration check) does not.
const TASK_FIRST_DELAY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Spawns the daily purge on the current runtime; a failed run is logged and the
/// next day's run tries again.
pub fn spawn_daily(db: DatabaseConnection) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let start = tokio::time::Instant::now() + TASK_FIRST_DELAY;
        let mut ticks = tokio::time::interval_at(start, TASK_PERIOD);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let ctx = RequestContext::task("retention");
            let operation =
                Operation::named(OperationKind::Task, "daily retention", "runRetention");
            match run_retention(&db, Change::new(&ctx, &operation), Utc::now()).await {
                Ok(report) => tracing::info!(
                    observations = report.observations(),
                    incidents = report.incidents(),
                    batches = report.batches(),
                    "retention purge done"
                ),
                Err(crate::error::ApiError::Internal(cause)) => {
                    tracing::error!(error = %cause.chain(), "retention purge failed");
                }
                Err(err) => tracing::error!(error = %err, "retention purge failed"),
            }
        }
    })
}

/// `now` minus the period, down to UTC midnight.
pub fn cutoff(now: DateTime<Utc>, retention_days: i32) -> DateTime<Utc> {
    let start = now - Duration::days(i64::from(retention_days.max(0)));
    instant(BucketSize::Day.floor(unix(start)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_fall_on_utc_midnight_at_or_before_the_period() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T13:45:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(cutoff(now, 365).to_rfc3339(), "2025-11-28T00:00:00+00:00");
        assert_eq!(cutoff(now, 1).to_rfc3339(), "2026-11-27T00:00:00+00:00");
    }
}
