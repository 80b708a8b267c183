//! Drafting a year's agenda: OM's home season (the real 2022-23 fixtures and
//! attendances, `catalogue::om_home_games`), then every other category by its share,
//! season, venues, crowd and hours (`catalogue`), and the count of overlapping events
//! in the same arrondissement. Every event happens at a site slot (the Vélodrome, or
//! one of `SLOTS_PER_KIND` sites of its venue kind) whose own effect the history
//! carries and the model does not see.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::catalogue::{
    ARRONDISSEMENT_WEIGHTS, CATEGORIES, CategorySpec, VELODROME, om_home_games,
};
use crate::dps::{PublicProfile, SiteAccess};
use crate::features::{DayWeather, EventCategory, EventFeatures, VenueKind};

/// Share of events hit by a local disruption (closed line, diverted buses).
const LOCAL_DISRUPTION_SHARE: f64 = 0.04;
/// Share of large or beach events with a phone-operator presence count.
const PRESENCE_COUNT_SHARE: f64 = 0.7;
/// Attendance from which operators publish presence counts for an event.
const PRESENCE_COUNT_MIN_ATTENDANCE: u32 = 5_000;
/// Spread of live presence around the expected attendance (log scale).
const PRESENCE_SIGMA: f64 = 0.25;
/// Spread of past editions' incident index (log scale).
const PAST_INDEX_SIGMA: f64 = 0.35;
/// Sites per venue kind in the history.
const SLOTS_PER_KIND: usize = 6;
/// Site slots: the Vélodrome, then `SLOTS_PER_KIND` per venue kind.
pub(super) const SITE_SLOTS: usize = 1 + SLOTS_PER_KIND * VenueKind::ALL.len();
/// Of each kind's sites, the first ones have a metro line within walking distance.
const SLOTS_WITH_METRO: usize = 3;

/// One day's context, shared by its events.
pub(super) struct DayContext {
    /// The day's weather (real when passed, synthetic otherwise).
    pub(super) weather: DayWeather,
    /// Whether it is a public holiday.
    pub(super) public_holiday: bool,
    /// Whether it is in the school holidays (zone B).
    pub(super) school_holiday: bool,
    /// Whether transit is on strike all day.
    pub(super) strike: bool,
}

/// An event before concurrency and incidents are known.
pub(super) struct Draft {
    /// The event's features (concurrency still 0).
    pub(super) features: EventFeatures,
    /// Arrondissement number, 1-16, where concurrency is counted.
    pub(super) arrondissement: usize,
    /// Site slot (0 = the Vélodrome).
    pub(super) site: usize,
    /// Effect of a football match's opponent (1 = ordinary).
    pub(super) rivalry: f64,
}

/// Picks from weighted options (weights need not sum to 1).
fn pick<T: Copy>(options: &[(T, f64)], rng: &mut ChaCha8Rng) -> Option<T> {
    let total: f64 = options.iter().map(|(_, weight)| weight).sum();
    let mut target = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
    for (value, weight) in options {
        if target < *weight {
            return Some(*value);
        }
        target -= weight;
    }
    options.last().map(|(value, _)| *value)
}

pub(super) fn draft_year(
    year: i32,
    events: u32,
    days: &BTreeMap<NaiveDate, DayContext>,
    rng: &mut ChaCha8Rng,
) -> Vec<Draft> {
    let mut drafts = Vec::with_capacity(events as usize);
    drafts.extend(football_season(year, days, rng));
    let others = f64::from(events.saturating_sub(drafts.len() as u32));
    for spec in &CATEGORIES {
        let count = (others * spec.share).round() as u32;
        for _ in 0..count {
            if let Some(draft) = draft_event(spec, year, days, rng) {
                drafts.push(draft);
            }
        }
    }
    drafts
}

/// OM home games of the calendar year: the real 2022-23 fixtures moved by whole weeks
/// to the year's seasons (same weekday, same place in the season), with the real
/// attendance scaled to the season (`catalogue::season_attendance_factor`); none
/// during the 2020-21 closed-doors period.
fn football_season(
    year: i32,
    days: &BTreeMap<NaiveDate, DayContext>,
    rng: &mut ChaCha8Rng,
) -> Vec<Draft> {
    let mut games = Vec::new();
    for game in om_home_games() {
        let Some((date, attendance)) = game.in_year(year) else {
            continue;
        };
        let Some(context) = days.get(&date) else {
            continue;
        };
        let mut features = base_features(EventCategory::FootballMatch, date, context, rng);
        features.start_hour = game.kickoff_hour;
        features.duration_hours = 4.0;
        features.attendance = attendance;
        features.venue_kind = VenueKind::Stadium;
        features.venue_capacity = Some(VELODROME.capacity);
        features.indoor = false;
        features.alcohol = false;
        features.public_profile = PublicProfile::Seated;
        features.site_access = VELODROME.access;
        features.rescue_delay_minutes = VELODROME.rescue_delay_minutes;
        features.egress_capacity = Some(crate::load::egress_capacity(
            VenueKind::Stadium,
            Some(VELODROME.location),
        ));
        features.presence_ratio = rng
            .random_bool(PRESENCE_COUNT_SHARE)
            .then(|| lognormal(PRESENCE_SIGMA, rng));
        // Every game has past editions (same opponent in earlier seasons): their
        // incident index reflects the rivalry, with noise.
        features.past_incident_index = Some(game.rivalry * lognormal(PAST_INDEX_SIGMA, rng));
        games.push(Draft {
            features,
            arrondissement: 8,
            site: 0,
            rivalry: game.rivalry,
        });
    }
    games
}

fn lognormal(sigma: f64, rng: &mut ChaCha8Rng) -> f64 {
    Normal::new(0.0, sigma).map_or(1.0, |normal| normal.sample(rng).exp())
}

fn base_features(
    category: EventCategory,
    date: NaiveDate,
    context: &DayContext,
    rng: &mut ChaCha8Rng,
) -> EventFeatures {
    EventFeatures {
        category,
        date,
        start_hour: 12,
        duration_hours: 3.0,
        attendance: 100,
        venue_kind: VenueKind::Other,
        venue_capacity: None,
        indoor: false,
        alcohol: false,
        public_holiday: context.public_holiday,
        school_holiday: context.school_holiday,
        weather: context.weather,
        weather_basis: None,
        concurrent_events: 0,
        transit_disruption: context.strike || rng.random_bool(LOCAL_DISRUPTION_SHARE),
        presence_ratio: None,
        past_incident_index: None,
        public_profile: PublicProfile::Standing,
        site_access: SiteAccess::Easy,
        rescue_delay_minutes: rng.random_range(5..=15),
        egress_capacity: None,
    }
}

/// A date of `year` following the season's month weights (rejection sampling).
fn seasonal_date(spec: &CategorySpec, year: i32, rng: &mut ChaCha8Rng) -> Option<NaiveDate> {
    let weights = spec.season.month_weights();
    let highest = weights.iter().copied().fold(0.0, f64::max);
    let days_in_year = NaiveDate::from_ymd_opt(year, 12, 31)?.ordinal();
    for _ in 0..100 {
        let ordinal = rng.random_range(1..=days_in_year);
        let date = NaiveDate::from_yo_opt(year, ordinal)?;
        if rng.random_range(0.0..highest) < weights[date.month0() as usize] {
            return Some(date);
        }
    }
    None
}

fn draft_event(
    spec: &CategorySpec,
    year: i32,
    days: &BTreeMap<NaiveDate, DayContext>,
    rng: &mut ChaCha8Rng,
) -> Option<Draft> {
    let date = seasonal_date(spec, year, rng)?;
    let context = days.get(&date)?;
    let mut features = base_features(spec.category, date, context, rng);
    let venue = pick(spec.venues, rng)?;
    let (low, high) = spec.attendance_range;
    let attendance = (spec.attendance_median * lognormal(spec.attendance_sigma, rng))
        .clamp(f64::from(low), f64::from(high));
    features.attendance = attendance.round() as u32;
    features.start_hour = pick(spec.start_hours, rng)?;
    features.duration_hours =
        (rng.random_range(spec.duration_hours.0..=spec.duration_hours.1) * 2.0).round() / 2.0;
    features.venue_kind = venue;
    features.alcohol = rng.random_bool(spec.alcohol_share);
    features.public_profile = spec.profile;
    let (capacity, indoor, access) = venue_setting(venue, features.attendance, rng);
    let slot = rng.random_range(0..SLOTS_PER_KIND);
    let kind_index = VenueKind::ALL.iter().position(|k| *k == venue).unwrap_or(0);
    features.egress_capacity = Some(
        crate::load::road_capacity(venue)
            + if slot < SLOTS_WITH_METRO {
                crate::load::metro_capacity(VELODROME.location)
            } else {
                0.0
            },
    );
    features.venue_capacity = capacity;
    features.indoor = indoor;
    features.site_access = access;
    if venue == VenueKind::Beach {
        features.rescue_delay_minutes += 5;
    }
    let counted = features.attendance >= PRESENCE_COUNT_MIN_ATTENDANCE || venue == VenueKind::Beach;
    features.presence_ratio =
        (counted && rng.random_bool(PRESENCE_COUNT_SHARE)).then(|| lognormal(PRESENCE_SIGMA, rng));
    features.past_incident_index = rng
        .random_bool(spec.series_share)
        .then(|| lognormal(PAST_INDEX_SIGMA, rng));
    let arrondissement = pick(
        &ARRONDISSEMENT_WEIGHTS
            .iter()
            .copied()
            .enumerate()
            .collect::<Vec<_>>(),
        rng,
    )? + 1;
    Some(Draft {
        features,
        arrondissement,
        site: 1 + kind_index * SLOTS_PER_KIND + slot,
        rivalry: 1.0,
    })
}

/// Capacity, indoor and DPS access class of a venue for a given crowd.
fn venue_setting(
    venue: VenueKind,
    attendance: u32,
    rng: &mut ChaCha8Rng,
) -> (Option<u32>, bool, SiteAccess) {
    // Venues with seats or gates are booked to 40-110 % of their capacity.
    let sized = |rng: &mut ChaCha8Rng| {
        Some((f64::from(attendance) / rng.random_range(0.4..1.1)).ceil() as u32)
    };
    match venue {
        VenueKind::Stadium if attendance > 10_000 => {
            (Some(VELODROME.capacity), false, VELODROME.access)
        }
        VenueKind::Stadium => (sized(rng), false, SiteAccess::Easy),
        VenueKind::Hall => (sized(rng), true, SiteAccess::Easy),
        VenueKind::Other => {
            let indoor = rng.random_bool(0.5);
            (
                if indoor { sized(rng) } else { None },
                indoor,
                SiteAccess::Easy,
            )
        }
        VenueKind::Beach => (None, false, SiteAccess::VeryDifficult),
        VenueKind::Park => (
            None,
            false,
            if attendance > 5_000 {
                SiteAccess::Difficult
            } else {
                SiteAccess::Moderate
            },
        ),
        VenueKind::Port => (None, false, SiteAccess::Difficult),
        VenueKind::Street | VenueKind::Square => (None, false, SiteAccess::Easy),
    }
}

/// Counts, for each event, the others in the same arrondissement on the same day whose
/// hours overlap. `drafts` must be sorted by date and arrondissement.
pub(super) fn set_concurrency(drafts: &mut [Draft]) {
    let mut start = 0;
    while start < drafts.len() {
        let key = (drafts[start].features.date, drafts[start].arrondissement);
        let end = start
            + drafts[start..]
                .iter()
                .take_while(|d| (d.features.date, d.arrondissement) == key)
                .count();
        let spans: Vec<(f64, f64)> = drafts[start..end]
            .iter()
            .map(|d| {
                (
                    f64::from(d.features.start_hour),
                    f64::from(d.features.start_hour) + d.features.duration_hours,
                )
            })
            .collect();
        for (i, draft) in drafts[start..end].iter_mut().enumerate() {
            let overlapping = spans
                .iter()
                .enumerate()
                .filter(|(j, (s, e))| *j != i && *s < spans[i].1 && spans[i].0 < *e)
                .count();
            draft.features.concurrent_events = u32::try_from(overlapping).unwrap_or(u32::MAX);
        }
        start = end;
    }
}
