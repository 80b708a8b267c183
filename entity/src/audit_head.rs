//! The head of the audit chain: one row that every writer locks first, so that
//! concurrent writers (threads or processes) append one after the other and the
//! chain never forks.

use sea_orm::entity::prelude::*;

/// The single head row (id 1).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_head")]
pub struct Model {
    /// Always 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Sequence number of the last entry (0 when empty).
    pub seq: i64,
    /// Hash of the last entry (zeros when empty).
    pub hash: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
