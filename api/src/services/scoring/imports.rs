//! Imports of real calendars that the history generator and the scores use:
//! Météo-France daily climatology (the key-columns CSV, or the DPClim export with `;`
//! and decimal commas), French public holidays and school holidays of zone B. Parsing
//! is pure and refuses a file whole, naming the first bad line; storing replaces the
//! days the file covers, in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use entity::{holiday, weather_day};
use scoring::features::DayWeather;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::error::{ApiError, ApiResult};
use crate::services::scoring::features::{PUBLIC_HOLIDAY, SCHOOL_HOLIDAY, weather};

/// Rows per multi-row insert.
const CHUNK: usize = 1_000;

/// One parsed weather day.
#[derive(Debug, Clone, PartialEq)]
pub struct WeatherRecord {
    /// Station code.
    pub station: String,
    /// The day.
    pub day: NaiveDate,
    /// The values the model reads.
    pub weather: DayWeather,
}

/// One parsed holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRecord {
    /// The day.
    pub day: NaiveDate,
    /// `public` or `school`.
    pub kind: &'static str,
    /// Its name, when given.
    pub name: Option<String>,
}

fn bad(line: usize, message: impl std::fmt::Display) -> ApiError {
    ApiError::bad_input("file", format!("line {line}: {message}"))
}

struct Table<'a> {
    separator: char,
    header: Vec<String>,
    lines: std::iter::Skip<std::iter::Enumerate<std::str::Lines<'a>>>,
}

fn table(text: &str) -> ApiResult<Table<'_>> {
    let first = text
        .lines()
        .next()
        .ok_or_else(|| bad(1, "the file is empty"))?;
    let separator = if first.contains(';') { ';' } else { ',' };
    let header = first
        .trim_start_matches('\u{feff}')
        .split(separator)
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    Ok(Table {
        separator,
        header,
        lines: text.lines().enumerate().skip(1),
    })
}

impl Table<'_> {
    fn column(&self, names: &[&str]) -> ApiResult<usize> {
        self.header
            .iter()
            .position(|h| names.contains(&h.as_str()))
            .ok_or_else(|| bad(1, format!("no column {}", names.join(" or "))))
    }
}

fn date(text: &str, line: usize) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y%m%d"))
        .map_err(|_| bad(line, format!("\"{text}\" is not a date")))
}

fn number(text: &str, line: usize) -> ApiResult<Option<f64>> {
    if text.is_empty() {
        return Ok(None);
    }
    text.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| bad(line, format!("\"{text}\" is not a number")))
}

/// Parses a Météo-France daily file. Days missing rain, maximum temperature or gust
/// are left out (the generator then draws a plausible day instead).
pub fn parse_weather(text: &str) -> ApiResult<Vec<WeatherRecord>> {
    let mut table = table(text)?;
    let (station, day, rain, tmax, gust) = (
        table.column(&["poste", "num_poste"])?,
        table.column(&["date", "aaaammjj"])?,
        table.column(&["rr"])?,
        table.column(&["tx"])?,
        table.column(&["fxi"])?,
    );
    let separator = table.separator;
    let mut out = Vec::new();
    for (index, line) in table.lines.by_ref() {
        let number_of_line = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(separator).map(str::trim).collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        let day = date(cell(day), number_of_line)?;
        let (Some(rain_mm), Some(max_temp_c), Some(wind_gust_ms)) = (
            number(cell(rain), number_of_line)?,
            number(cell(tmax), number_of_line)?,
            number(cell(gust), number_of_line)?,
        ) else {
            continue;
        };
        if rain_mm < 0.0 || wind_gust_ms < 0.0 || !(-30.0..=55.0).contains(&max_temp_c) {
            return Err(bad(number_of_line, "value out of physical range"));
        }
        out.push(WeatherRecord {
            station: cell(station).to_owned(),
            day,
            weather: DayWeather {
                max_temp_c,
                rain_mm,
                wind_gust_ms,
            },
        });
    }
    Ok(out)
}

fn flag(text: &str) -> bool {
    matches!(
        text.to_ascii_lowercase().as_str(),
        "true" | "1" | "vrai" | "oui"
    )
}

/// Parses a holidays file: public holidays (`date,est_jour_ferie,nom_jour_ferie`) or
/// daily school holidays (`date,...,vacances_zone_b,...,nom_vacances`: zone B kept).
pub fn parse_holidays(text: &str) -> ApiResult<Vec<HolidayRecord>> {
    let mut table = table(text)?;
    let day = table.column(&["date"])?;
    let (kind, flag_column, name_column) = if let Ok(c) = table.column(&["est_jour_ferie"]) {
        (PUBLIC_HOLIDAY, c, table.column(&["nom_jour_ferie"]).ok())
    } else if let Ok(c) = table.column(&["vacances_zone_b"]) {
        (SCHOOL_HOLIDAY, c, table.column(&["nom_vacances"]).ok())
    } else {
        return Err(bad(
            1,
            "neither a public-holiday file (est_jour_ferie) nor a school-holiday file (vacances_zone_b)",
        ));
    };
    let separator = table.separator;
    let mut out = Vec::new();
    for (index, line) in table.lines.by_ref() {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(separator).map(str::trim).collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        let day = date(cell(day), index + 1)?;
        if flag(cell(flag_column)) {
            out.push(HolidayRecord {
                day,
                kind,
                name: name_column
                    .map(cell)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
            });
        }
    }
    Ok(out)
}

/// Stores weather days, replacing those already imported for the same days.
pub async fn store_weather(
    db: &sea_orm::DatabaseConnection,
    records: &[WeatherRecord],
) -> ApiResult<usize> {
    let txn = db.begin().await?;
    for chunk in records.chunks(CHUNK) {
        let days: Vec<NaiveDate> = chunk.iter().map(|r| r.day).collect();
        weather_day::Entity::delete_many()
            .filter(weather_day::Column::Day.is_in(days))
            .exec(&txn)
            .await?;
        weather_day::Entity::insert_many(chunk.iter().map(|r| weather_day::ActiveModel {
            day: Set(r.day),
            max_temp_c: Set(r.weather.max_temp_c),
            rain_mm: Set(r.weather.rain_mm),
            wind_gust_ms: Set(r.weather.wind_gust_ms),
            station: Set(r.station.chars().take(16).collect()),
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(records.len())
}

/// Stores holidays of one kind, replacing that kind's days over the file's span.
pub async fn store_holidays(
    db: &sea_orm::DatabaseConnection,
    records: &[HolidayRecord],
) -> ApiResult<usize> {
    let txn = db.begin().await?;
    for kind in [PUBLIC_HOLIDAY, SCHOOL_HOLIDAY] {
        let days = records.iter().filter(|r| r.kind == kind).map(|r| r.day);
        if let (Some(first), Some(last)) = (days.clone().min(), days.max()) {
            holiday::Entity::delete_many()
                .filter(holiday::Column::Kind.eq(kind))
                .filter(holiday::Column::Day.between(first, last))
                .exec(&txn)
                .await?;
        }
    }
    for chunk in records.chunks(CHUNK) {
        holiday::Entity::insert_many(chunk.iter().map(|r| holiday::ActiveModel {
            day: Set(r.day),
            kind: Set(r.kind.to_owned()),
            name: Set(r.name.clone()),
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(records.len())
}

/// Everything imported, as the history generator takes it.
#[derive(Debug, Default)]
pub struct ImportedCalendar {
    /// Observed weather by day.
    pub weather: BTreeMap<NaiveDate, DayWeather>,
    /// Public holidays, when imported.
    pub public_holidays: Option<BTreeSet<NaiveDate>>,
    /// School holidays of zone B, when imported.
    pub school_holidays: Option<BTreeSet<NaiveDate>>,
}

/// Loads the imported calendar. A holiday series counts only when it covers every
/// year from `first_year` to `last_year`: the generator takes a series as complete.
pub async fn imported_calendar<C: ConnectionTrait>(
    db: &C,
    first_year: i32,
    last_year: i32,
) -> ApiResult<ImportedCalendar> {
    let weather = weather_day::Entity::find()
        .all(db)
        .await?
        .iter()
        .map(|w| (w.day, weather(w)))
        .collect();
    let rows = holiday::Entity::find().all(db).await?;
    let series = |kind: &str| {
        let days: BTreeSet<NaiveDate> = rows
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.day)
            .collect();
        use chrono::Datelike;
        let years: BTreeSet<i32> = days.iter().map(|d| d.year()).collect();
        (first_year..=last_year)
            .all(|y| years.contains(&y))
            .then_some(days)
    };
    Ok(ImportedCalendar {
        weather,
        public_holidays: series(PUBLIC_HOLIDAY),
        school_holidays: series(SCHOOL_HOLIDAY),
    })
}

#[cfg(test)]
#[path = "imports_tests.rs"]
mod tests;
