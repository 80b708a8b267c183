//! Creating and changing events: each change validates the event as a whole, then
//! writes, re-scores and records its audit entry in one transaction.

use chrono::{DateTime, Duration, Utc};
use entity::enums::{AccessClass, EventCategory, EventStatus, PublicProfile};
use entity::{deployment, event, venue};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};

use super::{MAX_EVENT_DAYS, get};
use crate::error::{ApiError, ApiResult};
use crate::services::catalog::ZoneTree;
use crate::services::work::Change;

/// Largest attendance accepted: beyond any gathering Marseille has hosted.
const MAX_ATTENDANCE: i64 = 2_000_000;
/// Longest title or organizer name.
const MAX_TEXT: usize = 200;

/// The fields of a new event.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Title.
    pub title: String,
    /// Category.
    pub category: EventCategory,
    /// Venue, if any.
    pub venue_id: Option<i64>,
    /// Zone; required without a venue, must be the venue's zone (or contain it) with one.
    pub zone_id: Option<i64>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Expected attendance.
    pub expected_attendance: i64,
    /// Organizer.
    pub organizer: Option<String>,
    /// Public profile.
    pub public_profile: PublicProfile,
    /// Alcohol served.
    pub alcohol: bool,
    /// Series key.
    pub series: Option<String>,
    /// Access class for rescuers replacing the venue's (DPS grid E1).
    pub access_class_override: Option<AccessClass>,
    /// Public rescue delay in minutes replacing the venue's (DPS grid E2).
    pub rescue_delay_override_min: Option<i32>,
}

/// Changes to an event; absent fields keep their value.
#[derive(Debug, Clone, Default)]
pub struct EventChanges {
    /// New title.
    pub title: Option<String>,
    /// New category.
    pub category: Option<EventCategory>,
    /// New venue.
    pub venue_id: Option<i64>,
    /// New zone.
    pub zone_id: Option<i64>,
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
    /// New access class override; `Some(None)` returns to the venue's.
    pub access_class_override: Option<Option<AccessClass>>,
    /// New rescue delay override; `Some(None)` returns to the venue's.
    pub rescue_delay_override_min: Option<Option<i32>>,
}

/// Checks a complete event and resolves its zone. `prefix` is the input's path.
async fn validate<C: ConnectionTrait>(db: &C, prefix: &str, e: &NewEvent) -> ApiResult<i64> {
    let path = |field: &str| format!("{prefix}.{field}");
    let title = e.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TEXT {
        return Err(ApiError::bad_input(
            path("title"),
            format!("title must have 1 to {MAX_TEXT} characters"),
        ));
    }
    if e.ends_at <= e.starts_at {
        return Err(ApiError::bad_input(
            path("endsAt"),
            "endsAt must be after startsAt",
        ));
    }
    if e.ends_at - e.starts_at > Duration::days(MAX_EVENT_DAYS) {
        return Err(ApiError::bad_input(
            path("endsAt"),
            format!("an event lasts at most {MAX_EVENT_DAYS} days"),
        ));
    }
    if !(0..=MAX_ATTENDANCE).contains(&e.expected_attendance) {
        return Err(ApiError::bad_input(
            path("expectedAttendance"),
            format!("expectedAttendance must be between 0 and {MAX_ATTENDANCE}"),
        ));
    }
    if e.organizer
        .as_deref()
        .is_some_and(|o| o.chars().count() > MAX_TEXT)
    {
        return Err(ApiError::bad_input(
            path("organizer"),
            format!("organizer has at most {MAX_TEXT} characters"),
        ));
    }
    if e.series
        .as_deref()
        .is_some_and(|o| o.chars().count() > MAX_TEXT)
    {
        return Err(ApiError::bad_input(
            path("series"),
            format!("series has at most {MAX_TEXT} characters"),
        ));
    }
    if let Some(minutes) = e.rescue_delay_override_min {
        crate::services::venues::check_rescue_delay(&path("rescueDelayOverrideMinutes"), minutes)?;
    }
    let tree = ZoneTree::load(db).await?;
    if let Some(zone_id) = e.zone_id
        && tree.get(zone_id).is_none()
    {
        return Err(ApiError::bad_input(
            path("zoneId"),
            format!("unknown zone {zone_id}"),
        ));
    }
    match e.venue_id {
        Some(venue_id) => {
            let venue = venue::Entity::find_by_id(venue_id)
                .one(db)
                .await?
                .ok_or_else(|| {
                    ApiError::bad_input(path("venueId"), format!("unknown venue {venue_id}"))
                })?;
            if let Some(zone_id) = e.zone_id
                && !tree.with_descendants(zone_id).contains(&venue.zone_id)
            {
                return Err(ApiError::bad_input(
                    path("zoneId"),
                    "zoneId must be the venue's zone or contain it",
                ));
            }
            Ok(venue.zone_id)
        }
        None => e.zone_id.ok_or_else(|| {
            ApiError::bad_input(path("zoneId"), "an event needs a venueId or a zoneId")
        }),
    }
}

/// Creates an event.
pub async fn create(
    db: &DatabaseConnection,
    change: Change<'_>,
    input: NewEvent,
) -> ApiResult<event::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let zone_id = validate(txn, "input", &input).await?;
    let now = Utc::now();
    let model = event::ActiveModel {
        title: Set(input.title.trim().to_owned()),
        category: Set(input.category),
        venue_id: Set(input.venue_id),
        zone_id: Set(zone_id),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        expected_attendance: Set(input.expected_attendance),
        organizer: Set(input
            .organizer
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())),
        public_profile: Set(input.public_profile),
        alcohol: Set(input.alcohol),
        status: Set(EventStatus::Planned),
        status_reason: Set(None),
        series: Set(input.series),
        access_class_override: Set(input.access_class_override),
        rescue_delay_override_min: Set(input.rescue_delay_override_min),
        source_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    crate::services::scoring::rescore_event(txn, model.id, "event created").await?;
    crate::services::live::request_neighbours(txn, &model, None, "created").await?;
    work.commit(1).await?;
    Ok(model)
}

/// Applies changes to an event, validating the result as a whole.
pub async fn update(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
    changes: EventChanges,
) -> ApiResult<event::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let current = get(txn, id).await?;
    let venue_changed = changes.venue_id.is_some();
    let merged = NewEvent {
        title: changes.title.unwrap_or(current.title.clone()),
        category: changes.category.unwrap_or(current.category),
        venue_id: changes.venue_id.or(current.venue_id),
        // A new venue brings its own zone unless a zone is given with it.
        zone_id: changes.zone_id.or(if venue_changed {
            None
        } else {
            Some(current.zone_id)
        }),
        starts_at: changes.starts_at.unwrap_or(current.starts_at),
        ends_at: changes.ends_at.unwrap_or(current.ends_at),
        expected_attendance: changes
            .expected_attendance
            .unwrap_or(current.expected_attendance),
        organizer: changes.organizer.or(current.organizer.clone()),
        public_profile: changes.public_profile.unwrap_or(current.public_profile),
        alcohol: changes.alcohol.unwrap_or(current.alcohol),
        series: changes.series.or(current.series.clone()),
        access_class_override: changes
            .access_class_override
            .unwrap_or(current.access_class_override),
        rescue_delay_override_min: changes
            .rescue_delay_override_min
            .unwrap_or(current.rescue_delay_override_min),
    };
    let zone_id = validate(txn, "input", &merged).await?;
    let before = current.clone();
    let mut model: event::ActiveModel = current.into();
    model.title = Set(merged.title.trim().to_owned());
    model.category = Set(merged.category);
    model.venue_id = Set(merged.venue_id);
    model.zone_id = Set(zone_id);
    model.starts_at = Set(merged.starts_at);
    model.ends_at = Set(merged.ends_at);
    model.expected_attendance = Set(merged.expected_attendance);
    model.organizer = Set(merged.organizer);
    model.public_profile = Set(merged.public_profile);
    model.alcohol = Set(merged.alcohol);
    model.series = Set(merged.series);
    model.access_class_override = Set(merged.access_class_override);
    model.rescue_delay_override_min = Set(merged.rescue_delay_override_min);
    model.updated_at = Set(Utc::now());
    let updated = model.update(txn).await?;
    crate::services::scoring::rescore_event(txn, updated.id, "event edited").await?;
    crate::services::live::request_neighbours(txn, &updated, Some(&before), "edited").await?;
    work.commit(1).await?;
    Ok(updated)
}

/// A status change with its reason and, for a postponement or a move, where and
/// when the event now takes place.
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// New status.
    pub status: EventStatus,
    /// Why; required.
    pub reason: String,
    /// New start, for a postponement.
    pub new_starts_at: Option<DateTime<Utc>>,
    /// New end, for a postponement.
    pub new_ends_at: Option<DateTime<Utc>>,
    /// New venue, for a move.
    pub new_venue_id: Option<i64>,
}

/// Changes an event's status.
pub async fn set_status(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
    status: StatusChange,
) -> ApiResult<event::Model> {
    let reason = crate::services::text::free_text("input.reason", &status.reason, 1_000, true)?;
    let reason = reason.as_str();
    let moves = status.new_venue_id.is_some();
    let reschedules = status.new_starts_at.is_some() || status.new_ends_at.is_some();
    if moves && status.status != EventStatus::Moved {
        return Err(ApiError::bad_input(
            "input.newVenueId",
            "a new venue goes with the MOVED status",
        ));
    }
    if reschedules && status.status != EventStatus::Postponed {
        return Err(ApiError::bad_input(
            "input.newStartsAt",
            "new dates go with the POSTPONED status",
        ));
    }
    if status.status == EventStatus::Moved && !moves {
        return Err(ApiError::bad_input(
            "input.newVenueId",
            "a move needs the new venue",
        ));
    }
    let work = change.begin(db).await?;
    let txn = work.txn();
    let current = get(txn, id).await?;
    if current.status == EventStatus::Cancelled {
        return Err(ApiError::Conflict(format!(
            "event {id} is cancelled; its status can no longer change"
        )));
    }
    let merged = NewEvent {
        title: current.title.clone(),
        category: current.category,
        venue_id: status.new_venue_id.or(current.venue_id),
        zone_id: if moves { None } else { Some(current.zone_id) },
        starts_at: status.new_starts_at.unwrap_or(current.starts_at),
        ends_at: status.new_ends_at.unwrap_or(current.ends_at),
        expected_attendance: current.expected_attendance,
        organizer: current.organizer.clone(),
        public_profile: current.public_profile,
        alcohol: current.alcohol,
        series: current.series.clone(),
        // A stage or a marquee moves with the event.
        access_class_override: current.access_class_override,
        rescue_delay_override_min: current.rescue_delay_override_min,
    };
    let zone_id = validate(txn, "input", &merged).await?;
    let shift = merged.starts_at - current.starts_at;
    let before = current.clone();
    let mut model: event::ActiveModel = current.into();
    model.status = Set(status.status);
    model.status_reason = Set(Some(reason.to_owned()));
    model.venue_id = Set(merged.venue_id);
    model.zone_id = Set(zone_id);
    model.starts_at = Set(merged.starts_at);
    model.ends_at = Set(merged.ends_at);
    model.updated_at = Set(Utc::now());
    let updated = model.update(txn).await?;
    if shift != Duration::zero() {
        // Shifts follow a postponed event.
        for row in deployment::Entity::find()
            .filter(deployment::Column::EventId.eq(id))
            .all(txn)
            .await?
        {
            let (start, end) = (row.shift_start + shift, row.shift_end + shift);
            let mut active: deployment::ActiveModel = row.into();
            active.shift_start = Set(start);
            active.shift_end = Set(end);
            active.update(txn).await?;
        }
    }
    crate::services::scoring::rescore_event(txn, updated.id, "event status changed").await?;
    crate::services::live::request_neighbours(txn, &updated, Some(&before), "status changed")
        .await?;
    work.commit(1).await?;
    Ok(updated)
}
