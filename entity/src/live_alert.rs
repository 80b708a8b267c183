//! A density alert: the live presence at a site exceeds what its area holds safely.
//! Raised when a count crosses the busy threshold, updated while it lasts (its level
//! may rise to critical or fall back to busy), cleared when the density falls below
//! the busy threshold.

use sea_orm::entity::prelude::*;

/// One alert.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "live_alert")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The site (zone) concerned.
    pub zone_id: i64,
    /// `busy` or `critical`.
    pub level: String,
    /// People counted in the latest bucket.
    pub people: f64,
    /// The site's area in m2 the density is computed on.
    pub area_m2: f64,
    /// People per m2.
    pub density: f64,
    /// Start of the count's time bucket (UTC).
    pub bucket_start: DateTimeUtc,
    /// When it was raised (UTC).
    pub raised_at: DateTimeUtc,
    /// When it last changed (UTC).
    pub updated_at: DateTimeUtc,
    /// When it was cleared (UTC); open while null.
    pub cleared_at: Option<DateTimeUtc>,
}

/// Relations are resolved by explicit queries in the API's services.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
