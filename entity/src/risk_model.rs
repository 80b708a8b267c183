//! A trained risk model: version, training window, the serialized
//! `scoring::model::RiskModel` (coefficients, reference distributions, backtest), and
//! what the publication gate made of it.

use sea_orm::entity::prelude::*;

/// Whether a trained model scores events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ModelStatus {
    /// It met its backtest floors, or an administrator published it with a reason.
    #[sea_orm(string_value = "published")]
    Published,
    /// The gate refused it: it is kept for review and scores nothing.
    #[sea_orm(string_value = "rejected")]
    Rejected,
}

/// One trained model; the most recently published one scores.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_model")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Version label shown with every score.
    #[sea_orm(unique)]
    pub version: String,
    /// First day of the history learned from.
    pub window_first: Date,
    /// Last day of the history learned from.
    pub window_last: Date,
    /// Number of past events learned from.
    pub window_events: i64,
    /// The whole model as JSON (`scoring::model::RiskModel`).
    #[sea_orm(column_type = "Text")]
    pub model_json: String,
    /// The backtest report as JSON (`scoring::backtest::BacktestReport`), when run.
    #[sea_orm(column_type = "Text", nullable)]
    pub backtest_json: Option<String>,
    /// Who trained it (a command, or the first start).
    pub trained_by: String,
    /// When it was trained.
    pub trained_at: DateTimeUtc,
    /// Published or rejected by the gate.
    pub status: ModelStatus,
    /// Why the gate refused it (the floors missed), when it did.
    #[sea_orm(column_type = "Text", nullable)]
    pub gate_refusal: Option<String>,
    /// The administrator's written reason for publishing a model the gate refused.
    #[sea_orm(column_type = "Text", nullable)]
    pub publication_reason: Option<String>,
    /// Who published it (the trainer when the gate let it through).
    pub published_by: Option<String>,
    /// When it was published; the latest publication scores.
    pub published_at: Option<DateTimeUtc>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
