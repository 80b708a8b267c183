//! Events and their deployments: reads, the keyset-paginated list, and the
//! validated changes. Every change runs in one transaction and validates before it
//! writes, so a refused input stores nothing.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use entity::enums::{EventCategory, EventStatus, PublicProfile, ResourceKind};
use entity::{deployment, event, organization, venue};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::error::{ApiError, ApiResult};
use crate::services::agenda::slots;
use crate::services::catalog::{self, ZoneTree};
use crate::services::conflicts::{self, Conflict};

/// Longest event the platform accepts (a fair or a festival), in days.
const MAX_EVENT_DAYS: i64 = 31;
/// Largest attendance accepted: beyond any gathering Marseille has hosted.
const MAX_ATTENDANCE: i64 = 2_000_000;
/// Longest title or organizer name.
const MAX_TEXT: usize = 200;
/// Largest count of one resource kind.
const MAX_RESOURCE_COUNT: i32 = 10_000;

/// One event by id.
pub async fn get<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<event::Model> {
    event::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("event {id}")))
}

/// Filter of the events list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Events ending after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events starting before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Events in this zone or inside it.
    pub zone_id: Option<i64>,
    /// Events at this venue.
    pub venue_id: Option<i64>,
    /// Events of this category.
    pub category: Option<EventCategory>,
    /// Events with this status.
    pub status: Option<EventStatus>,
    /// Events whose title contains this text (case-insensitive).
    pub search: Option<String>,
}

/// Position in the list: the (start, id) of the last event seen.
pub type Cursor = (DateTime<Utc>, i64);

/// One page of the list and whether more follow.
pub struct EventPage {
    /// Events, by start then id.
    pub events: Vec<event::Model>,
    /// Whether another page follows.
    pub has_next: bool,
    /// Number of events matching the filter.
    pub total: u64,
}

/// A page of events matching `filter`, after `after`, ordered by (start, id).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &EventFilter,
    first: u64,
    after: Option<Cursor>,
) -> ApiResult<EventPage> {
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to <= from
    {
        return Err(ApiError::bad_input("filter.to", "to must be after from"));
    }
    let mut condition = Condition::all();
    if let Some(from) = filter.from {
        condition = condition.add(event::Column::EndsAt.gt(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(event::Column::StartsAt.lt(to));
    }
    if let Some(zone_id) = filter.zone_id {
        let tree = ZoneTree::load(db).await?;
        if tree.get(zone_id).is_none() {
            return Err(ApiError::bad_input(
                "filter.zoneId",
                format!("unknown zone {zone_id}"),
            ));
        }
        condition = condition.add(event::Column::ZoneId.is_in(tree.with_descendants(zone_id)));
    }
    if let Some(venue_id) = filter.venue_id {
        condition = condition.add(event::Column::VenueId.eq(venue_id));
    }
    if let Some(category) = filter.category {
        condition = condition.add(event::Column::Category.eq(category));
    }
    if let Some(status) = filter.status {
        condition = condition.add(event::Column::Status.eq(status));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
        condition =
            condition.add(Expr::expr(Func::lower(Expr::col(event::Column::Title))).like(pattern));
    }
    let total = event::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let mut query = event::Entity::find().filter(condition);
    if let Some((starts_at, id)) = after {
        query = query.filter(
            Condition::any()
                .add(event::Column::StartsAt.gt(starts_at))
                .add(
                    Condition::all()
                        .add(event::Column::StartsAt.eq(starts_at))
                        .add(event::Column::Id.gt(id)),
                ),
        );
    }
    let mut events = query
        .order_by_asc(event::Column::StartsAt)
        .order_by_asc(event::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_next = events.len() as u64 > first;
    events.truncate(first as usize);
    Ok(EventPage {
        events,
        has_next,
        total,
    })
}

/// Conflicts of each of `ids`, computed against every event overlapping them.
pub async fn conflicts_for<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> ApiResult<HashMap<i64, Vec<Arc<Conflict>>>> {
    let targets = event::Entity::find()
        .filter(event::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let (Some(start), Some(end)) = (
        targets.iter().map(|e| e.starts_at).min(),
        targets.iter().map(|e| e.ends_at).max(),
    ) else {
        return Ok(HashMap::new());
    };
    let window = event::Entity::find()
        .filter(event::Column::StartsAt.lt(end))
        .filter(event::Column::EndsAt.gt(start))
        .all(db)
        .await?;
    let window_ids: Vec<i64> = window.iter().map(|e| e.id).collect();
    let planned: HashSet<i64> = deployment::Entity::find()
        .select_only()
        .column(deployment::Column::EventId)
        .filter(deployment::Column::EventId.is_in(window_ids))
        .filter(deployment::Column::Count.gt(0))
        .distinct()
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let tree = ZoneTree::load(db).await?;
    let venues = venue::Entity::find().all(db).await?;
    let found = conflicts::detect(
        &slots(&window, &planned, &tree),
        &catalog::area_capacities(&tree, &venues),
    );
    let wanted: HashSet<i64> = ids.iter().copied().collect();
    let mut out: HashMap<i64, Vec<Arc<Conflict>>> = HashMap::new();
    for conflict in found.into_iter().map(Arc::new) {
        for id in conflict.event_ids.iter().filter(|id| wanted.contains(id)) {
            out.entry(*id).or_default().push(Arc::clone(&conflict));
        }
    }
    Ok(out)
}

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
pub async fn create(db: &DatabaseConnection, input: NewEvent) -> ApiResult<event::Model> {
    let txn = db.begin().await?;
    let zone_id = validate(&txn, "input", &input).await?;
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
        source_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::services::scoring::rescore_event(&txn, model.id).await?;
    crate::services::audit::scope::record_change(&txn, 1).await?;
    txn.commit().await?;
    Ok(model)
}

/// Applies changes to an event, validating the result as a whole.
pub async fn update(
    db: &DatabaseConnection,
    id: i64,
    changes: EventChanges,
) -> ApiResult<event::Model> {
    let txn = db.begin().await?;
    let current = get(&txn, id).await?;
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
    };
    let zone_id = validate(&txn, "input", &merged).await?;
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
    model.updated_at = Set(Utc::now());
    let updated = model.update(&txn).await?;
    crate::services::scoring::rescore_event(&txn, updated.id).await?;
    crate::services::audit::scope::record_change(&txn, 1).await?;
    txn.commit().await?;
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
    id: i64,
    change: StatusChange,
) -> ApiResult<event::Model> {
    let reason = change.reason.trim();
    if reason.is_empty() || reason.chars().count() > 1_000 {
        return Err(ApiError::bad_input(
            "input.reason",
            "a reason of 1 to 1000 characters is required",
        ));
    }
    let moves = change.new_venue_id.is_some();
    let reschedules = change.new_starts_at.is_some() || change.new_ends_at.is_some();
    if moves && change.status != EventStatus::Moved {
        return Err(ApiError::bad_input(
            "input.newVenueId",
            "a new venue goes with the MOVED status",
        ));
    }
    if reschedules && change.status != EventStatus::Postponed {
        return Err(ApiError::bad_input(
            "input.newStartsAt",
            "new dates go with the POSTPONED status",
        ));
    }
    if change.status == EventStatus::Moved && !moves {
        return Err(ApiError::bad_input(
            "input.newVenueId",
            "a move needs the new venue",
        ));
    }
    let txn = db.begin().await?;
    let current = get(&txn, id).await?;
    if current.status == EventStatus::Cancelled {
        return Err(ApiError::Conflict(format!(
            "event {id} is cancelled; its status can no longer change"
        )));
    }
    let merged = NewEvent {
        title: current.title.clone(),
        category: current.category,
        venue_id: change.new_venue_id.or(current.venue_id),
        zone_id: if moves { None } else { Some(current.zone_id) },
        starts_at: change.new_starts_at.unwrap_or(current.starts_at),
        ends_at: change.new_ends_at.unwrap_or(current.ends_at),
        expected_attendance: current.expected_attendance,
        organizer: current.organizer.clone(),
        public_profile: current.public_profile,
        alcohol: current.alcohol,
        series: current.series.clone(),
    };
    let zone_id = validate(&txn, "input", &merged).await?;
    let shift = merged.starts_at - current.starts_at;
    let mut model: event::ActiveModel = current.into();
    model.status = Set(change.status);
    model.status_reason = Set(Some(reason.to_owned()));
    model.venue_id = Set(merged.venue_id);
    model.zone_id = Set(zone_id);
    model.starts_at = Set(merged.starts_at);
    model.ends_at = Set(merged.ends_at);
    model.updated_at = Set(Utc::now());
    let updated = model.update(&txn).await?;
    if shift != Duration::zero() {
        // Shifts follow a postponed event.
        for row in deployment::Entity::find()
            .filter(deployment::Column::EventId.eq(id))
            .all(&txn)
            .await?
        {
            let (start, end) = (row.shift_start + shift, row.shift_end + shift);
            let mut active: deployment::ActiveModel = row.into();
            active.shift_start = Set(start);
            active.shift_end = Set(end);
            active.update(&txn).await?;
        }
    }
    crate::services::scoring::rescore_event(&txn, updated.id).await?;
    crate::services::audit::scope::record_change(&txn, 1).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The planned resources of one kind for an event.
#[derive(Debug, Clone)]
pub struct DeploymentInput {
    /// Event.
    pub event_id: i64,
    /// Kind of resource.
    pub kind: ResourceKind,
    /// Count; 0 withdraws the resource.
    pub count: i32,
    /// Shift start; defaults to the event's start.
    pub shift_start: Option<DateTime<Utc>>,
    /// Shift end; defaults to the event's end.
    pub shift_end: Option<DateTime<Utc>>,
    /// Providing organization.
    pub organization_id: Option<i64>,
}

/// Creates or replaces the deployment of one kind for an event.
pub async fn upsert_deployment(
    db: &DatabaseConnection,
    input: DeploymentInput,
) -> ApiResult<deployment::Model> {
    if !(0..=MAX_RESOURCE_COUNT).contains(&input.count) {
        return Err(ApiError::bad_input(
            "input.count",
            format!("count must be between 0 and {MAX_RESOURCE_COUNT}"),
        ));
    }
    let txn = db.begin().await?;
    let event = event::Entity::find_by_id(input.event_id)
        .one(&txn)
        .await?
        .ok_or_else(|| {
            ApiError::bad_input("input.eventId", format!("unknown event {}", input.event_id))
        })?;
    let shift_start = input.shift_start.unwrap_or(event.starts_at);
    let shift_end = input.shift_end.unwrap_or(event.ends_at);
    if shift_end <= shift_start {
        return Err(ApiError::bad_input(
            "input.shiftEnd",
            "shiftEnd must be after shiftStart",
        ));
    }
    if shift_end - shift_start > Duration::days(MAX_EVENT_DAYS) {
        return Err(ApiError::bad_input(
            "input.shiftEnd",
            format!("a shift lasts at most {MAX_EVENT_DAYS} days"),
        ));
    }
    if let Some(org) = input.organization_id
        && organization::Entity::find_by_id(org)
            .one(&txn)
            .await?
            .is_none()
    {
        return Err(ApiError::bad_input(
            "input.organizationId",
            format!("unknown organization {org}"),
        ));
    }
    let existing = deployment::Entity::find()
        .filter(deployment::Column::EventId.eq(input.event_id))
        .filter(deployment::Column::Kind.eq(input.kind))
        .one(&txn)
        .await?;
    let now = Utc::now();
    let saved = match existing {
        Some(row) => {
            let mut active: deployment::ActiveModel = row.into();
            active.count = Set(input.count);
            active.shift_start = Set(shift_start);
            active.shift_end = Set(shift_end);
            active.organization_id = Set(input.organization_id);
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            deployment::ActiveModel {
                event_id: Set(input.event_id),
                kind: Set(input.kind),
                count: Set(input.count),
                shift_start: Set(shift_start),
                shift_end: Set(shift_end),
                organization_id: Set(input.organization_id),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    crate::services::scoring::rescore_event(&txn, saved.event_id).await?;
    crate::services::audit::scope::record_change(&txn, 1).await?;
    txn.commit().await?;
    Ok(saved)
}
