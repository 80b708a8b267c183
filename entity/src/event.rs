//! An event or gathering of the agenda.

use sea_orm::entity::prelude::*;

use crate::enums::{AccessClass, EventCategory, EventStatus, PublicProfile};

/// One event row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Title as announced.
    pub title: String,
    /// Category.
    pub category: EventCategory,
    /// Venue, when the event has one.
    pub venue_id: Option<i64>,
    /// Zone: the venue's zone, or the area of a street event.
    pub zone_id: i64,
    /// Start (UTC).
    pub starts_at: DateTimeUtc,
    /// End (UTC), after the start.
    pub ends_at: DateTimeUtc,
    /// Expected attendance.
    pub expected_attendance: i64,
    /// Organizer's name (an organization, never a private person's contact).
    pub organizer: Option<String>,
    /// How the public behaves.
    pub public_profile: PublicProfile,
    /// Whether alcohol is served.
    pub alcohol: bool,
    /// Planning status.
    pub status: EventStatus,
    /// Reason given for the last status change.
    pub status_reason: Option<String>,
    /// Key shared by the editions of a recurring event.
    pub series: Option<String>,
    /// Source the event came from, if any.
    pub source_id: Option<i64>,
    /// Access class for rescuers for this event, replacing the venue's (DPS grid
    /// E1): a stage, stands or a marquee change a site's access for one event.
    pub access_class_override: Option<AccessClass>,
    /// Public rescue delay for this event in minutes, replacing the venue's (DPS
    /// grid E2).
    pub rescue_delay_override_min: Option<i32>,
    /// Key of the event in the agenda it was imported from (`ics:<UID>` with the
    /// occurrence's start for a recurrence, `csv:<id>`); none for events created
    /// here. Unique.
    pub external_key: Option<String>,
    /// When the row was created.
    pub created_at: DateTimeUtc,
    /// When the row last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the API's loaders.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
