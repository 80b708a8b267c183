//! The longest event ever stored, kept by database triggers (see the migration
//! `m20261203_090000_event_extent`): the agenda bounds its window's start with it.

use sea_orm::entity::prelude::*;

/// The single row (id 1).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event_extent")]
pub struct Model {
    /// Always 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// At least the duration, in seconds, of every event stored; it only grows.
    pub max_seconds: i64,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
