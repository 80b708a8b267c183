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

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use entity::enums::{EventStatus, SourceKind};
use entity::{event, event_outcome, incident, observation, source, venue, weather_day};
use scoring::features::{DayWeather, WeatherBasis};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::ApiResult;
use crate::services::aggregates::PRESENCE_METRIC;
use crate::services::catalog::ZoneTree;
use crate::time::paris_day_start;

/// Weather feed metric: air temperature, °C; a day's maximum is its highest cell.
pub const TEMPERATURE_METRIC: &str = "temperature";
/// Weather feed metric: rain, mm; a day's rain is the sum of its cells.
pub const RAIN_METRIC: &str = "rain";
/// Weather feed metric: wind gust, m/s; a day's gust is its strongest cell.
pub const WIND_GUST_METRIC: &str = "wind_gust";
/// Transit feed metric: disruptions announced in the cell (a count; above 0 counts).
pub const DISRUPTIONS_METRIC: &str = "disruptions";
/// Days on each side of the calendar day that make its climatological normal: a
/// month-wide window smooths single odd days while keeping the season.
pub const NORMAL_HALF_WINDOW_DAYS: i64 = 7;
/// Days of counts before a quarter hour that make its usual presence level.
pub const USUAL_PRESENCE_DAYS: u64 = 7;
/// Longest bucket a source sends (a day): a cell starting this long before an event
/// can still overlap it.
const LONGEST_BUCKET_MINUTES: i64 = 1440;
/// Incidents per 1,000 attendees of a category without recorded past events: about
/// one patient per 1,000 attendees at large events (mass-gathering medicine, DESIGN
/// §9) and about as many police-relevant and traffic incidents.
pub const DEFAULT_INCIDENTS_PER_1000: f64 = 2.0;
/// Pseudo-incidents added to a series' count and to its expected count at the
/// category's rate: the index stays positive after calm editions (the model refuses
/// 0) and a single small edition cannot swing it to an extreme.
pub const PRIOR_INCIDENTS: f64 = 1.0;

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
            weather: load_weather(db, events, &of_kind(SourceKind::Weather)).await?,
            disrupted: load_disruptions(db, events, tree, &of_kind(SourceKind::Transit)).await?,
            presence: load_presence(db, events, venues, &of_kind(SourceKind::Presence)).await?,
            past: load_past_editions(db, events, Utc::now()).await?,
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

/// Paris start days of the events.
fn start_days(events: &[event::Model]) -> BTreeSet<NaiveDate> {
    events
        .iter()
        .map(|e| e.starts_at.with_timezone(&Paris).date_naive())
        .collect()
}

/// A day's forecast, folded from the feed's cells.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Forecast {
    /// Highest temperature cell, °C.
    pub max_temp_c: Option<f64>,
    /// Sum of the rain cells, mm.
    pub rain_mm: Option<f64>,
    /// Strongest gust cell, m/s.
    pub wind_gust_ms: Option<f64>,
}

impl Forecast {
    /// Folds one cell of the feed in; other metrics are ignored.
    pub fn add(&mut self, metric: &str, value: f64) {
        let max = |slot: &mut Option<f64>| *slot = Some(slot.map_or(value, |v| v.max(value)));
        match metric {
            TEMPERATURE_METRIC => max(&mut self.max_temp_c),
            WIND_GUST_METRIC => max(&mut self.wind_gust_ms),
            RAIN_METRIC => self.rain_mm = Some(self.rain_mm.unwrap_or(0.0) + value),
            _ => {}
        }
    }

    /// The day read by the model, a metric the feed did not send taken from `base`.
    pub fn over(&self, base: DayWeather) -> DayWeather {
        DayWeather {
            max_temp_c: self.max_temp_c.unwrap_or(base.max_temp_c),
            rain_mm: self.rain_mm.unwrap_or(base.rain_mm),
            wind_gust_ms: self.wind_gust_ms.unwrap_or(base.wind_gust_ms),
        }
    }
}

/// Forecasts and normals of the events' start days.
async fn load_weather<C: ConnectionTrait>(
    db: &C,
    events: &[event::Model],
    weather_sources: &[i64],
) -> ApiResult<BTreeMap<NaiveDate, (DayWeather, WeatherBasis)>> {
    let days = start_days(events);
    let (Some(first), Some(last)) = (days.first().copied(), days.last().copied()) else {
        return Ok(BTreeMap::new());
    };
    let mut forecasts: BTreeMap<NaiveDate, Forecast> = BTreeMap::new();
    if !weather_sources.is_empty() {
        let cells = observation::Entity::find()
            .filter(observation::Column::SourceId.is_in(weather_sources.to_vec()))
            .filter(observation::Column::Metric.is_in([
                TEMPERATURE_METRIC,
                RAIN_METRIC,
                WIND_GUST_METRIC,
            ]))
            .filter(observation::Column::BucketStart.gte(paris_day_start(first)))
            .filter(observation::Column::BucketStart.lt(paris_day_start(next_day(last))))
            .all(db)
            .await?;
        for cell in cells {
            let day = cell.bucket_start.with_timezone(&Paris).date_naive();
            if days.contains(&day) {
                forecasts
                    .entry(day)
                    .or_default()
                    .add(&cell.metric, cell.value);
            }
        }
    }
    let history = load_station_history(db, &days).await?;
    Ok(days
        .into_iter()
        .map(|day| {
            let normal = normal(day, &history);
            let weather = match (forecasts.get(&day), normal) {
                (Some(forecast), normal) => (
                    forecast.over(normal.unwrap_or_default()),
                    WeatherBasis::Forecast,
                ),
                (None, Some(normal)) => (normal, WeatherBasis::Normal),
                (None, None) => (DayWeather::default(), WeatherBasis::Unknown),
            };
            (day, weather)
        })
        .collect())
}

fn next_day(day: NaiveDate) -> NaiveDate {
    day.succ_opt().unwrap_or(NaiveDate::MAX)
}

/// One imported station day, as the normal reads it.
pub type StationDay = (Option<f64>, Option<f64>, Option<f64>);

/// Most date ranges in one query; beyond (events spread over many seasons), the
/// whole station history is read, a few thousand rows a decade.
const MAX_HISTORY_RANGES: usize = 400;

/// The imported station days within the normal's window of each of `days`, every
/// imported year: two queries (the years imported, then the days).
async fn load_station_history<C: ConnectionTrait>(
    db: &C,
    days: &BTreeSet<NaiveDate>,
) -> ApiResult<BTreeMap<NaiveDate, StationDay>> {
    let bounds: Option<(Option<NaiveDate>, Option<NaiveDate>)> = weather_day::Entity::find()
        .select_only()
        .column_as(weather_day::Column::Day.min(), "first")
        .column_as(weather_day::Column::Day.max(), "last")
        .into_tuple()
        .one(db)
        .await?;
    let Some((Some(oldest), Some(newest))) = bounds else {
        return Ok(BTreeMap::new());
    };
    let mut windows: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for year in oldest.year() - 1..=newest.year() + 1 {
        windows.extend(
            days.iter()
                .filter_map(|day| window(*day, year))
                .filter(|(from, to)| *to >= oldest && *from <= newest),
        );
    }
    let ranges = merge(windows);
    if ranges.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut find = weather_day::Entity::find();
    if ranges.len() <= MAX_HISTORY_RANGES {
        let mut condition = sea_orm::Condition::any();
        for (from, to) in ranges {
            condition = condition.add(weather_day::Column::Day.between(from, to));
        }
        find = find.filter(condition);
    }
    Ok(find
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.day, (w.max_temp_c, w.rain_mm, w.wind_gust_ms)))
        .collect())
}

/// Date ranges merged where they overlap or touch, in order.
fn merge(mut ranges: Vec<(NaiveDate, NaiveDate)>) -> Vec<(NaiveDate, NaiveDate)> {
    ranges.sort();
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(ranges.len());
    for (from, to) in ranges {
        match merged.last_mut() {
            Some(last) if from <= next_day(last.1) => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// The calendar day of `day` in `year`: the same month and day, 28 February for a
/// 29 February in a common year.
pub fn same_day_in(day: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, day.month(), day.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, day.month(), day.day().saturating_sub(1)))
}

/// The days that count for `day`'s normal in `year`: its calendar day that year,
/// `NORMAL_HALF_WINDOW_DAYS` on each side (across the year's ends).
fn window(day: NaiveDate, year: i32) -> Option<(NaiveDate, NaiveDate)> {
    let anchor = same_day_in(day, year)?;
    let half = Duration::days(NORMAL_HALF_WINDOW_DAYS);
    Some((
        anchor.checked_sub_signed(half)?,
        anchor.checked_add_signed(half)?,
    ))
}

/// The climatological normal of `day`'s calendar day: the mean of each value over
/// the station days within `NORMAL_HALF_WINDOW_DAYS` of it, every imported year (a
/// value the station did not report is left out of its mean; a value never reported
/// reads as the neutral day's). `None` without any station day in the windows.
pub fn normal(day: NaiveDate, history: &BTreeMap<NaiveDate, StationDay>) -> Option<DayWeather> {
    let (Some(oldest), Some(newest)) = (history.keys().next(), history.keys().next_back()) else {
        return None;
    };
    let mut sums = [(0.0, 0u32); 3];
    let mut days = 0;
    for year in oldest.year() - 1..=newest.year() + 1 {
        let Some((from, to)) = window(day, year) else {
            continue;
        };
        for (_, (temp, rain, gust)) in history.range(from..=to) {
            days += 1;
            for (slot, value) in sums.iter_mut().zip([temp, rain, gust]) {
                if let Some(value) = value.filter(|v| v.is_finite()) {
                    slot.0 += value;
                    slot.1 += 1;
                }
            }
        }
    }
    if days == 0 {
        return None;
    }
    let neutral = DayWeather::default();
    let mean = |(sum, n): (f64, u32), fallback: f64| {
        if n == 0 { fallback } else { sum / f64::from(n) }
    };
    Some(DayWeather {
        max_temp_c: mean(sums[0], neutral.max_temp_c),
        rain_mm: mean(sums[1], neutral.rain_mm).max(0.0),
        wind_gust_ms: mean(sums[2], neutral.wind_gust_ms).max(0.0),
    })
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

/// The past editions' incident index: their incidents per 1,000 attendees over the
/// category's rate (`category_per_1000`, `DEFAULT_INCIDENTS_PER_1000` when unknown),
/// with `PRIOR_INCIDENTS` added to both counts, rounded to hundredths so that a
/// category rate moving by a hair does not re-score every edition. `None` without
/// attendees to compare.
pub fn past_incident_index(
    incidents: f64,
    attendance: f64,
    category_per_1000: Option<f64>,
) -> Option<f64> {
    if !(attendance.is_finite() && attendance > 0.0 && incidents.is_finite()) {
        return None;
    }
    let rate = category_per_1000
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(DEFAULT_INCIDENTS_PER_1000);
    let expected = rate * attendance / 1000.0;
    let index = (incidents.max(0.0) + PRIOR_INCIDENTS) / (expected + PRIOR_INCIDENTS);
    Some(((index * 100.0).round() / 100.0).max(0.01))
}

/// Statuses of events that did not take place (or not yet): left out of past rates.
fn did_not_happen() -> [String; 2] {
    [
        EventStatus::Cancelled.to_value(),
        EventStatus::Postponed.to_value(),
    ]
}

/// Incidents recorded for each of `ids`: the outcome's counts for an event that has
/// one (the history the model learns from), else its incident records.
async fn recorded_incidents<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> ApiResult<HashMap<i64, f64>> {
    let mut out: HashMap<i64, f64> = HashMap::new();
    for chunk in ids.chunks(crate::services::events::ID_CHUNK) {
        let counted: Vec<(Option<i64>, i64)> = incident::Entity::find()
            .select_only()
            .column(incident::Column::EventId)
            .column_as(incident::Column::Id.count(), "n")
            .filter(incident::Column::EventId.is_in(chunk.to_vec()))
            .group_by(incident::Column::EventId)
            .into_tuple()
            .all(db)
            .await?;
        for (id, n) in counted {
            if let Some(id) = id {
                out.insert(id, n as f64);
            }
        }
        for outcome in event_outcome::Entity::find()
            .filter(event_outcome::Column::EventId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            let total = outcome.tranquillity + outcome.security + outcome.mobility;
            out.insert(outcome.event_id, f64::from(total));
        }
    }
    Ok(out)
}

/// Incidents per 1,000 attendees of every event of each of `categories` (stored
/// values) that ended by `now`, counted as `recorded_incidents` does.
async fn category_rates<C: ConnectionTrait>(
    db: &C,
    categories: &BTreeSet<String>,
    now: DateTime<Utc>,
) -> ApiResult<HashMap<String, f64>> {
    use event::Column as E;
    // In this function only: its `max` would shadow `Ord::max` elsewhere.
    use sea_orm::sea_query::ExprTrait as _;
    let past = |q: &mut sea_orm::sea_query::SelectStatement| {
        q.and_where(Expr::col((event::Entity, E::Category)).is_in(categories.iter().cloned()))
            .and_where(Expr::col((event::Entity, E::EndsAt)).lte(now))
            .and_where(Expr::col((event::Entity, E::Status)).is_not_in(did_not_happen()))
            .group_by_col((event::Entity, E::Category));
    };
    let sums = |rows: Vec<sea_orm::QueryResult>| -> ApiResult<HashMap<String, f64>> {
        let mut out = HashMap::new();
        for row in rows {
            let category: String = row.try_get("", "category")?;
            let total: Option<f64> = row.try_get("", "total")?;
            out.insert(category, total.unwrap_or(0.0));
        }
        Ok(out)
    };
    let mut attendance = Query::select();
    attendance
        .column((event::Entity, E::Category))
        .expr_as(
            Expr::cust(r#"SUM(CAST("event"."expected_attendance" AS DOUBLE PRECISION))"#),
            Alias::new("total"),
        )
        .from(event::Entity);
    past(&mut attendance);
    let mut outcomes = Query::select();
    outcomes
        .column((event::Entity, E::Category))
        .expr_as(
            Expr::cust(
                r#"SUM(CAST("event_outcome"."tranquillity" + "event_outcome"."security" + "event_outcome"."mobility" AS DOUBLE PRECISION))"#,
            ),
            Alias::new("total"),
        )
        .from(event_outcome::Entity)
        .inner_join(
            event::Entity,
            Expr::col((event::Entity, E::Id)).equals((event_outcome::Entity, event_outcome::Column::EventId)),
        );
    past(&mut outcomes);
    let mut records = Query::select();
    records
        .column((event::Entity, E::Category))
        .expr_as(
            Expr::cust(r#"CAST(COUNT("incident"."id") AS DOUBLE PRECISION)"#),
            Alias::new("total"),
        )
        .from(incident::Entity)
        .inner_join(
            event::Entity,
            Expr::col((event::Entity, E::Id)).equals((incident::Entity, incident::Column::EventId)),
        )
        .and_where(
            Expr::col((incident::Entity, incident::Column::EventId)).not_in_subquery(
                Query::select()
                    .column(event_outcome::Column::EventId)
                    .from(event_outcome::Entity)
                    .to_owned(),
            ),
        );
    past(&mut records);
    let attendance = sums(db.query_all(&attendance).await?)?;
    let outcomes = sums(db.query_all(&outcomes).await?)?;
    let records = sums(db.query_all(&records).await?)?;
    Ok(attendance
        .into_iter()
        .filter(|(_, people)| *people > 0.0)
        .map(|(category, people)| {
            let incidents = outcomes.get(&category).copied().unwrap_or(0.0)
                + records.get(&category).copied().unwrap_or(0.0);
            let rate = incidents / people * 1000.0;
            (category, rate)
        })
        .collect())
}

/// Past-edition indexes of the events of a series with editions that ended before
/// they start (cancelled and postponed editions left out).
async fn load_past_editions<C: ConnectionTrait>(
    db: &C,
    events: &[event::Model],
    now: DateTime<Utc>,
) -> ApiResult<HashMap<i64, f64>> {
    let series: BTreeSet<String> = events
        .iter()
        .filter_map(|e| e.series.as_deref().map(str::trim))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if series.is_empty() {
        return Ok(HashMap::new());
    }
    let Some(latest_start) = events.iter().map(|e| e.starts_at).max() else {
        return Ok(HashMap::new());
    };
    let editions = event::Entity::find()
        .filter(event::Column::Series.is_in(series))
        .filter(event::Column::EndsAt.lte(latest_start))
        .filter(event::Column::Status.is_not_in(did_not_happen()))
        .all(db)
        .await?;
    let earlier = |e: &event::Model| -> Vec<&event::Model> {
        let key = e.series.as_deref().map(str::trim);
        editions
            .iter()
            .filter(|p| p.id != e.id && p.series.as_deref().map(str::trim) == key)
            .filter(|p| p.ends_at <= e.starts_at)
            .collect()
    };
    let with_editions: Vec<(&event::Model, Vec<&event::Model>)> = events
        .iter()
        .filter(|e| e.series.as_deref().is_some_and(|s| !s.trim().is_empty()))
        .map(|e| (e, earlier(e)))
        .filter(|(_, past)| !past.is_empty())
        .collect();
    if with_editions.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = editions.iter().map(|p| p.id).collect();
    let incidents = recorded_incidents(db, &ids).await?;
    let categories: BTreeSet<String> = with_editions
        .iter()
        .map(|(e, _)| e.category.to_value())
        .collect();
    let rates = category_rates(db, &categories, now).await?;
    Ok(with_editions
        .into_iter()
        .filter_map(|(e, past)| {
            let count: f64 = past
                .iter()
                .map(|p| incidents.get(&p.id).copied().unwrap_or(0.0))
                .sum();
            let people: f64 = past
                .iter()
                .map(|p| p.expected_attendance.max(0) as f64)
                .sum();
            let index =
                past_incident_index(count, people, rates.get(&e.category.to_value()).copied())?;
            Some((e.id, index))
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
