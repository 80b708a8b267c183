//! A place where events happen, with what the DPS grid and the conflict rules need.

use sea_orm::entity::prelude::*;

use crate::enums::{AccessClass, VenueKind};

/// One venue row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "venue")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable public code (slug).
    #[sea_orm(unique)]
    pub code: String,
    /// Display name.
    pub name: String,
    /// Zone the venue lies in (most precise known).
    pub zone_id: i64,
    /// Latitude, WGS 84.
    pub latitude: f64,
    /// Longitude, WGS 84.
    pub longitude: f64,
    /// Kind of venue.
    pub kind: VenueKind,
    /// Maximum number of people it holds, if bounded.
    pub capacity: Option<i64>,
    /// Usable area in square metres, if known.
    pub area_m2: Option<f64>,
    /// Whether the venue is indoors.
    pub indoor: bool,
    /// Hospital, stadium, coastline: places that need particular care.
    pub sensitive: bool,
    /// Access class for rescuers (DPS grid E1).
    pub access_class: AccessClass,
    /// Typical delay for public rescue services to arrive, in minutes (DPS grid E2).
    pub rescue_delay_min: i32,
}

/// Relations are resolved by explicit queries in the API's loaders.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
