//! A deterministic synthetic history of Marseille's events: ten years of agenda (about
//! 5,000 events a year; OM's real 2022-23 home fixtures and attendances at the Orange
//! Vélodrome, carried to every season) with, for each event, incidents per field drawn
//! from a generating process of its own (`truth`, not the model's design: non-linear
//! size and duration effects, interactions, venue and opponent effects, drift over the
//! years) plus noise (Poisson, gamma-mixed when asked). Same seed, same history, on any
//! machine (ChaCha8). Real daily weather and holiday calendars can be passed in;
//! otherwise plausible ones are made up.
//!
//! The history is **synthetic**: no real incident record enters it. Its yearly totals
//! are set to stay a plausible share of the real city totals (`load`).

mod agenda;
pub mod calendar;
pub mod catalogue;
pub mod truth;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson};
use serde::{Deserialize, Serialize};

use crate::error::ScoringError;
use crate::features::{DayWeather, Field, FieldCounts, HistoryRow};
use agenda::{DayContext, draft_year, set_concurrency};
use truth::{DEFAULT_OVERDISPERSION_SHAPE, TrueEffects};

/// Share of days with a transit strike (all events of the day disrupted).
const STRIKE_DAY_SHARE: f64 = 0.02;
/// BMPM (Marins-pompiers de Marseille) interventions: 109,000-130,000 a year in
/// 2018-2022, about 340 a day citywide.
pub const FIRE_BRIGADE_INTERVENTIONS_PER_DAY: f64 = 340.0;
/// Spread (log scale) of the venues' own effect on incidents: two venues of the same
/// kind differ by about 20 % (layout, neighbourhood, habits of the public).
const VENUE_EFFECT_SIGMA: f64 = 0.2;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratorConfig {
    /// Seed of the ChaCha8 stream: same seed, same history.
    pub seed: u64,
    /// First calendar year.
    pub first_year: i32,
    /// Number of calendar years.
    pub years: u32,
    /// Events per year, OM home games included.
    pub events_per_year: u32,
    /// Gamma mixing shape of the incident counts (`None`: pure Poisson).
    pub overdispersion_shape: Option<f64>,
}

impl Default for GeneratorConfig {
    /// Ten years, 2015-2024, 5,000 events a year, moderately overdispersed counts.
    fn default() -> Self {
        Self {
            seed: 13_055,
            first_year: 2015,
            years: 10,
            events_per_year: 5_000,
            overdispersion_shape: Some(DEFAULT_OVERDISPERSION_SHAPE),
        }
    }
}

/// Real series the caller may pass (e.g. imported Météo-France and Éducation nationale
/// files); a missing day or a missing series falls back to the synthetic one.
#[derive(Debug, Clone, Copy, Default)]
pub struct CalendarInputs<'a> {
    /// Daily weather by date.
    pub weather: Option<&'a BTreeMap<NaiveDate, DayWeather>>,
    /// Public holidays.
    pub public_holidays: Option<&'a BTreeSet<NaiveDate>>,
    /// School holidays (zone B).
    pub school_holidays: Option<&'a BTreeSet<NaiveDate>>,
}

/// The generated history and the truth it was drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticHistory {
    /// Events with their incidents, sorted by date.
    pub rows: Vec<HistoryRow>,
    /// The generating process.
    pub truth: TrueEffects,
}

/// Generates the history.
pub fn generate(
    config: &GeneratorConfig,
    inputs: &CalendarInputs<'_>,
) -> Result<SyntheticHistory, ScoringError> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let truth = TrueEffects::standard(config.overdispersion_shape);
    let mixing = match config.overdispersion_shape {
        Some(shape) => {
            Some(
                Gamma::new(shape, 1.0 / shape).map_err(|_| ScoringError::InvalidFeature {
                    feature: "overdispersion_shape",
                    reason: format!("must be positive, got {shape}"),
                })?,
            )
        }
        None => None,
    };
    let venue_effects = venue_effects(config.seed);
    let mut rows = Vec::with_capacity(config.years as usize * config.events_per_year as usize);
    for year in config.first_year..config.first_year + i32::try_from(config.years).unwrap_or(0) {
        let days = year_context(year, inputs, &mut rng);
        let mut drafts = draft_year(year, config.events_per_year, &days, &mut rng);
        drafts.sort_by_key(|d| (d.features.date, d.arrondissement, d.features.start_hour));
        set_concurrency(&mut drafts);
        for draft in drafts {
            crate::design::encode(&draft.features)?;
            let effect = venue_effects.get(draft.site).copied().unwrap_or(1.0);
            let mut counts = [0u32; 3];
            for field in Field::ALL {
                let mean = truth.mean(field, &draft.features, effect, draft.rivalry);
                let multiplier = mixing.map_or(1.0, |gamma| gamma.sample(&mut rng));
                counts[field.index()] = draw_poisson(mean * multiplier, &mut rng);
            }
            rows.push(HistoryRow {
                features: draft.features,
                incidents: FieldCounts {
                    tranquillity: counts[0],
                    security: counts[1],
                    mobility: counts[2],
                },
            });
        }
    }
    Ok(SyntheticHistory { rows, truth })
}

/// The own effect of every site slot (`agenda::SITE_SLOTS`), from a stream of its own so
/// that it does not depend on the agenda drawn.
fn venue_effects(seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5349_5445);
    let normal = rand_distr::Normal::new(0.0, VENUE_EFFECT_SIGMA).ok();
    (0..agenda::SITE_SLOTS)
        .map(|_| normal.map_or(1.0, |n| n.sample(&mut rng).exp()))
        .collect()
}

fn draw_poisson(mean: f64, rng: &mut ChaCha8Rng) -> u32 {
    match Poisson::new(mean) {
        // Counts are far below u32::MAX for any plausible mean; saturate otherwise.
        Ok(poisson) => poisson.sample(rng).min(f64::from(u32::MAX)) as u32,
        Err(_) => 0,
    }
}

fn year_context(
    year: i32,
    inputs: &CalendarInputs<'_>,
    rng: &mut ChaCha8Rng,
) -> BTreeMap<NaiveDate, DayContext> {
    let holidays = calendar::public_holidays(year);
    let school = calendar::school_holidays(year);
    let mut days = BTreeMap::new();
    let mut day = NaiveDate::from_ymd_opt(year, 1, 1);
    while let Some(date) = day.filter(|d| d.year() == year) {
        // Draw the synthetic weather even when a real day exists, so the rest of the
        // stream (and thus the history) does not depend on which days were passed.
        let synthetic = calendar::synthetic_weather(date, rng);
        let weather = inputs
            .weather
            .and_then(|series| series.get(&date))
            .copied()
            .unwrap_or(synthetic);
        days.insert(
            date,
            DayContext {
                weather,
                public_holiday: inputs
                    .public_holidays
                    .map_or(holidays.contains(&date), |set| set.contains(&date)),
                school_holiday: inputs
                    .school_holidays
                    .map_or(school.contains(&date), |set| set.contains(&date)),
                strike: rng.random_bool(STRIKE_DAY_SHARE),
            },
        );
        day = date.succ_opt();
    }
    days
}

/// Citywide incident volumes of one day, outside any event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundDay {
    /// The day.
    pub date: NaiveDate,
    /// Fire-brigade (BMPM) interventions citywide.
    pub fire_brigade_interventions: u32,
}

/// Daily citywide fire-brigade volumes in line with the real figures (about 340 a day,
/// 8 % more in summer, 8 % less in winter, Poisson noise), for demos and load tests.
pub fn citywide_background(first: NaiveDate, days: u32, seed: u64) -> Vec<BackgroundDay> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    first
        .iter_days()
        .take(days as usize)
        .map(|date| {
            let season =
                -(2.0 * std::f64::consts::PI * (f64::from(date.ordinal()) - 15.0) / 365.25).cos();
            let mean = FIRE_BRIGADE_INTERVENTIONS_PER_DAY * (1.0 + 0.08 * season);
            BackgroundDay {
                date,
                fire_brigade_interventions: draw_poisson(mean, &mut rng),
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
