//! Scoring events with the published risk model: building each event's features,
//! scoring it with its planned deployment (`scoring::score_event`), and keeping every
//! assessment. Events are re-scored inside the transaction of the change that
//! concerns them (creation, edit, status, deployment) and by a pass over the coming
//! days; an unchanged inputs fingerprint stores nothing new.
//!
//! Nothing is scored while scoring is paused (human oversight, DESIGN §9) or while no
//! model is published. A change made meanwhile marks the event's current assessment
//! stale when it changed the assessment's inputs, so the model-based figures say they
//! are out of date; first aid by the DPS grid needs no model and is computed from the
//! event as it stands (`services::venues::first_aid`).

pub mod features;
pub mod imports;
pub mod inputs;
pub mod models;
pub mod oversight;
pub mod report;
mod store;

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{assessment, deployment, event};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::context::{Operation, OperationKind, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::services::work::Change;
use crate::time::paris_range;
use features::Context;
pub use models::{PublishedModel, current_model};
pub use oversight::{ScoringStatus, scoring_status};

/// Days ahead covered by the re-scoring pass (the agenda's window).
pub const RESCORE_WINDOW_DAYS: u32 = 30;
/// Rows per multi-row insert: far below SQLite's and PostgreSQL's parameter limits
/// with the assessment's 22 columns.
const INSERT_CHUNK: usize = 500;

/// Re-scores one event if scoring runs, a model is published, the event is not
/// cancelled and its inputs changed since its last assessment; while scoring is
/// paused (or no model is published), marks its current assessment stale instead
/// when its inputs changed. Returns the new assessment, or `None` when nothing new
/// was stored. Call it inside the transaction of the change.
pub async fn rescore_event<C: ConnectionTrait>(
    db: &C,
    event_id: i64,
    trigger: &str,
) -> ApiResult<Option<assessment::Model>> {
    let Some(target) = event::Entity::find_by_id(event_id).one(db).await? else {
        return Err(ApiError::not_found(format!("event {event_id}")));
    };
    let Some(model) = scoring_model(db).await? else {
        mark_stale(db, &[target]).await?;
        return Ok(None);
    };
    let mut rows = score_events(db, &model, &[target], false, trigger).await?;
    match rows.pop() {
        Some(row) => {
            use sea_orm::ActiveModelTrait;
            Ok(Some(row.insert(db).await?))
        }
        None => Ok(None),
    }
}

/// The model that scores now: none while scoring is paused or none is published.
async fn scoring_model<C: ConnectionTrait>(db: &C) -> ApiResult<Option<PublishedModel>> {
    if oversight::scoring_status(db).await?.paused {
        return Ok(None);
    }
    models::current_model(db).await
}

/// Re-assesses `targets` after a change that concerns them all (their venue
/// changed): a new assessment for each whose inputs changed when scoring runs, else
/// their current assessments marked stale where their inputs changed. Returns the
/// number of new assessments.
pub async fn refresh_events<C: ConnectionTrait>(
    db: &C,
    targets: &[event::Model],
    trigger: &str,
) -> ApiResult<usize> {
    if targets.is_empty() {
        return Ok(0);
    }
    let Some(model) = scoring_model(db).await? else {
        mark_stale(db, targets).await?;
        return Ok(0);
    };
    let rows = score_events(db, &model, targets, false, trigger).await?;
    let stored = rows.len();
    insert_assessments(db, rows).await?;
    Ok(stored)
}

/// Marks stale the current assessment of each of `targets` whose inputs (features
/// and planned deployment, read as they stand) differ from those it was computed
/// on. Returns the number marked.
async fn mark_stale<C: ConnectionTrait>(db: &C, targets: &[event::Model]) -> ApiResult<usize> {
    let ids: Vec<i64> = targets
        .iter()
        .filter(|e| features::scorable(e.status))
        .map(|e| e.id)
        .collect();
    let current = current_for(db, &ids).await?;
    // An assessment already marked keeps its first mark.
    let open: Vec<event::Model> = targets
        .iter()
        .filter(|e| {
            current
                .get(&e.id)
                .is_some_and(|a| a.inputs_changed_at.is_none())
        })
        .cloned()
        .collect();
    if open.is_empty() {
        return Ok(0);
    }
    let context = Context::load(db, &open).await?;
    let mut deployments: HashMap<i64, Vec<deployment::Model>> = HashMap::new();
    for row in deployment::Entity::find()
        .filter(deployment::Column::EventId.is_in(open.iter().map(|e| e.id)))
        .all(db)
        .await?
    {
        deployments.entry(row.event_id).or_default().push(row);
    }
    let stale: Vec<i64> = open
        .iter()
        .filter_map(|e| {
            let assessed = current.get(&e.id)?;
            let planned = features::planned(
                deployments
                    .get(&e.id)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            );
            let now = store::fingerprint(&assessed.model_version, &context.features(e), &planned);
            (now != assessed.inputs_fingerprint).then_some(assessed.id)
        })
        .collect();
    if stale.is_empty() {
        return Ok(0);
    }
    assessment::Entity::update_many()
        .col_expr(
            assessment::Column::InputsChangedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(assessment::Column::Id.is_in(stale.clone()))
        .exec(db)
        .await?;
    Ok(stale.len())
}

/// Stores new assessments in multi-row inserts.
async fn insert_assessments<C: ConnectionTrait>(
    db: &C,
    rows: Vec<assessment::ActiveModel>,
) -> ApiResult<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<assessment::ActiveModel> = rows.by_ref().take(INSERT_CHUNK).collect();
        assessment::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
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
    change: Change<'_>,
    from: NaiveDate,
    days: u32,
    force: bool,
) -> ApiResult<RescoreReport> {
    let work = change.begin(db).await?;
    let trigger = format!("{} pass", change.operation.name);
    let report = rescore_window_in(work.txn(), from, days, force, &trigger).await?;
    // A pass that stored nothing (unchanged inputs) has nothing to record.
    if report.assessed > 0 || report.skipped {
        let summary = if report.skipped {
            format!(
                "{} events marked stale: scoring paused or no model",
                report.events
            )
        } else {
            format!(
                "{} of {} events re-scored, {days} days from {from}",
                report.assessed, report.events
            )
        };
        work.commit_with_summary(report.assessed as i64, Some(summary))
            .await?;
    }
    Ok(report)
}

/// The change of a scoring pass the server runs on its own (`name` says which).
pub fn scoring_task(name: &str) -> (RequestContext, Operation) {
    (
        RequestContext::task(name),
        Operation::named(OperationKind::Task, name, "rescoreAgenda"),
    )
}

/// [`rescore_window`] inside a caller's transaction.
pub async fn rescore_window_in<C: ConnectionTrait>(
    db: &C,
    from: NaiveDate,
    days: u32,
    force: bool,
    trigger: &str,
) -> ApiResult<RescoreReport> {
    let (start, end) = paris_range(from, days);
    let targets = event::Entity::find()
        .filter(crate::services::window::overlapping(db, start, end).await?)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let Some(model) = scoring_model(db).await? else {
        mark_stale(db, &targets).await?;
        return Ok(RescoreReport {
            skipped: true,
            ..RescoreReport::default()
        });
    };
    let rows = score_events(db, &model, &targets, force, trigger).await?;
    let assessed = rows.len();
    insert_assessments(db, rows).await?;
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
    trigger: &str,
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
            trigger,
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

/// The current (latest) assessment of each event without its four JSON columns
/// (requirements, adequacy by kind, explanation, features: most of a row's bytes),
/// which are left empty: enough for risks, adequacy, first aid and versions. `None`
/// for an event never scored. One set-based query per chunk of ids.
pub async fn current_light_for<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> ApiResult<HashMap<i64, Option<assessment::Model>>> {
    use assessment::Column as A;
    use sea_orm::sea_query::Expr;
    let mut out: HashMap<i64, Option<assessment::Model>> =
        ids.iter().map(|id| (*id, None)).collect();
    for chunk in ids.chunks(crate::services::events::ID_CHUNK) {
        let latest = Query::select()
            .expr(A::Id.max())
            .from(assessment::Entity)
            .and_where(A::EventId.is_in(chunk.to_vec()))
            .group_by_col(A::EventId)
            .to_owned();
        let rows = assessment::Entity::find()
            .select_only()
            .columns([
                A::Id,
                A::EventId,
                A::ModelVersion,
                A::RulesVersion,
                A::InputsFingerprint,
                A::RiskOverall,
                A::RiskTranquillity,
                A::RiskSecurity,
                A::RiskMobility,
                A::ExpectedTranquillity,
                A::ExpectedSecurity,
                A::ExpectedMobility,
                A::AdequacyOverall,
                A::AdequacyWeighted,
                A::FirstAidRis,
                A::FirstAidWorkers,
                A::DpsType,
                A::ComputedAt,
                A::InputsChangedAt,
                A::TriggeredBy,
            ])
            .column_as(Expr::cust("''"), "required_json")
            .column_as(Expr::cust("''"), "adequacy_json")
            .column_as(Expr::cust("''"), "explanation_json")
            .column_as(Expr::cust("''"), "features_json")
            .filter(A::Id.in_subquery(latest))
            .into_model::<assessment::Model>()
            .all(db)
            .await?;
        for row in rows {
            out.insert(row.event_id, Some(row));
        }
    }
    Ok(out)
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
