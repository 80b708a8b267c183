//! One scoring of one event by one model. Rows are never updated nor deleted with
//! the event kept: the history shows how a risk evolved.

use sea_orm::entity::prelude::*;

/// One assessment row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment")]
pub struct Model {
    /// Surrogate key; for one event, a higher id is a later assessment.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The event scored.
    pub event_id: i64,
    /// Version of the model that scored.
    pub model_version: String,
    /// Version of the adequacy rules.
    pub rules_version: String,
    /// SHA-256 of the model version, the event's features and its deployment: an
    /// unchanged fingerprint means an unchanged score, so none is stored.
    pub inputs_fingerprint: String,
    /// Overall risk, 0-10 (the highest field risk).
    pub risk_overall: f64,
    /// Tranquillity risk, 0-10.
    pub risk_tranquillity: f64,
    /// Security risk, 0-10.
    pub risk_security: f64,
    /// Mobility risk, 0-10.
    pub risk_mobility: f64,
    /// Expected tranquillity incidents.
    pub expected_tranquillity: f64,
    /// Expected security incidents.
    pub expected_security: f64,
    /// Expected mobility incidents.
    pub expected_mobility: f64,
    /// Required resources by kind, JSON (`scoring::adequacy::ResourceCounts`).
    #[sea_orm(column_type = "Text")]
    pub required_json: String,
    /// Adequacy by kind, JSON (`scoring::adequacy::Adequacy`).
    #[sea_orm(column_type = "Text")]
    pub adequacy_json: String,
    /// Overall adequacy in %: the least covered required kind; null when nothing is required.
    pub adequacy_overall: Option<f64>,
    /// Planned over required people in %, all required kinds together.
    pub adequacy_weighted: Option<f64>,
    /// First-aid RIS of the DPS grid.
    pub first_aid_ris: f64,
    /// First-aid workers required by the DPS grid.
    pub first_aid_workers: i32,
    /// DPS level (`none`, `paps`, `dps_pe`, `dps_me`, `dps_ge`).
    pub dps_type: String,
    /// Explanation, JSON (`scoring::explain::Explanation`).
    #[sea_orm(column_type = "Text")]
    pub explanation_json: String,
    /// The features scored, JSON (`scoring::features::EventFeatures`): the data it saw.
    #[sea_orm(column_type = "Text")]
    pub features_json: String,
    /// When it was computed.
    pub computed_at: DateTimeUtc,
    /// When its inputs were first seen to differ from the event's current ones
    /// without a new assessment being computed (scoring paused, no model, or the
    /// model could not read the event); null while it is current.
    pub inputs_changed_at: Option<DateTimeUtc>,
    /// What caused it to be computed, in words (an edit of the event, a batch of
    /// observations in its zone, the daily pass); null for assessments stored before
    /// it was recorded.
    pub triggered_by: Option<String>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
