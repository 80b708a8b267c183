//! A public-transport stop imported from a GTFS feed, with the lines that serve it
//! and its peak frequency, which the mobility field reads.

use sea_orm::entity::prelude::*;

/// One stop (a platform).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "transit_stop")]
pub struct Model {
    /// The feed's `stop_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// The stop's name.
    pub name: String,
    /// Latitude (WGS 84).
    pub latitude: f64,
    /// Longitude (WGS 84).
    pub longitude: f64,
    /// Short names of the lines serving it, comma-separated (`M1,M2`).
    pub lines: String,
    /// Departures per hour in the busiest hour.
    pub peak_trips_per_hour: f64,
    /// Whether the frequency was counted from the feed's trips (otherwise the
    /// documented per-line default).
    pub frequency_from_feed: bool,
    /// The zone whose outline contains it, when outlines are imported.
    pub zone_id: Option<i64>,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
