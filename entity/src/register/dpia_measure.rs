//! A planned or existing measure of a DPIA version (CNIL section 3.1).

use sea_orm::entity::prelude::*;

/// One measure row; `number` is stable across versions and names it in
/// evaluations (`3.1.<number>`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dpia_measure")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The DPIA version.
    pub dpia_id: i64,
    /// Number of the measure within the DPIA, from 1.
    pub number: i32,
    /// Title.
    pub title: String,
    /// Description.
    pub content: String,
    /// When the measure was first written.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the API's services.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
