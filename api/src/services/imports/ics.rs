//! Reading iCalendar agendas (RFC 5545): content lines unfolded with the line each
//! starts on, `VEVENT`s with their dates in their time zones, and recurrences
//! (`RRULE`, `RDATE`, `EXDATE`, `RECURRENCE-ID`) expanded within a window.
//!
//! Times are read as the file gives them: `...Z` is UTC, a `TZID` parameter names an
//! IANA time zone (an unknown one refuses the file), a floating time is the
//! calendar's `X-WR-TIMEZONE` or Europe/Paris. An all-day event (`VALUE=DATE`) runs
//! from midnight to midnight in that zone, its `DTEND` excluded.

use std::collections::HashMap;

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{RRule, RRuleSet, Unvalidated};

use super::events::{EventRecord, EventWindow, Fields, Located};
use super::file::bad;
use crate::error::ApiResult;

/// Most occurrences one recurring event may have in the window.
pub const MAX_OCCURRENCES: u16 = 1000;

/// One content line: `NAME;PARAM=value:VALUE`, unfolded.
#[derive(Debug, Clone)]
struct Property {
    /// The line it starts on.
    line: u64,
    /// Name, upper-case.
    name: String,
    /// Parameters, names upper-case.
    params: Vec<(String, String)>,
    /// Value, as written (escapes kept).
    value: String,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Unfolds the text into content lines (a line starting with a space or a tab
/// continues the previous one), each with the line it starts on.
fn content_lines(text: &str) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match raw.chars().next() {
            Some(' ' | '\t') if !out.is_empty() => {
                if let Some(last) = out.last_mut() {
                    last.1.push_str(&raw[1..]);
                }
            }
            _ if raw.trim().is_empty() => {}
            _ => out.push((index as u64 + 1, raw.to_owned())),
        }
    }
    out
}

/// Splits a content line into name, parameters and value; quoted parameter values
/// may hold `:` and `;`.
fn property(line: u64, text: &str) -> ApiResult<Property> {
    let mut name = String::new();
    let mut params = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut value_at = None;
    // The name.
    for (i, c) in chars.by_ref() {
        match c {
            ';' | ':' => {
                if c == ':' {
                    value_at = Some(i + 1);
                }
                break;
            }
            c => name.push(c),
        }
    }
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(bad(
            line,
            None,
            "not an iCalendar content line (NAME:value)",
        ));
    }
    // The parameters.
    while value_at.is_none() {
        let mut key = String::new();
        let mut val = String::new();
        let mut in_key = true;
        let mut quoted = false;
        let mut ended = false;
        for (i, c) in chars.by_ref() {
            match c {
                '"' if !in_key => quoted = !quoted,
                '=' if in_key => in_key = false,
                ';' if !quoted => {
                    ended = true;
                    break;
                }
                ':' if !quoted => {
                    value_at = Some(i + 1);
                    ended = true;
                    break;
                }
                c if in_key => key.push(c),
                c => val.push(c),
            }
        }
        if !ended || in_key || key.is_empty() {
            return Err(bad(
                line,
                None,
                "a parameter without its value, or no value",
            ));
        }
        params.push((key.to_uppercase(), val));
    }
    let value = text[value_at.unwrap_or(text.len())..].to_owned();
    Ok(Property {
        line,
        name: name.to_uppercase(),
        params,
        value,
    })
}

/// A TEXT value with its escapes (`\,` `\;` `\n` `\\`) resolved.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

/// An IANA time zone by name; a name carrying a vendor prefix
/// (`/mozilla.org/20070129_1/Europe/Paris`) is read by its last two parts.
fn zone_named(name: &str) -> Option<Tz> {
    let name = name.trim().trim_matches('"');
    name.parse::<Tz>().ok().or_else(|| {
        let parts: Vec<&str> = name.rsplitn(3, '/').collect();
        (parts.len() >= 2)
            .then(|| format!("{}/{}", parts[1], parts[0]))
            .and_then(|n| n.parse::<Tz>().ok())
    })
}

/// A wall-clock time in `zone` as UTC: the earlier instant in the autumn overlap,
/// an hour later in the spring gap (as `crate::time::paris_local_to_utc`).
pub fn local_to_utc(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
        chrono::LocalResult::None => zone
            .from_local_datetime(&(local + Duration::hours(1)))
            .earliest()
            .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc)),
    }
}

/// A date or date-time value as the file gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum When {
    /// A whole day (`VALUE=DATE`), in the zone.
    Day(NaiveDate, Tz),
    /// An instant, with the zone its wall-clock time was given in (UTC for `Z`).
    At(DateTime<Utc>, Option<Tz>),
}

impl When {
    fn instant(self) -> DateTime<Utc> {
        match self {
            When::Day(day, zone) => local_to_utc(zone, day.and_time(NaiveTime::MIN)),
            When::At(at, _) => at,
        }
    }

    fn zone(self) -> Option<Tz> {
        match self {
            When::Day(_, zone) => Some(zone),
            When::At(_, zone) => zone,
        }
    }
}

/// Reads one value of a date or date-time property.
fn when(p: &Property, value: &str, floating: Tz) -> ApiResult<When> {
    let value = value.trim();
    let zone = match p.param("TZID") {
        Some(name) => Some(zone_named(name).ok_or_else(|| {
            bad(
                p.line,
                None,
                format!(
                    "{}: the time zone is unknown (an IANA name such as Europe/Paris is needed)",
                    p.name
                ),
            )
        })?),
        None => None,
    };
    let refuse = || {
        bad(
            p.line,
            None,
            format!(
                "{}: not a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS, Z for UTC)",
                p.name
            ),
        )
    };
    let in_range = |d: NaiveDate| (1900..=2199).contains(&chrono::Datelike::year(&d));
    if p.param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
        || value.len() == 8
    {
        let day = NaiveDate::parse_from_str(value, "%Y%m%d")
            .ok()
            .filter(|d| in_range(*d))
            .ok_or_else(refuse)?;
        return Ok(When::Day(day, zone.unwrap_or(floating)));
    }
    let (text, utc) = match value.strip_suffix('Z').or_else(|| value.strip_suffix('z')) {
        Some(text) => (text, true),
        None => (value, false),
    };
    let local = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S")
        .ok()
        .filter(|t| in_range(t.date()))
        .ok_or_else(refuse)?;
    Ok(if utc {
        When::At(Utc.from_utc_datetime(&local), None)
    } else {
        let zone = zone.unwrap_or(floating);
        When::At(local_to_utc(zone, local), Some(zone))
    })
}

/// An RFC 5545 duration (`P1D`, `PT2H30M`, `P1W`, `-PT15M` refused).
fn duration(p: &Property) -> ApiResult<Duration> {
    let refuse = || bad(p.line, None, "DURATION: not a duration (P1D, PT2H30M, P1W)");
    let text = p.value.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    let rest = text.strip_prefix('P').ok_or_else(refuse)?;
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => number.push(c),
            unit => {
                let n: i64 = number.parse().map_err(|_| refuse())?;
                number.clear();
                total += match (unit, in_time) {
                    ('W', false) => Duration::weeks(n),
                    ('D', false) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return Err(refuse()),
                };
            }
        }
    }
    if !number.is_empty() || total <= Duration::zero() {
        return Err(refuse());
    }
    Ok(total)
}

/// One `VEVENT`: its properties and the line of its `BEGIN`.
struct Vevent {
    line: u64,
    props: Vec<Property>,
}

impl Vevent {
    fn one(&self, name: &str) -> Option<&Property> {
        self.props.iter().find(|p| p.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }

    fn text(&self, name: &str) -> Option<String> {
        self.one(name)
            .map(|p| unescape(&p.value))
            .filter(|v| !v.is_empty())
    }
}

/// Whether the text is an iCalendar file.
pub fn is_calendar(text: &str) -> bool {
    text.trim_start()
        .get(..15)
        .is_some_and(|head| head.eq_ignore_ascii_case("BEGIN:VCALENDAR"))
}

/// Reads the components: the `VEVENT`s (properties of nested `VALARM`s left out)
/// and the calendar's floating time zone.
fn components(text: &str) -> ApiResult<(Vec<Vevent>, Tz)> {
    let mut stack: Vec<(String, u64)> = Vec::new();
    let mut events = Vec::new();
    let mut current: Option<Vevent> = None;
    let mut floating = chrono_tz::Europe::Paris;
    let mut seen_calendar = false;
    for (line, text) in content_lines(text) {
        let p = property(line, &text)?;
        match p.name.as_str() {
            "BEGIN" => {
                let kind = p.value.trim().to_uppercase();
                if stack.is_empty() {
                    if kind != "VCALENDAR" || seen_calendar {
                        return Err(bad(line, None, "BEGIN:VCALENDAR expected"));
                    }
                    seen_calendar = true;
                }
                if kind == "VEVENT" {
                    if current.is_some() {
                        return Err(bad(line, None, "a VEVENT inside a VEVENT"));
                    }
                    current = Some(Vevent {
                        line,
                        props: Vec::new(),
                    });
                }
                stack.push((kind, line));
            }
            "END" => {
                let kind = p.value.trim().to_uppercase();
                match stack.pop() {
                    Some((open, _)) if open == kind => {}
                    Some((open, at)) => {
                        return Err(bad(
                            line,
                            None,
                            format!("END:{kind} where the {open} of line {at} is open"),
                        ));
                    }
                    None => return Err(bad(line, None, "END with nothing open")),
                }
                if kind == "VEVENT"
                    && let Some(event) = current.take()
                {
                    events.push(event);
                }
            }
            _ => match stack.last().map(|(k, _)| k.as_str()) {
                None => return Err(bad(line, None, "a property outside BEGIN:VCALENDAR")),
                Some("VEVENT") => {
                    if let Some(event) = current.as_mut() {
                        event.props.push(p);
                    }
                }
                Some("VCALENDAR") if p.name == "X-WR-TIMEZONE" => {
                    floating = zone_named(&p.value).ok_or_else(|| {
                        bad(
                            line,
                            None,
                            "X-WR-TIMEZONE: the time zone is unknown (an IANA name such as Europe/Paris is needed)",
                        )
                    })?;
                }
                Some(_) => {}
            },
        }
    }
    if let Some((open, at)) = stack.last() {
        return Err(bad(
            *at,
            None,
            format!("BEGIN:{open} never ends (a cut file?)"),
        ));
    }
    if !seen_calendar {
        return Err(bad(1, None, "not an iCalendar file (BEGIN:VCALENDAR)"));
    }
    Ok((events, floating))
}

/// A `VEVENT` read whole: the fields of the event and its dates.
struct Master {
    line: u64,
    uid: String,
    start: When,
    /// Whole days for an all-day event, the length otherwise.
    length: Length,
    fields: Fields,
    located: Located,
    recurrence_id: Option<DateTime<Utc>>,
    rule: Option<RRuleSet>,
}

#[derive(Debug, Clone, Copy)]
enum Length {
    Days(u64),
    Span(Duration),
}

fn end_of(start: When, length: Length) -> DateTime<Utc> {
    match (start, length) {
        (When::Day(day, zone), Length::Days(n)) => local_to_utc(
            zone,
            day.checked_add_days(Days::new(n))
                .unwrap_or(day)
                .and_time(NaiveTime::MIN),
        ),
        (When::At(at, zone), Length::Days(n)) => {
            // A date-time start with a whole-day length: the same wall-clock time
            // n days later.
            let zone = zone.unwrap_or(chrono_tz::UTC);
            let local = at.with_timezone(&zone).naive_local() + Duration::days(n as i64);
            local_to_utc(zone, local)
        }
        (start, Length::Span(span)) => start.instant() + span,
    }
}

/// The key of an event in the agenda: its UID (hashed when long), with the
/// occurrence's start for a recurrence.
fn key(uid: &str, occurrence: Option<DateTime<Utc>>) -> String {
    use sha2::Digest;
    let uid = if uid.len() > 200 {
        hex::encode(sha2::Sha256::digest(uid.as_bytes()))
    } else {
        uid.to_owned()
    };
    match occurrence {
        Some(at) => format!("ics:{uid}/{}", at.format("%Y%m%dT%H%M%SZ")),
        None => format!("ics:{uid}"),
    }
}

fn rrule_zone(start: When) -> rrule::Tz {
    match start.zone() {
        Some(zone) => rrule::Tz::Tz(zone),
        None => rrule::Tz::UTC,
    }
}

/// The `RRULE` with its `UNTIL` given in UTC, as the rule's validation wants it
/// whatever zone the start is in (a date `UNTIL` includes its day).
fn rule_text(p: &Property, start: When, floating: Tz) -> ApiResult<String> {
    let mut parts = Vec::new();
    for part in p.value.trim().split(';').filter(|s| !s.is_empty()) {
        match part.split_once('=') {
            Some((name, value)) if name.eq_ignore_ascii_case("UNTIL") => {
                let until = Property {
                    line: p.line,
                    name: "RRULE UNTIL".into(),
                    params: Vec::new(),
                    value: value.to_owned(),
                };
                let zone = start.zone().unwrap_or(floating);
                let at = match when(&until, value, zone)? {
                    When::Day(day, zone) => local_to_utc(
                        zone,
                        day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)),
                    ),
                    When::At(at, _) => at,
                };
                parts.push(format!("UNTIL={}", at.format("%Y%m%dT%H%M%SZ")));
            }
            _ => parts.push(part.to_owned()),
        }
    }
    Ok(parts.join(";"))
}

fn read_master(
    event: &Vevent,
    floating: Tz,
    fields: Fields,
    located: Located,
) -> ApiResult<Master> {
    let line = event.line;
    let uid = event.text("UID").ok_or_else(|| {
        bad(
            line,
            None,
            "the event has no UID (needed to import the agenda again without duplicates)",
        )
    })?;
    let dtstart = event
        .one("DTSTART")
        .ok_or_else(|| bad(line, None, "the event has no DTSTART"))?;
    let start = when(dtstart, &dtstart.value, floating)?;
    let length = match (event.one("DTEND"), event.one("DURATION")) {
        (Some(end), _) => {
            let end_when = when(end, &end.value, floating)?;
            match (start, end_when) {
                (When::Day(a, _), When::Day(b, _)) => {
                    let days = (b - a).num_days();
                    if days <= 0 {
                        return Err(bad(end.line, None, "DTEND: the end is not after the start"));
                    }
                    Length::Days(days as u64)
                }
                _ => {
                    let span = end_when.instant() - start.instant();
                    if span <= Duration::zero() {
                        return Err(bad(end.line, None, "DTEND: the end is not after the start"));
                    }
                    Length::Span(span)
                }
            }
        }
        (None, Some(d)) => {
            let span = duration(d)?;
            if matches!(start, When::Day(..)) && span.num_seconds() % 86_400 == 0 {
                Length::Days(span.num_days() as u64)
            } else {
                Length::Span(span)
            }
        }
        // RFC 5545: an all-day event without an end lasts its day.
        (None, None) if matches!(start, When::Day(..)) => Length::Days(1),
        (None, None) => {
            return Err(bad(
                dtstart.line,
                None,
                "the event has neither DTEND nor DURATION (its end is needed)",
            ));
        }
    };
    let recurrence_id = match event.one("RECURRENCE-ID") {
        Some(p) => Some(when(p, &p.value, floating)?.instant()),
        None => None,
    };
    let rule = match event.one("RRULE") {
        Some(p) if recurrence_id.is_none() => {
            let text = rule_text(p, start, floating)?;
            let refuse = |e: rrule::RRuleError| {
                bad(p.line, None, format!("RRULE: not a recurrence rule ({e})"))
            };
            let tz = rrule_zone(start);
            let dt_start = start.instant().with_timezone(&tz);
            let mut set = text
                .parse::<RRule<Unvalidated>>()
                .map_err(refuse)?
                .build(dt_start)
                .map_err(refuse)?;
            for name in ["EXDATE", "RDATE"] {
                for p in event.all(name) {
                    for value in p.value.split(',') {
                        let at = when(p, value, start.zone().unwrap_or(floating))?
                            .instant()
                            .with_timezone(&tz);
                        set = if name == "EXDATE" {
                            set.exdate(at)
                        } else {
                            set.rdate(at)
                        };
                    }
                }
            }
            Some(set)
        }
        _ => None,
    };
    Ok(Master {
        line,
        uid,
        start,
        length,
        fields,
        located,
        recurrence_id,
        rule,
    })
}

/// Reads the fields every event carries, from its properties.
fn fields(event: &Vevent, default_attendance: Option<i64>) -> ApiResult<(Fields, Located)> {
    let line = event.line;
    let at = |name: &str| event.one(name).map_or(line, |p| p.line);
    let title = event
        .text("SUMMARY")
        .ok_or_else(|| bad(line, None, "the event has no SUMMARY (its title)"))?;
    let category = event
        .one("CATEGORIES")
        .and_then(|p| {
            p.value
                .split(',')
                .find_map(|c| super::events::category(&unescape(c)))
        })
        .unwrap_or(entity::enums::EventCategory::Other);
    let attendance = match event.one("X-EXPECTED-ATTENDANCE") {
        Some(p) => Some(
            p.value
                .trim()
                .parse::<i64>()
                .map_err(|_| bad(p.line, None, "X-EXPECTED-ATTENDANCE: not a whole number"))?,
        ),
        None => default_attendance,
    }
    .ok_or_else(|| {
        bad(
            line,
            None,
            "the event has no X-EXPECTED-ATTENDANCE and no default attendance was given",
        )
    })?;
    let public_profile = match event.text("X-PUBLIC-PROFILE") {
        Some(v) => Some(super::events::public_profile(&v).ok_or_else(|| {
            bad(
                at("X-PUBLIC-PROFILE"),
                None,
                "X-PUBLIC-PROFILE: seated, standing, standing_static or standing_dynamic",
            )
        })?),
        None => None,
    };
    let alcohol = match event.text("X-ALCOHOL") {
        Some(v) => Some(
            super::events::yes_no(&v)
                .ok_or_else(|| bad(at("X-ALCOHOL"), None, "X-ALCOHOL: TRUE or FALSE"))?,
        ),
        None => None,
    };
    let status = event
        .text("STATUS")
        .and_then(|s| match s.to_uppercase().as_str() {
            "CANCELLED" => Some(entity::enums::EventStatus::Cancelled),
            "CONFIRMED" => Some(entity::enums::EventStatus::Confirmed),
            "TENTATIVE" => Some(entity::enums::EventStatus::Planned),
            _ => None,
        });
    // An organization's name (CN), never the address that follows it.
    let organizer = event
        .one("ORGANIZER")
        .and_then(|p| p.param("CN"))
        .map(|cn| cn.trim_matches('"').trim().to_owned())
        .filter(|cn| !cn.is_empty());
    let point = match event.one("GEO") {
        Some(p) => {
            let refuse = || bad(p.line, None, "GEO: latitude;longitude in degrees expected");
            let (lat, lon) = p.value.trim().split_once(';').ok_or_else(refuse)?;
            let lat: f64 = lat.trim().parse().map_err(|_| refuse())?;
            let lon: f64 = lon.trim().parse().map_err(|_| refuse())?;
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(refuse());
            }
            Some((lon, lat))
        }
        None => None,
    };
    let fields = Fields {
        title,
        category,
        attendance,
        organizer,
        public_profile,
        alcohol,
        status,
    };
    let located = Located {
        line: event
            .one("LOCATION")
            .or_else(|| event.one("GEO"))
            .map_or(line, |p| p.line),
        column: None,
        venue: event.text("LOCATION"),
        venue_exact: false,
        zone: event.text("X-ZONE"),
        point,
    };
    Ok((fields, located))
}

/// Reads a calendar whole and expands its recurrences within `window`; the first
/// error refuses it, naming its line.
pub fn parse(text: &str, window: &EventWindow) -> ApiResult<Vec<EventRecord>> {
    let (vevents, floating) = components(text)?;
    let mut masters = Vec::with_capacity(vevents.len());
    for event in &vevents {
        let (fields, located) = fields(event, window.default_attendance)?;
        masters.push(read_master(event, floating, fields, located)?);
    }
    let (from, to) = window.range();
    let mut records: Vec<EventRecord> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    // Masters first, then the occurrences they replace.
    masters.sort_by_key(|m| m.recurrence_id.is_some());
    for master in &masters {
        let occurrence_key = key(&master.uid, master.recurrence_id);
        if let Some(first) = seen.insert(occurrence_key.clone(), master.line) {
            return Err(bad(
                master.line,
                None,
                format!("the same UID as the event of line {first}"),
            ));
        }
        let record = |start: When, key: String, series: Option<String>| EventRecord {
            line: master.line,
            key,
            starts_at: start.instant(),
            ends_at: end_of(start, master.length),
            series,
            fields: master.fields.clone(),
            located: master.located.clone(),
        };
        match (&master.rule, master.recurrence_id) {
            (Some(rule), _) => {
                let series = Some(key(&master.uid, None));
                let found = rule
                    .clone()
                    .after(from.with_timezone(&rrule_zone(master.start)))
                    .before(to.with_timezone(&rrule_zone(master.start)))
                    .all(MAX_OCCURRENCES);
                if found.limited && found.dates.len() >= usize::from(MAX_OCCURRENCES) {
                    return Err(bad(
                        master.line,
                        None,
                        format!("more than {MAX_OCCURRENCES} occurrences in the window"),
                    ));
                }
                for date in found.dates {
                    let at = date.with_timezone(&Utc);
                    let start = match master.start {
                        When::Day(_, zone) => When::Day(date.naive_local().date(), zone),
                        When::At(_, zone) => When::At(at, zone),
                    };
                    let k = key(&master.uid, Some(start.instant()));
                    index.insert(k.clone(), records.len());
                    records.push(record(start, k, series.clone()));
                }
            }
            (None, Some(replaced)) => {
                // A changed occurrence: kept when the one it replaces, or itself,
                // falls in the window.
                let k = key(&master.uid, Some(replaced));
                let series = Some(key(&master.uid, None));
                let r = record(master.start, k.clone(), series);
                let inside = master.start.instant() < to && r.ends_at > from;
                match index.get(&k) {
                    Some(&i) => records[i] = r,
                    None if inside => records.push(r),
                    None => {}
                }
            }
            (None, None) => records.push(record(master.start, occurrence_key, None)),
        }
    }
    records.sort_by_key(|r| (r.starts_at, r.key.clone()));
    Ok(records)
}
