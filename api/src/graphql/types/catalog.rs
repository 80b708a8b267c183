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
    /// The zone's outline as a GeoJSON geometry (text, longitude then latitude, WGS 84), simplified to `tolerance` and rounded to about a metre; null when none was imported.
    async fn outline(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Largest distance, in degrees, a simplified outline may stray from the imported one: 0 keeps every point, at most 0.01; 0.0001 (about 10 m) when omitted.",
            default = 0.0001
        )]
        tolerance: f64,
    ) -> Result<Option<String>> {
        if !(0.0..=OUTLINE_TOLERANCE_MAX).contains(&tolerance) {
            return Err(crate::error::ApiError::bad_input(
                "tolerance",
                format!("tolerance must be between 0 and {OUTLINE_TOLERANCE_MAX}"),
            )
            .to_graphql());
        }
        let outline = ctx.data::<Loaders>()?.outlines.load_one(self.0.id).await?;
        Ok(outline.and_then(|outline| simplified_outline(&outline, tolerance)))
    }
}

/// The coarsest simplification `Zone.outline` accepts, in degrees (about a kilometre).
pub const OUTLINE_TOLERANCE_MAX: f64 = 0.01;

/// `outline` simplified by Ramer-Douglas-Peucker to `tolerance` degrees, coordinates
/// rounded to 1e-5 degrees, as GeoJSON text; `None` when it is not a geometry.
pub fn simplified_outline(outline: &serde_json::Value, tolerance: f64) -> Option<String> {
    use geo::{MapCoords, Simplify};
    let geometry: geojson::Geometry = serde_json::from_value(outline.clone()).ok()?;
    let shape: geo::Geometry<f64> = geometry.value.try_into().ok()?;
    let round = |c: geo::Coord<f64>| geo::Coord {
        x: (c.x * 1e5).round() / 1e5,
        y: (c.y * 1e5).round() / 1e5,
    };
    let simplified: geo::Geometry<f64> = match shape {
        geo::Geometry::Polygon(p) => p.simplify(tolerance).map_coords(round).into(),
        geo::Geometry::MultiPolygon(p) => p.simplify(tolerance).map_coords(round).into(),
        other => other.map_coords(round),
    };
    let value = geojson::GeometryValue::from(&simplified);
    serde_json::to_string(&geojson::Geometry::new(value)).ok()
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

#[cfg(test)]
mod tests {
    use super::simplified_outline;

    /// A square with a hundred points along each side.
    fn dense_square() -> serde_json::Value {
        let mut ring = Vec::new();
        for i in 0..100 {
            ring.push([5.37 + 0.0001 * f64::from(i), 43.29]);
        }
        for i in 0..100 {
            ring.push([5.38, 43.29 + 0.0001 * f64::from(i)]);
        }
        for i in 0..100 {
            ring.push([5.38 - 0.0001 * f64::from(i), 43.30]);
        }
        for i in 0..100 {
            ring.push([5.37, 43.30 - 0.0001 * f64::from(i)]);
        }
        ring.push([5.37, 43.29]);
        serde_json::json!({ "type": "Polygon", "coordinates": [ring] })
    }

    fn points(text: &str) -> usize {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        value["coordinates"][0].as_array().unwrap().len()
    }

    #[test]
    fn outlines_are_simplified_to_the_tolerance_and_rounded() {
        let square = dense_square();
        assert_eq!(points(&simplified_outline(&square, 0.0).unwrap()), 401);
        let coarse = simplified_outline(&square, 0.0001).unwrap();
        assert_eq!(points(&coarse), 5, "{coarse}");
        assert!(coarse.contains("[5.37,43.29]"), "{coarse}");
        let skewed = serde_json::json!({ "type": "Polygon", "coordinates": [[
            [5.123456789, 43.1], [5.2, 43.1], [5.2, 43.2], [5.123456789, 43.1]
        ]] });
        assert!(
            simplified_outline(&skewed, 0.0)
                .unwrap()
                .contains("5.12346")
        );
        assert_eq!(
            simplified_outline(&serde_json::json!({ "type": "Nope" }), 0.0),
            None
        );
    }
}
