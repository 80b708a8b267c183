//! Zones, venues and organizations as the schema shows them.

use async_graphql::{Context, ID, Object, Result};
use entity::{organization, venue, zone};

use crate::graphql::enums::{AccessClass, OrganizationKind, VenueKind, ZoneLevel};
use crate::graphql::loaders::Loaders;

/// A zone of the city: the city itself, an arrondissement, a quartier or a site.
pub struct Zone(pub zone::Model);

/// A zone of the city: the city itself, an arrondissement, a quartier or a site.
#[Object]
impl Zone {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Stable public code: the INSEE code for the city and arrondissements (13055, 13201..13216), a slug for sites.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Level in the hierarchy.
    async fn level(&self) -> ZoneLevel {
        self.0.level.into()
    }
    /// Resident population (INSEE), when known.
    async fn population(&self) -> Option<i64> {
        self.0.population
    }
    /// Area in square kilometres, when known.
    async fn area_km2(&self) -> Option<f64> {
        self.0.area_km2
    }
    /// The enclosing zone; null for the city.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Zone>> {
        let Some(parent) = self.0.parent_id else {
            return Ok(None);
        };
        let row = ctx.data::<Loaders>()?.zones.load_one(parent).await?;
        Ok(row.map(Zone))
    }
}

/// A place where events happen.
pub struct Venue(pub venue::Model);

/// A place where events happen.
#[Object]
impl Venue {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Stable public code (slug).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The most precise zone the venue lies in.
    async fn zone(&self, ctx: &Context<'_>) -> Result<Zone> {
        let row = ctx
            .data::<Loaders>()?
            .zones
            .load_one(self.0.zone_id)
            .await?;
        row.map(Zone).ok_or_else(|| {
            crate::error::ApiError::not_found(format!("zone {}", self.0.zone_id)).into()
        })
    }
    /// Latitude (WGS 84).
    async fn latitude(&self) -> f64 {
        self.0.latitude
    }
    /// Longitude (WGS 84).
    async fn longitude(&self) -> f64 {
        self.0.longitude
    }
    /// Kind of venue.
    async fn kind(&self) -> VenueKind {
        self.0.kind.into()
    }
    /// Maximum number of people the venue holds; null when unbounded.
    async fn capacity(&self) -> Option<i64> {
        self.0.capacity
    }
    /// Usable area in square metres, when known.
    async fn area_m2(&self) -> Option<f64> {
        self.0.area_m2
    }
    /// Whether the venue is indoors.
    async fn indoor(&self) -> bool {
        self.0.indoor
    }
    /// Whether the venue is a sensitive site (hospital, stadium, coastline).
    async fn sensitive(&self) -> bool {
        self.0.sensitive
    }
    /// Access class for rescuers (DPS grid factor E1).
    async fn access_class(&self) -> AccessClass {
        self.0.access_class.into()
    }
    /// Typical delay for public rescue services to arrive, in minutes (DPS grid factor E2).
    async fn rescue_delay_minutes(&self) -> i32 {
        self.0.rescue_delay_min
    }
}

/// A municipal service or a partner agency.
pub struct Organization(pub organization::Model);

/// A municipal service or a partner agency.
#[Object]
impl Organization {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Stable public code (slug).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Municipal service or partner agency.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }
    /// What the organization brings to the platform.
    async fn description(&self) -> &str {
        &self.0.description
    }
}
