//! The design matrix: how an event's features become the numbers a count model
//! multiplies by its coefficients, with a name and a plain-words meaning per column
//! (explanations and the model card read them), and the exposure offset.
//!
//! Choices, and why:
//! - exposure = attendance in thousands enters as an offset, so the model reads rates
//!   per 1,000 attendees, the unit of mass-gathering medicine; `log_attendance` then
//!   measures how much bigger crowds deviate from proportionality, `log_duration` how
//!   much longer events add;
//! - `overload` is the mobility load itself (peak outflow over the capacity of the
//!   transit and roads serving the site, `load::overload`), above 10 %, logged;
//! - categorical features are one-hot against a reference level (market, street,
//!   Monday, morning), so each coefficient reads "compared with the reference";
//! - thresholds follow what matters on the ground: heat counts above 25 °C, gusts above
//!   15 m/s (54 km/h, a strong mistral), crowding above 80 % of capacity;
//! - skewed counts are logged (`ln(1 + rain)`, `ln(1 + concurrent events)`), ratios
//!   too (`ln(presence ratio)`), so that doubling has the same effect at any level.

use chrono::Weekday;

use crate::error::ScoringError;
use crate::features::{EventCategory, EventFeatures, VenueKind};

/// Version of this encoding. A model records it; scoring refuses another version.
pub const ENCODER_VERSION: &str = "design-v2";

/// Heat counts in degrees above this maximum temperature (°C).
const HEAT_THRESHOLD_C: f64 = 25.0;
/// Wind counts in m/s of gust above this (15 m/s = 54 km/h).
const WIND_THRESHOLD_MS: f64 = 15.0;
/// Crowding counts the share of capacity above this use.
const CROWDING_THRESHOLD: f64 = 0.8;
/// Capacity use is capped here: beyond, the count or the capacity is wrong.
const CAPACITY_USE_CAP: f64 = 2.0;
/// Ratios (presence, past editions) are clamped to [1/RATIO_CLAMP, RATIO_CLAMP] so one
/// faulty sensor cannot dominate a score.
const RATIO_CLAMP: f64 = 20.0;
/// Attendance is expressed in thousands in `log_attendance` (so 0 = 1,000 people).
const ATTENDANCE_UNIT: f64 = 1000.0;
/// Duration is expressed against five hours in `log_duration` (so 0 = 5 hours).
const DURATION_UNIT_HOURS: f64 = 5.0;
/// Crowds above this many thousand people have a slope of their own.
const LARGE_CROWD_THOUSANDS: f64 = 20.0;
/// Overload counts from this ratio of peak outflow to capacity.
const OVERLOAD_THRESHOLD: f64 = 0.1;

/// Categories with a column (every one but the reference, `Market`).
const CATEGORY_COLUMNS: [(EventCategory, &str); 9] = [
    (EventCategory::FootballMatch, "category_football_match"),
    (EventCategory::Concert, "category_concert"),
    (EventCategory::Festival, "category_festival"),
    (EventCategory::Demonstration, "category_demonstration"),
    (EventCategory::OfficialVisit, "category_official_visit"),
    (EventCategory::Cultural, "category_cultural"),
    (EventCategory::Sports, "category_sports"),
    (EventCategory::Nautical, "category_nautical"),
    (EventCategory::Other, "category_other"),
];

/// Venue kinds with a column (every one but the reference, `Street`).
const VENUE_COLUMNS: [(VenueKind, &str); 7] = [
    (VenueKind::Stadium, "venue_stadium"),
    (VenueKind::Beach, "venue_beach"),
    (VenueKind::Square, "venue_square"),
    (VenueKind::Park, "venue_park"),
    (VenueKind::Hall, "venue_hall"),
    (VenueKind::Port, "venue_port"),
    (VenueKind::Other, "venue_other"),
];

/// Weekdays with a column (every one but the reference, Monday).
const WEEKDAY_COLUMNS: [(Weekday, &str); 6] = [
    (Weekday::Tue, "weekday_tuesday"),
    (Weekday::Wed, "weekday_wednesday"),
    (Weekday::Thu, "weekday_thursday"),
    (Weekday::Fri, "weekday_friday"),
    (Weekday::Sat, "weekday_saturday"),
    (Weekday::Sun, "weekday_sunday"),
];

/// Number of columns of the design matrix.
pub const COLUMN_COUNT: usize = 43;

/// Every column's name and meaning, in matrix order.
pub fn columns() -> Vec<(&'static str, &'static str)> {
    let mut columns = vec![
        (
            "intercept",
            "reference event: a market of 1,000 people for 5 hours in a street, Monday morning, mild dry calm weather",
        ),
        (
            "log_attendance",
            "natural log of attendance in thousands: how bigger crowds depart from proportionality",
        ),
        (
            "small_crowd",
            "natural log of 1,000 over attendance, below 1,000 people (0 above): how small crowds depart from the trend",
        ),
        (
            "large_crowd",
            "natural log of attendance over 20,000, above 20,000 people (0 below): how very large crowds depart from the trend",
        ),
        (
            "log_duration",
            "natural log of the duration over 5 hours: how longer events add",
        ),
    ];
    for (_, name) in CATEGORY_COLUMNS {
        columns.push((name, "event category, compared with a market"));
    }
    for (_, name) in VENUE_COLUMNS {
        columns.push((name, "venue kind, compared with a street"));
    }
    columns.extend([
        (
            "crowding",
            "attendance over capacity above 80 % (0.1 = 90 % full)",
        ),
        ("indoor", "1 when the event is indoors"),
        ("alcohol", "1 when alcohol is sold or allowed"),
    ]);
    for (_, name) in WEEKDAY_COLUMNS {
        columns.push((name, "day of the week, compared with Monday"));
    }
    columns.extend([
        (
            "hour_afternoon",
            "starts 12:00-17:59, compared with a morning start (06:00-11:59)",
        ),
        (
            "hour_evening",
            "starts 18:00-21:59, compared with a morning start",
        ),
        (
            "hour_night",
            "starts 22:00-05:59, compared with a morning start",
        ),
        ("public_holiday", "1 on a French public holiday"),
        ("school_holiday", "1 during school holidays (zone B)"),
        ("heat", "degrees of maximum temperature above 25 °C"),
        ("rain", "natural log of (1 + rain in mm)"),
        ("wind", "m/s of the strongest gust above 15 m/s"),
        (
            "concurrent_events",
            "natural log of (1 + other events at the same time in the arrondissement)",
        ),
        (
            "transit_disruption",
            "1 when a transit disruption is announced",
        ),
        (
            "presence_ratio",
            "natural log of live presence over expected attendance (0 when unknown)",
        ),
        (
            "past_incidents",
            "natural log of past editions' incident index (0 when unknown or new)",
        ),
        (
            "overload",
            "natural log of peak outflow over transit and road capacity, from 10 % (0 below)",
        ),
    ]);
    columns
}

/// The names of the columns, in matrix order.
pub fn column_names() -> Vec<&'static str> {
    columns().into_iter().map(|(name, _)| name).collect()
}

/// Exposure in thousand attendees: rates are per 1,000 attendees.
pub fn exposure(features: &EventFeatures) -> f64 {
    f64::from(features.attendance) / ATTENDANCE_UNIT
}

/// The log-exposure offset added to the linear predictor.
pub fn offset(features: &EventFeatures) -> f64 {
    exposure(features).ln()
}

/// Encodes one event into its design row (length `COLUMN_COUNT`).
pub fn encode(features: &EventFeatures) -> Result<Vec<f64>, ScoringError> {
    validate(features)?;
    let mut row = Vec::with_capacity(COLUMN_COUNT);
    row.push(1.0);
    row.push((f64::from(features.attendance) / ATTENDANCE_UNIT).ln());
    let thousands = f64::from(features.attendance) / ATTENDANCE_UNIT;
    row.push((1.0 / thousands).ln().max(0.0));
    row.push((thousands / LARGE_CROWD_THOUSANDS).ln().max(0.0));
    row.push((features.duration_hours / DURATION_UNIT_HOURS).ln());
    row.extend(
        CATEGORY_COLUMNS
            .iter()
            .map(|(category, _)| indicator(features.category == *category)),
    );
    row.extend(
        VENUE_COLUMNS
            .iter()
            .map(|(venue, _)| indicator(features.venue_kind == *venue)),
    );
    let crowding = features.capacity_use().map_or(0.0, |used| {
        (used.min(CAPACITY_USE_CAP) - CROWDING_THRESHOLD).max(0.0)
    });
    row.push(crowding);
    row.push(indicator(features.indoor));
    row.push(indicator(features.alcohol));
    let weekday = features.weekday();
    row.extend(
        WEEKDAY_COLUMNS
            .iter()
            .map(|(day, _)| indicator(weekday == *day)),
    );
    let hour = features.start_hour;
    row.push(indicator((12..18).contains(&hour)));
    row.push(indicator((18..22).contains(&hour)));
    row.push(indicator(!(6..22).contains(&hour)));
    row.push(indicator(features.public_holiday));
    row.push(indicator(features.school_holiday));
    row.push((features.weather.max_temp_c - HEAT_THRESHOLD_C).max(0.0));
    row.push(features.weather.rain_mm.ln_1p());
    row.push((features.weather.wind_gust_ms - WIND_THRESHOLD_MS).max(0.0));
    row.push(f64::from(features.concurrent_events).ln_1p());
    row.push(indicator(features.transit_disruption));
    row.push(features.presence_ratio.map_or(0.0, clamped_log_ratio));
    row.push(features.past_incident_index.map_or(0.0, clamped_log_ratio));
    let (overload, ..) = crate::load::overload(features);
    row.push((overload.value / OVERLOAD_THRESHOLD).ln().max(0.0));
    debug_assert_eq!(
        row.len(),
        COLUMN_COUNT,
        "encode and columns() must list the same columns"
    );
    Ok(row)
}

fn indicator(condition: bool) -> f64 {
    if condition { 1.0 } else { 0.0 }
}

fn clamped_log_ratio(ratio: f64) -> f64 {
    ratio.clamp(1.0 / RATIO_CLAMP, RATIO_CLAMP).ln()
}

/// Refuses values the encoding cannot represent honestly.
fn validate(features: &EventFeatures) -> Result<(), ScoringError> {
    let invalid = |feature: &'static str, reason: String| {
        Err(ScoringError::InvalidFeature { feature, reason })
    };
    if features.attendance == 0 {
        return invalid(
            "attendance",
            "must be at least 1 (exposure would be 0)".into(),
        );
    }
    if !(features.duration_hours.is_finite() && features.duration_hours > 0.0) {
        return invalid(
            "duration_hours",
            format!("must be a positive number, got {}", features.duration_hours),
        );
    }
    if features.start_hour > 23 {
        return invalid(
            "start_hour",
            format!("must be 0-23, got {}", features.start_hour),
        );
    }
    let weather = &features.weather;
    if !weather.max_temp_c.is_finite() {
        return invalid("max_temp_c", "must be a number".into());
    }
    if !(weather.rain_mm.is_finite() && weather.rain_mm >= 0.0) {
        return invalid(
            "rain_mm",
            format!("must be 0 or more, got {}", weather.rain_mm),
        );
    }
    if !(weather.wind_gust_ms.is_finite() && weather.wind_gust_ms >= 0.0) {
        return invalid(
            "wind_gust_ms",
            format!("must be 0 or more, got {}", weather.wind_gust_ms),
        );
    }
    for (feature, ratio) in [
        ("presence_ratio", features.presence_ratio),
        ("past_incident_index", features.past_incident_index),
    ] {
        if let Some(value) = ratio
            && !(value.is_finite() && value > 0.0)
        {
            return invalid(feature, format!("must be a positive number, got {value}"));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dps::{PublicProfile, SiteAccess};
    use crate::features::DayWeather;
    use chrono::NaiveDate;

    /// The reference event: every column but the intercept is 0.
    pub(crate) fn reference_event() -> EventFeatures {
        EventFeatures {
            category: EventCategory::Market,
            date: NaiveDate::from_ymd_opt(2024, 3, 4).unwrap(), // a Monday
            start_hour: 8,
            duration_hours: 5.0,
            attendance: 1000,
            venue_kind: VenueKind::Street,
            venue_capacity: None,
            indoor: false,
            alcohol: false,
            public_holiday: false,
            school_holiday: false,
            weather: DayWeather::default(),
            weather_basis: None,
            concurrent_events: 0,
            transit_disruption: false,
            presence_ratio: None,
            past_incident_index: None,
            public_profile: PublicProfile::StandingDynamic,
            site_access: SiteAccess::Easy,
            rescue_delay_minutes: 10,
            egress_capacity: None,
        }
    }

    fn value(row: &[f64], name: &str) -> f64 {
        let index = column_names()
            .iter()
            .position(|column| *column == name)
            .unwrap();
        row[index]
    }

    #[test]
    fn names_and_values_have_the_same_length_and_names_are_unique() {
        let names = column_names();
        assert_eq!(names.len(), COLUMN_COUNT);
        assert_eq!(encode(&reference_event()).unwrap().len(), COLUMN_COUNT);
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "column names must be unique");
    }

    #[test]
    fn the_reference_event_is_all_zero_but_the_intercept() {
        let row = encode(&reference_event()).unwrap();
        assert_eq!(row[0], 1.0);
        assert!(row[1..].iter().all(|x| *x == 0.0), "row was {row:?}");
    }

    #[test]
    fn a_hot_windy_saturday_night_football_match_sets_its_columns() {
        let mut event = reference_event();
        event.category = EventCategory::FootballMatch;
        event.venue_kind = VenueKind::Stadium;
        event.venue_capacity = Some(67_394);
        event.attendance = 64_000;
        event.date = NaiveDate::from_ymd_opt(2024, 3, 9).unwrap(); // a Saturday
        event.start_hour = 22;
        event.weather = DayWeather {
            max_temp_c: 33.5,
            rain_mm: 0.0,
            wind_gust_ms: 18.0,
        };
        event.concurrent_events = 3;
        let row = encode(&event).unwrap();
        let cases = [
            ("category_football_match", 1.0),
            ("category_concert", 0.0),
            ("venue_stadium", 1.0),
            ("weekday_saturday", 1.0),
            ("weekday_sunday", 0.0),
            ("hour_night", 1.0),
            ("hour_evening", 0.0),
            ("heat", 8.5),
            ("wind", 3.0),
            ("concurrent_events", 4f64.ln()),
            ("log_attendance", 64f64.ln()),
            ("small_crowd", 0.0),
            ("large_crowd", (64.0f64 / 20.0).ln()),
            ("crowding", 64_000.0 / 67_394.0 - 0.8),
        ];
        for (name, expected) in cases {
            assert!(
                (value(&row, name) - expected).abs() < 1e-12,
                "{name}: {} != {expected}",
                value(&row, name)
            );
        }
    }

    #[test]
    fn impossible_values_are_refused_with_the_feature_named() {
        type Spoil = fn(&mut EventFeatures);
        let cases: [(&str, Spoil); 5] = [
            ("attendance", |e| e.attendance = 0),
            ("duration_hours", |e| e.duration_hours = 0.0),
            ("rain_mm", |e| e.weather.rain_mm = -1.0),
            ("max_temp_c", |e| e.weather.max_temp_c = f64::NAN),
            ("presence_ratio", |e| e.presence_ratio = Some(0.0)),
        ];
        for (feature, spoil) in cases {
            let mut event = reference_event();
            spoil(&mut event);
            match encode(&event) {
                Err(ScoringError::InvalidFeature { feature: named, .. }) => {
                    assert_eq!(named, feature)
                }
                other => panic!("{feature}: expected a refusal, got {other:?}"),
            }
        }
    }

    #[test]
    fn exposure_is_thousand_attendees() {
        let event = reference_event();
        assert!((exposure(&event) - 1.0).abs() < 1e-12, "1,000 people");
    }
}
