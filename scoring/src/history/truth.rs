//! How the synthetic history's incidents come about: a process of its own, written as
//! plain multiplicative rates, deliberately **not** the model's design. It has
//! effects the model cannot represent exactly (a per-head rate flat below 1,000 people
//! and falling as a power above, duration as a power, heat only above 25 °C, crowding
//! only for standing crowds, alcohol at night more than the sum of its parts, the
//! identity of the venue, the opponent of a football match, a drift over the years),
//! so a backtest measures how well the model predicts a world it does not describe.
//!
//! Magnitudes are anchored on published figures:
//! - security, patients: 0.992 per 1,000 attendees at events over 25,000 (Arbon 2001),
//!   outdoor x3.0 (Intern Emerg Med 2016), heat index x1.21 per 10 units; the
//!   "unbounded" ratio of the same study (x2.8) is univariate and largely the outdoor
//!   effect again, so only x1.3 is added on top of outdoor (an assumption);
//! - tranquillity, police-relevant incidents: a level such that a year of events adds
//!   a few percent to the city's offences (SSMSI departmental statistics, see
//!   `load::CITY_POLICE_RELEVANT_PER_DAY`);
//! - mobility, traffic and transit incidents reported around the event, growing past
//!   saturation of the site's exits.
//!
//! Counts are then drawn Poisson around these means times a gamma "day" factor
//! (overdispersion).

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::features::{EventCategory, EventFeatures, Field};
use crate::load::{OUTDOOR_RATE_RATIO, PATIENTS_PER_1000};

/// The gamma mixing shape of the synthetic counts: variance = mu + mu^2 / 8, i.e. events
/// alike on paper still differ (crowd mood, a single fight) by about 35 % (1/sqrt(8)).
pub const DEFAULT_OVERDISPERSION_SHAPE: f64 = 8.0;
/// Extra patients at an unbounded venue on top of the outdoor ratio (see above).
const UNBOUNDED_EXTRA: f64 = 1.3;
/// First year of the drift.
const DRIFT_FROM_YEAR: i32 = 2015;
/// Yearly drift of the per-head rates: police-relevant incidents and patients +0.5 % a
/// year (more recorded assaults, older crowds, more heat), traffic incidents -0.5 % a
/// year (better information).
const DRIFT_PER_YEAR: [f64; 3] = [0.005, 0.005, -0.005];

/// The generating process and its overdispersion (no coefficients: it is not a
/// generalised linear model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrueEffects {
    /// Gamma mixing shape of the counts (`None`: pure Poisson).
    pub overdispersion_shape: Option<f64>,
}

/// Patients per 1,000 attendees, by category, against football (Intern Emerg Med 2016
/// orders football, public exhibitions, concerts, other athletics; the rest are
/// plausible choices). Markets are not mass gatherings: people pass through.
const fn patient_category(category: EventCategory) -> f64 {
    match category {
        EventCategory::FootballMatch => 1.0,
        EventCategory::Cultural => 0.9,
        EventCategory::Concert => 0.85,
        EventCategory::Festival => 0.8,
        EventCategory::Sports => 0.6,
        EventCategory::Nautical => 0.6,
        EventCategory::Demonstration => 0.5,
        EventCategory::OfficialVisit => 0.4,
        EventCategory::Other => 0.6,
        EventCategory::Market => 0.1,
    }
}

/// Police-relevant incidents per 1,000 attendees over 4 hours, by category (nuisance
/// and public-order interventions included: most are not recorded offences).
const fn incident_category(category: EventCategory) -> f64 {
    match category {
        EventCategory::FootballMatch => 1.1,
        EventCategory::Demonstration => 2.0,
        EventCategory::Festival => 0.9,
        EventCategory::Concert => 0.6,
        EventCategory::Market => 0.4,
        EventCategory::Other => 0.5,
        EventCategory::OfficialVisit => 0.6,
        EventCategory::Nautical => 0.3,
        EventCategory::Sports => 0.25,
        EventCategory::Cultural => 0.12,
    }
}

impl TrueEffects {
    /// The built-in process with the given overdispersion.
    pub fn standard(overdispersion_shape: Option<f64>) -> Self {
        Self {
            overdispersion_shape,
        }
    }

    /// The process has no coefficients to compare a fitted model with: empty.
    pub fn coefficients(&self, _field: Field) -> Vec<f64> {
        Vec::new()
    }

    /// The expected count of one field for one event, before overdispersion.
    /// `venue_effect` is the multiplicative effect of the venue itself (1 = typical),
    /// `rivalry` that of a football match's opponent (1 = ordinary).
    pub fn mean(
        &self,
        field: Field,
        features: &EventFeatures,
        venue_effect: f64,
        rivalry: f64,
    ) -> f64 {
        let thousands = f64::from(features.attendance) / 1000.0;
        let years = f64::from(features.date.year() - DRIFT_FROM_YEAR);
        let drift = (1.0 + DRIFT_PER_YEAR[field.index()]).powf(years);
        let hot = (features.weather.max_temp_c - 25.0).max(0.0);
        let standing = !matches!(features.public_profile, crate::dps::PublicProfile::Seated);
        let crowding = features
            .capacity_use()
            .map_or(1.0, |used| 1.0 + 2.0 * (used.min(1.5) - 0.9).max(0.0));
        let evening = (18..22).contains(&features.start_hour);
        let night = !(6..22).contains(&features.start_hour);
        match field {
            Field::Security => {
                let setting = if features.indoor {
                    1.0 / OUTDOOR_RATE_RATIO
                } else if features.venue_capacity.is_none() {
                    UNBOUNDED_EXTRA
                } else {
                    1.0
                };
                // Per-head rates fall slowly with size above 5,000 people (Arbon 2001).
                let size = (thousands.max(5.0) / 25.0).powf(-0.15);
                let duration = (features.duration_hours / 4.0).powf(0.3);
                let heat = 1.211f64.powf(hot / 10.0 * 1.5);
                let alcohol = if features.alcohol && (evening || night) {
                    1.35
                } else if features.alcohol {
                    1.1
                } else {
                    1.0
                };
                let crowd = if standing { crowding } else { 1.0 };
                thousands
                    * PATIENTS_PER_1000
                    * setting
                    * size
                    * patient_category(features.category)
                    * duration
                    * heat
                    * alcohol
                    * crowd
                    * venue_effect
                    * drift
            }
            Field::Tranquillity => {
                let size = (thousands.max(0.5)).powf(-0.12);
                let duration = (features.duration_hours / 4.0).powf(0.5);
                let hour = if night {
                    2.2
                } else if evening {
                    1.4
                } else if features.start_hour >= 12 {
                    1.1
                } else {
                    1.0
                };
                let alcohol = match (features.alcohol, evening || night) {
                    (true, true) => 1.9,
                    (true, false) => 1.3,
                    _ => 1.0,
                };
                let weekend = match features.weekday() {
                    chrono::Weekday::Fri | chrono::Weekday::Sat => 1.25,
                    _ => 1.0,
                };
                let rain = if !features.indoor && features.weather.rain_mm > 5.0 {
                    0.75
                } else {
                    1.0
                };
                let heat = 1.02f64.powf(hot);
                let concurrent = 1.0 + 0.1 * f64::from(features.concurrent_events.min(10));
                thousands
                    * incident_category(features.category)
                    * size
                    * duration
                    * hour
                    * alcohol
                    * weekend
                    * rain
                    * heat
                    * concurrent
                    * crowding.sqrt()
                    * rivalry
                    * venue_effect
                    * drift
            }
            Field::Mobility => {
                let (overload, ..) = crate::load::overload(features);
                let saturation = 1.0 + 4.0 * (overload.value - 0.6).max(0.0).powf(1.3);
                let category = match features.category {
                    EventCategory::OfficialVisit => 3.0,
                    EventCategory::Demonstration => 2.5,
                    EventCategory::FootballMatch => 1.3,
                    _ => 1.0,
                };
                let disruption = if features.transit_disruption {
                    2.0
                } else {
                    1.0
                };
                let rain = 1.0 + (0.05 * features.weather.rain_mm).min(0.5);
                let rush = if (16..20).contains(&features.start_hour) {
                    1.3
                } else {
                    1.0
                };
                let concurrent = 1.0 + 0.15 * f64::from(features.concurrent_events.min(10));
                2.0 * thousands.max(0.1).powf(0.6)
                    * saturation
                    * category
                    * disruption
                    * rain
                    * rush
                    * concurrent
                    * venue_effect.sqrt()
                    * drift
            }
        }
    }
}
