//! A dataset of one organization, with the disclosure rules its data obeys.

use sea_orm::entity::prelude::*;

use crate::enums::{Granularity, SourceKind, SourceStatus, ZoneLevel};

/// One source row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "source")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable public code (slug), used in `ingest:<code>` scopes.
    #[sea_orm(unique)]
    pub code: String,
    /// Display name.
    pub name: String,
    /// Organization that owns the data.
    pub organization_id: i64,
    /// What the dataset holds.
    pub kind: SourceKind,
    /// Fields it informs, comma-separated (tranquillity, security, mobility).
    pub fields: String,
    /// Records or aggregates only.
    pub granularity: Granularity,
    /// Metrics the source may send, comma-separated.
    pub metrics: String,
    /// Minimum number of contributors per published cell (k).
    pub min_contributors: i32,
    /// Finest time bucket allowed, in minutes.
    pub min_bucket_minutes: i32,
    /// Finest zone level allowed.
    pub min_zone_level: ZoneLevel,
    /// Processing activity of the register it belongs to, once registered.
    pub processing_activity_id: Option<i64>,
    /// Lifecycle status.
    pub status: SourceStatus,
}

/// Relations are resolved by explicit queries in the API's loaders.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
