//! Events agendas: a CSV table (columns in the README) or an iCalendar file
//! ([`super::ics`]), the format recognised from the text. Each event is placed at a
//! venue (its name or code, accents and case aside), in a zone (code or name), or
//! in the zone whose outline contains its coordinates.
//!
//! Each event has a key in the agenda it came from, stored with it: `csv:<id>`
//! (`csv:<title>@<start>` without an id column), `ics:<UID>`, and
//! `ics:<UID>/<start in UTC>` for each occurrence of a recurrence. Importing the
//! same agenda again updates the events whose values changed, leaves the others
//! and adds none twice; events missing from a later file are left as they are.
//! Added and changed events are scored as a created event is.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use entity::enums::{EventCategory, EventStatus, PublicProfile};
use entity::{event, venue, zone};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter,
};

use super::file::{Column, Table, bad};
use super::zones::Locator;
use super::{ImportReport, ics};
use crate::error::{ApiError, ApiResult};
use crate::services::scoring::models::Progress;
use crate::services::work::Change;

/// Days of recurrences expanded from the window's first day, by default.
pub const DEFAULT_WINDOW_DAYS: u32 = 90;
/// Longest window of recurrences, in days.
pub const MAX_WINDOW_DAYS: u32 = 366;
/// How the public behaves when the agenda does not say (DPS grid P2 0.30).
pub const DEFAULT_PUBLIC_PROFILE: PublicProfile = PublicProfile::Standing;
/// Longest event, in days (as `createEvent`).
const MAX_EVENT_DAYS: i64 = 31;
/// Largest attendance (as `createEvent`).
const MAX_ATTENDANCE: i64 = 2_000_000;
/// Longest title or organizer.
const MAX_TEXT: usize = 200;

/// Which occurrences of recurring events are imported, and the attendance of
/// events whose agenda gives none.
#[derive(Debug, Clone)]
pub struct EventWindow {
    /// First day (Europe/Paris) of the occurrences kept.
    pub from: NaiveDate,
    /// Number of days.
    pub days: u32,
    /// Attendance of an event that gives none; without it such an event is refused.
    pub default_attendance: Option<i64>,
}

impl EventWindow {
    /// The window of [`DEFAULT_WINDOW_DAYS`] from today.
    pub fn from_today() -> Self {
        EventWindow {
            from: crate::time::paris_today(Utc::now()),
            days: DEFAULT_WINDOW_DAYS,
            default_attendance: None,
        }
    }

    /// The window's UTC range.
    pub fn range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        crate::time::paris_range(self.from, self.days)
    }

    fn check(&self) -> ApiResult<()> {
        if !(1..=MAX_WINDOW_DAYS).contains(&self.days) {
            return Err(ApiError::bad_input(
                "days",
                format!("the window has 1 to {MAX_WINDOW_DAYS} days"),
            ));
        }
        if self
            .default_attendance
            .is_some_and(|a| !(0..=MAX_ATTENDANCE).contains(&a))
        {
            return Err(ApiError::bad_input(
                "defaultAttendance",
                format!("between 0 and {MAX_ATTENDANCE}"),
            ));
        }
        Ok(())
    }
}

/// What an event is, as the agenda says.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    /// Title.
    pub title: String,
    /// Category (`other` when the agenda's matches none).
    pub category: EventCategory,
    /// Expected attendance.
    pub attendance: i64,
    /// Organizer's name.
    pub organizer: Option<String>,
    /// Public profile, when given.
    pub public_profile: Option<PublicProfile>,
    /// Alcohol served, when given.
    pub alcohol: Option<bool>,
    /// Status, when given.
    pub status: Option<EventStatus>,
}

/// Where an event is, as the agenda says, and where the file says it.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// Line of the place.
    pub line: u64,
    /// Column of the place (CSV).
    pub column: Option<(usize, String)>,
    /// Venue name or code (an iCalendar `LOCATION`, a CSV `venue`).
    pub venue: Option<String>,
    /// Whether the venue must be found (a CSV `venue`); a `LOCATION` that names no
    /// venue falls back to a zone or the coordinates.
    pub venue_exact: bool,
    /// Zone code or name.
    pub zone: Option<String>,
    /// Coordinates (longitude, latitude).
    pub point: Option<(f64, f64)>,
}

/// One event (or one occurrence) read from an agenda.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// Line of the event (its row, or its `BEGIN:VEVENT`).
    pub line: u64,
    /// Key in the agenda.
    pub key: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Series key (the recurrence's `ics:<UID>`; a CSV `series`).
    pub series: Option<String>,
    /// What it is.
    pub fields: Fields,
    /// Where it is.
    pub located: Located,
}

/// An agenda read whole.
#[derive(Debug, Clone)]
pub struct EventFile {
    /// `csv` or `icalendar`.
    pub format: &'static str,
    /// Its events, by start.
    pub events: Vec<EventRecord>,
}

/// Lower-case text without accents, its words joined by single spaces.
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let plain: String = text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A category by its value (`concert`, `football_match`) or a common name in
/// English or French (`match`, `marché`, `manifestation`...).
pub fn category(text: &str) -> Option<EventCategory> {
    let folded = fold(text).replace(' ', "_");
    if let Ok(c) = EventCategory::try_from_value(&folded) {
        return Some(c);
    }
    Some(match folded.as_str() {
        "football" | "match" | "match_de_football" | "soccer" => EventCategory::FootballMatch,
        "concerts" | "musique" | "music" => EventCategory::Concert,
        "festivals" => EventCategory::Festival,
        "marche" | "marches" | "markets" | "brocante" | "foire" | "fair" => EventCategory::Market,
        "manifestation" | "rassemblement" | "protest" => EventCategory::Demonstration,
        "visite_officielle" => EventCategory::OfficialVisit,
        "culture" | "culturel" | "exposition" | "theatre" | "spectacle" => EventCategory::Cultural,
        "sport" | "sportif" | "course" | "marathon" => EventCategory::Sports,
        "nautique" | "regate" | "voile" => EventCategory::Nautical,
        "religieux" | "religion" => EventCategory::Religious,
        "autre" => EventCategory::Other,
        _ => return None,
    })
}

/// A public profile by its value (`standing_dynamic`).
pub fn public_profile(text: &str) -> Option<PublicProfile> {
    PublicProfile::try_from_value(&fold(text).replace(' ', "_")).ok()
}

/// `true`/`false`, `yes`/`no`, `oui`/`non`, `1`/`0`.
pub fn yes_no(text: &str) -> Option<bool> {
    match fold(text).as_str() {
        "true" | "yes" | "oui" | "1" | "y" | "o" => Some(true),
        "false" | "no" | "non" | "0" | "n" | "" => Some(false),
        _ => None,
    }
}

/// Checks what every event must be (as `createEvent` does), naming its line.
fn check(record: &EventRecord) -> ApiResult<()> {
    let line = record.line;
    let f = &record.fields;
    if f.title.trim().is_empty() || f.title.chars().count() > MAX_TEXT {
        return Err(bad(
            line,
            None,
            format!("a title of 1 to {MAX_TEXT} characters is needed"),
        ));
    }
    if record.ends_at <= record.starts_at {
        return Err(bad(line, None, "the end is not after the start"));
    }
    if record.ends_at - record.starts_at > chrono::Duration::days(MAX_EVENT_DAYS) {
        return Err(bad(
            line,
            None,
            format!("an event lasts at most {MAX_EVENT_DAYS} days"),
        ));
    }
    if !(0..=MAX_ATTENDANCE).contains(&f.attendance) {
        return Err(bad(
            line,
            None,
            format!("the expected attendance is between 0 and {MAX_ATTENDANCE}"),
        ));
    }
    if f.organizer
        .as_deref()
        .is_some_and(|o| o.chars().count() > MAX_TEXT)
    {
        return Err(bad(
            line,
            None,
            format!("an organizer has at most {MAX_TEXT} characters"),
        ));
    }
    if record.key.len() > 255
        || record
            .series
            .as_deref()
            .is_some_and(|s| s.chars().count() > MAX_TEXT)
    {
        return Err(bad(
            line,
            None,
            "the event's id is longer than 200 characters",
        ));
    }
    Ok(())
}

/// Reads an agenda whole, iCalendar or CSV as the text shows; the first error
/// refuses it, naming the line (and the column of a CSV).
pub fn parse(text: &str, window: &EventWindow) -> ApiResult<EventFile> {
    window.check()?;
    let (format, events) = if ics::is_calendar(text) {
        ("icalendar", ics::parse(text, window)?)
    } else {
        ("csv", parse_csv(text, window)?)
    };
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for record in &events {
        check(record)?;
        if let Some(first) = seen.insert(&record.key, record.line) {
            return Err(bad(
                record.line,
                None,
                format!("the same event as line {first}"),
            ));
        }
    }
    Ok(EventFile { format, events })
}

/// A start or end cell: RFC 3339 (`2026-06-14T20:00:00+02:00`, `...Z`), a local
/// time in Europe/Paris (`2026-06-14 20:00`, `2026-06-14T20:00:00`), or a day
/// (`2026-06-14`: the day's start; as an end, the next day's start).
fn instant(
    column: &Column,
    line: u64,
    record: &csv::StringRecord,
    end: bool,
) -> ApiResult<DateTime<Utc>> {
    let text = column.cell(record).trim();
    let refuse = || {
        column.bad(
            line,
            "not a date-time (2026-06-14T20:00:00+02:00, 2026-06-14 20:00 in Paris time, or 2026-06-14)",
        )
    };
    let in_range = |d: NaiveDate| (1900..=2199).contains(&chrono::Datelike::year(&d));
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc))
            .filter(|a| in_range(a.date_naive()))
            .ok_or_else(refuse);
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            if !in_range(local.date()) {
                return Err(refuse());
            }
            return Ok(crate::time::paris_local_to_utc(local));
        }
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| in_range(*d))
        .ok_or_else(refuse)?;
    let day = if end {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(crate::time::paris_local_to_utc(
        day.and_time(NaiveTime::MIN),
    ))
}

fn parse_csv(text: &str, window: &EventWindow) -> ApiResult<Vec<EventRecord>> {
    let table = Table::read(text)?;
    let id = table.optional(&["id", "uid", "identifiant"]);
    let title = table.column(&["title", "titre", "summary"])?;
    let category_col = table.optional(&["category", "categorie", "catégorie"]);
    let starts = table.column(&["starts_at", "start", "debut", "début"])?;
    let ends = table.column(&["ends_at", "end", "fin"])?;
    let attendance = table.optional(&["expected_attendance", "attendance", "affluence"]);
    let venue_col = table.optional(&["venue", "lieu"]);
    let zone_col = table.optional(&["zone"]);
    let lat = table.optional(&["latitude", "lat"]);
    let lon = table.optional(&["longitude", "lon", "lng"]);
    let organizer = table.optional(&["organizer", "organisateur"]);
    let profile = table.optional(&["public_profile", "profile"]);
    let alcohol = table.optional(&["alcohol", "alcool"]);
    let status = table.optional(&["status", "statut"]);
    let series = table.optional(&["series", "serie"]);
    if lat.is_some() != lon.is_some() {
        return Err(bad(1, None, "latitude and longitude columns go together"));
    }
    if venue_col.is_none() && zone_col.is_none() && lat.is_none() {
        return Err(bad(
            1,
            None,
            "no column venue, zone or latitude/longitude (is the separator right?)",
        ));
    }
    let cell = |c: &Option<Column>, r: &csv::StringRecord| {
        c.as_ref()
            .map(|c| c.cell(r).trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut out = Vec::with_capacity(table.rows.len());
    for (line, record) in &table.rows {
        let line = *line;
        let title_text = title.cell(record).trim().to_owned();
        if title_text.is_empty() {
            return Err(title.bad(line, "a title is needed"));
        }
        let category = match (&category_col, cell(&category_col, record)) {
            (Some(c), Some(v)) => category(&v).ok_or_else(|| {
                c.bad(
                    line,
                    "not a category (concert, festival, market, sports, other...)",
                )
            })?,
            _ => EventCategory::Other,
        };
        let starts_at = instant(&starts, line, record, false)?;
        let ends_at = instant(&ends, line, record, true)?;
        let attendance = match (&attendance, cell(&attendance, record)) {
            (Some(c), Some(v)) => v
                .replace([' ', '\u{a0}', '\u{202f}'], "")
                .parse::<i64>()
                .map_err(|_| c.bad(line, "not a whole number"))?,
            (c, _) => window.default_attendance.ok_or_else(|| match c {
                Some(c) => c.bad(line, "no attendance and no default attendance given"),
                None => bad(
                    1,
                    None,
                    "no column expected_attendance and no default attendance given",
                ),
            })?,
        };
        let point = match (&lat, &lon) {
            (Some(la), Some(lo)) => match (la.number(line, record)?, lo.number(line, record)?) {
                (Some(y), Some(x)) => {
                    if !(-90.0..=90.0).contains(&y) {
                        return Err(la.bad(line, "not a latitude"));
                    }
                    if !(-180.0..=180.0).contains(&x) {
                        return Err(lo.bad(line, "not a longitude"));
                    }
                    Some((x, y))
                }
                (None, None) => None,
                _ => return Err(la.bad(line, "latitude and longitude go together")),
            },
            _ => None,
        };
        let public_profile = match (&profile, cell(&profile, record)) {
            (Some(c), Some(v)) => Some(public_profile(&v).ok_or_else(|| {
                c.bad(
                    line,
                    "seated, standing, standing_static or standing_dynamic",
                )
            })?),
            _ => None,
        };
        let alcohol = match (&alcohol, cell(&alcohol, record)) {
            (Some(c), Some(v)) => Some(yes_no(&v).ok_or_else(|| c.bad(line, "true or false"))?),
            _ => None,
        };
        let status = match (&status, cell(&status, record)) {
            (Some(c), Some(v)) => Some(
                EventStatus::try_from_value(&fold(&v).replace(' ', "_")).map_err(|_| {
                    c.bad(line, "planned, confirmed, postponed, moved or cancelled")
                })?,
            ),
            _ => None,
        };
        let key = match (&id, cell(&id, record)) {
            (Some(_), Some(v)) => format!("csv:{v}"),
            (Some(c), None) => return Err(c.bad(line, "an id is needed in every row")),
            (None, _) => format!(
                "csv:{}@{}",
                super::zones::slug(&title_text),
                starts_at.format("%Y%m%dT%H%M%SZ")
            ),
        };
        let given = |c: &Option<Column>| {
            c.as_ref()
                .filter(|c| !c.cell(record).trim().is_empty())
                .cloned()
        };
        let place_column = given(&venue_col)
            .or_else(|| given(&zone_col))
            .or_else(|| lat.clone())
            .or_else(|| zone_col.clone())
            .or_else(|| venue_col.clone())
            .map(|c| (c.index, c.name));
        out.push(EventRecord {
            line,
            key,
            starts_at,
            ends_at,
            series: cell(&series, record),
            fields: Fields {
                title: title_text,
                category,
                attendance,
                organizer: cell(&organizer, record),
                public_profile,
                alcohol,
                status,
            },
            located: Located {
                line,
                column: place_column,
                venue: cell(&venue_col, record),
                venue_exact: true,
                zone: cell(&zone_col, record),
                point,
            },
        });
    }
    if out.is_empty() {
        return Err(bad(2, None, "no event"));
    }
    out.sort_by_key(|r| (r.starts_at, r.key.clone()));
    Ok(out)
}

/// The venues and zones events are placed in.
pub struct Places {
    venues: HashMap<String, (i64, i64)>,
    zones: HashMap<String, i64>,
    locator: Locator,
}

impl Places {
    /// Places from venues, zones and the zones' outlines.
    pub fn new(venues: &[venue::Model], zones: &[zone::Model]) -> Self {
        let mut by_name = HashMap::new();
        for v in venues {
            by_name.insert(fold(&v.code), (v.id, v.zone_id));
            by_name.insert(fold(&v.name), (v.id, v.zone_id));
        }
        let mut zone_names = HashMap::new();
        for z in zones {
            zone_names.insert(fold(&z.name), z.id);
            zone_names.insert(fold(&z.code), z.id);
        }
        Places {
            venues: by_name,
            zones: zone_names,
            locator: Locator::from_zones(zones),
        }
    }

    /// Places as stored.
    pub async fn load<C: ConnectionTrait>(db: &C) -> ApiResult<Self> {
        let venues = venue::Entity::find().all(db).await?;
        // With their outlines: the locator places coordinates in them.
        let zones = zone::Entity::find().all(db).await?;
        Ok(Places::new(&venues, &zones))
    }

    /// The venue named by the text: its whole text, or its first part before a
    /// comma (`Orange Vélodrome, 3 boulevard Michelet`).
    fn venue(&self, text: &str) -> Option<(i64, i64)> {
        let heads = [",", " - ", "("].map(|sep| text.split(sep).next().unwrap_or(text));
        std::iter::once(text)
            .chain(heads)
            .find_map(|candidate| self.venues.get(&fold(candidate)).copied())
    }

    /// The venue (if any) and zone of an event: its venue, else its zone, else the
    /// zone containing its coordinates.
    pub fn place(&self, at: &Located) -> ApiResult<(Option<i64>, i64)> {
        let refuse = |message: &str| match &at.column {
            Some((index, name)) => bad(at.line, Some((*index, name)), message),
            None => bad(at.line, None, message),
        };
        if let Some(text) = &at.venue {
            match self.venue(text) {
                Some((venue, zone)) => return Ok((Some(venue), zone)),
                None if at.venue_exact => {
                    return Err(refuse("no venue of that name or code"));
                }
                None => {
                    if let Some(zone) = self.zones.get(&fold(text)) {
                        return Ok((None, *zone));
                    }
                }
            }
        }
        if let Some(text) = &at.zone {
            return match self.zones.get(&fold(text)) {
                Some(zone) => Ok((None, *zone)),
                None => Err(refuse("no zone of that code or name")),
            };
        }
        match at.point {
            Some((lon, lat)) => self
                .locator
                .zone_of(lon, lat)
                .map(|zone| (None, zone))
                .ok_or_else(|| refuse("the coordinates are in no imported zone outline")),
            None => Err(refuse(
                "the event names no known venue or zone and has no coordinates",
            )),
        }
    }
}

/// The stored row an event would have.
fn row(
    record: &EventRecord,
    venue_id: Option<i64>,
    zone_id: i64,
    old: Option<&event::Model>,
) -> event::Model {
    let now = Utc::now();
    let f = &record.fields;
    event::Model {
        id: old.map_or(0, |o| o.id),
        title: f.title.trim().to_owned(),
        category: f.category,
        venue_id,
        zone_id,
        starts_at: record.starts_at,
        ends_at: record.ends_at,
        expected_attendance: f.attendance,
        organizer: f
            .organizer
            .as_deref()
            .map(|o| crate::services::text::redact(o.trim()))
            .filter(|o| !o.is_empty()),
        public_profile: f
            .public_profile
            .or(old.map(|o| o.public_profile))
            .unwrap_or(DEFAULT_PUBLIC_PROFILE),
        alcohol: f.alcohol.or(old.map(|o| o.alcohol)).unwrap_or(false),
        status: f
            .status
            .or(old.map(|o| o.status))
            .unwrap_or(EventStatus::Planned),
        status_reason: old.and_then(|o| o.status_reason.clone()),
        series: record.series.clone(),
        source_id: old.and_then(|o| o.source_id),
        access_class_override: old.and_then(|o| o.access_class_override),
        rescue_delay_override_min: old.and_then(|o| o.rescue_delay_override_min),
        external_key: Some(record.key.clone()),
        created_at: old.map_or(now, |o| o.created_at),
        updated_at: old.map_or(now, |o| o.updated_at),
    }
}

fn active(model: &event::Model, insert: bool) -> event::ActiveModel {
    let mut row = event::ActiveModel {
        title: Set(model.title.clone()),
        category: Set(model.category),
        venue_id: Set(model.venue_id),
        zone_id: Set(model.zone_id),
        starts_at: Set(model.starts_at),
        ends_at: Set(model.ends_at),
        expected_attendance: Set(model.expected_attendance),
        organizer: Set(model.organizer.clone()),
        public_profile: Set(model.public_profile),
        alcohol: Set(model.alcohol),
        status: Set(model.status),
        series: Set(model.series.clone()),
        external_key: Set(model.external_key.clone()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if insert {
        row.status_reason = Set(None);
        row.source_id = Set(None);
        row.created_at = Set(model.created_at);
    } else {
        row.id = Set(model.id);
    }
    row
}

/// Places every event (refusing the file, by line, before anything is written),
/// then writes those that differ from what is stored and scores them.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    file: &EventFile,
    progress: &(dyn Progress + Sync),
) -> ApiResult<ImportReport> {
    let mut report = ImportReport::new("events", file.format, file.events.len());
    progress.stage("placing events");
    let places = Places::load(db).await?;
    let placed = file
        .events
        .iter()
        .map(|r| places.place(&r.located).map(|(v, z)| (r, v, z)))
        .collect::<ApiResult<Vec<_>>>()?;
    progress.stage("storing events");
    let stored: HashMap<String, event::Model> = event::Entity::find()
        .filter(event::Column::ExternalKey.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|e| e.external_key.clone().map(|k| (k, e)))
        .collect();
    let total = placed.len() as u64;
    let mut changed = Vec::new();
    for (done, (record, venue_id, zone_id)) in placed.into_iter().enumerate() {
        let old = stored.get(&record.key);
        let next = row(record, venue_id, zone_id, old);
        match old {
            Some(old) if *old == next => report.unchanged += 1,
            Some(_) => {
                changed.push(event::Entity::update(active(&next, false)).exec(db).await?);
                report.updated += 1;
            }
            None => {
                changed.push(active(&next, true).insert(db).await?);
                report.added += 1;
            }
        }
        progress.rows(done as u64 + 1, total);
    }
    progress.stage("scoring imported events");
    crate::services::scoring::refresh_events(db, &changed, "events imported").await?;
    Ok(report)
}

/// Imports an agenda as one audited change.
pub async fn import(
    db: &DatabaseConnection,
    change: Change<'_>,
    bytes: &[u8],
    window: &EventWindow,
    progress: &(dyn Progress + Sync),
) -> ApiResult<ImportReport> {
    progress.stage("reading the agenda");
    let file = parse(&super::decode(bytes)?, window)?;
    let work = change.begin(db).await?;
    let report = store(work.txn(), &file, progress).await?;
    work.commit_with_summary(report.written() as i64, Some(report.summary()))
        .await?;
    Ok(report)
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
