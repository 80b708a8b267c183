//! The days a calendar import covers, per kind (`public` or `school`): inside a
//! span the imported holidays are the truth, outside it the computed calendar is.

use sea_orm::entity::prelude::*;

/// One span of covered days (inclusive).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_coverage")]
pub struct Model {
    /// `public` or `school`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// First covered day.
    #[sea_orm(primary_key, auto_increment = false)]
    pub first_day: Date,
    /// Last covered day.
    pub last_day: Date,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
