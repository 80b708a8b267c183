//! What Marseille's agenda is made of, for the synthetic history: for each category, its
//! share of the year's events, where it happens, how many come, when, for how long.
//! Figures are plausible orders of magnitude for a city of 870,000 (about 5,000 events a
//! year on the agenda), with the Orange Vélodrome (67,394 seats) for OM home games.

use crate::dps::PublicProfile;
use crate::features::{EventCategory, VenueKind};

/// Orange Vélodrome capacity (Ligue 1 2022-23 figures).
pub const VELODROME_CAPACITY: u32 = 67_394;
/// OM home games in a calendar year (19 league games a season, plus a cup game).
pub const FOOTBALL_GAMES_PER_YEAR: u32 = 20;
/// OM home attendance range observed or allowed (2022-23: 58,231 to 65,894).
pub const FOOTBALL_ATTENDANCE: (u32, u32) = (40_000, 66_000);

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
