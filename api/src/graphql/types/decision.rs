//! A person's decision on an event and the pause switch, as the schema shows them.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::decision::{self, DecisionAction as Stored};

use crate::graphql::loaders::Loaders;
use crate::graphql::types::assessment::Assessment;
use crate::services::scoring::ScoringStatus as Status;

/// What a person decided about an event.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DecisionAction {
    /// Keep the event and its deployment as planned.
    Maintain,
    /// Add resources.
    Reinforce,
    /// Withdraw resources.
    Reduce,
    /// Hold the event later.
    Postpone,
    /// Hold the event elsewhere.
    Move,
    /// Call the event off.
    Cancel,
}

impl From<Stored> for DecisionAction {
    fn from(value: Stored) -> Self {
        match value {
            Stored::Maintain => DecisionAction::Maintain,
            Stored::Reinforce => DecisionAction::Reinforce,
            Stored::Reduce => DecisionAction::Reduce,
            Stored::Postpone => DecisionAction::Postpone,
            Stored::Move => DecisionAction::Move,
            Stored::Cancel => DecisionAction::Cancel,
        }
    }
}

impl From<DecisionAction> for Stored {
    fn from(value: DecisionAction) -> Self {
        match value {
            DecisionAction::Maintain => Stored::Maintain,
            DecisionAction::Reinforce => Stored::Reinforce,
            DecisionAction::Reduce => Stored::Reduce,
            DecisionAction::Postpone => Stored::Postpone,
            DecisionAction::Move => Stored::Move,
            DecisionAction::Cancel => Stored::Cancel,
        }
    }
}

/// A person's decision on an event, with the assessment it answered.
pub struct Decision(pub decision::Model);

/// A person's decision on an event, with the assessment it answered.
#[Object]
impl Decision {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Identifier of the event decided on.
    async fn event_id(&self) -> ID {
        ID(self.0.event_id.to_string())
    }
    /// What was decided.
    async fn action(&self) -> DecisionAction {
        self.0.action.into()
    }
    /// Why, in the decider's words.
    async fn rationale(&self) -> &str {
        &self.0.rationale
    }
    /// Whether the decision goes against the assessment's advice (see `scoringMethod.decisionRules`).
    #[graphql(name = "override")]
    async fn is_override(&self) -> bool {
        self.0.is_override
    }
    /// The advice the decision goes against, in words; null when it is not an override.
    async fn override_reason(&self) -> Option<&str> {
        self.0.override_reason.as_deref()
    }
    /// The assessment current when the decision was made; null when there was none (scoring paused or no model).
    async fn assessment(&self, ctx: &Context<'_>) -> Result<Option<Assessment>> {
        let Some(id) = self.0.assessment_id else {
            return Ok(None);
        };
        Ok(ctx
            .data::<Loaders>()?
            .scoring
            .by_id
            .load_one(id)
            .await?
            .map(Assessment::from))
    }
    /// Who decided (the account's name), or `anonymous`.
    async fn decided_by(&self) -> &str {
        &self.0.decided_by
    }
    /// When (UTC).
    async fn decided_at(&self) -> DateTime<Utc> {
        self.0.decided_at
    }
}

/// Whether scoring runs platform-wide.
#[derive(SimpleObject)]
pub struct ScoringStatus {
    /// Whether scoring is paused: no new assessment is made until it is resumed.
    pub paused: bool,
    /// The reason given for the latest pause.
    pub reason: Option<String>,
    /// Who last paused or resumed scoring.
    pub changed_by: Option<String>,
    /// When scoring was last paused or resumed (UTC).
    pub changed_at: Option<DateTime<Utc>>,
}

impl From<Status> for ScoringStatus {
    fn from(value: Status) -> Self {
        ScoringStatus {
            paused: value.paused,
            reason: value.reason,
            changed_by: value.changed_by,
            changed_at: value.changed_at,
        }
    }
}
