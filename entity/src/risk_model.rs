//! A trained risk model as published: version, training window, the serialized
//! `scoring::model::RiskModel` (coefficients, reference distributions, backtest).

use sea_orm::entity::prelude::*;

/// One published model; the latest row is the one that scores.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_model")]
pub struct Model {
    /// Surrogate key; the highest id is the current model.
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
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
