//! The planned resources of one kind for one event.

use sea_orm::entity::prelude::*;

use crate::enums::ResourceKind;

/// One deployment row; an event has at most one row per resource kind.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deployment")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Event the resources are planned for.
    pub event_id: i64,
    /// Kind of resource.
    pub kind: ResourceKind,
    /// Number of people (or vehicles for transit reinforcement).
    pub count: i32,
    /// Start of the shift (UTC).
    pub shift_start: DateTimeUtc,
    /// End of the shift (UTC).
    pub shift_end: DateTimeUtc,
    /// Organization providing the resources, if known.
    pub organization_id: Option<i64>,
    /// When the row last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the API's loaders.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
