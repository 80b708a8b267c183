//! Risk models: learning from the stored history (`event_outcome`), backtesting on
//! its latest years, publishing (a `risk_model` row holding the serialized model and
//! its backtest), and reading the current one back.

use chrono::{Datelike, NaiveDate, Utc};
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

/// Rows read per query when loading the history (keeps memory per round trip bounded
/// and lets a progress bar move).
const LOAD_PAGE: u64 = 5_000;
/// Settings key under which the demo history records how it was generated.
pub const GENERATOR_KEY: &str = "history.generator";
/// Fewest past events worth learning from (the model has about 40 coefficients per field).
pub const MIN_TRAINING_EVENTS: usize = 500;

/// The model that scores, with its stored row.
#[derive(Debug, Clone)]
pub struct PublishedModel {
    /// The stored row (version, window, JSON).
    pub row: risk_model::Model,
    /// The decoded model.
    pub model: RiskModel,
}

/// The latest published model, if any.
pub async fn current_model<C: ConnectionTrait>(db: &C) -> ApiResult<Option<PublishedModel>> {
    let Some(row) = risk_model::Entity::find()
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

/// What training published.
#[derive(Debug, Clone)]
pub struct Training {
    /// The new current model.
    pub published: PublishedModel,
    /// Its backtest, when the history was long enough for one.
    pub backtest: Option<BacktestReport>,
}

/// Learns a model from the stored history, backtests it on the last `holdout_years`
/// years (none with 0) and publishes it as the current model, in one transaction.
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
    progress.stage("publishing");
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
        trained_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Training {
        published: PublishedModel { row, model },
        backtest: report,
    })
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
