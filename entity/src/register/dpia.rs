//! One version of the data-protection impact assessment of a processing activity,
//! with its workflow status and the opinions gathered on the way.
//!
//! Field names follow the CNIL PIA tool's file, so export and import map one to one.

use sea_orm::entity::prelude::*;

/// Where a DPIA version stands in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum DpiaStatus {
    /// Being written by its author.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Submitted to the DPO, waiting for the opinion.
    #[sea_orm(string_value = "submitted")]
    Submitted,
    /// The DPO's opinion is recorded; waiting for the controller's decision.
    #[sea_orm(string_value = "dpo_reviewed")]
    DpoReviewed,
    /// Validated by the controller: frozen.
    #[sea_orm(string_value = "validated")]
    Validated,
    /// Rejected by the controller; the author may rework it.
    #[sea_orm(string_value = "rejected")]
    Rejected,
    /// Validated and sent to the CNIL: frozen.
    #[sea_orm(string_value = "submitted_to_cnil")]
    SubmittedToCnil,
    /// The CNIL's answer is recorded: frozen.
    #[sea_orm(string_value = "cnil_answered")]
    CnilAnswered,
    /// A later version was validated: frozen and archived.
    #[sea_orm(string_value = "superseded")]
    Superseded,
}

/// One DPIA version row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dpia")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The processing activity assessed.
    pub processing_activity_id: i64,
    /// Version number within the activity, from 1.
    pub version: i32,
    /// The version this one was made from.
    pub previous_version_id: Option<i64>,
    /// Workflow status.
    pub status: DpiaStatus,
    /// Title of the assessment.
    pub name: String,
    /// Who wrote it.
    pub author_name: String,
    /// Who evaluated it (the DPO's names once the opinion is recorded).
    pub evaluator_name: String,
    /// Who validated or rejected it.
    pub validator_name: String,
    /// The user who drafted it, when known.
    pub author_user_id: Option<i64>,
    /// DPO's conclusion: 1 the processing may be implemented, 0 it should not.
    pub dpo_status: Option<i32>,
    /// DPO's opinion.
    pub dpo_opinion: String,
    /// DPO's names.
    pub dpos_names: String,
    /// Whether data subjects' opinion was sought.
    pub concerned_people_searched_opinion: Option<bool>,
    /// Why it was not sought.
    pub concerned_people_searched_content: String,
    /// Who was consulted.
    pub people_names: String,
    /// Data subjects' conclusion: 1 favourable, 0 not.
    pub concerned_people_status: Option<i32>,
    /// Data subjects' opinion.
    pub concerned_people_opinion: String,
    /// Why the controller rejected it.
    pub rejection_reason: String,
    /// What the author changed after a rejection.
    pub applied_adjustments: String,
    /// Whether the validation was signed (CNIL status 3) rather than simple (2).
    pub signed: bool,
    /// When it was validated.
    pub validated_at: Option<DateTimeUtc>,
    /// The CNIL's reference of the submission.
    pub cnil_reference: Option<String>,
    /// When it was sent to the CNIL.
    pub cnil_submitted_at: Option<DateTimeUtc>,
    /// The CNIL's answer.
    pub cnil_answer: Option<String>,
    /// Whether the CNIL's answer allows the processing.
    pub cnil_favourable: Option<bool>,
    /// When the CNIL answered.
    pub cnil_answered_at: Option<DateTimeUtc>,
    /// When the row was created.
    pub created_at: DateTimeUtc,
    /// When the row last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the API's services.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
