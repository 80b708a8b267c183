//! Real time on the write side: what a change calls for beyond itself.
//!
//! - An event created, edited, moved or cancelled changes the crowd its neighbours
//!   share (concurrent events in the same arrondissement): they are queued for
//!   re-scoring (`rescore_request`).
//! - A batch of observations (presence counts, a forecast, a transit disruption)
//!   queues the events running in its zones and times; presence counts at a site
//!   with a known area also raise, update or clear its density alert.
//! - The re-scorer ([`rescore_requested`]) takes the queue in one pass, so that a
//!   burst of batches costs one re-scoring per event, and stores each new assessment
//!   with what triggered it.
//!
//! Requests are written in the transaction of the change that calls for them: a
//! change that rolls back queues nothing, and a queued request survives a restart.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use entity::enums::ZoneLevel;
use entity::{event, live_alert, platform_setting, rescore_request, source, venue};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::error::ApiResult;
use crate::services::catalog::ZoneTree;
use crate::services::scoring::features::active;
use crate::services::work::Change;

/// Most events one change queues (a city-wide forecast over a month of agenda is a
/// few hundred).
const MAX_QUEUED_PER_CHANGE: usize = 2_000;
/// Most requests one re-scoring pass takes; the rest wait for the next pass.
const MAX_TAKEN_PER_PASS: u64 = 5_000;
/// Rows per multi-row insert.
const INSERT_CHUNK: usize = 500;
/// Counts older than this do not move alerts: a late backfill describes the past.
const ALERT_FRESHNESS: Duration = Duration::hours(2);
/// The presence metric.
const PRESENCE: &str = "presence";

/// Setting key of the busy density threshold (people per m2).
pub const DENSITY_BUSY_KEY: &str = "live.density_busy_per_m2";
/// Setting key of the critical density threshold (people per m2).
pub const DENSITY_CRITICAL_KEY: &str = "live.density_critical_per_m2";
/// Default busy density: 2 people per m2, a crowd where moving takes effort (the
/// usual planning figure for standing areas).
pub const DEFAULT_DENSITY_BUSY: f64 = 2.0;
/// Default critical density: 4 people per m2, where a crowd stops flowing and
/// crushes become possible (crowd-safety literature, Fruin's level of service F).
pub const DEFAULT_DENSITY_CRITICAL: f64 = 4.0;

/// Queues `event_ids` for re-scoring because of `reason`.
pub async fn request<C: ConnectionTrait>(
    db: &C,
    event_ids: &BTreeSet<i64>,
    reason: &str,
) -> ApiResult<usize> {
    let now = Utc::now();
    let ids: Vec<i64> = event_ids
        .iter()
        .copied()
        .take(MAX_QUEUED_PER_CHANGE)
        .collect();
    for chunk in ids.chunks(INSERT_CHUNK) {
        let rows = chunk.iter().map(|id| rescore_request::ActiveModel {
            event_id: Set(*id),
            reason: Set(reason.to_owned()),
            requested_at: Set(now),
            ..Default::default()
        });
        rescore_request::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(ids.len())
}

/// Queues the active events that share a crowd with `event` (overlapping it in its
/// arrondissement), as it is and as it was (`before`), for re-scoring.
pub async fn request_neighbours<C: ConnectionTrait>(
    db: &C,
    event: &event::Model,
    before: Option<&event::Model>,
    what: &str,
) -> ApiResult<usize> {
    let tree = ZoneTree::load(db).await?;
    let mut ids = BTreeSet::new();
    for e in std::iter::once(event).chain(before) {
        let area = tree.area_of(e.zone_id);
        let around = event::Entity::find()
            .filter(crate::services::window::overlapping(db, e.starts_at, e.ends_at).await?)
            .all(db)
            .await?;
        ids.extend(
            around
                .iter()
                .filter(|o| o.id != event.id && active(o.status))
                .filter(|o| tree.area_of(o.zone_id) == area)
                .map(|o| o.id),
        );
    }
    if ids.is_empty() {
        return Ok(0);
    }
    request(db, &ids, &format!("event {} {what} nearby", event.id)).await
}

/// One stored observation cell, as the live side reads it.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Its zone.
    pub zone_id: i64,
    /// Its metric.
    pub metric: String,
    /// Start of its bucket.
    pub start: DateTime<Utc>,
    /// Length of its bucket in minutes.
    pub minutes: i32,
    /// Its value.
    pub value: f64,
}

impl Cell {
    fn end(&self) -> DateTime<Utc> {
        self.start + Duration::minutes(i64::from(self.minutes))
    }
}

/// What a stored batch of observations calls for: density alerts for presence
/// counts, and the re-scoring of the events running in its zones and times.
pub async fn after_observations<C: ConnectionTrait>(
    db: &C,
    source: &source::Model,
    key: &str,
    cells: &[Cell],
) -> ApiResult<usize> {
    let (Some(start), Some(end)) = (
        cells.iter().map(|c| c.start).min(),
        cells.iter().map(Cell::end).max(),
    ) else {
        return Ok(0);
    };
    let tree = ZoneTree::load(db).await?;
    let alerts = update_alerts(db, &tree, cells).await?;
    let candidates = event::Entity::find()
        .filter(crate::services::window::overlapping(db, start, end).await?)
        .all(db)
        .await?;
    // The zones each cell describes, with everything inside them; an event is
    // concerned when its zone is inside a cell's zone or contains it.
    let mut inside: HashMap<i64, std::collections::HashSet<i64>> = HashMap::new();
    for cell in cells {
        inside
            .entry(cell.zone_id)
            .or_insert_with(|| tree.with_descendants(cell.zone_id));
    }
    let mut ids = BTreeSet::new();
    for e in candidates.iter().filter(|e| active(e.status)) {
        let chain = tree.ancestors(e.zone_id);
        let concerned = cells.iter().any(|c| {
            c.start < e.ends_at
                && c.end() > e.starts_at
                && (inside
                    .get(&c.zone_id)
                    .is_some_and(|zones| zones.contains(&e.zone_id))
                    || chain.contains(&c.zone_id))
        });
        if concerned {
            ids.insert(e.id);
        }
    }
    let metrics: BTreeSet<&str> = cells.iter().map(|c| c.metric.as_str()).collect();
    let mut reason = format!(
        "observations ({}) from {} (batch {key})",
        metrics.into_iter().collect::<Vec<_>>().join(", "),
        source.code
    );
    if !alerts.is_empty() {
        reason.push_str(&format!("; density alert {}", alerts.join(", ")));
    }
    if ids.is_empty() {
        return Ok(0);
    }
    request(db, &ids, &reason).await
}

/// The density thresholds in effect (people per m2): busy, critical.
pub async fn density_thresholds<C: ConnectionTrait>(db: &C) -> ApiResult<(f64, f64)> {
    let read = |row: Option<platform_setting::Model>, default: f64| {
        row.and_then(|r| r.value.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v > 0.0)
            .unwrap_or(default)
    };
    let busy = platform_setting::Entity::find_by_id(DENSITY_BUSY_KEY.to_owned())
        .one(db)
        .await?;
    let critical = platform_setting::Entity::find_by_id(DENSITY_CRITICAL_KEY.to_owned())
        .one(db)
        .await?;
    Ok((
        read(busy, DEFAULT_DENSITY_BUSY),
        read(critical, DEFAULT_DENSITY_CRITICAL),
    ))
}

/// The level of a density against the thresholds.
pub fn density_level(density: f64, (busy, critical): (f64, f64)) -> Option<&'static str> {
    if density >= critical {
        Some("critical")
    } else if density >= busy {
        Some("busy")
    } else {
        None
    }
}

/// The area in m2 a site's presence is spread over: its venues' areas when known,
/// else the zone's own area. Only sites: an arrondissement's count is its residents.
fn site_area(tree: &ZoneTree, venues: &[venue::Model], zone_id: i64) -> Option<f64> {
    let zone = tree.get(zone_id)?;
    if zone.level != ZoneLevel::Site {
        return None;
    }
    let venue_area: f64 = venues
        .iter()
        .filter(|v| v.zone_id == zone_id)
        .filter_map(|v| v.area_m2)
        .filter(|a| a.is_finite() && *a > 0.0)
        .sum();
    if venue_area > 0.0 {
        return Some(venue_area);
    }
    zone.area_km2
        .filter(|a| a.is_finite() && *a > 0.0)
        .map(|a| a * 1_000_000.0)
}

/// Raises, updates or clears the density alert of each site whose latest presence
/// count is in `cells`. Returns the sites whose alert changed, in words.
async fn update_alerts<C: ConnectionTrait>(
    db: &C,
    tree: &ZoneTree,
    cells: &[Cell],
) -> ApiResult<Vec<String>> {
    let now = Utc::now();
    // The latest fresh presence count per zone.
    let mut latest: BTreeMap<i64, &Cell> = BTreeMap::new();
    for cell in cells
        .iter()
        .filter(|c| c.metric == PRESENCE && c.end() > now - ALERT_FRESHNESS)
    {
        let slot = latest.entry(cell.zone_id).or_insert(cell);
        if cell.start > slot.start {
            *slot = cell;
        }
    }
    if latest.is_empty() {
        return Ok(Vec::new());
    }
    let venues = venue::Entity::find()
        .filter(venue::Column::ZoneId.is_in(latest.keys().copied()))
        .all(db)
        .await?;
    let thresholds = density_thresholds(db).await?;
    let mut changed = Vec::new();
    for (zone_id, cell) in latest {
        let Some(area) = site_area(tree, &venues, zone_id) else {
            continue;
        };
        let density = cell.value / area;
        let level = density_level(density, thresholds);
        let open = live_alert::Entity::find()
            .filter(live_alert::Column::ZoneId.eq(zone_id))
            .filter(live_alert::Column::ClearedAt.is_null())
            .order_by_desc(live_alert::Column::Id)
            .one(db)
            .await?;
        let name = tree
            .get(zone_id)
            .map_or_else(String::new, |z| z.code.clone());
        match (open, level) {
            (Some(alert), _) if cell.start < alert.bucket_start => {}
            (None, None) => {}
            (None, Some(level)) => {
                live_alert::ActiveModel {
                    zone_id: Set(zone_id),
                    level: Set(level.to_owned()),
                    people: Set(cell.value),
                    area_m2: Set(area),
                    density: Set(density),
                    bucket_start: Set(cell.start),
                    raised_at: Set(now),
                    updated_at: Set(now),
                    cleared_at: Set(None),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                changed.push(format!("{level} raised at {name}"));
            }
            (Some(alert), level) => {
                let was = alert.level.clone();
                let mut active: live_alert::ActiveModel = alert.into();
                active.people = Set(cell.value);
                active.area_m2 = Set(area);
                active.density = Set(density);
                active.bucket_start = Set(cell.start);
                active.updated_at = Set(now);
                match level {
                    Some(level) => {
                        active.level = Set(level.to_owned());
                        if level != was {
                            changed.push(format!("{level} at {name}"));
                        }
                    }
                    None => {
                        active.cleared_at = Set(Some(now));
                        changed.push(format!("cleared at {name}"));
                    }
                }
                active.update(db).await?;
            }
        }
    }
    Ok(changed)
}

/// What one re-scoring pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Requests taken from the queue.
    pub requests: usize,
    /// Distinct events looked at.
    pub events: usize,
    /// New assessments stored (the others' inputs had not changed).
    pub assessed: usize,
}

/// Takes the queued requests and re-scores their events in one change (a system
/// task, audited): one pass per burst, one new assessment per event whose inputs
/// changed, stored with what triggered it. Another instance that took the same
/// requests first leaves nothing to do here.
pub async fn rescore_requested(db: &DatabaseConnection) -> ApiResult<PassReport> {
    let pending = rescore_request::Entity::find()
        .order_by_asc(rescore_request::Column::Id)
        .limit(MAX_TAKEN_PER_PASS)
        .all(db)
        .await?;
    if pending.is_empty() {
        return Ok(PassReport::default());
    }
    let (ctx, operation) = crate::services::scoring::scoring_task("live re-scoring");
    let work = Change::new(&ctx, &operation).begin(db).await?;
    let txn = work.txn();
    let taken = rescore_request::Entity::delete_many()
        .filter(rescore_request::Column::Id.is_in(pending.iter().map(|r| r.id)))
        .exec(txn)
        .await?;
    if taken.rows_affected == 0 {
        // Another instance's pass took them.
        return Ok(PassReport::default());
    }
    // Why each event is re-scored: its distinct reasons, in the order they came.
    let mut reasons: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for row in &pending {
        let list = reasons.entry(row.event_id).or_default();
        if !list.contains(&row.reason.as_str()) {
            list.push(&row.reason);
        }
    }
    let events = event::Entity::find()
        .filter(event::Column::Id.is_in(reasons.keys().copied()))
        .all(txn)
        .await?;
    // Events with the same reasons are scored together.
    let mut groups: BTreeMap<String, Vec<event::Model>> = BTreeMap::new();
    for e in events {
        let why = reasons.get(&e.id).map(|r| r.join("; ")).unwrap_or_default();
        groups.entry(why).or_default().push(e);
    }
    let mut report = PassReport {
        requests: pending.len(),
        events: reasons.len(),
        assessed: 0,
    };
    for (why, targets) in &groups {
        report.assessed += crate::services::scoring::refresh_events(txn, targets, why).await?;
    }
    let summary = format!(
        "{} of {} queued events re-scored ({} requests)",
        report.assessed, report.events, report.requests
    );
    work.commit_with_summary(report.assessed as i64, Some(summary))
        .await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_levels_follow_the_thresholds() {
        let t = (DEFAULT_DENSITY_BUSY, DEFAULT_DENSITY_CRITICAL);
        assert_eq!(density_level(0.5, t), None);
        assert_eq!(density_level(1.99, t), None);
        assert_eq!(density_level(2.0, t), Some("busy"));
        assert_eq!(density_level(3.9, t), Some("busy"));
        assert_eq!(density_level(4.0, t), Some("critical"));
        assert_eq!(density_level(9.0, (5.0, 8.0)), Some("critical"));
        assert_eq!(density_level(6.0, (5.0, 8.0)), Some("busy"));
    }
}
