//! The pure parts of the live inputs: the climatological normal (leap days, year
//! ends), the forecast fold, presence against the expected crowd, the past-edition
//! index.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use scoring::features::DayWeather;

use super::editions::past_incident_index;
use super::weather::{Forecast, StationDay, merge, normal};
use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// A case name, the peak, the usual counts, the attendance, the ratio expected.
type PresenceCase = (&'static str, f64, &'static [f64], i64, Option<f64>);
/// A case name, the editions' incidents and attendance, the category's rate, the
/// index expected.
type EditionCase = (&'static str, f64, f64, Option<f64>, Option<f64>);

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Station days `from..=to` with the given values.
fn days(
    history: &mut BTreeMap<NaiveDate, StationDay>,
    from: NaiveDate,
    to: NaiveDate,
    values: StationDay,
) {
    let mut day = from;
    while day <= to {
        history.insert(day, values);
        day = day.succ_opt().unwrap_or(NaiveDate::MAX);
    }
}

#[test]
fn the_normal_of_a_leap_day_reads_the_days_around_28_february_in_common_years() {
    let mut history = BTreeMap::new();
    // Inside the ±7-day windows of 29 February: 30 °C in 2023 (around 28 February),
    // 10 °C in 2024 (around 29 February).
    days(
        &mut history,
        date(2023, 2, 21),
        date(2023, 3, 7),
        (Some(30.0), Some(2.0), None),
    );
    days(
        &mut history,
        date(2024, 2, 22),
        date(2024, 3, 7),
        (Some(10.0), Some(0.0), None),
    );
    // Outside every window: must not count.
    days(
        &mut history,
        date(2023, 3, 8),
        date(2023, 3, 31),
        (Some(-40.0), Some(90.0), None),
    );
    days(
        &mut history,
        date(2024, 2, 1),
        date(2024, 2, 21),
        (Some(-40.0), Some(90.0), None),
    );

    let normal = normal(date(2028, 2, 29), &history).unwrap_or_default();
    // 15 days of 2023 (21 February to 7 March) and 15 of 2024 (22 February to 7 March).
    assert!(close(normal.max_temp_c, 20.0), "{normal:?}");
    assert!(close(normal.rain_mm, 1.0), "{normal:?}");
    assert!(
        close(normal.wind_gust_ms, DayWeather::default().wind_gust_ms),
        "a value never reported reads as neutral: {normal:?}"
    );
}

#[test]
fn the_normal_of_early_january_reaches_back_into_the_previous_december() {
    let mut history = BTreeMap::new();
    days(
        &mut history,
        date(2020, 12, 27),
        date(2020, 12, 31),
        (Some(4.0), None, Some(20.0)),
    );
    days(
        &mut history,
        date(2021, 1, 1),
        date(2021, 1, 10),
        (Some(10.0), None, Some(10.0)),
    );
    let normal = normal(date(2026, 1, 3), &history).unwrap_or_default();
    // 27 December to 10 January: 5 days at 4 °C and 10 at 10 °C.
    assert!(close(normal.max_temp_c, 8.0), "{normal:?}");
    assert!(
        close(normal.wind_gust_ms, (5.0 * 20.0 + 10.0 * 10.0) / 15.0),
        "{normal:?}"
    );
}

#[test]
fn without_station_history_there_is_no_normal() {
    assert_eq!(normal(date(2026, 7, 14), &BTreeMap::new()), None);
    let mut history = BTreeMap::new();
    days(
        &mut history,
        date(2020, 1, 1),
        date(2020, 1, 31),
        (Some(12.0), None, None),
    );
    assert_eq!(
        normal(date(2026, 7, 14), &history),
        None,
        "no station day within a week of 14 July"
    );
}

#[test]
fn merged_ranges_join_overlapping_and_touching_windows_only() {
    let ranges = merge(vec![
        (date(2024, 1, 10), date(2024, 1, 20)),
        (date(2024, 1, 1), date(2024, 1, 9)),
        (date(2024, 1, 15), date(2024, 1, 25)),
        (date(2024, 3, 1), date(2024, 3, 2)),
    ]);
    assert_eq!(
        ranges,
        vec![
            (date(2024, 1, 1), date(2024, 1, 25)),
            (date(2024, 3, 1), date(2024, 3, 2))
        ]
    );
}

#[test]
fn a_forecast_takes_the_highest_temperature_and_gust_and_sums_the_rain() {
    let mut forecast = Forecast::default();
    for (metric, value) in [
        ("temperature", 21.0),
        ("temperature", 33.5),
        ("rain", 2.0),
        ("rain", 3.5),
        ("wind_gust", 12.0),
        ("wind_gust", 19.0),
        ("transit_load", 900.0),
    ] {
        forecast.add(metric, value);
    }
    let day = forecast.over(DayWeather::default());
    assert!(close(day.max_temp_c, 33.5), "{day:?}");
    assert!(close(day.rain_mm, 5.5), "{day:?}");
    assert!(close(day.wind_gust_ms, 19.0), "{day:?}");

    let mut partial = Forecast::default();
    partial.add("temperature", 30.0);
    let base = DayWeather {
        max_temp_c: 10.0,
        rain_mm: 4.0,
        wind_gust_ms: 11.0,
    };
    let day = partial.over(base);
    assert!(
        close(day.max_temp_c, 30.0) && close(day.rain_mm, 4.0) && close(day.wind_gust_ms, 11.0),
        "a metric the feed did not send comes from the normal: {day:?}"
    );
}

#[test]
fn presence_is_the_peak_over_the_usual_level_plus_the_expected_crowd() {
    let cases: [PresenceCase; 6] = [
        (
            "as expected",
            3_000.0,
            &[1_000.0, 1_000.0, 1_200.0],
            2_000,
            Some(1.0),
        ),
        ("twice the crowd", 6_000.0, &[1_000.0; 7], 2_000, Some(2.0)),
        // The median ignores one odd day (a strike, a festival the week before).
        (
            "an odd day ignored",
            3_000.0,
            &[1_000.0, 1_000.0, 50_000.0],
            2_000,
            Some(1.0),
        ),
        (
            "no usual level: only the crowd",
            1_000.0,
            &[],
            2_000,
            Some(0.5),
        ),
        (
            "an even count of days",
            4_000.0,
            &[500.0, 1_500.0],
            3_000,
            Some(1.0),
        ),
        ("nobody counted", 0.0, &[100.0], 500, None),
    ];
    for (case, peak, usual, attendance, expected) in cases {
        let ratio = presence_ratio(peak, usual, attendance);
        match (ratio, expected) {
            (Some(r), Some(e)) => assert!(close(r, e), "{case}: {r} != {e}"),
            (r, e) => assert_eq!(r, e, "{case}"),
        }
    }
    assert_eq!(
        presence_ratio(500.0, &[], 0),
        Some(500.0),
        "an event expecting nobody counts as one person, never a division by 0"
    );
}

#[test]
fn the_past_edition_index_compares_the_series_rate_with_its_category() {
    // Two editions of 5,000 people (10,000), 2 incidents per 1,000 in the category:
    // 20 expected.
    let cases: [EditionCase; 5] = [
        ("as the category", 20.0, 10_000.0, Some(2.0), Some(1.0)),
        (
            "three times the category",
            62.0,
            10_000.0,
            Some(2.0),
            Some(3.0),
        ),
        // 0 incidents: (0 + 1) / (20 + 1), still positive.
        ("calm editions", 0.0, 10_000.0, Some(2.0), Some(0.05)),
        (
            "no category history: the default rate",
            20.0,
            10_000.0,
            None,
            Some(1.0),
        ),
        ("no attendees to compare", 3.0, 0.0, Some(2.0), None),
    ];
    for (case, incidents, attendance, rate, expected) in cases {
        assert_eq!(
            past_incident_index(incidents, attendance, rate),
            expected,
            "{case}"
        );
    }
    assert_eq!(
        past_incident_index(0.0, 10_000_000.0, Some(50.0)),
        Some(0.01),
        "never 0, which the model refuses"
    );
}
