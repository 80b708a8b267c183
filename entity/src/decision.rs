//! A person's decision on an event, answering the assessment current at the time.

use sea_orm::entity::prelude::*;

/// One decision row; decisions are never changed, a new one supersedes.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "decision")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The event decided on.
    pub event_id: i64,
    /// The assessment it answered; null when none existed (scoring paused, no model).
    pub assessment_id: Option<i64>,
    /// What was decided.
    pub action: DecisionAction,
    /// Why, in the decider's words (required).
    #[sea_orm(column_type = "Text")]
    pub rationale: String,
    /// Whether the decision goes against the assessment's advice.
    pub is_override: bool,
    /// The advice it went against, in words; null when not an override.
    #[sea_orm(column_type = "Text", nullable)]
    pub override_reason: Option<String>,
    /// Who decided: the account's actor name, or `anonymous`.
    pub decided_by: String,
    /// The account that decided, when known.
    pub user_id: Option<i64>,
    /// When.
    pub decided_at: DateTimeUtc,
}

/// What a person decided about an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DecisionAction {
    /// Keep the event and its deployment as planned.
    #[sea_orm(string_value = "maintain")]
    Maintain,
    /// Add resources.
    #[sea_orm(string_value = "reinforce")]
    Reinforce,
    /// Withdraw resources.
    #[sea_orm(string_value = "reduce")]
    Reduce,
    /// Hold the event later.
    #[sea_orm(string_value = "postpone")]
    Postpone,
    /// Hold the event elsewhere.
    #[sea_orm(string_value = "move")]
    Move,
    /// Call the event off.
    #[sea_orm(string_value = "cancel")]
    Cancel,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
