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
fn a_year_holds_about_5000_events_with_the_19_real_om_home_games_at_the_velodrome() {
    let history = generate(&small_config(3), &CalendarInputs::default()).unwrap();
    let in_2023: Vec<_> = history
        .rows
        .iter()
        .filter(|r| r.features.date.year() == 2023)
        .collect();
    assert!(
        (4_900..=5_100).contains(&in_2023.len()),
        "{} events in 2023",
        in_2023.len()
    );
    let games: Vec<_> = in_2023
        .iter()
        .filter(|r| r.features.category == EventCategory::FootballMatch)
        .collect();
    assert_eq!(games.len(), 19, "OM home league games");
    let mut attendances: Vec<u32> = games.iter().map(|g| g.features.attendance).collect();
    attendances.sort_unstable();
    // 2022-23 as published: 58,231 (Montpellier) to 65,894 (Paris SG).
    assert_eq!(attendances.first(), Some(&58_231));
    assert_eq!(attendances.last(), Some(&65_894));
    for game in games {
        let f = &game.features;
        assert_eq!(f.venue_capacity, Some(VELODROME_CAPACITY));
        assert_eq!(f.site_access, catalogue::VELODROME.access);
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
fn the_om_season_is_carried_to_other_years_and_skips_closed_doors() {
    let games = catalogue::om_home_games();
    assert_eq!(games.len(), 19);
    let psg = games
        .iter()
        .find(|g| g.opponent == "Paris Saint Germain")
        .unwrap();
    assert_eq!(psg.date, NaiveDate::from_ymd_opt(2023, 2, 26).unwrap());
    let (date, attendance) = psg.in_year(2017).unwrap();
    assert_eq!(date.weekday(), psg.date.weekday());
    assert_eq!(date.year(), 2017);
    assert!(attendance < psg.attendance, "smaller crowds before 2022");
    assert!(psg.in_year(2021).is_none(), "closed doors in early 2021");
}

#[test]
fn yearly_totals_stay_a_plausible_share_of_the_city() {
    let history = generate(&small_config(7), &CalendarInputs::default()).unwrap();
    let year: Vec<_> = history
        .rows
        .iter()
        .filter(|r| r.features.date.year() == 2023)
        .collect();
    let total = |field| {
        year.iter()
            .map(|r| f64::from(r.incidents.get(field)))
            .sum::<f64>()
    };
    // Patients seen at events: a few percent of the BMPM's rescues of persons.
    let patients = total(Field::Security) / (365.0 * crate::load::CITY_RESCUES_PER_DAY);
    assert!((0.03..0.12).contains(&patients), "patients {patients}");
    // Police-relevant incidents (nuisance included): well under half the volume of
    // the city's recorded offences.
    let incidents =
        total(Field::Tranquillity) / (365.0 * crate::load::CITY_POLICE_RELEVANT_PER_DAY);
    assert!((0.1..0.45).contains(&incidents), "incidents {incidents}");
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
