//! What Marseille's agenda is made of, for the synthetic history: for each category, its
//! share of the year's events, where it happens, how many come, when, for how long.
//! Figures are plausible orders of magnitude for a city of 870,000 (about 5,000 events a
//! year on the agenda), with the Orange Vélodrome (67,394 seats) for OM home games,
//! whose fixtures and attendances are the real ones of 2022-23
//! (`reference/football/ligue1_2022-23_match_attendance.csv`).

use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate};

use crate::dps::{PublicProfile, SiteAccess};
use crate::features::{EventCategory, VenueKind};

/// Orange Vélodrome capacity (Ligue 1 2022-23 figures).
pub const VELODROME_CAPACITY: u32 = 67_394;

/// What the model and the DPS grid need about a named venue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteSpec {
    /// Seats or admitted people.
    pub capacity: u32,
    /// DPS grid E1 access class.
    pub access: SiteAccess,
    /// Public rescue delay, minutes (DPS grid E2).
    pub rescue_delay_minutes: u32,
    /// Latitude and longitude.
    pub location: (f64, f64),
}

/// The Orange Vélodrome, as the platform's venue register holds it (the seed's
/// `orange-velodrome` must agree; a test checks it): stands reached by long stairways
/// and ramps, hence a very difficult access for stretcher bearers.
pub const VELODROME: SiteSpec = SiteSpec {
    capacity: VELODROME_CAPACITY,
    access: SiteAccess::VeryDifficult,
    rescue_delay_minutes: 10,
    location: (43.2698, 5.3959),
};

/// One OM home game of the reference season.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HomeGame {
    /// Date played (2022-23 season).
    pub date: NaiveDate,
    /// Opponent.
    pub opponent: &'static str,
    /// Spectators (the season's mean where the league published none).
    pub attendance: u32,
    /// Local kick-off hour (evening games at 21:00, Sunday games at 17:00 or 20:45).
    pub kickoff_hour: u8,
    /// Effect of the opponent on police-relevant incidents (1 = ordinary; the
    /// "classique" against Paris and the derbies against Lyon and Nice draw more).
    pub rivalry: f64,
}

const LIGUE1_2022_23: &str =
    include_str!("../../../reference/football/ligue1_2022-23_match_attendance.csv");

/// The rivalry effect of an opponent.
fn rivalry(opponent: &str) -> f64 {
    match opponent {
        "Paris Saint Germain" => 2.2,
        "Olympique Lyonnais" | "OGC Nice" => 1.6,
        "AS Monaco" | "RC Lens" | "Stade Rennais FC" | "LOSC Lille" => 1.15,
        _ => 1.0,
    }
}

/// The 19 real OM home league games of 2022-23, in date order.
pub fn om_home_games() -> &'static [HomeGame] {
    static GAMES: OnceLock<Vec<HomeGame>> = OnceLock::new();
    GAMES.get_or_init(|| {
        let mut games: Vec<(NaiveDate, &'static str, Option<u32>)> = LIGUE1_2022_23
            .lines()
            .skip(1)
            .filter_map(|line| {
                let c: Vec<&'static str> = line.split(',').collect();
                if c.get(2) != Some(&"Olympique de Marseille") {
                    return None;
                }
                let date = NaiveDate::parse_from_str(c.get(1)?, "%m-%d-%Y").ok()?;
                Some((date, *c.get(3)?, c.get(5).and_then(|a| a.parse().ok())))
            })
            .collect();
        games.sort_by_key(|g| g.0);
        let known: Vec<u32> = games.iter().filter_map(|g| g.2).collect();
        let mean = known.iter().map(|a| u64::from(*a)).sum::<u64>() / known.len().max(1) as u64;
        games
            .into_iter()
            .map(|(date, opponent, attendance)| HomeGame {
                date,
                opponent,
                attendance: attendance.unwrap_or(u32::try_from(mean).unwrap_or(0)),
                kickoff_hour: if date.weekday() == chrono::Weekday::Sun {
                    17
                } else {
                    21
                },
                rivalry: rivalry(opponent),
            })
            .collect()
    })
}

/// Season attendance against 2022-23 (an assumption for the seasons without a file:
/// OM's average gate grew from about 40,000 in 2015-16 to 63,000 in 2022-23); `None`
/// for the closed-doors period.
pub fn season_attendance_factor(season_start_year: i32) -> Option<f64> {
    match season_start_year {
        ..=2015 => Some(0.62),
        2016 => Some(0.68),
        2017 => Some(0.84),
        2018 => Some(0.81),
        2019 => Some(0.89),
        2020 => None,
        2021 => Some(0.85),
        _ => Some(1.0),
    }
}

impl HomeGame {
    /// The game carried to calendar year `year`: moved by whole weeks into the season
    /// of the same place in the year, with its attendance scaled to that season.
    /// `None` when the season played behind closed doors (March 2020 to June 2021).
    pub fn in_year(&self, year: i32) -> Option<(NaiveDate, u32)> {
        let shift_years = year - self.date.year();
        let weeks = (f64::from(shift_years) * 365.2425 / 7.0).round() as i64;
        let date = if weeks >= 0 {
            self.date
                .checked_add_days(Days::new(weeks.unsigned_abs() * 7))?
        } else {
            self.date
                .checked_sub_days(Days::new(weeks.unsigned_abs() * 7))?
        };
        if date.year() != year {
            return None;
        }
        let closed_from = NaiveDate::from_ymd_opt(2020, 3, 1)?;
        let closed_to = NaiveDate::from_ymd_opt(2021, 6, 30)?;
        if (closed_from..=closed_to).contains(&date) {
            return None;
        }
        let season = if date.month() >= 7 { year } else { year - 1 };
        let factor = season_attendance_factor(season)?;
        let attendance = (f64::from(self.attendance) * factor).round() as u32;
        Some((date, attendance.min(VELODROME_CAPACITY)))
    }
}

/// When in the year a category happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Season {
    /// All year round.
    Flat,
    /// Mostly from May to September.
    Summer,
}

impl Season {
    /// Relative weight of each month (January first).
    pub const fn month_weights(self) -> [f64; 12] {
        match self {
            Self::Flat => [1.0; 12],
            Self::Summer => [0.3, 0.3, 0.5, 0.8, 1.2, 1.8, 2.5, 2.5, 1.5, 0.8, 0.4, 0.3],
        }
    }
}

/// How one category of events is drawn.
#[derive(Debug, Clone, Copy)]
pub struct CategorySpec {
    /// The category.
    pub category: EventCategory,
    /// Share of the year's events other than OM home games.
    pub share: f64,
    /// Venue kinds and their weights.
    pub venues: &'static [(VenueKind, f64)],
    /// Median attendance (attendance is log-normal).
    pub attendance_median: f64,
    /// Standard deviation of log attendance.
    pub attendance_sigma: f64,
    /// Smallest and largest attendance drawn.
    pub attendance_range: (u32, u32),
    /// Start hours and their weights.
    pub start_hours: &'static [(u8, f64)],
    /// Shortest and longest duration, hours.
    pub duration_hours: (f64, f64),
    /// Share of events where alcohol is sold or allowed.
    pub alcohol_share: f64,
    /// Public profile for the DPS grid.
    pub profile: PublicProfile,
    /// Seasonality.
    pub season: Season,
    /// Share of events with known past editions.
    pub series_share: f64,
}

/// Every category but football matches (drawn as OM's home season).
pub const CATEGORIES: [CategorySpec; 9] = [
    CategorySpec {
        category: EventCategory::Market,
        share: 0.36,
        venues: &[(VenueKind::Street, 0.6), (VenueKind::Square, 0.4)],
        attendance_median: 700.0,
        attendance_sigma: 0.6,
        attendance_range: (100, 8_000),
        start_hours: &[(7, 0.6), (8, 0.4)],
        duration_hours: (4.5, 6.0),
        alcohol_share: 0.0,
        profile: PublicProfile::StandingDynamic,
        season: Season::Flat,
        series_share: 0.8,
    },
    CategorySpec {
        category: EventCategory::Cultural,
        share: 0.22,
        venues: &[
            (VenueKind::Hall, 0.5),
            (VenueKind::Other, 0.3),
            (VenueKind::Square, 0.1),
            (VenueKind::Park, 0.1),
        ],
        attendance_median: 400.0,
        attendance_sigma: 0.7,
        attendance_range: (50, 5_000),
        start_hours: &[(10, 0.3), (14, 0.2), (18, 0.2), (20, 0.3)],
        duration_hours: (1.5, 4.0),
        alcohol_share: 0.3,
        profile: PublicProfile::Seated,
        season: Season::Flat,
        series_share: 0.3,
    },
    CategorySpec {
        category: EventCategory::Sports,
        share: 0.10,
        venues: &[
            (VenueKind::Stadium, 0.15),
            (VenueKind::Street, 0.25),
            (VenueKind::Park, 0.25),
            (VenueKind::Beach, 0.15),
            (VenueKind::Other, 0.2),
        ],
        attendance_median: 800.0,
        attendance_sigma: 1.0,
        attendance_range: (50, 30_000),
        start_hours: &[(9, 0.5), (14, 0.4), (19, 0.1)],
        duration_hours: (2.0, 6.0),
        alcohol_share: 0.1,
        profile: PublicProfile::Standing,
        season: Season::Flat,
        series_share: 0.4,
    },
    CategorySpec {
        category: EventCategory::Concert,
        share: 0.08,
        venues: &[
            (VenueKind::Hall, 0.45),
            (VenueKind::Stadium, 0.05),
            (VenueKind::Park, 0.2),
            (VenueKind::Square, 0.2),
            (VenueKind::Beach, 0.05),
            (VenueKind::Port, 0.05),
        ],
        attendance_median: 1_500.0,
        attendance_sigma: 1.0,
        attendance_range: (50, 65_000),
        start_hours: &[(19, 0.3), (20, 0.5), (21, 0.2)],
        duration_hours: (2.5, 4.0),
        alcohol_share: 0.7,
        profile: PublicProfile::StandingStatic,
        season: Season::Summer,
        series_share: 0.2,
    },
    CategorySpec {
        category: EventCategory::Festival,
        share: 0.04,
        venues: &[
            (VenueKind::Park, 0.3),
            (VenueKind::Beach, 0.25),
            (VenueKind::Port, 0.2),
            (VenueKind::Square, 0.15),
            (VenueKind::Other, 0.1),
        ],
        attendance_median: 4_000.0,
        attendance_sigma: 1.0,
        attendance_range: (300, 80_000),
        start_hours: &[(14, 0.4), (16, 0.3), (18, 0.2), (22, 0.1)],
        duration_hours: (5.0, 10.0),
        alcohol_share: 0.8,
        profile: PublicProfile::StandingDynamic,
        season: Season::Summer,
        series_share: 0.6,
    },
    CategorySpec {
        category: EventCategory::Demonstration,
        share: 0.07,
        venues: &[(VenueKind::Street, 0.85), (VenueKind::Square, 0.15)],
        attendance_median: 1_500.0,
        attendance_sigma: 1.2,
        attendance_range: (50, 60_000),
        start_hours: &[(10, 0.4), (14, 0.5), (18, 0.1)],
        duration_hours: (2.0, 4.0),
        alcohol_share: 0.0,
        profile: PublicProfile::StandingDynamic,
        season: Season::Flat,
        series_share: 0.3,
    },
    CategorySpec {
        category: EventCategory::OfficialVisit,
        share: 0.012,
        venues: &[
            (VenueKind::Street, 0.4),
            (VenueKind::Square, 0.3),
            (VenueKind::Other, 0.3),
        ],
        attendance_median: 500.0,
        attendance_sigma: 0.8,
        attendance_range: (50, 5_000),
        start_hours: &[(9, 0.3), (11, 0.3), (15, 0.4)],
        duration_hours: (1.5, 4.0),
        alcohol_share: 0.0,
        profile: PublicProfile::Standing,
        season: Season::Flat,
        series_share: 0.1,
    },
    CategorySpec {
        category: EventCategory::Nautical,
        share: 0.03,
        venues: &[(VenueKind::Port, 0.6), (VenueKind::Beach, 0.4)],
        attendance_median: 1_500.0,
        attendance_sigma: 1.0,
        attendance_range: (50, 30_000),
        start_hours: &[(10, 0.6), (14, 0.4)],
        duration_hours: (3.0, 8.0),
        alcohol_share: 0.3,
        profile: PublicProfile::Standing,
        season: Season::Summer,
        series_share: 0.5,
    },
    CategorySpec {
        category: EventCategory::Other,
        share: 0.088,
        venues: &[
            (VenueKind::Street, 0.2),
            (VenueKind::Square, 0.2),
            (VenueKind::Park, 0.15),
            (VenueKind::Hall, 0.15),
            (VenueKind::Beach, 0.1),
            (VenueKind::Port, 0.05),
            (VenueKind::Other, 0.15),
        ],
        attendance_median: 400.0,
        attendance_sigma: 1.0,
        attendance_range: (50, 10_000),
        start_hours: &[(8, 0.2), (11, 0.2), (15, 0.2), (19, 0.2), (23, 0.2)],
        duration_hours: (1.0, 6.0),
        alcohol_share: 0.3,
        profile: PublicProfile::Standing,
        season: Season::Flat,
        series_share: 0.2,
    },
];

/// Relative weight of each arrondissement (1er..16e) as a place for events: the centre
/// and the seafront hold most of them.
pub const ARRONDISSEMENT_WEIGHTS: [f64; 16] = [
    3.0, 2.0, 1.0, 1.0, 1.0, 2.5, 2.0, 3.0, 1.0, 0.7, 0.7, 0.7, 1.0, 0.7, 0.7, 0.5,
];
