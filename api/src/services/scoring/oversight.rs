//! Human oversight of the scores (DESIGN §9): decisions recorded with their rationale
//! and flagged when they go against the advice, and the platform-wide pause.
//!
//! The advice an assessment gives, and so what counts as an override:
//! - some required kind is planned below 100 %: the advice is to reinforce, so
//!   MAINTAIN and REDUCE are overrides;
//! - the overall risk is high (7 or more): REDUCE is an override;
//! - every required kind is planned at 150 % or more (or nothing is required) and the
//!   risk is not high: the deployment is oversized, so REINFORCE is an override;
//! - POSTPONE, MOVE and CANCEL lower the exposure itself: never overrides;
//! - without an assessment (scoring paused, no model) there is no advice to override.

use chrono::{DateTime, Utc};
use entity::decision::{self, DecisionAction};
use entity::{assessment, event, platform_setting};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::services::scoring::{RESCORE_WINDOW_DAYS, current_for, rescore_window_in};
use crate::services::work::Change;
use crate::time::paris_today;

/// Settings key of the pause switch.
pub const PAUSE_KEY: &str = "scoring.paused";
/// Longest rationale or pause reason.
const MAX_RATIONALE: usize = 2_000;
/// Risk from which the advice never includes reducing resources.
pub const HIGH_RISK: f64 = 7.0;
/// Adequacy from which a deployment counts as oversized, in %.
pub const OVERSIZED_PERCENT: f64 = 150.0;

/// Whether scoring runs, and the last change of the switch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoringStatus {
    /// Whether scoring is paused platform-wide.
    pub paused: bool,
    /// Why it was paused (the latest pause's reason).
    pub reason: Option<String>,
    /// Who changed the switch last.
    #[serde(skip)]
    pub changed_by: Option<String>,
    /// When.
    #[serde(skip)]
    pub changed_at: Option<DateTime<Utc>>,
}

/// The current status of the pause switch (running when never set).
pub async fn scoring_status<C: ConnectionTrait>(db: &C) -> ApiResult<ScoringStatus> {
    let Some(row) = platform_setting::Entity::find_by_id(PAUSE_KEY.to_owned())
        .one(db)
        .await?
    else {
        return Ok(ScoringStatus::default());
    };
    let mut status: ScoringStatus = serde_json::from_str(&row.value).map_err(ApiError::internal)?;
    status.changed_by = Some(row.updated_by);
    status.changed_at = Some(row.updated_at);
    Ok(status)
}

async fn save_status<C: ConnectionTrait>(
    db: &C,
    status: &ScoringStatus,
    by: &str,
) -> ApiResult<()> {
    let value = serde_json::to_string(status).map_err(ApiError::internal)?;
    let row = platform_setting::ActiveModel {
        key: Set(PAUSE_KEY.to_owned()),
        value: Set(value),
        updated_by: Set(by.to_owned()),
        updated_at: Set(Utc::now()),
    };
    if platform_setting::Entity::find_by_id(PAUSE_KEY.to_owned())
        .one(db)
        .await?
        .is_some()
    {
        row.update(db).await?;
    } else {
        row.insert(db).await?;
    }
    Ok(())
}

/// A rationale or a reason: bounded, and redacted of personal data (other roles
/// read it).
fn required_text(path: &str, text: &str, what: &str) -> ApiResult<String> {
    crate::services::text::free_text(path, text, MAX_RATIONALE, true).map_err(|_| {
        ApiError::bad_input(
            path,
            format!("{what} of 1 to {MAX_RATIONALE} characters is required"),
        )
    })
}

/// Pauses scoring platform-wide: no new assessment until resumed.
pub async fn pause(
    db: &DatabaseConnection,
    change: Change<'_>,
    reason: &str,
) -> ApiResult<ScoringStatus> {
    let reason = required_text("reason", reason, "a reason")?;
    let work = change.begin(db).await?;
    let txn = work.txn();
    if scoring_status(txn).await?.paused {
        return Err(ApiError::Conflict("scoring is already paused".into()));
    }
    let status = ScoringStatus {
        paused: true,
        reason: Some(reason),
        ..ScoringStatus::default()
    };
    save_status(txn, &status, &change.ctx.viewer.actor).await?;
    work.commit(1).await?;
    scoring_status(db).await
}

/// Resumes scoring and, in the same transaction, re-scores the coming days so that
/// changes made during the pause get their assessment.
pub async fn resume(db: &DatabaseConnection, change: Change<'_>) -> ApiResult<ScoringStatus> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let previous = scoring_status(txn).await?;
    if !previous.paused {
        return Err(ApiError::Conflict("scoring is not paused".into()));
    }
    let status = ScoringStatus {
        paused: false,
        reason: previous.reason,
        ..ScoringStatus::default()
    };
    save_status(txn, &status, &change.ctx.viewer.actor).await?;
    rescore_window_in(
        txn,
        paris_today(Utc::now()),
        RESCORE_WINDOW_DAYS,
        false,
        "scoring resumed",
    )
    .await?;
    work.commit(1).await?;
    scoring_status(db).await
}

/// Why a decision overrides an assessment's advice, or `None` when it follows it.
pub fn override_reason(action: DecisionAction, advice: &assessment::Model) -> Option<String> {
    let risk = advice.risk_overall;
    // Required kinds with nothing planned are named apart from the percentages.
    let missing = serde_json::from_str::<scoring::adequacy::Adequacy>(&advice.adequacy_json)
        .map(|a| a.missing)
        .unwrap_or_default();
    let short = !missing.is_empty() || advice.adequacy_overall.is_some_and(|p| p < 100.0);
    let oversized = missing.is_empty()
        && advice
            .adequacy_overall
            .is_none_or(|p| p >= OVERSIZED_PERCENT);
    match action {
        DecisionAction::Maintain | DecisionAction::Reduce if short && !missing.is_empty() => {
            Some(format!(
                "nothing is planned for {} required kind(s) of resources: the advice is to reinforce",
                missing.len()
            ))
        }
        DecisionAction::Maintain | DecisionAction::Reduce if short => Some(format!(
            "the planned deployment covers {:.0} % of what the risk requires: the advice is to reinforce",
            advice.adequacy_overall.unwrap_or_default()
        )),
        DecisionAction::Reduce if risk >= HIGH_RISK => Some(format!(
            "the risk is high ({risk:.1}/10): the advice is not to reduce resources"
        )),
        DecisionAction::Reinforce if oversized && risk < HIGH_RISK => {
            Some(match advice.adequacy_overall {
                Some(p) => format!(
                    "every required kind is already planned at {p:.0} % or more: the advice is not to reinforce"
                ),
                None => "the risk requires no resources: the advice is not to reinforce".to_owned(),
            })
        }
        _ => None,
    }
}

/// A decision to record.
#[derive(Debug, Clone)]
pub struct NewDecision {
    /// The event.
    pub event_id: i64,
    /// What was decided.
    pub action: DecisionAction,
    /// Why (required).
    pub rationale: String,
}

/// Records a decision against the event's current assessment, flagging an override.
pub async fn record_decision(
    db: &DatabaseConnection,
    change: Change<'_>,
    input: NewDecision,
) -> ApiResult<decision::Model> {
    let rationale = required_text("input.rationale", &input.rationale, "a rationale")?;
    let work = change.begin(db).await?;
    let txn = work.txn();
    if event::Entity::find_by_id(input.event_id)
        .one(txn)
        .await?
        .is_none()
    {
        return Err(ApiError::bad_input(
            "input.eventId",
            format!("unknown event {}", input.event_id),
        ));
    }
    let advice = current_for(txn, &[input.event_id])
        .await?
        .remove(&input.event_id);
    let reason = advice
        .as_ref()
        .and_then(|a| override_reason(input.action, a));
    let saved = decision::ActiveModel {
        event_id: Set(input.event_id),
        assessment_id: Set(advice.as_ref().map(|a| a.id)),
        action: Set(input.action),
        rationale: Set(rationale),
        is_override: Set(reason.is_some()),
        override_reason: Set(reason),
        decided_by: Set(change.ctx.viewer.actor.clone()),
        user_id: Set(change.ctx.viewer.user_id),
        decided_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    work.commit(1).await?;
    Ok(saved)
}

/// The decisions on events, newest first per event.
pub async fn decisions_for<C: ConnectionTrait>(
    db: &C,
    event_ids: &[i64],
) -> ApiResult<Vec<decision::Model>> {
    Ok(decision::Entity::find()
        .filter(decision::Column::EventId.is_in(event_ids.to_vec()))
        .order_by_desc(decision::Column::Id)
        .all(db)
        .await?)
}

#[cfg(test)]
#[path = "oversight_tests.rs"]
mod tests;
