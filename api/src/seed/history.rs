//! The demo history of the embedded default: ten years of past events up to
//! yesterday with their incidents, seeded once (a later start finds it and does
//! nothing), then the first model trained on it.

use chrono::{Days, NaiveDate};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::context::{Operation, OperationKind, RequestContext};
use crate::error::ApiResult;
use crate::services::history::{self, HistoryPlan, HistoryReport};
use crate::services::scoring::models::{self, Progress, Training};
use crate::services::work::Change;

/// Calendar years held out by the backtest run before a model is published.
pub const HOLDOUT_YEARS: u32 = 2;

/// Seeds ten years of history up to the day before `today`, unless one is stored.
pub async fn run(
    db: &sea_orm::DatabaseConnection,
    today: NaiveDate,
    progress: &dyn Progress,
) -> ApiResult<HistoryReport> {
    let yesterday = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    history::seed_history(db, &HistoryPlan::ten_years_to(yesterday), progress).await
}

/// Trains and publishes a first model when none exists and a history does.
pub async fn train_if_missing(
    db: &sea_orm::DatabaseConnection,
    progress: &dyn Progress,
) -> ApiResult<Option<Training>> {
    if models::has_model(db).await? {
        return Ok(None);
    }
    let stored = entity::event_outcome::Entity::find().count(db).await?;
    if stored < models::MIN_TRAINING_EVENTS as u64 {
        return Ok(None);
    }
    let ctx = RequestContext::task("first start");
    let operation = Operation::named(OperationKind::Task, "first model", "trainModel");
    let work = Change::new(&ctx, &operation).begin(db).await?;
    let training =
        models::train_and_publish(work.txn(), HOLDOUT_YEARS, "first start", progress).await?;
    let summary = format!(
        "trained {}{}",
        training.published.model.version,
        training
            .refused
            .as_ref()
            .map(|refused| format!(", refused by the publication gate: {refused}"))
            .unwrap_or_default()
    );
    work.commit_with_summary(1, Some(summary)).await?;
    Ok(Some(training))
}

/// What the server does at start: with `seed_history`, seed the history and train a
/// first model if missing; then, whenever a model exists, score the coming 30 days
/// (unchanged inputs store nothing). Errors keep their cause for the startup log.
pub async fn prepare(
    db: &sea_orm::DatabaseConnection,
    settings: &crate::settings::Settings,
) -> Result<(), sea_orm::DbErr> {
    let today = crate::time::paris_today(chrono::Utc::now());
    let fail = |err: crate::error::ApiError| match err {
        crate::error::ApiError::Internal(cause) => sea_orm::DbErr::Custom(cause.chain()),
        other => sea_orm::DbErr::Custom(other.to_string()),
    };
    if settings.seed_history {
        let report = run(db, today, &()).await.map_err(fail)?;
        if !report.already_there {
            tracing::info!(events = report.events, "history seeded");
        }
        if let Some(training) = train_if_missing(db, &()).await.map_err(fail)? {
            match &training.refused {
                None => {
                    tracing::info!(version = %training.published.model.version, "first risk model trained")
                }
                Some(refused) => tracing::warn!(
                    version = %training.published.model.version,
                    %refused,
                    "first risk model refused by the publication gate: nothing is scored until a model is published"
                ),
            }
        }
    }
    let (ctx, operation) = crate::services::scoring::scoring_task("start-up scoring pass");
    let pass = crate::services::scoring::rescore_window(
        db,
        Change::new(&ctx, &operation),
        today,
        crate::services::scoring::RESCORE_WINDOW_DAYS,
        false,
    )
    .await
    .map_err(fail)?;
    if pass.assessed > 0 {
        tracing::info!(?pass, "coming days scored");
    }
    Ok(())
}
