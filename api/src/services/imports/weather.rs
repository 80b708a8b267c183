//! Météo-France daily climatology: the DPClim export (`;`, decimal comma, dates as
//! `YYYYMMDD`, a `Q*` quality flag after each value, plain or gzipped, UTF-8 or
//! Latin-1) and the key-columns CSV (`,`, decimal point, ISO dates), told apart by
//! their header. A value the station did not report, or reported with the quality
//! flag 2 ("doubtful, being checked"), is kept as unknown: never zero, and the day
//! stays (a day with a missing gust is still a day with a known temperature).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use entity::weather_day;
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};

use super::file::{Column, Table, bad};
use super::{CHUNK, ImportReport};
use crate::error::ApiResult;
use crate::services::scoring::models::Progress;
use crate::services::work::Change;

/// The DPClim quality flag of a doubtful value.
const DOUBTFUL: &str = "2";

/// The values of one day; `None` is unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeatherValues {
    /// Maximum temperature, °C (`TX`).
    pub max_temp_c: Option<f64>,
    /// Minimum temperature, °C (`TN`).
    pub min_temp_c: Option<f64>,
    /// Mean temperature, °C (`TM`).
    pub mean_temp_c: Option<f64>,
    /// Rain, mm (`RR`).
    pub rain_mm: Option<f64>,
    /// Strongest instantaneous gust, m/s (`FXI`).
    pub wind_gust_ms: Option<f64>,
    /// Mean wind, m/s (`FFM`).
    pub mean_wind_ms: Option<f64>,
    /// Mean relative humidity, % (`UM`).
    pub humidity_pct: Option<f64>,
}

/// One parsed day.
#[derive(Debug, Clone, PartialEq)]
pub struct WeatherRecord {
    /// Station code.
    pub station: String,
    /// The day.
    pub day: NaiveDate,
    /// Its values.
    pub values: WeatherValues,
}

/// A parsed file: its format and its days in order.
#[derive(Debug, Clone)]
pub struct WeatherFile {
    /// `dpclim` or `key-columns`.
    pub format: &'static str,
    /// The days.
    pub days: Vec<WeatherRecord>,
}

/// One value column: its name(s), physical range, and quality flag column.
struct Value {
    column: Column,
    quality: Option<Column>,
    range: (f64, f64),
}

impl Value {
    fn find(
        table: &Table,
        name: &str,
        range: (f64, f64),
        required: bool,
    ) -> ApiResult<Option<Self>> {
        let column = if required {
            Some(table.column(&[name])?)
        } else {
            table.optional(&[name])
        };
        Ok(column.map(|column| Value {
            column,
            quality: table.optional(&[&format!("q{name}")]),
            range,
        }))
    }

    fn read(&self, line: u64, record: &csv::StringRecord) -> ApiResult<Option<f64>> {
        let Some(value) = self.column.number(line, record)? else {
            return Ok(None);
        };
        if self
            .quality
            .as_ref()
            .is_some_and(|q| q.cell(record) == DOUBTFUL)
        {
            return Ok(None);
        }
        if !(self.range.0..=self.range.1).contains(&value) {
            return Err(self.column.bad(
                line,
                format!(
                    "value out of the physical range {} to {}",
                    self.range.0, self.range.1
                ),
            ));
        }
        Ok(Some(value))
    }
}

/// Parses a daily climatology file whole; the first error refuses it, naming its
/// line and column.
pub fn parse(text: &str) -> ApiResult<WeatherFile> {
    let table = Table::read(text)?;
    let format = if table.optional(&["aaaammjj"]).is_some() || table.optional(&["qrr"]).is_some() {
        "dpclim"
    } else {
        "key-columns"
    };
    let station = table.column(&["poste", "num_poste"])?;
    let date = table.column(&["date", "aaaammjj"])?;
    let value = |name, range, required| Value::find(&table, name, range, required);
    let rain = value("rr", (0.0, 1000.0), true)?;
    let tmax = value("tx", (-40.0, 60.0), true)?;
    let gust = value("fxi", (0.0, 100.0), true)?;
    let tmin = value("tn", (-40.0, 60.0), false)?;
    let tmean = value("tm", (-40.0, 60.0), false)?;
    let wind = value("ffm", (0.0, 100.0), false)?;
    let humidity = value("um", (0.0, 100.0), false)?;
    let read = |v: &Option<Value>, line, record| match v {
        Some(v) => v.read(line, record),
        None => Ok(None),
    };
    let mut days = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<NaiveDate, u64> = HashMap::with_capacity(table.rows.len());
    for (line, record) in &table.rows {
        let (line, record) = (*line, record);
        let day = date.date(line, record)?;
        if let Some(first) = seen.insert(day, line) {
            return Err(date.bad(line, format!("the same day as line {first}")));
        }
        let code = station.cell(record);
        if code.is_empty() || code.len() > 16 {
            return Err(station.bad(line, "a station code of 1 to 16 characters is needed"));
        }
        days.push(WeatherRecord {
            station: code.to_owned(),
            day,
            values: WeatherValues {
                max_temp_c: read(&tmax, line, record)?,
                min_temp_c: read(&tmin, line, record)?,
                mean_temp_c: read(&tmean, line, record)?,
                rain_mm: read(&rain, line, record)?,
                wind_gust_ms: read(&gust, line, record)?,
                mean_wind_ms: read(&wind, line, record)?,
                humidity_pct: read(&humidity, line, record)?,
            },
        });
    }
    if days.is_empty() {
        return Err(bad(2, None, "no day in the file"));
    }
    Ok(WeatherFile { format, days })
}

fn values(row: &weather_day::Model) -> WeatherValues {
    WeatherValues {
        max_temp_c: row.max_temp_c,
        min_temp_c: row.min_temp_c,
        mean_temp_c: row.mean_temp_c,
        rain_mm: row.rain_mm,
        wind_gust_ms: row.wind_gust_ms,
        mean_wind_ms: row.mean_wind_ms,
        humidity_pct: row.humidity_pct,
    }
}

fn active(record: &WeatherRecord) -> weather_day::ActiveModel {
    let v = record.values;
    weather_day::ActiveModel {
        day: Set(record.day),
        station: Set(record.station.clone()),
        max_temp_c: Set(v.max_temp_c),
        min_temp_c: Set(v.min_temp_c),
        mean_temp_c: Set(v.mean_temp_c),
        rain_mm: Set(v.rain_mm),
        wind_gust_ms: Set(v.wind_gust_ms),
        mean_wind_ms: Set(v.mean_wind_ms),
        humidity_pct: Set(v.humidity_pct),
    }
}

/// Writes the days that differ from what is stored (added or updated); the others
/// are left as they are.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    file: &WeatherFile,
    progress: &(dyn Progress + Sync),
) -> ApiResult<ImportReport> {
    let mut report = ImportReport::new("weather", file.format, file.days.len());
    let (Some(first), Some(last)) = (
        file.days.iter().map(|d| d.day).min(),
        file.days.iter().map(|d| d.day).max(),
    ) else {
        return Ok(report);
    };
    use sea_orm::{ColumnTrait, QueryFilter};
    let stored: BTreeMap<NaiveDate, weather_day::Model> = weather_day::Entity::find()
        .filter(weather_day::Column::Day.between(first, last))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.day, row))
        .collect();
    let mut added = Vec::new();
    let total = file.days.len() as u64;
    progress.stage("storing weather days");
    for (done, record) in file.days.iter().enumerate() {
        match stored.get(&record.day) {
            None => added.push(active(record)),
            Some(row) if values(row) == record.values && row.station == record.station => {
                report.unchanged += 1;
            }
            Some(_) => {
                weather_day::Entity::update(active(record)).exec(db).await?;
                report.updated += 1;
            }
        }
        if done % CHUNK == 0 {
            progress.rows(done as u64, total);
        }
    }
    report.added = added.len();
    let mut done = total - added.len() as u64;
    let mut rows = added.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
        done += chunk.len() as u64;
        weather_day::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
        progress.rows(done, total);
    }
    Ok(report)
}

/// Imports a weather file (its bytes, gzipped or not) as one audited change.
pub async fn import(
    db: &DatabaseConnection,
    change: Change<'_>,
    bytes: &[u8],
    progress: &(dyn Progress + Sync),
) -> ApiResult<ImportReport> {
    progress.stage("reading weather file");
    let file = parse(&super::decode(bytes)?)?;
    let work = change.begin(db).await?;
    let report = store(work.txn(), &file, progress).await?;
    work.commit_with_summary(report.written() as i64, Some(report.summary()))
        .await?;
    Ok(report)
}

#[cfg(test)]
#[path = "weather_tests.rs"]
mod tests;
