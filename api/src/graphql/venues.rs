//! Venue mutations: `createVenue`, `updateVenue`. Resolvers read the input, call one
//! service function and map the result.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;

use crate::graphql::enums::{AccessClass, VenueKind};
use crate::graphql::extensions::Acting;
use crate::graphql::scalars::parse_id;
use crate::graphql::types::catalog::Venue;
use crate::services::venues;

/// Changing venues.
#[derive(Default)]
pub struct VenueMutation;

/// A new venue.
#[derive(InputObject)]
pub struct CreateVenueInput {
    /// Stable public code: 2 to 64 lowercase letters or digits, in words joined by single hyphens (`parc-borely`).
    pub code: String,
    /// Display name, 1 to 120 characters.
    pub name: String,
    /// The most precise zone the venue lies in.
    pub zone_id: ID,
    /// Latitude (WGS 84), within Marseille and its surroundings (43.10 to 43.45).
    pub latitude: f64,
    /// Longitude (WGS 84), within Marseille and its surroundings (5.20 to 5.65).
    pub longitude: f64,
    /// Kind of venue.
    pub kind: VenueKind,
    /// Most people the venue holds, 1 to 1,000,000; null when unbounded (a street, a beach).
    pub capacity: Option<i64>,
    /// Usable area in square metres, positive, at most 50,000,000; null when unknown.
    pub area_m2: Option<f64>,
    /// Whether the venue is indoors.
    #[graphql(default = false)]
    pub indoor: bool,
    /// Whether the venue is a sensitive site (hospital, stadium, coastline).
    #[graphql(default = false)]
    pub sensitive: bool,
    /// Access class for rescuers (DPS grid factor E1).
    pub access_class: AccessClass,
    /// Typical delay for public rescue services to arrive, 0 to 180 minutes (DPS grid factor E2).
    pub rescue_delay_minutes: i32,
}

/// Changes to a venue; omitted fields keep their value. The code never changes.
#[derive(InputObject)]
pub struct UpdateVenueInput {
    /// New display name, 1 to 120 characters.
    pub name: Option<String>,
    /// New zone.
    pub zone_id: Option<ID>,
    /// New latitude (43.10 to 43.45).
    pub latitude: Option<f64>,
    /// New longitude (5.20 to 5.65).
    pub longitude: Option<f64>,
    /// New kind.
    pub kind: Option<VenueKind>,
    /// New capacity, 1 to 1,000,000; null makes the venue unbounded.
    pub capacity: MaybeUndefined<i64>,
    /// New usable area in square metres; null makes it unknown.
    pub area_m2: MaybeUndefined<f64>,
    /// New indoor flag.
    pub indoor: Option<bool>,
    /// New sensitive flag.
    pub sensitive: Option<bool>,
    /// New access class for rescuers (DPS grid factor E1).
    pub access_class: Option<AccessClass>,
    /// New public rescue delay, 0 to 180 minutes (DPS grid factor E2).
    pub rescue_delay_minutes: Option<i32>,
}

/// Result of `createVenue`.
#[derive(SimpleObject)]
pub struct CreateVenuePayload {
    /// The venue created.
    pub venue: Venue,
}

/// Result of `updateVenue`.
#[derive(SimpleObject)]
pub struct UpdateVenuePayload {
    /// The venue as changed.
    pub venue: Venue,
}

/// An optional nullable input as a change: absent keeps, null clears, a value sets.
fn change_of<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[Object]
impl VenueMutation {
    /// Records a new venue, with the factors the DPS grid reads (access class, rescue delay).
    async fn create_venue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The venue to record.")] input: CreateVenueInput,
    ) -> Result<CreateVenuePayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let new = venues::NewVenue {
            code: input.code,
            name: input.name,
            zone_id: parse_id(&input.zone_id, "input.zoneId")?,
            latitude: input.latitude,
            longitude: input.longitude,
            kind: input.kind.into(),
            capacity: input.capacity,
            area_m2: input.area_m2,
            indoor: input.indoor,
            sensitive: input.sensitive,
            access_class: input.access_class.into(),
            rescue_delay_min: input.rescue_delay_minutes,
        };
        let venue = venues::create(db, Acting::of(ctx)?.change(), new).await?;
        Ok(CreateVenuePayload {
            venue: Venue(venue),
        })
    }

    /// Changes a venue; the result is validated as a whole, and the venue's coming events are re-assessed.
    async fn update_venue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the venue.")] id: ID,
        #[graphql(desc = "The fields to change.")] input: UpdateVenueInput,
    ) -> Result<UpdateVenuePayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let changes = venues::VenueChanges {
            name: input.name,
            zone_id: input
                .zone_id
                .as_ref()
                .map(|z| parse_id(z, "input.zoneId"))
                .transpose()?,
            latitude: input.latitude,
            longitude: input.longitude,
            kind: input.kind.map(Into::into),
            capacity: change_of(input.capacity),
            area_m2: change_of(input.area_m2),
            indoor: input.indoor,
            sensitive: input.sensitive,
            access_class: input.access_class.map(Into::into),
            rescue_delay_min: input.rescue_delay_minutes,
        };
        let venue =
            venues::update(db, Acting::of(ctx)?.change(), parse_id(&id, "id")?, changes).await?;
        Ok(UpdateVenuePayload {
            venue: Venue(venue),
        })
    }
}
