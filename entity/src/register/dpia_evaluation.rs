//! The evaluation of one part of a DPIA version by the DPO, with its action plan.

use sea_orm::entity::prelude::*;

/// The verdict on one part, as the CNIL method grades it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EvaluationStatus {
    /// Not evaluated yet (CNIL 0).
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Not enough information: back to the author (CNIL 1).
    #[sea_orm(string_value = "to_correct")]
    ToCorrect,
    /// Acceptable once the action plan is carried out (CNIL 2).
    #[sea_orm(string_value = "improvable")]
    Improvable,
    /// Acceptable as it is (CNIL 3).
    #[sea_orm(string_value = "acceptable")]
    Acceptable,
}

/// One evaluation row; unique per (DPIA, reference).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dpia_evaluation")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The DPIA version.
    pub dpia_id: i64,
    /// The part evaluated, as the CNIL tool names it: "1.1", "2.1.211", "3.1.2", "3.2".
    pub reference_to: String,
    /// Verdict.
    pub status: EvaluationStatus,
    /// Re-evaluated severity after the action plan (0 undefined, 1 to 4).
    pub gauge_x: i32,
    /// Re-evaluated likelihood after the action plan (0 undefined, 1 to 4).
    pub gauge_y: i32,
    /// The corrective action to carry out.
    pub action_plan_comment: String,
    /// The evaluator's comment.
    pub evaluation_comment: String,
    /// Who carries out the action.
    pub person_in_charge: String,
    /// When the action should be done.
    pub estimated_implementation_date: Option<DateTimeUtc>,
    /// When the evaluation was written.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the API's services.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
