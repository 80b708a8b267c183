//! Scoring events with the published risk model: building each event's features,
//! scoring it with its planned deployment (`scoring::score_event`), and keeping every
//! assessment. Events are re-scored inside the transaction of the change that
//! concerns them (creation, edit, status, deployment) and by a pass over the coming
//! days; an unchanged inputs fingerprint stores nothing new.
//!
//! Nothing is scored while scoring is paused (human oversight, DESIGN §9) or while no
//! model has been trained.

pub mod features;
pub mod imports;
pub mod models;
pub mod oversight;
pub mod report;
mod store;

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{assessment, deployment, event};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use crate::error::{ApiError, ApiResult};
use crate::time::paris_range;
use features::Context;
pub use models::{PublishedModel, current_model};
pub use oversight::{ScoringStatus, scoring_status};

/// Days ahead covered by the re-scoring pass (the agenda's window).
pub const RESCORE_WINDOW_DAYS: u32 = 30;
/// Rows per multi-row insert: far below SQLite's and PostgreSQL's parameter limits
/// with the assessment's 22 columns.
const INSERT_CHUNK: usize = 500;

/// Re-scores one event if scoring runs, a model exists, the event is not cancelled
/// and its inputs changed since its last assessment. Returns the new assessment, or
/// `None` when nothing was stored. Call it inside the transaction of the change.
pub async fn rescore_event<C: ConnectionTrait>(
    db: &C,
    event_id: i64,
) -> ApiResult<Option<assessment::Model>> {
    if oversight::scoring_status(db).await?.paused {
        return Ok(None);
    }
    let Some(model) = models::current_model(db).await? else {
        return Ok(None);
    };
    let Some(target) = event::Entity::find_by_id(event_id).one(db).await? else {
        return Err(ApiError::not_found(format!("event {event_id}")));
    };
    let mut rows = score_events(db, &model, &[target], false).await?;
    match rows.pop() {
        Some(row) => {
            use sea_orm::ActiveModelTrait;
            Ok(Some(row.insert(db).await?))
        }
        None => Ok(None),
    }
}

/// What a re-scoring pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RescoreReport {
    /// Events looked at.
    pub events: usize,
    /// New assessments stored (the others had unchanged inputs).
    pub assessed: usize,
    /// Whether the pass was skipped because scoring is paused or no model exists.
    pub skipped: bool,
}

/// Re-scores the events running in the `days` Paris days from `from`, in one
/// transaction. `force` stores a new assessment even with unchanged inputs (a
/// benchmark, or a new model's first pass under the same version).
pub async fn rescore_window(
    db: &sea_orm::DatabaseConnection,
    from: NaiveDate,
    days: u32,
    force: bool,
) -> ApiResult<RescoreReport> {
    let txn = db.begin().await?;
    let report = rescore_window_in(&txn, from, days, force).await?;
    txn.commit().await?;
    Ok(report)
}

/// [`rescore_window`] inside a caller's transaction.
pub async fn rescore_window_in<C: ConnectionTrait>(
    db: &C,
    from: NaiveDate,
    days: u32,
    force: bool,
) -> ApiResult<RescoreReport> {
    if oversight::scoring_status(db).await?.paused {
        return Ok(RescoreReport {
            skipped: true,
            ..RescoreReport::default()
        });
    }
    let Some(model) = models::current_model(db).await? else {
        return Ok(RescoreReport {
            skipped: true,
            ..RescoreReport::default()
        });
    };
    let (start, end) = paris_range(from, days);
    let targets = event::Entity::find()
        .filter(event::Column::StartsAt.lt(end))
        .filter(event::Column::EndsAt.gt(start))
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let rows = score_events(db, &model, &targets, force).await?;
    let assessed = rows.len();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<assessment::ActiveModel> = rows.by_ref().take(INSERT_CHUNK).collect();
        assessment::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(RescoreReport {
        events: targets.len(),
        assessed,
        skipped: false,
    })
}

/// Scores `targets` and returns the assessments to store: one per scorable event
/// whose fingerprint differs from its latest assessment's (all of them with `force`).
async fn score_events<C: ConnectionTrait>(
    db: &C,
    model: &PublishedModel,
    targets: &[event::Model],
    force: bool,
) -> ApiResult<Vec<assessment::ActiveModel>> {
    let targets: Vec<&event::Model> = targets
        .iter()
        .filter(|e| features::scorable(e.status))
        .collect();
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = targets.iter().map(|e| e.id).collect();
    let owned: Vec<event::Model> = targets.iter().map(|e| (*e).clone()).collect();
    let context = Context::load(db, &owned).await?;
    let mut deployments: HashMap<i64, Vec<deployment::Model>> = HashMap::new();
    for row in deployment::Entity::find()
        .filter(deployment::Column::EventId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        deployments.entry(row.event_id).or_default().push(row);
    }
    let previous = if force {
        HashMap::new()
    } else {
        current_for(db, &ids)
            .await?
            .into_iter()
            .map(|(id, a)| (id, a.inputs_fingerprint))
            .collect()
    };
    let now = Utc::now();
    let mut out = Vec::with_capacity(targets.len());
    for target in targets {
        let features = context.features(target);
        let planned = features::planned(
            deployments
                .get(&target.id)
                .map(Vec::as_slice)
                .unwrap_or_default(),
        );
        let fingerprint = store::fingerprint(&model.model.version, &features, &planned);
        if previous.get(&target.id) == Some(&fingerprint) {
            continue;
        }
        // A score is advice: a model that cannot read an event must not block the
        // change that triggered it. The event keeps its previous assessment.
        let scored = match scoring::score_event(&model.model, &features, &planned) {
            Ok(scored) => scored,
            Err(err) => {
                tracing::warn!(event_id = target.id, error = %err, "event not scored");
                continue;
            }
        };
        out.push(store::to_row(
            target.id,
            &scored,
            &features,
            fingerprint,
            now,
        )?);
    }
    Ok(out)
}

/// The current (latest) assessment of each of `ids` that has one.
pub async fn current_for<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> ApiResult<HashMap<i64, assessment::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // One set-based query: the highest id per event, whatever the history length.
    let latest = Query::select()
        .expr(assessment::Column::Id.max())
        .from(assessment::Entity)
        .and_where(assessment::Column::EventId.is_in(ids.to_vec()))
        .group_by_col(assessment::Column::EventId)
        .to_owned();
    let rows = assessment::Entity::find()
        .filter(assessment::Column::Id.in_subquery(latest))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|a| (a.event_id, a)).collect())
}

/// The assessments of one event, newest first, at most `limit`.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    event_id: i64,
    limit: u64,
) -> ApiResult<Vec<assessment::Model>> {
    Ok(assessment::Entity::find()
        .filter(assessment::Column::EventId.eq(event_id))
        .order_by_desc(assessment::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Assessments by id.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> ApiResult<HashMap<i64, assessment::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(assessment::Entity::find()
        .filter(assessment::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// The explanation, adequacy and requirements stored as JSON, read back.
pub use store::{StoredDetails, details, dps_type};
