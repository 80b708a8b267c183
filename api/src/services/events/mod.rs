//! Events and their deployments: reads and the keyset-paginated list here; the
//! validated changes in `changes` and `deployments`. Every change runs in one
//! transaction and validates before it writes, so a refused input stores nothing.

mod changes;
mod deployments;

pub use changes::{EventChanges, NewEvent, StatusChange, create, set_status, update};
pub use deployments::{DeploymentInput, upsert_deployment};

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::enums::{EventCategory, EventStatus};
use entity::event;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::error::{ApiError, ApiResult};
use crate::services::agenda::conflicts_in_window;
use crate::services::catalog::ZoneTree;
use crate::services::conflicts::Conflict;

/// Longest event the platform accepts (a fair or a festival), in days.
const MAX_EVENT_DAYS: i64 = 31;

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
    let mut targets = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(ID_CHUNK) {
        targets.extend(
            event::Entity::find()
                .filter(event::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    // Events far apart in time are looked at separately: the window read stays the
    // span of the events asked, never the years between them.
    targets.sort_by_key(|e| e.starts_at);
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for e in &targets {
        match spans.last_mut() {
            Some((_, end)) if e.starts_at <= *end => *end = Ord::max(*end, e.ends_at),
            _ => spans.push((e.starts_at, e.ends_at)),
        }
    }
    let tree = ZoneTree::load(db).await?;
    let mut by_event = HashMap::new();
    for (start, end) in spans {
        let window = event::Entity::find()
            .filter(crate::services::window::overlapping(db, start, end).await?)
            .all(db)
            .await?;
        by_event.extend(conflicts_in_window(db, &window, &tree).await?);
    }
    Ok(ids
        .iter()
        .filter_map(|id| by_event.remove(id).map(|found| (*id, found)))
        .collect())
}

/// Largest `IN` list of one statement (SQLite allows 32,766 variables, PostgreSQL
/// 65,535; far below both).
pub const ID_CHUNK: usize = 500;
