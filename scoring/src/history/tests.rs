//! Tests of the synthetic history: determinism, volumes, the football season, and the
//! use of real calendars when given.

use super::*;
use crate::features::EventCategory;
use catalogue::VELODROME_CAPACITY;

fn small_config(seed: u64) -> GeneratorConfig {
    GeneratorConfig {
        seed,
        first_year: 2022,
        years: 2,
        ..GeneratorConfig::default()
    }
}

#[test]
fn the_same_seed_gives_the_same_history_and_another_seed_another() {
    let first = generate(&small_config(1), &CalendarInputs::default()).unwrap();
    let again = generate(&small_config(1), &CalendarInputs::default()).unwrap();
    let other = generate(&small_config(2), &CalendarInputs::default()).unwrap();
    assert_eq!(first.rows, again.rows);
    assert_ne!(first.rows, other.rows);
}

#[test]
fn a_year_holds_about_5000_events_with_20_om_home_games_at_the_velodrome() {
    let history = generate(&small_config(3), &CalendarInputs::default()).unwrap();
    let in_2022: Vec<_> = history
        .rows
        .iter()
        .filter(|r| r.features.date.year() == 2022)
        .collect();
    assert!(
        (4_900..=5_100).contains(&in_2022.len()),
        "{} events in 2022",
        in_2022.len()
    );
    let games: Vec<_> = in_2022
        .iter()
        .filter(|r| r.features.category == EventCategory::FootballMatch)
        .collect();
    assert_eq!(games.len(), 20, "OM home games");
    for game in games {
        let f = &game.features;
        assert_eq!(f.venue_capacity, Some(VELODROME_CAPACITY));
        assert!(
            (40_000..=66_000).contains(&f.attendance),
            "attendance {}",
            f.attendance
        );
        assert!(
            matches!(f.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun),
            "{}",
            f.date
        );
    }
}

#[test]
fn markets_are_the_most_frequent_category_and_concurrency_is_counted() {
    let history = generate(&small_config(4), &CalendarInputs::default()).unwrap();
    let count = |category| {
        history
            .rows
            .iter()
            .filter(|r| r.features.category == category)
            .count()
    };
    let markets = count(EventCategory::Market);
    assert!(
        EventCategory::ALL.iter().all(|c| count(*c) <= markets),
        "markets first"
    );
    assert!(
        history
            .rows
            .iter()
            .any(|r| r.features.concurrent_events > 0),
        "some events overlap"
    );
    assert!(
        history
            .rows
            .windows(2)
            .all(|w| w[0].features.date <= w[1].features.date),
        "sorted by date"
    );
}

#[test]
fn real_weather_and_holidays_are_used_when_passed() {
    let hot = DayWeather {
        max_temp_c: 41.0,
        rain_mm: 0.0,
        wind_gust_ms: 3.0,
    };
    let weather: BTreeMap<NaiveDate, DayWeather> = NaiveDate::from_ymd_opt(2022, 1, 1)
        .unwrap()
        .iter_days()
        .take(730)
        .map(|d| (d, hot))
        .collect();
    let no_holidays = BTreeSet::new();
    let inputs = CalendarInputs {
        weather: Some(&weather),
        public_holidays: Some(&no_holidays),
        school_holidays: None,
    };
    let history = generate(&small_config(5), &inputs).unwrap();
    assert!(history.rows.iter().all(|r| r.features.weather == hot));
    assert!(history.rows.iter().all(|r| !r.features.public_holiday));
}

#[test]
fn incidents_follow_the_exposure_on_average() {
    let history = generate(&small_config(6), &CalendarInputs::default()).unwrap();
    let total = |field| {
        history
            .rows
            .iter()
            .map(|r| u64::from(r.incidents.get(field)))
            .sum::<u64>()
    };
    let per_event = total(Field::Security) as f64 / history.rows.len() as f64;
    assert!(
        (0.5..50.0).contains(&per_event),
        "security incidents per event {per_event}"
    );
    let big: Vec<_> = history
        .rows
        .iter()
        .filter(|r| r.features.attendance > 20_000)
        .collect();
    let small: Vec<_> = history
        .rows
        .iter()
        .filter(|r| r.features.attendance < 500)
        .collect();
    let mean = |rows: &[&HistoryRow]| {
        rows.iter()
            .map(|r| f64::from(r.incidents.security))
            .sum::<f64>()
            / rows.len() as f64
    };
    assert!(
        mean(&big) > 10.0 * mean(&small),
        "big events have far more incidents"
    );
}

#[test]
fn background_volumes_are_about_340_a_day() {
    let days = citywide_background(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(), 365, 9);
    let mean = days
        .iter()
        .map(|d| f64::from(d.fire_brigade_interventions))
        .sum::<f64>()
        / 365.0;
    assert!((330.0..350.0).contains(&mean), "mean {mean}");
}
