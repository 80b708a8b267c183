//! The live inputs of the risk model, loaded set-wise for the events being scored:
//! the day's weather when no station day is imported (the weather feed's forecast
//! cells, else the climatological normal of the calendar day), transit disruptions
//! announced for an event's arrondissement and hours, live presence against the
//! expected crowd, and the incidents of a series' past editions. Each one fills a
//! feature the model already learned (`scoring::design`), with the meaning the
//! synthetic history gave it (`scoring::history::agenda`), so that it moves scores
//! and shows in the explanation's contributions.
//!
//! A pass costs a fixed handful of queries whatever the number of events: sources,
//! forecast cells, the station history around the days concerned, disruption cells,
//! presence cells (the events' windows, then the week before their peaks), and, for
//! events of a series, the editions with their incidents and their categories'
//! rates.

pub mod editions;
pub mod weather;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use entity::enums::SourceKind;
use entity::{event, observation, source, venue};
use scoring::features::{DayWeather, WeatherBasis};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::ApiResult;
use crate::services::aggregates::PRESENCE_METRIC;
use crate::services::catalog::ZoneTree;

/// Transit feed metric: disruptions announced in the cell (a count; above 0 counts).
pub const DISRUPTIONS_METRIC: &str = "disruptions";
/// Days of counts before a quarter hour that make its usual presence level.
pub const USUAL_PRESENCE_DAYS: u64 = 7;
/// Longest bucket a source sends (a day): a cell starting this long before an event
/// can still overlap it.
const LONGEST_BUCKET_MINUTES: i64 = 1440;

/// What the live feeds say about the events of one scoring pass.
#[derive(Debug, Default)]
pub struct LiveInputs {
    /// Weather of the start days, from the feed or the normal, with its basis.
    weather: BTreeMap<NaiveDate, (DayWeather, WeatherBasis)>,
    /// Events with a transit disruption announced in their arrondissement and hours.
    disrupted: HashSet<i64>,
    /// Observed peak presence over the expected crowd, by event (live or past ones).
    presence: HashMap<i64, f64>,
    /// Past editions' incident index, by event of a series that has past editions.
    past: HashMap<i64, f64>,
}

impl LiveInputs {
    /// Loads the live inputs of `events`.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        events: &[event::Model],
        tree: &ZoneTree,
        venues: &HashMap<i64, venue::Model>,
    ) -> ApiResult<Self> {
        if events.is_empty() {
            return Ok(LiveInputs::default());
        }
        let sources = source::Entity::find()
            .filter(source::Column::Kind.is_in([
                SourceKind::Weather,
                SourceKind::Transit,
                SourceKind::Presence,
            ]))
            .all(db)
            .await?;
        let of_kind = |kind: SourceKind| -> Vec<i64> {
            sources
                .iter()
                .filter(|s| s.kind == kind)
                .map(|s| s.id)
                .collect()
        };
        Ok(LiveInputs {
            weather: weather::load_weather(db, events, &of_kind(SourceKind::Weather)).await?,
            disrupted: load_disruptions(db, events, tree, &of_kind(SourceKind::Transit)).await?,
            presence: load_presence(db, events, venues, &of_kind(SourceKind::Presence)).await?,
            past: editions::load_past_editions(db, events, Utc::now()).await?,
        })
    }

    /// The weather of `day` with its basis: the station's observed day when
    /// imported, else the feed's forecast, else the normal, else the neutral day.
    pub fn weather(
        &self,
        day: NaiveDate,
        observed: Option<DayWeather>,
    ) -> (DayWeather, WeatherBasis) {
        match observed {
            Some(weather) => (weather, WeatherBasis::Observed),
            None => self
                .weather
                .get(&day)
                .copied()
                .unwrap_or((DayWeather::default(), WeatherBasis::Unknown)),
        }
    }

    /// Whether a transit disruption is announced for the event.
    pub fn transit_disruption(&self, event_id: i64) -> bool {
        self.disrupted.contains(&event_id)
    }

    /// Observed peak presence over the expected crowd; `None` before counts exist.
    pub fn presence_ratio(&self, event_id: i64) -> Option<f64> {
        self.presence.get(&event_id).copied()
    }

    /// Past editions' incident index; `None` for a new series or no series.
    pub fn past_incident_index(&self, event_id: i64) -> Option<f64> {
        self.past.get(&event_id).copied()
    }
}

/// The zone and every zone above it (its arrondissement, the city).
fn with_ancestors(tree: &ZoneTree, zone_id: i64) -> Vec<i64> {
    let mut chain = vec![zone_id];
    let mut current = zone_id;
    // The hierarchy is shallow; the bound guards against a cycle in bad data.
    for _ in 0..16 {
        match tree.get(current).and_then(|z| z.parent_id) {
            Some(parent) if !chain.contains(&parent) => {
                chain.push(parent);
                current = parent;
            }
            _ => break,
        }
    }
    chain
}

/// Whether a cell `[start, start + minutes)` overlaps the event's hours.
fn overlaps(e: &event::Model, start: DateTime<Utc>, minutes: i32) -> bool {
    start < e.ends_at && start + Duration::minutes(i64::from(minutes)) > e.starts_at
}

/// The earliest start and latest end of the events.
fn span(events: &[event::Model]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((
        events.iter().map(|e| e.starts_at).min()?,
        events.iter().map(|e| e.ends_at).max()?,
    ))
}

/// Events with a disruption cell (value above 0) of a transit source in their zone,
/// its arrondissement or the city, overlapping their hours.
async fn load_disruptions<C: ConnectionTrait>(
    db: &C,
    events: &[event::Model],
    tree: &ZoneTree,
    transit_sources: &[i64],
) -> ApiResult<HashSet<i64>> {
    let Some((start, end)) = span(events) else {
        return Ok(HashSet::new());
    };
    if transit_sources.is_empty() {
        return Ok(HashSet::new());
    }
    let chains: HashMap<i64, Vec<i64>> = events
        .iter()
        .map(|e| (e.id, with_ancestors(tree, e.zone_id)))
        .collect();
    let zones: BTreeSet<i64> = chains.values().flatten().copied().collect();
    let cells = observation::Entity::find()
        .filter(observation::Column::SourceId.is_in(transit_sources.to_vec()))
        .filter(observation::Column::Metric.eq(DISRUPTIONS_METRIC))
        .filter(observation::Column::Value.gt(0.0))
        .filter(observation::Column::ZoneId.is_in(zones))
        .filter(
            observation::Column::BucketStart.gt(start - Duration::minutes(LONGEST_BUCKET_MINUTES)),
        )
        .filter(observation::Column::BucketStart.lt(end))
        .all(db)
        .await?;
    Ok(events
        .iter()
        .filter(|e| {
            let chain = chains.get(&e.id).map(Vec::as_slice).unwrap_or_default();
            cells.iter().any(|c| {
                chain.contains(&c.zone_id) && overlaps(e, c.bucket_start, c.bucket_minutes)
            })
        })
        .map(|e| e.id)
        .collect())
}

/// The median of `values` (0 for none): the usual level, robust to one odd day.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// Live presence against the expected crowd: the observed peak over the zone's
/// usual level at that quarter hour (`usual`, the counts of the days before) plus
/// the event's expected attendance. `None` when the ratio would not be a positive
/// number (the model refuses it).
pub fn presence_ratio(peak: f64, usual: &[f64], attendance: i64) -> Option<f64> {
    let expected = median(usual) + attendance.max(1) as f64;
    let ratio = peak / expected;
    (ratio.is_finite() && ratio > 0.0).then_some(ratio)
}

/// The same local time `back` days earlier (`None` in a spring-forward gap).
fn days_before(at: DateTime<Utc>, back: u64) -> Option<DateTime<Utc>> {
    at.with_timezone(&Paris)
        .checked_sub_days(Days::new(back))
        .map(|t| t.with_timezone(&Utc))
}

/// Presence ratios of the events with counts in their hours: the cells of their
/// windows, then the usual levels of their peaks' quarter hours.
async fn load_presence<C: ConnectionTrait>(
    db: &C,
    events: &[event::Model],
    venues: &HashMap<i64, venue::Model>,
    presence_sources: &[i64],
) -> ApiResult<HashMap<i64, f64>> {
    let Some((start, end)) = span(events) else {
        return Ok(HashMap::new());
    };
    if presence_sources.is_empty() {
        return Ok(HashMap::new());
    }
    let zones_of = |e: &event::Model| -> Vec<i64> {
        let mut zones = vec![e.zone_id];
        if let Some(v) = e.venue_id.and_then(|id| venues.get(&id))
            && v.zone_id != e.zone_id
        {
            zones.push(v.zone_id);
        }
        zones
    };
    let zones: BTreeSet<i64> = events.iter().flat_map(zones_of).collect();
    let find = || {
        observation::Entity::find()
            .filter(observation::Column::SourceId.is_in(presence_sources.to_vec()))
            .filter(observation::Column::Metric.eq(PRESENCE_METRIC))
    };
    let live = find()
        .filter(observation::Column::ZoneId.is_in(zones))
        .filter(
            observation::Column::BucketStart.gt(start - Duration::minutes(LONGEST_BUCKET_MINUTES)),
        )
        .filter(observation::Column::BucketStart.lt(end))
        .all(db)
        .await?;
    // Each event's peak cell: (zone, bucket start, count).
    let peaks: HashMap<i64, (i64, DateTime<Utc>, f64)> = events
        .iter()
        .filter_map(|e| {
            let zones = zones_of(e);
            live.iter()
                .filter(|c| {
                    zones.contains(&c.zone_id) && overlaps(e, c.bucket_start, c.bucket_minutes)
                })
                .max_by(|a, b| a.value.total_cmp(&b.value))
                .map(|c| (e.id, (c.zone_id, c.bucket_start, c.value)))
        })
        .collect();
    let (Some(earliest), Some(latest)) = (
        peaks.values().map(|p| p.1).min(),
        peaks.values().map(|p| p.1).max(),
    ) else {
        return Ok(HashMap::new());
    };
    let peak_zones: BTreeSet<i64> = peaks.values().map(|p| p.0).collect();
    // A day more than the days counted covers a daylight-saving change.
    let before = Duration::days(USUAL_PRESENCE_DAYS as i64 + 1);
    let mut usual: HashMap<(i64, DateTime<Utc>), f64> = HashMap::new();
    for cell in find()
        .filter(observation::Column::ZoneId.is_in(peak_zones))
        .filter(observation::Column::BucketStart.gte(earliest - before))
        .filter(observation::Column::BucketStart.lt(latest))
        .all(db)
        .await?
    {
        // Several presence sources may count one zone: the highest count is kept,
        // as for the peak.
        let slot = usual
            .entry((cell.zone_id, cell.bucket_start))
            .or_insert(0.0);
        *slot = slot.max(cell.value);
    }
    let attendance: HashMap<i64, i64> = events
        .iter()
        .map(|e| (e.id, e.expected_attendance))
        .collect();
    Ok(peaks
        .into_iter()
        .filter_map(|(id, (zone, at, peak))| {
            let levels: Vec<f64> = (1..=USUAL_PRESENCE_DAYS)
                .filter_map(|back| days_before(at, back))
                .filter_map(|t| usual.get(&(zone, t)).copied())
                .collect();
            let ratio = presence_ratio(peak, &levels, attendance.get(&id).copied().unwrap_or(0))?;
            Some((id, ratio))
        })
        .collect())
}

/// The features an assessment was computed on, read back from its row (which must
/// not be a light one: `features_json` is empty there).
pub fn stored_features(
    row: &entity::assessment::Model,
) -> ApiResult<scoring::features::EventFeatures> {
    serde_json::from_str(&row.features_json).map_err(crate::error::ApiError::internal)
}

#[cfg(test)]
#[path = "inputs_tests.rs"]
mod tests;
