//! The scoring method and human oversight: `scoringMethod`, `recordDecision`,
//! `pauseScoring`, `resumeScoring`. Resolvers read the viewer, call one service
//! function and map the result.

pub mod loaders;

use async_graphql::{Context, ID, InputObject, Object, Result};
use sea_orm::DatabaseConnection;

use crate::graphql::extensions::Acting;
use crate::graphql::scalars::parse_id;
use crate::graphql::types::decision::{Decision, DecisionAction, ScoringStatus};
use crate::graphql::types::scoring_method::{DECISION_RULES, ModelCard, ScoringMethod};
use crate::services::scoring::{self, oversight};

/// Reading how events are scored.
#[derive(Default)]
pub struct ScoringQuery;

#[Object]
impl ScoringQuery {
    /// How events are scored, in words a Data Protection Officer can read: the current model's inputs, learned effects, hand-set rules and backtest figures, the rule that flags overrides, and whether scoring is paused.
    async fn scoring_method(&self, ctx: &Context<'_>) -> Result<ScoringMethod> {
        let db = ctx.data::<DatabaseConnection>()?;
        let status = scoring::scoring_status(db).await?;
        let model = scoring::current_model(db).await?;
        Ok(ScoringMethod {
            status: status.into(),
            model: model.as_ref().map(ModelCard::new),
            decision_rules: DECISION_RULES.iter().map(|r| (*r).to_owned()).collect(),
        })
    }
}

/// Human oversight of the scores.
#[derive(Default)]
pub struct ScoringMutation;

/// A decision on an event.
#[derive(InputObject)]
pub struct RecordDecisionInput {
    /// Identifier of the event.
    pub event_id: ID,
    /// What is decided.
    pub action: DecisionAction,
    /// Why, 1 to 2,000 characters; required.
    pub rationale: String,
}

#[Object]
impl ScoringMutation {
    /// Records a person's decision on an event with its rationale, against the event's current assessment; the decision is flagged `override` when it goes against the advice (see `scoringMethod.decisionRules`).
    async fn record_decision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The decision and its rationale.")] input: RecordDecisionInput,
    ) -> Result<Decision> {
        let db = ctx.data::<DatabaseConnection>()?;
        let decision = oversight::record_decision(
            db,
            Acting::of(ctx)?.change(),
            oversight::NewDecision {
                event_id: parse_id(&input.event_id, "input.eventId")?,
                action: input.action.into(),
                rationale: input.rationale,
            },
        )
        .await?;
        Ok(Decision(decision))
    }

    /// Pauses scoring platform-wide: no new assessment is made until `resumeScoring`; the agenda says so.
    async fn pause_scoring(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Why scoring is paused, 1 to 2,000 characters; required.")] reason: String,
    ) -> Result<ScoringStatus> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(oversight::pause(db, Acting::of(ctx)?.change(), &reason)
            .await?
            .into())
    }

    /// Resumes scoring and re-scores the coming 30 days, so that changes made during the pause get their assessment.
    async fn resume_scoring(&self, ctx: &Context<'_>) -> Result<ScoringStatus> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(oversight::resume(db, Acting::of(ctx)?.change())
            .await?
            .into())
    }
}
