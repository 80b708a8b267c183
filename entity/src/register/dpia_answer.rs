//! The answer of one DPIA version to one question of the CNIL questionnaire.

use sea_orm::entity::prelude::*;

/// One answer row; unique per (DPIA, question).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dpia_answer")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The DPIA version.
    pub dpia_id: i64,
    /// The CNIL question's integer id (111 to 346).
    pub question_id: i32,
    /// Free text.
    pub text: Option<String>,
    /// Gauge from 1 to 4 (severity or likelihood questions).
    pub gauge: Option<i32>,
    /// List items (impacts, threats, sources, measures), a JSON array of strings.
    pub list: Json,
    /// When the answer was first written.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the API's services.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
