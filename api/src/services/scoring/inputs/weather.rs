//! The day's weather for events without an imported station day: the weather feed's
//! cells for the day (forecasts), else the climatological normal of the calendar
//! day from the imported station history, else nothing known.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Europe::Paris;
use entity::{event, observation, weather_day};
use scoring::features::{DayWeather, WeatherBasis};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::ApiResult;
use crate::time::paris_day_start;

/// Weather feed metric: air temperature, °C; a day's maximum is its highest cell.
pub const TEMPERATURE_METRIC: &str = "temperature";
/// Weather feed metric: rain, mm; a day's rain is the sum of its cells.
pub const RAIN_METRIC: &str = "rain";
/// Weather feed metric: wind gust, m/s; a day's gust is its strongest cell.
pub const WIND_GUST_METRIC: &str = "wind_gust";
/// Days on each side of the calendar day that make its climatological normal: a
/// month-wide window smooths single odd days while keeping the season.
pub const NORMAL_HALF_WINDOW_DAYS: i64 = 7;

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
pub(super) async fn load_weather<C: ConnectionTrait>(
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
pub(super) fn merge(mut ranges: Vec<(NaiveDate, NaiveDate)>) -> Vec<(NaiveDate, NaiveDate)> {
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
