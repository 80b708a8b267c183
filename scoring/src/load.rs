//! The expected load of an event in the units a supervision team plans with, each with
//! an 80 % interval:
//! - security: **patients** presenting to first aid, and **hospital transfers**;
//! - tranquillity: **police-relevant incidents** (public order, nuisance, thefts);
//! - mobility: the **overload ratio**, people leaving in the busiest half hour over what
//!   the transit and roads serving the site carry in half an hour.
//!
//! The count fields come from the learned models (`model`); their intervals are the
//! 10th and 90th percentiles of the fitted count distribution (negative binomial, or
//! Poisson). Mobility is computed, not learned: the peak outflow follows from the
//! attendance and the way the event ends, the capacity from the metro stations near the
//! site (RTM GTFS, `reference/gtfs-metro/`) and a road, bus and walking figure by kind of
//! venue.
//!
//! The reference figures every magnitude is anchored on are constants below, with their
//! source.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::features::{EventCategory, EventFeatures, Field, VenueKind};

/// Patients per 1,000 attendees at events over 25,000 people (Arbon et al. 2001, 201
/// events, more than 12 million attendees).
pub const PATIENTS_PER_1000: f64 = 0.992;
/// Hospital transfers per 1,000 attendees at the same events (Arbon et al. 2001).
pub const TRANSFERS_PER_1000: f64 = 0.027;
/// Share of patients transferred to hospital: 0.027 / 0.992.
pub const TRANSFER_SHARE: f64 = TRANSFERS_PER_1000 / PATIENTS_PER_1000;
/// Rate ratio of an outdoor venue against an indoor one (Intern Emerg Med 2016).
pub const OUTDOOR_RATE_RATIO: f64 = 3.002;
/// Rate ratio of an unbounded venue against a bounded one (Intern Emerg Med 2016).
pub const UNBOUNDED_RATE_RATIO: f64 = 2.839;
/// Rate ratio per 10 units of heat index (Intern Emerg Med 2016).
pub const HEAT_INDEX_RATE_RATIO_PER_10: f64 = 1.211;
/// Marins-pompiers de Marseille (BMPM) interventions a day: 126,581 in 2022, 109,193 to
/// 130,306 a year in 2018-2022, i.e. 300-357 a day.
pub const CITY_FIRE_BRIGADE_PER_DAY: f64 = 330.0;
/// BMPM "secours à personne" (rescue of persons) a day: 93,379 in 2022.
pub const CITY_RESCUES_PER_DAY: f64 = 93_379.0 / 365.0;
/// Police-relevant offences recorded in the Bouches-du-Rhône in 2022 (SSMSI): thefts
/// without violence against persons 27,321, violent thefts without a weapon 3,714,
/// assaults outside the family 6,786, wilful damage 23,707.
pub const DEPARTMENT_POLICE_RELEVANT_2022: f64 = 27_321.0 + 3_714.0 + 6_786.0 + 23_707.0;
/// Marseille's share of the department's population (873,076 of 2,048,070).
pub const CITY_POPULATION_SHARE: f64 = 873_076.0 / 2_048_070.0;
/// Police-relevant offences a day in Marseille, at the department's rate per head.
pub const CITY_POLICE_RELEVANT_PER_DAY: f64 =
    DEPARTMENT_POLICE_RELEVANT_2022 * CITY_POPULATION_SHARE / 365.0;

/// What an expected load counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadUnit {
    /// Patients presenting to first aid during the event.
    Patients,
    /// Patients taken to hospital.
    HospitalTransfers,
    /// Police-relevant incidents (public order, nuisance, thefts).
    PoliceIncidents,
    /// People leaving in the busiest half hour over the half-hour capacity of the
    /// transit and roads serving the site (1.0 = exactly saturated).
    OverloadRatio,
}

impl LoadUnit {
    /// The unit in words.
    pub const fn words(self) -> &'static str {
        match self {
            Self::Patients => "patients",
            Self::HospitalTransfers => "hospital transfers",
            Self::PoliceIncidents => "police-relevant incidents",
            Self::OverloadRatio => "peak outflow / transit and road capacity",
        }
    }
}

/// An expected quantity with its 80 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ExpectedLoad {
    /// What is counted.
    pub unit: LoadUnit,
    /// Expected value (mean).
    pub value: f64,
    /// 10th percentile.
    pub low: f64,
    /// 90th percentile.
    pub high: f64,
}

/// The load of one event, all fields.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EventLoad {
    /// Police-relevant incidents (tranquillity).
    pub incidents: ExpectedLoad,
    /// Patients (security).
    pub patients: ExpectedLoad,
    /// Hospital transfers (security).
    pub transfers: ExpectedLoad,
    /// Overload ratio (mobility).
    pub overload: ExpectedLoad,
    /// People leaving in the busiest half hour.
    pub peak_outflow: f64,
    /// People the transit and roads serving the site carry in half an hour.
    pub egress_capacity: f64,
}

impl EventLoad {
    /// The load a field's risk is read from.
    pub fn of(&self, field: Field) -> ExpectedLoad {
        match field {
            Field::Tranquillity => self.incidents,
            Field::Security => self.patients,
            Field::Mobility => self.overload,
        }
    }
}

/// The 80 % interval of a count with mean `mean`: negative binomial of shape `theta`,
/// Poisson without one.
pub fn count_load(unit: LoadUnit, mean: f64, theta: Option<f64>) -> ExpectedLoad {
    let (low, high) = count_quantiles(mean, theta, 0.1, 0.9);
    ExpectedLoad {
        unit,
        value: mean,
        low,
        high,
    }
}

/// Quantiles of a Poisson or negative-binomial count, by summing the probabilities
/// (exact), or with a normal approximation for large means.
fn count_quantiles(mean: f64, theta: Option<f64>, p_low: f64, p_high: f64) -> (f64, f64) {
    if !(mean.is_finite() && mean > 0.0) {
        return (0.0, 0.0);
    }
    let variance = mean + theta.map_or(0.0, |t| mean * mean / t);
    if mean > 500.0 {
        let sd = variance.sqrt();
        return ((mean - 1.2816 * sd).max(0.0), mean + 1.2816 * sd);
    }
    // p(0) and the ratio p(k+1)/p(k) of each family.
    let (mut p, step): (f64, Box<dyn Fn(f64) -> f64>) = match theta {
        Some(t) if t.is_finite() && t > 0.0 => (
            (t / (t + mean)).powf(t),
            Box::new(move |k: f64| (k + t) / (k + 1.0) * mean / (t + mean)),
        ),
        _ => ((-mean).exp(), Box::new(move |k: f64| mean / (k + 1.0))),
    };
    let mut cumulative = p;
    let mut k = 0.0;
    let mut low = None;
    let limit = mean + 20.0 * variance.sqrt() + 50.0;
    while k < limit {
        if low.is_none() && cumulative >= p_low {
            low = Some(k);
        }
        if cumulative >= p_high {
            return (low.unwrap_or(k), k);
        }
        p *= step(k);
        k += 1.0;
        cumulative += p;
    }
    (low.unwrap_or(k), k)
}

/// Train or bus capacity actually available to people leaving an event: a metro
/// train of the RTM (MPM 76, 4 cars) carries about 500, and trains arrive partly full.
const FREE_PLACES_PER_TRAIN: f64 = 350.0;
/// Trains per half hour and direction in the evening (RTM metro: every 5 minutes at
/// peak, every 10 minutes late; an event exit is served at about every 5 minutes).
const TRAINS_PER_HALF_HOUR: f64 = 6.0;
/// A station serves the site when its platform is within this walk (metres).
const STATION_RADIUS_M: f64 = 900.0;

/// People per half hour that roads, buses and walking take away from a site, by kind of
/// venue, without the metro: a stadium has its car parks, shuttle buses and wide
/// avenues; a street or a quay opens on the whole city centre on foot; a hall empties
/// into one street.
pub const fn road_capacity(kind: VenueKind) -> f64 {
    match kind {
        VenueKind::Stadium => 16_000.0,
        VenueKind::Street | VenueKind::Port => 12_000.0,
        VenueKind::Square => 8_000.0,
        VenueKind::Park => 6_000.0,
        VenueKind::Beach => 5_000.0,
        VenueKind::Hall => 4_000.0,
        VenueKind::Other => 4_000.0,
    }
}

/// A metro platform of the shipped GTFS extract.
#[derive(Debug, Clone)]
struct Platform {
    line: &'static str,
    lat: f64,
    lon: f64,
}

const GTFS_STOPS: &str = include_str!("../../reference/gtfs-metro/stops.txt");
const GTFS_STOP_TIMES: &str = include_str!("../../reference/gtfs-metro/stop_times.txt");

/// The metro platforms with their line (M1 or M2, read from the trips that call there).
fn platforms() -> &'static [Platform] {
    static PLATFORMS: OnceLock<Vec<Platform>> = OnceLock::new();
    PLATFORMS.get_or_init(|| {
        let mut line_of = std::collections::HashMap::new();
        for record in GTFS_STOP_TIMES.lines().skip(1) {
            let columns: Vec<&str> = record.split(',').collect();
            if let (Some(trip), Some(stop)) = (columns.first(), columns.get(3)) {
                let line = if trip.contains("M1") { "M1" } else { "M2" };
                line_of.insert((*stop).to_owned(), line);
            }
        }
        GTFS_STOPS
            .lines()
            .skip(1)
            .filter_map(|record| {
                let columns: Vec<&str> = record.split(',').collect();
                let line = line_of.get(*columns.first()?)?;
                Some(Platform {
                    line,
                    lat: columns.get(4)?.parse().ok()?,
                    lon: columns.get(5)?.parse().ok()?,
                })
            })
            .collect()
    })
}

fn distance_m((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let radius = 6_371_000.0;
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let dphi = (lat2 - lat1).to_radians();
    let dlambda = (lon2 - lon1).to_radians();
    let a = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
    2.0 * radius * a.sqrt().asin()
}

/// Metro lines with a platform within walking distance of a point.
pub fn metro_lines_near(location: (f64, f64)) -> Vec<&'static str> {
    let mut lines: Vec<&'static str> = platforms()
        .iter()
        .filter(|p| distance_m(location, (p.lat, p.lon)) <= STATION_RADIUS_M)
        .map(|p| p.line)
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// People per half hour the metro lines near a point carry away: each line, both
/// directions, `TRAINS_PER_HALF_HOUR` trains with `FREE_PLACES_PER_TRAIN` free places.
pub fn metro_capacity(location: (f64, f64)) -> f64 {
    metro_lines_near(location).len() as f64 * 2.0 * TRAINS_PER_HALF_HOUR * FREE_PLACES_PER_TRAIN
}

/// People per half hour that the transit and roads serving a site carry away: the metro
/// near it (when its location is known) plus the road figure of its kind.
pub fn egress_capacity(kind: VenueKind, location: Option<(f64, f64)>) -> f64 {
    road_capacity(kind) + location.map_or(0.0, metro_capacity)
}

/// Whether the public leaves at one time (a match, a show) rather than coming and going.
fn synchronized_end(features: &EventFeatures) -> bool {
    match features.category {
        EventCategory::FootballMatch | EventCategory::Concert => true,
        EventCategory::Cultural | EventCategory::Sports => {
            features.indoor || matches!(features.venue_kind, VenueKind::Stadium | VenueKind::Hall)
        }
        _ => false,
    }
}

/// Share of the public that leaves in the same half hour at the end of a show or a match.
const SYNCHRONIZED_EXIT_SHARE: f64 = 0.6;
/// A demonstration disperses over about an hour.
const DISPERSAL_SHARE: f64 = 0.4;
/// Where people come and go, the busiest half hour holds this many times the average.
const TURNOVER_PEAK_FACTOR: f64 = 1.5;

/// People leaving in the busiest half hour.
pub fn peak_outflow(features: &EventFeatures) -> f64 {
    let attendance = f64::from(features.attendance);
    let share = if synchronized_end(features) {
        SYNCHRONIZED_EXIT_SHARE
    } else if features.category == EventCategory::Demonstration {
        DISPERSAL_SHARE
    } else {
        (TURNOVER_PEAK_FACTOR * 0.5 / features.duration_hours.max(0.5)).min(SYNCHRONIZED_EXIT_SHARE)
    };
    attendance * share
}

/// Spread of the attendance actually present around the expected one (log scale): an
/// announced figure is off by about 25 % either way (phone-operator counts, 2015-2024).
const ATTENDANCE_LOG_SD: f64 = 0.2;

/// The overload ratio with its 80 % interval (from the uncertainty on attendance).
pub fn overload(features: &EventFeatures) -> (ExpectedLoad, f64, f64) {
    let outflow = peak_outflow(features);
    let capacity = features
        .egress_capacity
        .filter(|c| c.is_finite() && *c > 0.0)
        .unwrap_or_else(|| egress_capacity(features.venue_kind, None));
    let ratio = outflow / capacity;
    let spread = (1.2816 * ATTENDANCE_LOG_SD).exp();
    (
        ExpectedLoad {
            unit: LoadUnit::OverloadRatio,
            value: ratio,
            low: ratio / spread,
            high: ratio * spread,
        },
        outflow,
        capacity,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_quantiles_match_the_tables() {
        // Poisson(10): P(X <= 5) = 0.067, P(X <= 6) = 0.130; P(X <= 13) = 0.864, P(X <= 14) = 0.917.
        assert_eq!(count_quantiles(10.0, None, 0.1, 0.9), (6.0, 14.0));
        // Poisson(0.1): 90.5 % are 0.
        assert_eq!(count_quantiles(0.1, None, 0.1, 0.9), (0.0, 0.0));
    }

    #[test]
    fn overdispersion_widens_the_interval() {
        let (low_p, high_p) = count_quantiles(20.0, None, 0.1, 0.9);
        let (low_nb, high_nb) = count_quantiles(20.0, Some(3.0), 0.1, 0.9);
        assert!(low_nb < low_p && high_nb > high_p);
    }

    #[test]
    fn the_velodrome_is_served_by_line_2_and_the_old_port_by_both_lines() {
        assert_eq!(metro_lines_near((43.2698, 5.3959)), ["M2"]);
        assert_eq!(metro_lines_near((43.2951, 5.3742)), ["M1", "M2"]);
        assert!(metro_lines_near((43.2134, 5.4202)).is_empty(), "Sormiou");
        assert_eq!(metro_capacity((43.2698, 5.3959)), 4_200.0);
    }

    #[test]
    fn the_city_levels_are_those_of_the_statistics() {
        assert!((CITY_POLICE_RELEVANT_PER_DAY - 71.8).abs() < 0.5);
        assert!((TRANSFER_SHARE - 0.0272).abs() < 1e-3);
    }
}
