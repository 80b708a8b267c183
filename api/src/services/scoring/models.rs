//! Risk models: learning from the stored history (`event_outcome`), backtesting on
//! its latest years, the publication gate (a model that misses its backtest floors,
//! or was not backtested, is stored as rejected and scores nothing), publishing a
//! refused model with an administrator's written reason, and reading the current one
//! back.

use chrono::{Datelike, NaiveDate, Utc};
use entity::risk_model::ModelStatus;
use entity::{event_outcome, platform_setting, risk_model};
use scoring::backtest::{self, BacktestReport};
use scoring::features::{FieldCounts, HistoryRow};
use scoring::history::GeneratorConfig;
use scoring::history::truth::TrueEffects;
use scoring::model::{RiskModel, TrainOptions};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::error::{ApiError, ApiResult};
use crate::services::work::Change;

/// Rows read per query when loading the history (keeps memory per round trip bounded
/// and lets a progress bar move).
const LOAD_PAGE: u64 = 5_000;
/// Settings key under which the demo history records how it was generated.
pub const GENERATOR_KEY: &str = "history.generator";
/// Fewest past events worth learning from (the model has about 40 coefficients per field).
pub const MIN_TRAINING_EVENTS: usize = 500;
/// Longest reason for publishing a model the gate refused.
pub const MAX_PUBLICATION_REASON: usize = 2_000;

/// The model that scores, with its stored row.
#[derive(Debug, Clone)]
pub struct PublishedModel {
    /// The stored row (version, window, JSON).
    pub row: risk_model::Model,
    /// The decoded model.
    pub model: RiskModel,
}

/// The most recently published model, if any; rejected models never score.
pub async fn current_model<C: ConnectionTrait>(db: &C) -> ApiResult<Option<PublishedModel>> {
    let Some(row) = risk_model::Entity::find()
        .filter(risk_model::Column::Status.eq(ModelStatus::Published))
        .order_by_desc(risk_model::Column::PublishedAt)
        .order_by_desc(risk_model::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let model = serde_json::from_str(&row.model_json).map_err(ApiError::internal)?;
    Ok(Some(PublishedModel { row, model }))
}

/// Reports progress of long operations (the command line draws bars with it).
pub trait Progress {
    /// A new stage starts.
    fn stage(&self, _name: &str) {}
    /// `done` of `total` rows processed in the current stage.
    fn rows(&self, _done: u64, _total: u64) {}
}

/// No progress report.
impl Progress for () {}

/// Every past event with recorded outcomes, as training rows, by event id.
pub async fn load_history<C: ConnectionTrait>(
    db: &C,
    progress: &dyn Progress,
) -> ApiResult<Vec<HistoryRow>> {
    let total = event_outcome::Entity::find().count(db).await?;
    progress.stage("loading history");
    let mut rows = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut after = i64::MIN;
    loop {
        let page = event_outcome::Entity::find()
            .filter(event_outcome::Column::EventId.gt(after))
            .order_by_asc(event_outcome::Column::EventId)
            .limit(LOAD_PAGE)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.event_id;
        for outcome in page {
            let features = serde_json::from_str(&outcome.features).map_err(ApiError::internal)?;
            let count = |n: i32| u32::try_from(n).unwrap_or(0);
            rows.push(HistoryRow {
                features,
                incidents: FieldCounts {
                    tranquillity: count(outcome.tranquillity),
                    security: count(outcome.security),
                    mobility: count(outcome.mobility),
                },
            });
        }
        progress.rows(rows.len() as u64, total);
    }
    Ok(rows)
}

/// The true effects of the stored history when it is the synthetic demo one, so a
/// backtest can check that the model recovers them.
async fn synthetic_truth<C: ConnectionTrait>(db: &C) -> ApiResult<Option<TrueEffects>> {
    let Some(row) = platform_setting::Entity::find_by_id(GENERATOR_KEY.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let config: GeneratorConfig = serde_json::from_str(&row.value).map_err(ApiError::internal)?;
    Ok(Some(TrueEffects::standard(config.overdispersion_shape)))
}

/// First day of the held-out period: 1 January, `holdout_years` before the end.
fn holdout_from(rows: &[HistoryRow], holdout_years: u32) -> Option<NaiveDate> {
    let last = rows.iter().map(|r| r.features.date).max()?;
    let years = i32::try_from(holdout_years).ok()?;
    NaiveDate::from_ymd_opt(last.year() - years + 1, 1, 1)
}

fn scoring_error(err: scoring::ScoringError) -> ApiError {
    ApiError::Conflict(format!("the history cannot be learned from: {err}"))
}

/// Trains on all but the last `holdout_years` calendar years and scores those.
pub async fn backtest<C: ConnectionTrait>(
    db: &C,
    holdout_years: u32,
    progress: &dyn Progress,
) -> ApiResult<BacktestReport> {
    let rows = load_history(db, progress).await?;
    let truth = synthetic_truth(db).await?;
    run_backtest(&rows, holdout_years, truth.as_ref(), progress)
}

fn run_backtest(
    rows: &[HistoryRow],
    holdout_years: u32,
    truth: Option<&TrueEffects>,
    progress: &dyn Progress,
) -> ApiResult<BacktestReport> {
    let from = holdout_from(rows, holdout_years.max(1)).ok_or_else(|| {
        ApiError::Conflict("no past events with recorded outcomes to learn from".into())
    })?;
    progress.stage("backtesting");
    let (_, report) =
        backtest::backtest(rows, from, &TrainOptions::default(), truth).map_err(scoring_error)?;
    Ok(report)
}

/// What training stored.
#[derive(Debug, Clone)]
pub struct Training {
    /// The model stored: the new current model, unless the gate refused it.
    pub published: PublishedModel,
    /// Its backtest, when one was run.
    pub backtest: Option<BacktestReport>,
    /// Why the publication gate refused the model (it is stored as rejected and
    /// scores nothing); `None` when it was published.
    pub refused: Option<String>,
}

/// The publication gate: a model is published only when a backtest was run and it
/// met every publication floor. Returns why it is refused otherwise.
pub fn gate(report: Option<&BacktestReport>) -> Result<(), String> {
    let Some(report) = report else {
        return Err(
            "no backtest was run (0 held-out years), so the publication floors cannot be checked"
                .to_owned(),
        );
    };
    let failures = report.floor_failures(&backtest::PUBLICATION_FLOORS);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "publication floors missed: {}",
            failures.join("; ")
        ))
    }
}

/// Learns a model from the stored history, backtests it on the last `holdout_years`
/// years (none with 0) and stores it, in one transaction: published as the current
/// model when it passes the gate ([`gate`]), rejected otherwise.
pub async fn train_and_publish<C: ConnectionTrait>(
    db: &C,
    holdout_years: u32,
    trained_by: &str,
    progress: &dyn Progress,
) -> ApiResult<Training> {
    let rows = load_history(db, progress).await?;
    if rows.len() < MIN_TRAINING_EVENTS {
        return Err(ApiError::Conflict(format!(
            "{} past events with recorded outcomes; at least {MIN_TRAINING_EVENTS} are needed to train",
            rows.len()
        )));
    }
    let truth = synthetic_truth(db).await?;
    let report = if holdout_years > 0 {
        Some(run_backtest(
            &rows,
            holdout_years,
            truth.as_ref(),
            progress,
        )?)
    } else {
        None
    };
    progress.stage("training");
    let count = risk_model::Entity::find().count(db).await?;
    let (first, last) = (
        rows.iter().map(|r| r.features.date).min(),
        rows.iter().map(|r| r.features.date).max(),
    );
    let (Some(first), Some(last)) = (first, last) else {
        return Err(ApiError::Conflict("no past events to learn from".into()));
    };
    let options = TrainOptions {
        version: Some(format!("risk-v{}-{first}-{last}", count + 1)),
        ..TrainOptions::default()
    };
    let mut model = scoring::train(&rows, &options).map_err(scoring_error)?;
    model.backtest = report.as_ref().map(BacktestReport::summary);
    let refused = gate(report.as_ref()).err();
    progress.stage(if refused.is_some() {
        "storing the rejected model"
    } else {
        "publishing"
    });
    let now = Utc::now();
    let row = risk_model::ActiveModel {
        version: Set(model.version.clone()),
        window_first: Set(model.training_window.first),
        window_last: Set(model.training_window.last),
        window_events: Set(i64::try_from(model.training_window.events).unwrap_or(i64::MAX)),
        model_json: Set(serde_json::to_string(&model).map_err(ApiError::internal)?),
        backtest_json: Set(match &report {
            Some(report) => Some(serde_json::to_string(report).map_err(ApiError::internal)?),
            None => None,
        }),
        trained_by: Set(trained_by.to_owned()),
        trained_at: Set(now),
        status: Set(if refused.is_some() {
            ModelStatus::Rejected
        } else {
            ModelStatus::Published
        }),
        gate_refusal: Set(refused.clone()),
        publication_reason: Set(None),
        published_by: Set(refused.is_none().then(|| trained_by.to_owned())),
        published_at: Set(refused.is_none().then_some(now)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Training {
        published: PublishedModel { row, model },
        backtest: report,
        refused,
    })
}

/// Publishes a model the gate refused, on an administrator's written reason (kept
/// with the model and in the audit entry), and re-scores the coming days with it, in
/// one transaction.
pub async fn publish(
    db: &sea_orm::DatabaseConnection,
    change: Change<'_>,
    id: i64,
    reason: &str,
) -> ApiResult<risk_model::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let reason = crate::services::text::free_text("reason", reason, MAX_PUBLICATION_REASON, true)
        .map_err(|_| {
            ApiError::bad_input(
                "reason",
                format!(
                    "a written reason of 1 to {MAX_PUBLICATION_REASON} characters is required to publish a model the gate refused"
                ),
            )
        })?;
    let row = risk_model::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("model {id}")))?;
    if row.status == ModelStatus::Published {
        return Err(ApiError::Conflict(format!(
            "model {} is already published",
            row.version
        )));
    }
    let summary = format!(
        "published {} over the gate ({}); reason: {reason}",
        row.version,
        row.gate_refusal.as_deref().unwrap_or("refused")
    );
    let mut active: risk_model::ActiveModel = row.into();
    active.status = Set(ModelStatus::Published);
    active.publication_reason = Set(Some(reason));
    active.published_by = Set(Some(work.ctx().viewer.actor.clone()));
    active.published_at = Set(Some(Utc::now()));
    let saved = active.update(txn).await?;
    crate::services::scoring::rescore_window_in(
        txn,
        crate::time::paris_today(Utc::now()),
        crate::services::scoring::RESCORE_WINDOW_DAYS,
        false,
        "model published",
    )
    .await?;
    work.commit_with_summary(1, Some(summary)).await?;
    Ok(saved)
}

/// Every stored model, newest first: published and rejected.
pub async fn list<C: ConnectionTrait>(db: &C) -> ApiResult<Vec<risk_model::Model>> {
    Ok(risk_model::Entity::find()
        .order_by_desc(risk_model::Column::Id)
        .all(db)
        .await?)
}

/// Whether any model has been published.
pub async fn has_model<C: ConnectionTrait>(db: &C) -> ApiResult<bool> {
    Ok(risk_model::Entity::find()
        .select_only()
        .column(risk_model::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_refuses_a_model_that_was_not_backtested() {
        let refusal = gate(None).expect_err("no backtest, no publication");
        assert!(refusal.contains("no backtest"), "{refusal}");
    }
}
