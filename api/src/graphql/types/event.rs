//! Events, their deployments and their conflicts as the schema shows them.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{deployment, event};

use crate::error::ApiError;
use crate::graphql::enums::{
    AccessClass, ConflictKind, EventCategory, EventStatus, PublicProfile, ResourceKind,
};
use crate::graphql::loaders::Loaders;
use crate::graphql::types::catalog::{Organization, Venue, Zone};
use crate::services::conflicts;
use crate::settings::Limits;

/// An event or gathering on public space.
pub struct Event {
    model: Arc<event::Model>,
    /// Conflicts already computed by the agenda, so its events need no extra query.
    conflicts: Option<Vec<Arc<conflicts::Conflict>>>,
}

impl Event {
    /// An event whose conflicts are loaded on demand.
    pub fn new(model: event::Model) -> Self {
        Event {
            model: Arc::new(model),
            conflicts: None,
        }
    }

    /// An event whose conflicts are known.
    pub fn with_conflicts(
        model: Arc<event::Model>,
        conflicts: Vec<Arc<conflicts::Conflict>>,
    ) -> Self {
        Event {
            model,
            conflicts: Some(conflicts),
        }
    }
}

impl Event {
    async fn venue_row(&self, ctx: &Context<'_>) -> Result<Option<entity::venue::Model>> {
        let Some(id) = self.model.venue_id else {
            return Ok(None);
        };
        Ok(ctx.data::<Loaders>()?.venues.load_one(id).await?)
    }

    async fn site(&self, ctx: &Context<'_>) -> Result<crate::services::venues::SiteFactors> {
        let venue = self.venue_row(ctx).await?;
        Ok(crate::services::venues::site_factors(
            &self.model,
            venue.as_ref(),
        ))
    }
}

/// An event or gathering on public space.
#[Object]
impl Event {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }
    /// Title as announced.
    async fn title(&self) -> &str {
        &self.model.title
    }
    /// Category.
    async fn category(&self) -> EventCategory {
        self.model.category.into()
    }
    /// The venue; null for events on an area rather than a venue (a march, a street party).
    async fn venue(&self, ctx: &Context<'_>) -> Result<Option<Venue>> {
        let Some(id) = self.model.venue_id else {
            return Ok(None);
        };
        Ok(ctx.data::<Loaders>()?.venues.load_one(id).await?.map(Venue))
    }
    /// The zone: the venue's zone, or the area of an event without a venue.
    async fn zone(&self, ctx: &Context<'_>) -> Result<Zone> {
        let row = ctx
            .data::<Loaders>()?
            .zones
            .load_one(self.model.zone_id)
            .await?;
        row.map(Zone)
            .ok_or_else(|| ApiError::not_found(format!("zone {}", self.model.zone_id)).into())
    }
    /// Start (UTC, RFC 3339).
    async fn starts_at(&self) -> DateTime<Utc> {
        self.model.starts_at
    }
    /// End (UTC, RFC 3339), after the start.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.model.ends_at
    }
    /// Expected attendance.
    async fn expected_attendance(&self) -> i64 {
        self.model.expected_attendance
    }
    /// Organizer (an organization's name).
    async fn organizer(&self) -> Option<&str> {
        self.model.organizer.as_deref()
    }
    /// How the public behaves (DPS grid factor P2).
    async fn public_profile(&self) -> PublicProfile {
        self.model.public_profile.into()
    }
    /// Whether alcohol is served.
    async fn alcohol(&self) -> bool {
        self.model.alcohol
    }
    /// Planning status.
    async fn status(&self) -> EventStatus {
        self.model.status.into()
    }
    /// Reason given for the last status change.
    async fn status_reason(&self) -> Option<&str> {
        self.model.status_reason.as_deref()
    }
    /// Key shared by the editions of a recurring event.
    async fn series(&self) -> Option<&str> {
        self.model.series.as_deref()
    }
    /// Access class for rescuers in effect (DPS grid factor E1): the event's override, else its venue's, else clear access for an event in the streets.
    async fn access_class(&self, ctx: &Context<'_>) -> Result<AccessClass> {
        Ok(self.site(ctx).await?.access_class.into())
    }
    /// Whether the event sets its own access class (a stage, stands or a marquee) instead of its venue's.
    async fn access_class_overridden(&self) -> bool {
        self.model.access_class_override.is_some()
    }
    /// Public rescue delay in effect, in minutes (DPS grid factor E2): the event's override, else its venue's, else 10 minutes in town.
    async fn rescue_delay_minutes(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.site(ctx).await?.rescue_delay_min)
    }
    /// Whether the event sets its own rescue delay instead of its venue's.
    async fn rescue_delay_overridden(&self) -> bool {
        self.model.rescue_delay_override_min.is_some()
    }
    /// First aid required by the national DPS grid for the event as it stands now. It needs no model: it is current even while scoring is paused, when the assessment may be stale.
    async fn first_aid(
        &self,
        ctx: &Context<'_>,
    ) -> Result<crate::graphql::types::assessment::FirstAid> {
        let venue = self.venue_row(ctx).await?;
        let grid = crate::services::venues::first_aid(&self.model, venue.as_ref());
        Ok(crate::graphql::types::assessment::FirstAid {
            ris: grid.ris(),
            workers: i32::try_from(grid.workers).unwrap_or(i32::MAX),
            dps_type: grid.dps_type.into(),
        })
    }
    /// Planned resources, one entry per kind.
    async fn deployments(&self, ctx: &Context<'_>) -> Result<Vec<Deployment>> {
        let rows = ctx
            .data::<Loaders>()?
            .deployments
            .load_one(self.model.id)
            .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Deployment)
            .collect())
    }
    /// Situations flagged for this event: overlap at its venue, crowds over its area's capacity, no planned deployment.
    async fn conflicts(&self, ctx: &Context<'_>) -> Result<Vec<Conflict>> {
        let found = match &self.conflicts {
            Some(known) => known.clone(),
            None => ctx
                .data::<Loaders>()?
                .conflicts
                .load_one(self.model.id)
                .await?
                .unwrap_or_default(),
        };
        Ok(found.into_iter().map(Conflict).collect())
    }
    /// The current assessment (the latest); null while the event has never been scored (no model yet, scoring paused, or cancelled).
    async fn assessment(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::graphql::types::assessment::Assessment>> {
        // Light: the JSON columns are read only if a field built from them is asked.
        let loaders = &ctx.data::<Loaders>()?.scoring;
        let row = loaders
            .current_light
            .load_one(self.model.id)
            .await?
            .flatten();
        Ok(row.map(crate::graphql::types::assessment::Assessment::light))
    }
    /// Every assessment of the event, newest first: how its risk evolved.
    async fn assessments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Most assessments returned, from 1 to 100.", default = 20)] first: i32,
    ) -> Result<Vec<crate::graphql::types::assessment::Assessment>> {
        let first = usize::try_from(first)
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| ApiError::bad_input("first", "first must be between 1 and 100"))?;
        let loaders = &ctx.data::<Loaders>()?.scoring;
        let rows = loaders.history.load_one(self.model.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .take(first)
            .map(crate::graphql::types::assessment::Assessment::from)
            .collect())
    }
    /// Decisions people recorded on the event, newest first.
    async fn decisions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many of the latest decisions, from 1 to the server's maximum page size (100 by default); 20 when omitted."
        )]
        first: Option<i32>,
    ) -> Result<Vec<crate::graphql::types::decision::Decision>> {
        let max = ctx.data::<Limits>()?.page_size;
        let first = usize::try_from(first.unwrap_or(20))
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::bad_input("first", format!("first must be between 1 and {max}"))
            })?;
        let loaders = &ctx.data::<Loaders>()?.scoring;
        let rows = loaders.decisions.load_one(self.model.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .take(first)
            .map(crate::graphql::types::decision::Decision)
            .collect())
    }
    /// When the event was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
    /// When the event last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }
}

/// The planned resources of one kind for an event.
pub struct Deployment(pub deployment::Model);

/// The planned resources of one kind for an event.
#[Object]
impl Deployment {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Identifier of the event.
    async fn event_id(&self) -> ID {
        ID(self.0.event_id.to_string())
    }
    /// Kind of resource.
    async fn kind(&self) -> ResourceKind {
        self.0.kind.into()
    }
    /// Number of people (vehicles for transit reinforcement); 0 means withdrawn.
    async fn count(&self) -> i32 {
        self.0.count
    }
    /// Start of the shift (UTC).
    async fn shift_start(&self) -> DateTime<Utc> {
        self.0.shift_start
    }
    /// End of the shift (UTC).
    async fn shift_end(&self) -> DateTime<Utc> {
        self.0.shift_end
    }
    /// Organization providing the resources, when known.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(ctx
            .data::<Loaders>()?
            .organizations
            .load_one(id)
            .await?
            .map(Organization))
    }
}

/// A situation flagged automatically on the agenda, for a person to look at.
pub struct Conflict(pub Arc<conflicts::Conflict>);

/// A situation flagged automatically on the agenda, for a person to look at.
#[Object]
impl Conflict {
    /// Why the events are flagged.
    async fn kind(&self) -> ConflictKind {
        self.0.kind.into()
    }
    /// A sentence for the supervision team.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// Identifiers of the events involved.
    async fn event_ids(&self) -> Vec<ID> {
        self.0
            .event_ids
            .iter()
            .map(|id| ID(id.to_string()))
            .collect()
    }
}

/// Result of `createEvent`.
#[derive(SimpleObject)]
pub struct CreateEventPayload {
    /// The event created, with status PLANNED.
    pub event: Event,
}

/// Result of `updateEvent`.
#[derive(SimpleObject)]
pub struct UpdateEventPayload {
    /// The event as changed.
    pub event: Event,
}

/// Result of `setEventStatus`.
#[derive(SimpleObject)]
pub struct SetEventStatusPayload {
    /// The event with its new status.
    pub event: Event,
}

/// Result of `upsertDeployment`.
#[derive(SimpleObject)]
pub struct UpsertDeploymentPayload {
    /// The deployment as stored.
    pub deployment: Deployment,
    /// The event it belongs to.
    pub event: Event,
}
