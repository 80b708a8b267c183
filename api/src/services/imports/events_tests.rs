//! Reading events agendas, on small CSV and iCalendar fixtures written here.

use chrono::TimeZone;
use entity::enums::{AccessClass, VenueKind, ZoneLevel};

use super::*;
use crate::error::ErrorCode;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn window() -> EventWindow {
    EventWindow {
        from: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        days: 30,
        default_attendance: None,
    }
}

fn refused(text: &str) -> String {
    let err = parse(text, &window()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::BadUserInput);
    err.to_string()
}

/// A square around the Vieux-Port, and a venue in another zone.
fn places() -> Places {
    let square = serde_json::json!({
        "type": "Polygon",
        "coordinates": [[[5.36, 43.29], [5.38, 43.29], [5.38, 43.30], [5.36, 43.30], [5.36, 43.29]]]
    });
    let zone = |id: i64, code: &str, name: &str, outline: Option<serde_json::Value>| zone::Model {
        id,
        code: code.into(),
        name: name.into(),
        level: ZoneLevel::Quartier,
        parent_id: None,
        population: None,
        area_km2: None,
        outline,
    };
    let zones = [
        zone(7, "q13201-vieux-port", "Vieux-Port", Some(square)),
        zone(8, "site-velodrome", "Abords de l'Orange Vélodrome", None),
    ];
    let venues = [venue::Model {
        id: 3,
        code: "orange-velodrome".into(),
        name: "Orange Vélodrome".into(),
        zone_id: 8,
        latitude: 43.2698,
        longitude: 5.3959,
        kind: VenueKind::Stadium,
        capacity: Some(67_394),
        area_m2: None,
        indoor: false,
        sensitive: true,
        access_class: AccessClass::Clear,
        rescue_delay_min: 10,
    }];
    Places::new(&venues, &zones)
}

const CALENDAR: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Ville//Agenda//FR\r
BEGIN:VTIMEZONE\r
TZID:Europe/Paris\r
BEGIN:STANDARD\r
DTSTART:19701025T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
END:STANDARD\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:om-psg-2026@ville\r
SUMMARY:OM - PSG\r
CATEGORIES:Football\r
DTSTART;TZID=Europe/Paris:20260614T200000\r
DTEND;TZID=Europe/Paris:20260614T230000\r
LOCATION:ORANGE VELODROME\\, 3 boulevard Michelet\r
X-EXPECTED-ATTENDANCE:65000\r
X-PUBLIC-PROFILE:standing_dynamic\r
ORGANIZER;CN=\"Olympique de Marseille\":mailto:billetterie@example.org\r
BEGIN:VALARM\r
TRIGGER:-PT1H\r
DESCRIPTION:not the event's\r
END:VALARM\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:concert-utc@ville\r
SUMMARY:Concert au Vieux-Port\r
CATEGORIES:concert\r
DTSTART:20260620T180000Z\r
DURATION:PT2H30M\r
GEO:43.2950;5.3700\r
X-EXPECTED-ATTENDANCE:8000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:new-york@ville\r
SUMMARY:Retransmission\r
DTSTART;TZID=America/New_York:20260621T120000\r
DTEND;TZID=America/New_York:20260621T140000\r
X-ZONE:Vieux-Port\r
X-EXPECTED-ATTENDANCE:500\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:floating@ville\r
SUMMARY:Lecture publique\r
DTSTART:20260701T100000\r
DTEND:20260701T120000\r
LOCATION:Vieux-Port\r
X-EXPECTED-ATTENDANCE:80\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:fete-nationale@ville\r
SUMMARY:Fête nationale, bal des pompiers\r
DTSTART;VALUE=DATE:20260714\r
DTEND;VALUE=DATE:20260715\r
LOCATION:Orange Vélodrome\r
X-EXPECTED-ATTENDANCE:3000\r
END:VEVENT\r
END:VCALENDAR\r
";

#[test]
fn times_are_read_in_their_zones_utc_floating_and_all_day() {
    let file = parse(CALENDAR, &window()).unwrap();
    assert_eq!(file.format, "icalendar");
    assert_eq!(file.events.len(), 5);
    let by_key = |k: &str| file.events.iter().find(|e| e.key == k).unwrap();
    let om = by_key("ics:om-psg-2026@ville");
    assert_eq!(
        (om.starts_at, om.ends_at),
        (utc(2026, 6, 14, 18, 0), utc(2026, 6, 14, 21, 0)),
        "Paris summer time is UTC+2"
    );
    assert_eq!(om.fields.category, EventCategory::FootballMatch);
    assert_eq!(om.fields.attendance, 65_000);
    assert_eq!(
        om.fields.public_profile,
        Some(PublicProfile::StandingDynamic)
    );
    assert_eq!(
        om.fields.organizer.as_deref(),
        Some("Olympique de Marseille"),
        "the name, never the address"
    );
    assert_eq!(
        om.located.venue.as_deref(),
        Some("ORANGE VELODROME, 3 boulevard Michelet")
    );
    let concert = by_key("ics:concert-utc@ville");
    assert_eq!(
        (concert.starts_at, concert.ends_at),
        (utc(2026, 6, 20, 18, 0), utc(2026, 6, 20, 20, 30))
    );
    let ny = by_key("ics:new-york@ville");
    assert_eq!(ny.starts_at, utc(2026, 6, 21, 16, 0), "New York is UTC-4");
    let floating = by_key("ics:floating@ville");
    assert_eq!(
        floating.starts_at,
        utc(2026, 7, 1, 8, 0),
        "a floating time is Paris time"
    );
    let day = by_key("ics:fete-nationale@ville");
    assert_eq!(
        (day.starts_at, day.ends_at),
        (utc(2026, 7, 13, 22, 0), utc(2026, 7, 14, 22, 0)),
        "an all-day event runs from midnight to midnight in Paris, DTEND excluded"
    );
    assert_eq!(
        day.fields.category,
        EventCategory::Other,
        "no category is other"
    );
}

#[test]
fn a_location_finds_its_venue_whatever_the_accents_and_coordinates_their_zone() {
    let file = parse(CALENDAR, &window()).unwrap();
    let places = places();
    let place = |k: &str| {
        let e = file.events.iter().find(|e| e.key == k).unwrap();
        places.place(&e.located).unwrap()
    };
    assert_eq!(place("ics:om-psg-2026@ville"), (Some(3), 8));
    assert_eq!(place("ics:fete-nationale@ville"), (Some(3), 8));
    assert_eq!(
        place("ics:concert-utc@ville"),
        (None, 7),
        "GEO in the square"
    );
    assert_eq!(place("ics:new-york@ville"), (None, 7), "X-ZONE by name");
    assert_eq!(
        place("ics:floating@ville"),
        (None, 7),
        "a LOCATION naming a zone"
    );
    let far = CALENDAR.replace("GEO:43.2950;5.3700", "GEO:48.85;2.35");
    let file = parse(&far, &window()).unwrap();
    let e = file
        .events
        .iter()
        .find(|e| e.key == "ics:concert-utc@ville")
        .unwrap();
    let err = places.place(&e.located).unwrap_err().to_string();
    assert!(err.contains("line 33"), "the GEO's line: {err}");
    assert!(err.contains("no imported zone"), "{err}");
}

const WEEKLY: &str = "BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:marche-cours-julien
SUMMARY:Marché du cours Julien
CATEGORIES:Marché
DTSTART;TZID=Europe/Paris:20260103T080000
DTEND;TZID=Europe/Paris:20260103T130000
RRULE:FREQ=WEEKLY;BYDAY=SA;UNTIL=20261231
EXDATE;TZID=Europe/Paris:20260613T080000
LOCATION:Vieux-Port
X-EXPECTED-ATTENDANCE:1500
END:VEVENT
BEGIN:VEVENT
UID:marche-cours-julien
RECURRENCE-ID;TZID=Europe/Paris:20260620T080000
SUMMARY:Marché du cours Julien (fête de la musique)
CATEGORIES:MARCHE
DTSTART;TZID=Europe/Paris:20260620T100000
DTEND;TZID=Europe/Paris:20260620T150000
LOCATION:Vieux-Port
X-EXPECTED-ATTENDANCE:3000
END:VEVENT
END:VCALENDAR
";

#[test]
fn recurrences_are_expanded_in_the_window_without_excluded_dates() {
    let file = parse(WEEKLY, &window()).unwrap();
    let starts: Vec<_> = file.events.iter().map(|e| e.starts_at).collect();
    assert_eq!(
        starts,
        [
            utc(2026, 6, 6, 6, 0),
            utc(2026, 6, 20, 8, 0),
            utc(2026, 6, 27, 6, 0)
        ],
        "Saturdays of June from the 1st for 30 days, the 13th excluded, the 20th moved"
    );
    assert!(
        file.events
            .iter()
            .all(|e| e.fields.category == EventCategory::Market)
    );
    let moved = &file.events[1];
    assert_eq!(moved.key, "ics:marche-cours-julien/20260620T060000Z");
    assert_eq!(moved.fields.attendance, 3000);
    assert_eq!(moved.ends_at, utc(2026, 6, 20, 13, 0));
    assert_eq!(
        file.events[0].key,
        "ics:marche-cours-julien/20260606T060000Z"
    );
    assert_eq!(
        file.events[0].series.as_deref(),
        Some("ics:marche-cours-julien")
    );
    let later = EventWindow {
        from: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
        ..window()
    };
    let file = parse(WEEKLY, &later).unwrap();
    assert_eq!(
        file.events.len(),
        1,
        "the 26th: the rule ends with the year"
    );
    assert_eq!(
        file.events[0].starts_at,
        utc(2026, 12, 26, 7, 0),
        "winter time"
    );
    let again = parse(WEEKLY, &window()).unwrap();
    assert_eq!(
        again.events.iter().map(|e| &e.key).collect::<Vec<_>>(),
        parse(WEEKLY, &window())
            .unwrap()
            .events
            .iter()
            .map(|e| &e.key)
            .collect::<Vec<_>>(),
        "keys are stable"
    );
}

#[test]
fn an_all_day_recurrence_keeps_whole_days() {
    let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:foire\nSUMMARY:Foire\nDTSTART;VALUE=DATE:20260601\nRRULE:FREQ=DAILY;COUNT=3\nX-ZONE:q13201-vieux-port\nX-EXPECTED-ATTENDANCE:100\nEND:VEVENT\nEND:VCALENDAR\n";
    let file = parse(text, &window()).unwrap();
    assert_eq!(file.events.len(), 3);
    assert_eq!(
        (file.events[2].starts_at, file.events[2].ends_at),
        (utc(2026, 6, 2, 22, 0), utc(2026, 6, 3, 22, 0))
    );
}

#[test]
fn broken_calendars_are_refused_with_their_line() {
    let unknown = CALENDAR.replace(
        "DTSTART;TZID=Europe/Paris:20260614T200000",
        "DTSTART;TZID=Romance Standard Time:20260614T200000",
    );
    let err = refused(&unknown);
    assert!(err.contains("line 16"), "{err}");
    assert!(err.contains("time zone is unknown"), "{err}");
    let err = refused(&CALENDAR.replace("20260620T180000Z", "20260231T180000Z"));
    assert!(err.contains("line 31"), "a bad date: {err}");
    let err = refused(&CALENDAR.replace("UID:concert-utc@ville\r\n", ""));
    assert!(err.contains("line 27") && err.contains("UID"), "{err}");
    let err = refused(&CALENDAR.replace("X-EXPECTED-ATTENDANCE:8000\r\n", ""));
    assert!(
        err.contains("line 27") && err.contains("attendance"),
        "{err}"
    );
    let err = refused(CALENDAR.trim_end().trim_end_matches("END:VCALENDAR"));
    assert!(
        err.contains("line 1") && err.contains("never ends"),
        "a cut file: {err}"
    );
    let err = refused(&WEEKLY.replace("FREQ=WEEKLY", "FREQ=FORTNIGHTLY"));
    assert!(err.contains("line 9") && err.contains("RRULE"), "{err}");
    let err = refused(&CALENDAR.replace("UID:concert-utc@ville", "UID:om-psg-2026@ville"));
    assert!(err.contains("line 12"), "the same UID twice: {err}");
    let err = refused(&CALENDAR.replace("20260614T230000", "20260614T190000"));
    assert!(
        err.contains("line 17") && err.contains("not after"),
        "{err}"
    );
    let err =
        refused(&CALENDAR.replace("PRODID:-//Ville//Agenda//FR", "X-WR-TIMEZONE:Mars/Olympus"));
    assert!(err.contains("line 3"), "{err}");
}

const CSV: &str = "\
id,title,category,starts_at,ends_at,expected_attendance,venue,zone,latitude,longitude,organizer,public_profile,alcohol,status
1,OM - Lyon,football_match,2026-06-14T21:00:00+02:00,2026-06-14T23:00:00+02:00,60000,orange-velodrome,,,,Olympique de Marseille,standing_dynamic,false,confirmed
2,Marché aux livres,marché,2026-06-15 09:00,2026-06-15 18:00,2000,,Vieux-Port,,,,,,
3,Apéro en plein air,festival,2026-06-16,2026-06-17,5000,,,43.295,5.37,Mairie de secteur,standing,oui,
";

#[test]
fn a_csv_agenda_is_read_with_local_times_and_whole_days() {
    let file = parse(CSV, &window()).unwrap();
    assert_eq!(file.format, "csv");
    assert_eq!(file.events.len(), 3);
    let [om, books, apero] = &file.events[..] else {
        panic!()
    };
    assert_eq!(om.key, "csv:1");
    assert_eq!(om.starts_at, utc(2026, 6, 14, 19, 0));
    assert_eq!(om.fields.status, Some(EventStatus::Confirmed));
    assert_eq!(books.starts_at, utc(2026, 6, 15, 7, 0), "Paris time");
    assert_eq!(books.fields.category, EventCategory::Market);
    assert_eq!(
        (apero.starts_at, apero.ends_at),
        (utc(2026, 6, 15, 22, 0), utc(2026, 6, 17, 22, 0)),
        "a day as the end includes it"
    );
    assert_eq!(apero.fields.alcohol, Some(true));
    let places = places();
    assert_eq!(places.place(&om.located).unwrap(), (Some(3), 8));
    assert_eq!(places.place(&books.located).unwrap(), (None, 7));
    assert_eq!(places.place(&apero.located).unwrap(), (None, 7));
    let unknown = CSV.replace("orange-velodrome", "stade-inconnu");
    let file = parse(&unknown, &window()).unwrap();
    let err = places
        .place(&file.events[0].located)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2, column 7 (venue)"), "{err}");
}

#[test]
fn a_csv_without_ids_keys_events_by_title_and_start() {
    let text = "title,starts_at,ends_at,zone\nFête du quartier,2026-06-21 18:00,2026-06-21 23:00,Vieux-Port\n";
    let with_default = EventWindow {
        default_attendance: Some(400),
        ..window()
    };
    let file = parse(text, &with_default).unwrap();
    assert_eq!(file.events[0].key, "csv:fete-du-quartier@20260621T160000Z");
    assert_eq!(file.events[0].fields.attendance, 400);
    let err = parse(text, &window()).unwrap_err().to_string();
    assert!(
        err.contains("line 1") && err.contains("attendance"),
        "{err}"
    );
}

#[test]
fn broken_csv_agendas_are_refused_with_their_line_and_column() {
    let err = refused(&CSV.replace("2026-06-15 18:00", "2026-06-31 18:00"));
    assert!(
        err.contains("line 3, column 5 (ends_at)"),
        "a bad date: {err}"
    );
    let err = refused(&CSV.replace("title,", "name,"));
    assert!(
        err.contains("line 1") && err.contains("no column title"),
        "{err}"
    );
    let err = refused(&CSV.replace(',', "\t"));
    assert!(err.contains("line 1") && err.contains("separator"), "{err}");
    let err = refused(&CSV.replace(",60000,", ",beaucoup,"));
    assert!(err.contains("line 2, column 6"), "{err}");
    let err = refused(&CSV.replace("\n3,", "\n1,"));
    assert!(
        err.contains("line 4") && err.contains("line 2"),
        "the same id twice: {err}"
    );
    let err = refused(&CSV.replace("2000,,Vieux-Port", "2000,Vieux-Port"));
    assert!(
        err.contains("line 3") && err.contains("fields"),
        "a cut row: {err}"
    );
    let err = refused(&CSV.replace("2026-06-14T23:00:00+02:00", "2026-06-14T20:00:00+02:00"));
    assert!(err.contains("line 2") && err.contains("not after"), "{err}");
}

#[test]
fn names_are_folded_without_accents_or_case() {
    assert_eq!(fold("  Orange VÉLODROME, "), "orange velodrome");
    assert_eq!(fold("Parc Borély"), fold("parc borely"));
    assert_eq!(category("Marché"), Some(EventCategory::Market));
    assert_eq!(category("standing"), None);
}
