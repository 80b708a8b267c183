//! The days of the synthetic history: French public holidays (computed, Easter
//! included), approximate school holidays of zone B, and plausible Marseille weather
//! by season when the caller has no real series to pass.

use std::collections::BTreeSet;
use std::f64::consts::PI;

use chrono::{Datelike, Days, NaiveDate};
use rand::Rng;
use rand_distr::{Distribution, Gamma, Normal};

use crate::features::DayWeather;

/// Easter Sunday (Gregorian computus, Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The eleven public holidays of metropolitan France in a year.
pub fn public_holidays(year: i32) -> BTreeSet<NaiveDate> {
    let fixed = [
        (1, 1),
        (5, 1),
        (5, 8),
        (7, 14),
        (8, 15),
        (11, 1),
        (11, 11),
        (12, 25),
    ];
    let mut days: BTreeSet<NaiveDate> = fixed
        .iter()
        .filter_map(|(month, day)| NaiveDate::from_ymd_opt(year, *month, *day))
        .collect();
    if let Some(easter) = easter_sunday(year) {
        // Easter Monday, Ascension Thursday, Whit Monday.
        for offset in [1, 39, 50] {
            days.extend(easter.checked_add_days(Days::new(offset)));
        }
    }
    days
}

/// Approximate school holidays of zone B: the official calendar moves by a few days each
/// year, which does not matter for a synthetic history (real runs pass the real one).
pub fn school_holidays(year: i32) -> BTreeSet<NaiveDate> {
    // (start month, start day, end month, end day), inclusive.
    let periods = [
        (1, 1, 1, 5),
        (2, 15, 3, 2),
        (4, 12, 4, 27),
        (7, 6, 8, 31),
        (10, 19, 11, 3),
        (12, 21, 12, 31),
    ];
    let mut days = BTreeSet::new();
    for (start_month, start_day, end_month, end_day) in periods {
        let (Some(mut day), Some(end)) = (
            NaiveDate::from_ymd_opt(year, start_month, start_day),
            NaiveDate::from_ymd_opt(year, end_month, end_day),
        ) else {
            continue;
        };
        while day <= end {
            days.insert(day);
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
    }
    days
}

/// Share of days with rain, by month (Marignane has about 60 rainy days a year, most in
/// autumn, very few in July).
const RAIN_DAY_SHARE: [f64; 12] = [
    0.20, 0.18, 0.18, 0.20, 0.15, 0.10, 0.05, 0.07, 0.15, 0.22, 0.22, 0.20,
];
/// Share of mistral days (gusts over 15 m/s), by month: more in winter and spring.
const MISTRAL_DAY_SHARE: [f64; 12] = [
    0.30, 0.30, 0.30, 0.25, 0.20, 0.15, 0.15, 0.12, 0.15, 0.20, 0.25, 0.30,
];

/// A plausible Marseille day: maximum temperature from 12.5 °C in mid-January to 30 °C
/// in mid-July (sd 2.5 °C), rain on some days (gamma, mean 8 mm), mistral gusts on others.
pub fn synthetic_weather(date: NaiveDate, rng: &mut impl Rng) -> DayWeather {
    let day_of_year = f64::from(date.ordinal());
    let seasonal = 12.5 + 17.5 * (1.0 - (2.0 * PI * (day_of_year - 15.0) / 365.25).cos()) / 2.0;
    let month = date.month0() as usize;
    let noise = Normal::new(0.0, 2.5).map_or(0.0, |normal| normal.sample(rng));
    let rain_mm = if rng.random_bool(RAIN_DAY_SHARE[month]) {
        // Gamma shape 0.7: many light showers, a few downpours.
        Gamma::new(0.7, 8.0 / 0.7).map_or(0.0, |gamma| gamma.sample(rng))
    } else {
        0.0
    };
    let wind_gust_ms = if rng.random_bool(MISTRAL_DAY_SHARE[month]) {
        rng.random_range(15.0..28.0)
    } else {
        rng.random_range(5.0..15.0)
    };
    DayWeather {
        max_temp_c: seasonal + noise,
        rain_mm,
        wind_gust_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn easter_falls_on_known_dates() {
        let cases = [(2019, 4, 21), (2024, 3, 31), (2025, 4, 20), (2038, 4, 25)];
        for (year, month, day) in cases {
            assert_eq!(
                easter_sunday(year),
                NaiveDate::from_ymd_opt(year, month, day),
                "Easter {year}"
            );
        }
    }

    #[test]
    fn france_has_eleven_public_holidays_including_whit_monday() {
        let days = public_holidays(2024);
        assert_eq!(days.len(), 11);
        assert!(
            days.contains(&NaiveDate::from_ymd_opt(2024, 5, 20).unwrap()),
            "Whit Monday 2024"
        );
        assert!(days.contains(&NaiveDate::from_ymd_opt(2024, 7, 14).unwrap()));
    }

    #[test]
    fn summer_is_hot_and_winter_mild() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mean = |month: u32, rng: &mut ChaCha8Rng| {
            let days: Vec<f64> = (1..=28)
                .map(|day| {
                    synthetic_weather(NaiveDate::from_ymd_opt(2020, month, day).unwrap(), rng)
                        .max_temp_c
                })
                .collect();
            days.iter().sum::<f64>() / days.len() as f64
        };
        let (january, july) = (mean(1, &mut rng), mean(7, &mut rng));
        assert!((10.0..15.0).contains(&january), "January {january}");
        assert!((27.5..32.0).contains(&july), "July {july}");
    }

    #[test]
    fn summer_holidays_cover_july_and_august() {
        let days = school_holidays(2023);
        assert!(days.contains(&NaiveDate::from_ymd_opt(2023, 8, 1).unwrap()));
        assert!(!days.contains(&NaiveDate::from_ymd_opt(2023, 6, 1).unwrap()));
    }
}
