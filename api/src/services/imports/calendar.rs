//! Public and school holidays, and the days each import covers.
//!
//! Three formats, told apart by their header:
//! - public holidays (`date,est_jour_ferie,nom_jour_ferie`): covers every year it
//!   lists, from 1 January of the first to 31 December of the last;
//! - the daily school-holiday file (`date,vacances_zone_a,vacances_zone_b,...`, one
//!   row a day): covers from its first row to the last day any zone is on holiday
//!   (the rows after it pad the year with `False` before the calendar is published);
//! - the official Éducation nationale calendar export (`;`, byte-order mark,
//!   `Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire`):
//!   the académie's rows (Aix-Marseille by default) give periods from their first
//!   day to the day before classes resume; it covers from its first period's first
//!   day to its last period's last day.
//!
//! Coverage is per day: inside a covered span the imported holidays are the truth;
//! outside every span (late December of a year a file stops in, say) the computed
//! calendar is used.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use entity::{calendar_coverage, holiday, weather_day};
use scoring::features::DayWeather;
use scoring::history::calendar;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::file::{Table, bad};
use super::{CHUNK, ImportReport};
use crate::error::ApiResult;
use crate::services::scoring::features::{PUBLIC_HOLIDAY, SCHOOL_HOLIDAY, weather};
use crate::services::scoring::models::Progress;
use crate::services::work::Change;

/// The académie whose rows the official calendar export gives by default (zone B).
pub const DEFAULT_ACADEMY: &str = "Aix-Marseille";

/// One holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRecord {
    /// The day.
    pub day: NaiveDate,
    /// Its name, when given.
    pub name: Option<String>,
}

/// A parsed holiday file.
#[derive(Debug, Clone)]
pub struct HolidayFile {
    /// `public-holidays`, `school-holidays-daily` or `school-calendar`.
    pub format: &'static str,
    /// `public` or `school`.
    pub kind: &'static str,
    /// The holidays, one per day.
    pub days: BTreeMap<NaiveDate, Option<String>>,
    /// First and last day the file covers.
    pub covers: (NaiveDate, NaiveDate),
}

fn flag(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "true" | "1" | "vrai" | "oui" => Some(true),
        "false" | "0" | "faux" | "non" | "" => Some(false),
        _ => None,
    }
}

/// Parses a holiday file whole; the first error refuses it, naming its line and
/// column. `academy` picks the rows of the official calendar export.
pub fn parse(text: &str, academy: &str) -> ApiResult<HolidayFile> {
    let table = Table::read(text)?;
    if table.optional(&["date de début"]).is_some() {
        return parse_official(&table, academy);
    }
    let date = table.column(&["date"])?;
    let (format, kind, flags, names) = if let Some(c) = table.optional(&["est_jour_ferie"]) {
        (
            "public-holidays",
            PUBLIC_HOLIDAY,
            vec![c],
            table.optional(&["nom_jour_ferie"]),
        )
    } else if let Some(b) = table.optional(&["vacances_zone_b"]) {
        let mut flags = vec![b];
        flags.extend(table.optional(&["vacances_zone_a"]));
        flags.extend(table.optional(&["vacances_zone_c"]));
        (
            "school-holidays-daily",
            SCHOOL_HOLIDAY,
            flags,
            table.optional(&["nom_vacances"]),
        )
    } else {
        return Err(bad(
            1,
            None,
            "neither public holidays (est_jour_ferie), daily school holidays (vacances_zone_b) nor the school calendar export (Date de début)",
        ));
    };
    let mut days = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut last_any_zone = None;
    for (line, record) in &table.rows {
        let day = date.date(*line, record)?;
        if !seen.insert(day) {
            return Err(date.bad(*line, "the same day twice"));
        }
        let mut set = Vec::with_capacity(flags.len());
        for column in &flags {
            set.push(
                flag(column.cell(record)).ok_or_else(|| column.bad(*line, "not True or False"))?,
            );
        }
        if set.iter().any(|s| *s) {
            last_any_zone = Some(day);
        }
        if set[0] {
            let name = names
                .as_ref()
                .map(|c| c.cell(record))
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            days.insert(day, name);
        }
    }
    let (Some(first), Some(last)) = (seen.first().copied(), seen.last().copied()) else {
        return Err(bad(2, None, "no day in the file"));
    };
    let covers = if kind == PUBLIC_HOLIDAY {
        (
            NaiveDate::from_ymd_opt(first.year(), 1, 1).unwrap_or(first),
            NaiveDate::from_ymd_opt(last.year(), 12, 31).unwrap_or(last),
        )
    } else {
        (first, last_any_zone.unwrap_or(last))
    };
    Ok(HolidayFile {
        format,
        kind,
        days,
        covers,
    })
}

fn parse_official(table: &Table, academy: &str) -> ApiResult<HolidayFile> {
    let description = table.column(&["description"])?;
    let population = table.optional(&["population"]);
    let start = table.column(&["date de début"])?;
    let end = table.column(&["date de fin"])?;
    let academies = table.column(&["académies", "academies"])?;
    let mut days = BTreeMap::new();
    let mut covers: Option<(NaiveDate, NaiveDate)> = None;
    for (line, record) in &table.rows {
        let line = *line;
        // Dates are checked on every row, so that a broken file is refused whole.
        let first = start.date(line, record)?;
        let resume = end.date(line, record)?;
        if resume < first {
            return Err(end.bad(line, "ends before it starts"));
        }
        if !academies.cell(record).eq_ignore_ascii_case(academy) {
            continue;
        }
        // Summer has a row for teachers as well as pupils: the pupils' one counts.
        if population
            .as_ref()
            .is_some_and(|p| p.cell(record).eq_ignore_ascii_case("enseignants"))
        {
            continue;
        }
        let last = (resume - Duration::days(1)).max(first);
        let name = description.cell(record);
        let mut day = first;
        while day <= last {
            days.entry(day)
                .or_insert_with(|| Some(name.to_owned()).filter(|n| !n.is_empty()));
            day += Duration::days(1);
        }
        covers = Some(match covers {
            None => (first, last),
            Some((a, b)) => (a.min(first), b.max(last)),
        });
    }
    let covers = covers.ok_or_else(|| {
        bad(
            2,
            Some((academies.index, "académies")),
            format!("no row for the académie {academy}"),
        )
    })?;
    Ok(HolidayFile {
        format: "school-calendar",
        kind: SCHOOL_HOLIDAY,
        days,
        covers,
    })
}

/// Merges `span` into `spans` (inclusive, adjacent spans joined).
fn merge(
    spans: &[(NaiveDate, NaiveDate)],
    span: (NaiveDate, NaiveDate),
) -> Vec<(NaiveDate, NaiveDate)> {
    let mut all: Vec<_> = spans.iter().copied().chain([span]).collect();
    all.sort();
    let mut out: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for (a, b) in all {
        match out.last_mut() {
            Some(last) if a <= last.1 + Duration::days(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Writes the file's holidays over the span it covers: adds the missing ones,
/// renames, removes the stored ones the file does not have, and records the span.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    file: &HolidayFile,
    progress: &(dyn Progress + Sync),
) -> ApiResult<ImportReport> {
    let mut report = ImportReport::new("holidays", file.format, file.days.len());
    progress.stage("storing holidays");
    let (first, last) = file.covers;
    let stored: BTreeMap<NaiveDate, Option<String>> = holiday::Entity::find()
        .filter(holiday::Column::Kind.eq(file.kind))
        .filter(holiday::Column::Day.between(first, last))
        .all(db)
        .await?
        .into_iter()
        .map(|h| (h.day, h.name))
        .collect();
    let gone: Vec<NaiveDate> = stored
        .keys()
        .filter(|d| !file.days.contains_key(d))
        .copied()
        .collect();
    for chunk in gone.chunks(CHUNK) {
        holiday::Entity::delete_many()
            .filter(holiday::Column::Kind.eq(file.kind))
            .filter(holiday::Column::Day.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    report.removed = gone.len();
    let mut added = Vec::new();
    for (day, name) in &file.days {
        let row = holiday::ActiveModel {
            day: Set(*day),
            kind: Set(file.kind.to_owned()),
            name: Set(name.clone()),
        };
        match stored.get(day) {
            None => added.push(row),
            Some(old) if old == name => report.unchanged += 1,
            Some(_) => {
                holiday::Entity::update(row).exec(db).await?;
                report.updated += 1;
            }
        }
    }
    report.added = added.len();
    let total = added.len() as u64;
    let mut done = 0;
    let mut rows = added.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
        done += chunk.len() as u64;
        holiday::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
        progress.rows(done, total);
    }
    let spans: Vec<(NaiveDate, NaiveDate)> = calendar_coverage::Entity::find()
        .filter(calendar_coverage::Column::Kind.eq(file.kind))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.first_day, c.last_day))
        .collect();
    let merged = merge(&spans, file.covers);
    let mut sorted = spans.clone();
    sorted.sort();
    if merged != sorted {
        calendar_coverage::Entity::delete_many()
            .filter(calendar_coverage::Column::Kind.eq(file.kind))
            .exec(db)
            .await?;
        calendar_coverage::Entity::insert_many(merged.iter().map(|(a, b)| {
            calendar_coverage::ActiveModel {
                kind: Set(file.kind.to_owned()),
                first_day: Set(*a),
                last_day: Set(*b),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(report)
}

/// Imports a holiday file (its bytes, gzipped or not) as one audited change.
pub async fn import(
    db: &DatabaseConnection,
    change: Change<'_>,
    bytes: &[u8],
    academy: &str,
    progress: &(dyn Progress + Sync),
) -> ApiResult<ImportReport> {
    progress.stage("reading holiday file");
    let file = parse(&super::decode(bytes)?, academy)?;
    let work = change.begin(db).await?;
    let report = store(work.txn(), &file, progress).await?;
    work.commit_with_summary(report.written() as i64, Some(report.summary()))
        .await?;
    Ok(report)
}

/// The days each holiday kind's imports cover.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    spans: BTreeMap<String, Vec<(NaiveDate, NaiveDate)>>,
}

impl Coverage {
    /// Loads the covered spans.
    pub async fn load<C: ConnectionTrait>(db: &C) -> ApiResult<Self> {
        let mut spans: BTreeMap<String, Vec<(NaiveDate, NaiveDate)>> = BTreeMap::new();
        for row in calendar_coverage::Entity::find().all(db).await? {
            spans
                .entry(row.kind)
                .or_default()
                .push((row.first_day, row.last_day));
        }
        Ok(Coverage { spans })
    }

    /// Whether an import of `kind` covers `day`.
    pub fn covers(&self, kind: &str, day: NaiveDate) -> bool {
        self.spans
            .get(kind)
            .is_some_and(|s| s.iter().any(|(a, b)| (*a..=*b).contains(&day)))
    }

    /// Whether anything of `kind` is imported.
    pub fn any(&self, kind: &str) -> bool {
        self.spans.get(kind).is_some_and(|s| !s.is_empty())
    }
}

/// Everything imported, as the history generator takes it.
#[derive(Debug, Default)]
pub struct ImportedCalendar {
    /// Observed weather by day (an unknown value read as the neutral day's).
    pub weather: BTreeMap<NaiveDate, DayWeather>,
    /// Public holidays, when imported: imported on covered days, computed elsewhere.
    pub public_holidays: Option<BTreeSet<NaiveDate>>,
    /// School holidays of zone B, likewise.
    pub school_holidays: Option<BTreeSet<NaiveDate>>,
}

/// Loads the imported calendar for the years `first_year..=last_year`. A holiday
/// series is given when any of its days is imported: the covered days come from the
/// imports, the others from the computed calendar.
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
    let coverage = Coverage::load(db).await?;
    let rows = holiday::Entity::find().all(db).await?;
    let series = |kind: &str, computed: fn(i32) -> BTreeSet<NaiveDate>| {
        if !coverage.any(kind) {
            return None;
        }
        let mut days: BTreeSet<NaiveDate> = rows
            .iter()
            .filter(|r| r.kind == kind && coverage.covers(kind, r.day))
            .map(|r| r.day)
            .collect();
        for year in first_year..=last_year {
            days.extend(
                computed(year)
                    .into_iter()
                    .filter(|d| !coverage.covers(kind, *d)),
            );
        }
        Some(days)
    };
    Ok(ImportedCalendar {
        weather,
        public_holidays: series(PUBLIC_HOLIDAY, calendar::public_holidays),
        school_holidays: series(SCHOOL_HOLIDAY, calendar::school_holidays),
    })
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
