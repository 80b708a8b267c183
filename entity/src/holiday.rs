//! Imported calendar days: French public holidays and school holidays of zone B
//! (Aix-Marseille).

use sea_orm::entity::prelude::*;

/// One holiday day of one kind.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "holiday")]
pub struct Model {
    /// The day.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// `public` or `school`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// The holiday's name, when the file gives one.
    pub name: Option<String>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
