//! Event queries and mutations.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::graphql::enums::{AccessClass, EventCategory, EventStatus, PublicProfile, ResourceKind};
use crate::graphql::extensions::Acting;
use crate::graphql::pagination::{PageInfo, PageRequest, cursor};
use crate::graphql::scalars::{parse_id, parse_opt_id};
use crate::graphql::types::event::{
    CreateEventPayload, Deployment, Event, SetEventStatusPayload, UpdateEventPayload,
    UpsertDeploymentPayload,
};
use crate::services::events::{self, Cursor};
use crate::settings::Limits;

/// Default page size of connections.
const DEFAULT_PAGE: i32 = 20;

/// Reading events.
#[derive(Default)]
pub struct EventQuery;

/// Filter of the `events` list; every criterion is optional and they combine with AND.
#[derive(InputObject, Default)]
pub struct EventFilter {
    /// Events still running after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events starting before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Events in this zone or in a zone inside it.
    pub zone_id: Option<ID>,
    /// Events at this venue.
    pub venue_id: Option<ID>,
    /// Events of this category.
    pub category: Option<EventCategory>,
    /// Events with this status.
    pub status: Option<EventStatus>,
    /// Events whose title contains this text (case-insensitive).
    pub search: Option<String>,
}

/// A page of events (a Relay connection).
#[derive(SimpleObject)]
pub struct EventConnection {
    /// The events of this page, each with its cursor.
    pub edges: Vec<EventEdge>,
    /// Where this page stands in the list.
    pub page_info: PageInfo,
    /// Number of events matching the filter, over all pages.
    pub total_count: u64,
}

/// An event in a page, with its cursor.
#[derive(SimpleObject)]
pub struct EventEdge {
    /// Opaque position of the event in the list; pass it as `after` to read what follows.
    pub cursor: String,
    /// The event.
    pub node: Event,
}

/// An optional nullable input as a change: absent keeps, null clears, a value sets.
fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[Object]
impl EventQuery {
    /// One event by identifier.
    async fn event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the event.")] id: ID,
    ) -> Result<Event> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(Event::new(events::get(db, parse_id(&id, "id")?).await?))
    }

    /// Events matching a filter, ordered by start, as a Relay connection.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Criteria the events must match.")] filter: Option<EventFilter>,
        #[graphql(
            desc = "Page size, from 1 to the server's maximum (100 by default); 20 when omitted."
        )]
        first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge already seen; the page starts after it.")] after: Option<String>,
    ) -> Result<EventConnection> {
        let db = ctx.data::<DatabaseConnection>()?;
        let max = ctx.data::<Limits>()?.page_size;
        let request = PageRequest::<Cursor>::new(first, DEFAULT_PAGE, max, after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let service_filter = events::EventFilter {
            from: filter.from,
            to: filter.to,
            zone_id: parse_opt_id(filter.zone_id.as_ref(), "filter.zoneId")?,
            venue_id: parse_opt_id(filter.venue_id.as_ref(), "filter.venueId")?,
            category: filter.category.map(Into::into),
            status: filter.status.map(Into::into),
            search: filter.search,
        };
        let page = events::list(db, &service_filter, request.size as u64, request.after).await?;
        let edges: Vec<EventEdge> = page
            .events
            .into_iter()
            .map(|e| EventEdge {
                cursor: cursor((e.starts_at, e.id)),
                node: Event::new(e),
            })
            .collect();
        Ok(EventConnection {
            page_info: request.info(page.has_next, edges.iter().map(|e| &e.cursor)),
            edges,
            total_count: page.total,
        })
    }
}

/// Changing events and their deployments.
#[derive(Default)]
pub struct EventMutation;

/// A new event.
#[derive(InputObject)]
pub struct CreateEventInput {
    /// Title as announced, 1 to 200 characters.
    pub title: String,
    /// Category.
    pub category: EventCategory,
    /// Venue; the event takes the venue's zone.
    pub venue_id: Option<ID>,
    /// Zone; required without a venue, and must be the venue's zone or contain it with one.
    pub zone_id: Option<ID>,
    /// Start (UTC, RFC 3339).
    pub starts_at: DateTime<Utc>,
    /// End (UTC, RFC 3339), after the start and at most 31 days later.
    pub ends_at: DateTime<Utc>,
    /// Expected attendance, from 0 to 2,000,000.
    pub expected_attendance: i64,
    /// Organizer (an organization's name, never a private person's contact).
    pub organizer: Option<String>,
    /// How the public behaves.
    pub public_profile: PublicProfile,
    /// Whether alcohol is served.
    #[graphql(default = false)]
    pub alcohol: bool,
    /// Key shared by the editions of a recurring event.
    pub series: Option<String>,
    /// Access class for rescuers for this event, replacing the venue's (DPS grid E1): stands, a stage or a marquee on the site.
    pub access_class_override: Option<AccessClass>,
    /// Public rescue delay for this event in minutes, 0 to 180, replacing the venue's (DPS grid E2).
    pub rescue_delay_override_minutes: Option<i32>,
}

/// Changes to an event; omitted fields keep their value.
#[derive(InputObject)]
pub struct UpdateEventInput {
    /// New title.
    pub title: Option<String>,
    /// New category.
    pub category: Option<EventCategory>,
    /// New venue; the event takes its zone unless `zoneId` is given too.
    pub venue_id: Option<ID>,
    /// New zone.
    pub zone_id: Option<ID>,
    /// New start.
    pub starts_at: Option<DateTime<Utc>>,
    /// New end.
    pub ends_at: Option<DateTime<Utc>>,
    /// New expected attendance.
    pub expected_attendance: Option<i64>,
    /// New organizer.
    pub organizer: Option<String>,
    /// New public profile.
    pub public_profile: Option<PublicProfile>,
    /// New alcohol flag.
    pub alcohol: Option<bool>,
    /// New series key.
    pub series: Option<String>,
    /// New access class override (DPS grid E1); null returns to the venue's.
    pub access_class_override: MaybeUndefined<AccessClass>,
    /// New rescue delay override in minutes, 0 to 180 (DPS grid E2); null returns to the venue's.
    pub rescue_delay_override_minutes: MaybeUndefined<i32>,
}

/// A status change.
#[derive(InputObject)]
pub struct SetEventStatusInput {
    /// Identifier of the event.
    pub id: ID,
    /// New status.
    pub status: EventStatus,
    /// Why, for the record; required.
    pub reason: String,
    /// New start, for a postponement.
    pub new_starts_at: Option<DateTime<Utc>>,
    /// New end, for a postponement.
    pub new_ends_at: Option<DateTime<Utc>>,
    /// New venue, required for a move.
    pub new_venue_id: Option<ID>,
}

/// The planned resources of one kind for an event.
#[derive(InputObject)]
pub struct UpsertDeploymentInput {
    /// Identifier of the event.
    pub event_id: ID,
    /// Kind of resource; an event has one deployment per kind, which this replaces.
    pub kind: ResourceKind,
    /// Number of people (vehicles for transit reinforcement), 0 to 10,000; 0 withdraws the resource.
    pub count: i32,
    /// Start of the shift; the event's start when omitted.
    pub shift_start: Option<DateTime<Utc>>,
    /// End of the shift; the event's end when omitted.
    pub shift_end: Option<DateTime<Utc>>,
    /// Organization providing the resources.
    pub organization_id: Option<ID>,
}

#[Object]
impl EventMutation {
    /// Records a new event, with status PLANNED.
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event to record.")] input: CreateEventInput,
    ) -> Result<CreateEventPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let new = events::NewEvent {
            title: input.title,
            category: input.category.into(),
            venue_id: parse_opt_id(input.venue_id.as_ref(), "input.venueId")?,
            zone_id: parse_opt_id(input.zone_id.as_ref(), "input.zoneId")?,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            expected_attendance: input.expected_attendance,
            organizer: input.organizer,
            public_profile: input.public_profile.into(),
            alcohol: input.alcohol,
            series: input.series,
            access_class_override: input.access_class_override.map(Into::into),
            rescue_delay_override_min: input.rescue_delay_override_minutes,
        };
        let event = events::create(db, Acting::of(ctx)?.change(), new).await?;
        Ok(CreateEventPayload {
            event: Event::new(event),
        })
    }

    /// Changes an event; the result is validated as a whole.
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Identifier of the event.")] id: ID,
        #[graphql(desc = "The fields to change.")] input: UpdateEventInput,
    ) -> Result<UpdateEventPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let changes = events::EventChanges {
            title: input.title,
            category: input.category.map(Into::into),
            venue_id: parse_opt_id(input.venue_id.as_ref(), "input.venueId")?,
            zone_id: parse_opt_id(input.zone_id.as_ref(), "input.zoneId")?,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            expected_attendance: input.expected_attendance,
            organizer: input.organizer,
            public_profile: input.public_profile.map(Into::into),
            alcohol: input.alcohol,
            series: input.series,
            access_class_override: maybe(input.access_class_override).map(|o| o.map(Into::into)),
            rescue_delay_override_min: maybe(input.rescue_delay_override_minutes),
        };
        let event =
            events::update(db, Acting::of(ctx)?.change(), parse_id(&id, "id")?, changes).await?;
        Ok(UpdateEventPayload {
            event: Event::new(event),
        })
    }

    /// Confirms, postpones (with new dates), moves (with a new venue) or cancels an event, with a reason.
    async fn set_event_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The status change.")] input: SetEventStatusInput,
    ) -> Result<SetEventStatusPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let change = events::StatusChange {
            status: input.status.into(),
            reason: input.reason,
            new_starts_at: input.new_starts_at,
            new_ends_at: input.new_ends_at,
            new_venue_id: parse_opt_id(input.new_venue_id.as_ref(), "input.newVenueId")?,
        };
        let event = events::set_status(
            db,
            Acting::of(ctx)?.change(),
            parse_id(&input.id, "input.id")?,
            change,
        )
        .await?;
        Ok(SetEventStatusPayload {
            event: Event::new(event),
        })
    }

    /// Creates or replaces the planned resources of one kind for an event.
    async fn upsert_deployment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The resources to plan.")] input: UpsertDeploymentInput,
    ) -> Result<UpsertDeploymentPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let request = events::DeploymentInput {
            event_id: parse_id(&input.event_id, "input.eventId")?,
            kind: input.kind.into(),
            count: input.count,
            shift_start: input.shift_start,
            shift_end: input.shift_end,
            organization_id: parse_opt_id(input.organization_id.as_ref(), "input.organizationId")?,
        };
        let deployment = events::upsert_deployment(db, Acting::of(ctx)?.change(), request).await?;
        let event = events::get(db, deployment.event_id).await?;
        Ok(UpsertDeploymentPayload {
            deployment: Deployment(deployment),
            event: Event::new(event),
        })
    }
}
