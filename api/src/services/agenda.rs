//! The agenda: every Europe/Paris day of a window with the events that run on it,
//! and the conflicts among them, from a handful of set-based queries.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use entity::enums::{EventCategory, EventStatus};
use entity::{deployment, event, venue, zone};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::{ApiError, ApiResult};
use crate::services::catalog::{self, ZoneTree};
use crate::services::conflicts::{self, Conflict, Slot};
use crate::time::{paris_day_start, paris_range};

/// Longest window a client may ask for, in days.
pub const MAX_DAYS: u32 = 90;

/// What the agenda is asked for.
#[derive(Debug, Clone)]
pub struct AgendaQuery {
    /// First Paris day.
    pub from: NaiveDate,
    /// Number of days, 1 to [`MAX_DAYS`].
    pub days: i32,
    /// Only events in this zone or inside it.
    pub zone_id: Option<i64>,
    /// Only events of this category.
    pub category: Option<EventCategory>,
}

/// One day of the agenda.
#[derive(Debug, Clone)]
pub struct AgendaDay {
    /// The Paris day.
    pub date: NaiveDate,
    /// Events running that day, by start.
    pub events: Vec<Arc<event::Model>>,
    /// Conflicts that involve an event of the day.
    pub conflicts: Vec<Arc<Conflict>>,
}

/// The agenda and the conflicts of every event in it, by event id.
#[derive(Debug, Clone, Default)]
pub struct Agenda {
    /// One entry per day, every day present.
    pub days: Vec<AgendaDay>,
    /// Conflicts per event id.
    pub conflicts_by_event: HashMap<i64, Vec<Arc<Conflict>>>,
    /// What was read on the way, for the fields asked next: every zone, every
    /// venue, and the deployments of every event of the window.
    pub rows: WindowRows,
}

/// Rows the agenda read set-based, handed to whoever shows it.
#[derive(Debug, Clone, Default)]
pub struct WindowRows {
    /// Every zone.
    pub zones: Vec<zone::Model>,
    /// Every venue.
    pub venues: Vec<venue::Model>,
    /// Deployments by event id, an entry (maybe empty) for every event of the window.
    pub deployments: HashMap<i64, Vec<deployment::Model>>,
}

/// Checks the window's length; returns it in days.
pub fn validate(query: &AgendaQuery) -> ApiResult<u32> {
    u32::try_from(query.days)
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d))
        .ok_or_else(|| {
            ApiError::bad_input(
                "days",
                format!("days must be between 1 and {MAX_DAYS}, got {}", query.days),
            )
        })
}

/// Builds the agenda.
pub async fn agenda<C: ConnectionTrait>(db: &C, query: &AgendaQuery) -> ApiResult<Agenda> {
    let days = validate(query)?;
    let tree = ZoneTree::load(db).await?;
    let zone_filter = match query.zone_id {
        Some(id) if tree.get(id).is_none() => {
            return Err(ApiError::bad_input("zoneId", format!("unknown zone {id}")));
        }
        Some(id) => Some(tree.with_descendants(id)),
        None => None,
    };
    let (start, end) = paris_range(query.from, days);

    // Conflicts are computed over every event of the window, not only the filtered
    // ones: a concert still clashes with a market of another category.
    let window: Vec<event::Model> = event::Entity::find()
        .filter(crate::services::window::overlapping(db, start, end).await?)
        .order_by_asc(event::Column::StartsAt)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = window.iter().map(|e| e.id).collect();
    let mut deployments: HashMap<i64, Vec<deployment::Model>> =
        ids.iter().map(|id| (*id, Vec::new())).collect();
    for chunk in ids.chunks(crate::services::events::ID_CHUNK) {
        let rows = deployment::Entity::find()
            .filter(deployment::Column::EventId.is_in(chunk.to_vec()))
            .order_by_asc(deployment::Column::Kind)
            .all(db)
            .await?;
        for row in rows {
            deployments.entry(row.event_id).or_default().push(row);
        }
    }
    let planned: HashSet<i64> = deployments
        .iter()
        .filter(|(_, rows)| rows.iter().any(|d| d.count > 0))
        .map(|(id, _)| *id)
        .collect();
    let venues = venue::Entity::find().all(db).await?;
    let conflicts_by_event = index_conflicts(conflicts::detect(
        &slots(&window, &planned, &tree),
        &catalog::area_capacities(&tree, &venues),
    ));

    let shown: Vec<Arc<event::Model>> = window
        .into_iter()
        .filter(|e| query.category.is_none_or(|c| e.category == c))
        .filter(|e| {
            zone_filter
                .as_ref()
                .is_none_or(|zones| zones.contains(&e.zone_id))
        })
        .map(Arc::new)
        .collect();
    let mut out = Vec::with_capacity(days as usize);
    for offset in 0..days {
        let date = query.from + Days::new(u64::from(offset));
        let (day_start, day_end) = (paris_day_start(date), paris_day_start(date + Days::new(1)));
        let events: Vec<Arc<event::Model>> = shown
            .iter()
            .filter(|e| e.starts_at < day_end && e.ends_at > day_start)
            .cloned()
            .collect();
        let mut conflicts: Vec<Arc<Conflict>> = Vec::new();
        for event in &events {
            for conflict in conflicts_by_event.get(&event.id).into_iter().flatten() {
                if !conflicts.iter().any(|c| Arc::ptr_eq(c, conflict)) {
                    conflicts.push(Arc::clone(conflict));
                }
            }
        }
        out.push(AgendaDay {
            date,
            events,
            conflicts,
        });
    }
    Ok(Agenda {
        days: out,
        conflicts_by_event,
        rows: WindowRows {
            zones: tree.into_zones(),
            venues,
            deployments,
        },
    })
}

/// The conflicts among `window` (which must hold every event overlapping the span
/// of interest), indexed by each event they involve.
pub async fn conflicts_in_window<C: ConnectionTrait>(
    db: &C,
    window: &[event::Model],
    tree: &ZoneTree,
) -> ApiResult<HashMap<i64, Vec<Arc<Conflict>>>> {
    let ids: Vec<i64> = window.iter().map(|e| e.id).collect();
    let planned: HashSet<i64> = if ids.is_empty() {
        HashSet::new()
    } else {
        deployment::Entity::find()
            .select_only()
            .column(deployment::Column::EventId)
            .filter(deployment::Column::EventId.is_in(ids))
            .filter(deployment::Column::Count.gt(0))
            .distinct()
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let venues = venue::Entity::find().all(db).await?;
    Ok(index_conflicts(conflicts::detect(
        &slots(window, &planned, tree),
        &catalog::area_capacities(tree, &venues),
    )))
}

/// Conflicts indexed by each event they involve.
fn index_conflicts(found: Vec<Conflict>) -> HashMap<i64, Vec<Arc<Conflict>>> {
    let mut by_event: HashMap<i64, Vec<Arc<Conflict>>> = HashMap::new();
    for conflict in found.into_iter().map(Arc::new) {
        for id in &conflict.event_ids {
            by_event.entry(*id).or_default().push(Arc::clone(&conflict));
        }
    }
    by_event
}

/// The conflict-detection view of events.
fn slots(events: &[event::Model], planned: &HashSet<i64>, tree: &ZoneTree) -> Vec<Slot> {
    events
        .iter()
        .map(|e| Slot {
            id: e.id,
            title: e.title.clone(),
            venue_id: e.venue_id,
            area_id: tree.area_of(e.zone_id),
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            attendance: e.expected_attendance,
            has_deployment: planned.contains(&e.id),
            active: !matches!(e.status, EventStatus::Cancelled | EventStatus::Postponed),
        })
        .collect()
}
