//! Transit stops from a GTFS feed (`stops.txt`, `routes.txt`, `stop_times.txt`, and
//! `trips.txt` when the feed has it): each platform with the lines that serve it and
//! its departures per hour in its busiest hour, which the mobility field reads.
//!
//! A trip's line is taken from `trips.txt`; a feed without it (the RTM metro
//! extract) names the line in its trip ids (`..._01M1HSA0101` is a trip of M1): the
//! one route whose short name appears in the trip id. The peak frequency is counted
//! from the feed where it has at least [`MIN_TRIPS_FOR_FEED`] departures of a line
//! from the stop in one hour; otherwise it is the line's documented default for its
//! mode ([`default_trips_per_hour`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use entity::transit_stop;
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};

use super::file::{Table, bad};
use super::{CHUNK, ImportReport};
use crate::error::{ApiError, ApiResult};
use crate::services::scoring::models::Progress;
use crate::services::work::Change;

/// Departures of a line from a stop in one hour from which the feed's count is
/// trusted (a departure every quarter hour): fewer means the feed is an extract
/// without the full timetable (the RTM metro extract has one trip per direction).
pub const MIN_TRIPS_FOR_FEED: usize = 4;

/// Peak departures per hour and direction assumed for a line whose trips the feed
/// does not give, by GTFS `route_type`: metro every 4 minutes (RTM's peak headway
/// on M1 and M2), tram every 6, rail every 15, bus and others every 12.
pub fn default_trips_per_hour(route_type: u32) -> f64 {
    match route_type {
        1 => 15.0,
        0 => 10.0,
        2 => 4.0,
        _ => 5.0,
    }
}

/// The files of a feed, as text.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    /// `stops.txt`.
    pub stops: String,
    /// `routes.txt`.
    pub routes: String,
    /// `stop_times.txt`.
    pub stop_times: String,
    /// `trips.txt`, when the feed has it.
    pub trips: Option<String>,
}

/// One stop as imported.
#[derive(Debug, Clone, PartialEq)]
pub struct StopRecord {
    /// `stop_id`.
    pub code: String,
    /// `stop_name`.
    pub name: String,
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
    /// Lines serving it, sorted.
    pub lines: Vec<String>,
    /// Departures per hour in its busiest hour.
    pub peak_trips_per_hour: f64,
    /// Whether counted from the feed.
    pub from_feed: bool,
}

fn in_file(name: &str, error: ApiError) -> ApiError {
    match error {
        ApiError::BadUserInput { path, message } => {
            ApiError::bad_input(path, format!("{name}, {message}"))
        }
        other => other,
    }
}

struct Route {
    short: String,
    kind: u32,
}

/// Parses a feed whole; the first error refuses it, naming the file, line and column.
pub fn parse(feed: &Feed) -> ApiResult<Vec<StopRecord>> {
    let routes = parse_routes(&feed.routes).map_err(|e| in_file("routes.txt", e))?;
    let trips = match &feed.trips {
        Some(text) => Some(parse_trips(text, &routes).map_err(|e| in_file("trips.txt", e))?),
        None => None,
    };
    let stops = parse_stops(&feed.stops).map_err(|e| in_file("stops.txt", e))?;
    // (stop, route) -> departures by hour.
    let mut departures: HashMap<(String, String), BTreeMap<u32, usize>> = HashMap::new();
    {
        let table = Table::read(&feed.stop_times).map_err(|e| in_file("stop_times.txt", e))?;
        let wrap = |e| in_file("stop_times.txt", e);
        let trip = table.column(&["trip_id"]).map_err(wrap)?;
        let stop = table.column(&["stop_id"]).map_err(wrap)?;
        let time = table
            .column(&["departure_time", "arrival_time"])
            .map_err(wrap)?;
        for (line, record) in &table.rows {
            let trip_id = trip.cell(record);
            let route = match &trips {
                Some(trips) => trips.get(trip_id).cloned(),
                None => {
                    let found: Vec<&String> = routes
                        .iter()
                        .filter(|(_, r)| !r.short.is_empty() && trip_id.contains(&r.short))
                        .map(|(id, _)| id)
                        .collect();
                    (found.len() == 1).then(|| found[0].clone())
                }
            }
            .ok_or_else(|| wrap(trip.bad(*line, "a trip of no known route")))?;
            let stop_id = stop.cell(record);
            if !stops.contains_key(stop_id) {
                return Err(wrap(stop.bad(*line, "a stop not in stops.txt")));
            }
            let hour = time
                .cell(record)
                .split(':')
                .next()
                .and_then(|h| h.parse::<u32>().ok())
                .filter(|_| time.cell(record).len() >= 7)
                .ok_or_else(|| wrap(time.bad(*line, "not a time (HH:MM:SS)")))?;
            *departures
                .entry((stop_id.to_owned(), route))
                .or_default()
                .entry(hour)
                .or_default() += 1;
        }
    }
    let mut by_stop: HashMap<&str, Vec<(&String, usize)>> = HashMap::new();
    for ((stop, route), hours) in &departures {
        let peak = hours.values().copied().max().unwrap_or(0);
        by_stop
            .entry(stop.as_str())
            .or_default()
            .push((route, peak));
    }
    let mut out = Vec::with_capacity(stops.len());
    for (code, (name, latitude, longitude)) in stops {
        let served = by_stop.get(code.as_str()).cloned().unwrap_or_default();
        let mut lines = BTreeSet::new();
        let mut peak = 0.0;
        let mut from_feed = !served.is_empty();
        for (route, trips) in served {
            let route = &routes[route];
            lines.insert(route.short.clone());
            if trips >= MIN_TRIPS_FOR_FEED {
                peak += trips as f64;
            } else {
                peak += default_trips_per_hour(route.kind);
                from_feed = false;
            }
        }
        out.push(StopRecord {
            code,
            name,
            latitude,
            longitude,
            lines: lines.into_iter().collect(),
            peak_trips_per_hour: peak,
            from_feed,
        });
    }
    Ok(out)
}

fn parse_routes(text: &str) -> ApiResult<BTreeMap<String, Route>> {
    let table = Table::read(text)?;
    let id = table.column(&["route_id"])?;
    let short = table.column(&["route_short_name"])?;
    let kind = table.column(&["route_type"])?;
    let mut routes = BTreeMap::new();
    for (line, record) in &table.rows {
        let route_type = kind
            .cell(record)
            .parse::<u32>()
            .map_err(|_| kind.bad(*line, "not a route type"))?;
        let route = Route {
            short: short.cell(record).to_owned(),
            kind: route_type,
        };
        if routes.insert(id.cell(record).to_owned(), route).is_some() {
            return Err(id.bad(*line, "the same route twice"));
        }
    }
    Ok(routes)
}

fn parse_trips(text: &str, routes: &BTreeMap<String, Route>) -> ApiResult<HashMap<String, String>> {
    let table = Table::read(text)?;
    let trip = table.column(&["trip_id"])?;
    let route = table.column(&["route_id"])?;
    let mut trips = HashMap::new();
    for (line, record) in &table.rows {
        let route_id = route.cell(record);
        if !routes.contains_key(route_id) {
            return Err(route.bad(*line, "a route not in routes.txt"));
        }
        trips.insert(trip.cell(record).to_owned(), route_id.to_owned());
    }
    Ok(trips)
}

type Stop = (String, f64, f64);

fn parse_stops(text: &str) -> ApiResult<BTreeMap<String, Stop>> {
    let table = Table::read(text)?;
    let id = table.column(&["stop_id"])?;
    let name = table.column(&["stop_name"])?;
    let lat = table.column(&["stop_lat"])?;
    let lon = table.column(&["stop_lon"])?;
    let kind = table.optional(&["location_type"]);
    let mut stops = BTreeMap::new();
    for (line, record) in &table.rows {
        let line = *line;
        // Stations, entrances and nodes are not where trips stop.
        if kind
            .as_ref()
            .is_some_and(|k| !matches!(k.cell(record), "" | "0"))
        {
            continue;
        }
        let latitude = lat
            .number(line, record)?
            .filter(|v| (-90.0..=90.0).contains(v))
            .ok_or_else(|| lat.bad(line, "not a latitude"))?;
        let longitude = lon
            .number(line, record)?
            .filter(|v| (-180.0..=180.0).contains(v))
            .ok_or_else(|| lon.bad(line, "not a longitude"))?;
        let code = id.cell(record);
        if code.is_empty() || code.len() > 64 {
            return Err(id.bad(line, "a stop id of 1 to 64 characters is needed"));
        }
        let stop_name: String = name.cell(record).chars().take(200).collect();
        if stops
            .insert(code.to_owned(), (stop_name, latitude, longitude))
            .is_some()
        {
            return Err(id.bad(line, "the same stop twice"));
        }
    }
    if stops.is_empty() {
        return Err(bad(2, None, "no stop"));
    }
    Ok(stops)
}

fn active(stop: &StopRecord, zone_id: Option<i64>) -> transit_stop::ActiveModel {
    transit_stop::ActiveModel {
        code: Set(stop.code.clone()),
        name: Set(stop.name.clone()),
        latitude: Set(stop.latitude),
        longitude: Set(stop.longitude),
        lines: Set(stop.lines.join(",")),
        peak_trips_per_hour: Set(stop.peak_trips_per_hour),
        frequency_from_feed: Set(stop.from_feed),
        zone_id: Set(zone_id),
    }
}

/// Writes the stops that differ from what is stored; stops of other feeds stay.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    stops: &[StopRecord],
    progress: &(dyn Progress + Sync),
) -> ApiResult<ImportReport> {
    let mut report = ImportReport::new("transit stops", "gtfs", stops.len());
    progress.stage("storing transit stops");
    let places = super::zones::Locator::load(db).await?;
    let stored: HashMap<String, transit_stop::Model> = transit_stop::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let mut added = Vec::new();
    for stop in stops {
        let zone_id = places.zone_of(stop.longitude, stop.latitude);
        let row = active(stop, zone_id);
        match stored.get(&stop.code) {
            None => added.push(row),
            Some(old)
                if old.name == stop.name
                    && old.latitude == stop.latitude
                    && old.longitude == stop.longitude
                    && old.lines == stop.lines.join(",")
                    && old.peak_trips_per_hour == stop.peak_trips_per_hour
                    && old.frequency_from_feed == stop.from_feed
                    && old.zone_id == zone_id =>
            {
                report.unchanged += 1;
            }
            Some(_) => {
                transit_stop::Entity::update(row).exec(db).await?;
                report.updated += 1;
            }
        }
    }
    report.added = added.len();
    for chunk in added.chunks(CHUNK) {
        transit_stop::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    progress.rows(stops.len() as u64, stops.len() as u64);
    Ok(report)
}

/// Imports a feed as one audited change.
pub async fn import(
    db: &DatabaseConnection,
    change: Change<'_>,
    feed: &Feed,
    progress: &(dyn Progress + Sync),
) -> ApiResult<ImportReport> {
    progress.stage("reading the feed");
    let stops = parse(feed)?;
    let work = change.begin(db).await?;
    let report = store(work.txn(), &stops, progress).await?;
    work.commit_with_summary(report.written() as i64, Some(report.summary()))
        .await?;
    Ok(report)
}

#[cfg(test)]
#[path = "transit_tests.rs"]
mod tests;
