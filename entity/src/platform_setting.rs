//! Platform-wide switches that people change at run time (e.g. scoring paused), as
//! key / JSON value pairs, with who changed them and when.

use sea_orm::entity::prelude::*;

/// One setting.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "platform_setting")]
pub struct Model {
    /// Stable key, e.g. `scoring.paused`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The value as JSON.
    #[sea_orm(column_type = "Text")]
    pub value: String,
    /// Who set it.
    pub updated_by: String,
    /// When.
    pub updated_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
