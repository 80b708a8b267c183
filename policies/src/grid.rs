//! The fixed grids that disclosure control relies on: time buckets from a closed
//! hierarchy aligned on UTC epoch boundaries, and the zone levels from site to city.
//!
//! Alignment is what makes differencing impossible to set up by choice of window: a
//! 15-minute bucket always starts at :00, :15, :30 or :45, an hour on the hour, a day
//! at 00:00 UTC, so two queries can never be shifted against each other to isolate a
//! slice finer than a bucket. Days are UTC days, not Europe/Paris days, because a
//! Paris day lasts 23 or 25 hours twice a year and would not be a whole number of
//! hours: the hierarchy needs each size to divide the next exactly.

use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// A time bucket length from the fixed hierarchy; each divides the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BucketSize {
    /// 15 minutes: the finest bucket any source may send (presence counts).
    Quarter,
    /// One hour (4 quarters).
    Hour,
    /// One UTC day (24 hours).
    Day,
}

impl BucketSize {
    /// Every size, finest first.
    pub const ALL: [BucketSize; 3] = [BucketSize::Quarter, BucketSize::Hour, BucketSize::Day];

    /// Length in seconds.
    pub fn seconds(self) -> i64 {
        self.minutes() * 60
    }

    /// Length in minutes.
    pub fn minutes(self) -> i64 {
        match self {
            BucketSize::Quarter => 15,
            BucketSize::Hour => 60,
            BucketSize::Day => 1440,
        }
    }

    /// The size of this length in minutes, if it is on the hierarchy.
    pub fn from_minutes(minutes: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|size| size.minutes() == minutes)
    }

    /// The next finer size, if any.
    pub fn finer(self) -> Option<Self> {
        match self {
            BucketSize::Quarter => None,
            BucketSize::Hour => Some(BucketSize::Quarter),
            BucketSize::Day => Some(BucketSize::Hour),
        }
    }

    /// Whether `start` (Unix seconds) is on this size's fixed boundaries.
    pub fn is_aligned(self, start: i64) -> bool {
        start.rem_euclid(self.seconds()) == 0
    }

    /// The boundary at or before `t` (Unix seconds).
    pub fn floor(self, t: i64) -> i64 {
        t - t.rem_euclid(self.seconds())
    }

    /// The boundary at or after `t` (Unix seconds).
    pub fn ceil(self, t: i64) -> i64 {
        let floor = self.floor(t);
        if floor == t {
            t
        } else {
            floor + self.seconds()
        }
    }
}

impl fmt::Display for BucketSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} min", self.minutes())
    }
}

/// A level of the zone hierarchy, finest first (so `Site < Quartier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneLevel {
    /// A venue or a spot (a beach, a square).
    Site,
    /// A quartier (Marseille has 111).
    Quartier,
    /// An arrondissement (INSEE 13201..13216).
    Arrondissement,
    /// The whole city.
    City,
}

impl ZoneLevel {
    /// The stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneLevel::Site => "site",
            ZoneLevel::Quartier => "quartier",
            ZoneLevel::Arrondissement => "arrondissement",
            ZoneLevel::City => "city",
        }
    }

    /// Parses the stable spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [
            ZoneLevel::Site,
            ZoneLevel::Quartier,
            ZoneLevel::Arrondissement,
            ZoneLevel::City,
        ]
        .into_iter()
        .find(|level| level.as_str() == text)
    }
}

impl fmt::Display for ZoneLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Unix seconds of a UTC instant.
pub fn unix(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// The UTC instant of Unix seconds; out-of-range values clamp to the epoch, which is
/// harmless because every caller produced them from a valid instant.
pub fn instant(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, 0).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_size_divides_the_next() {
        for pair in BucketSize::ALL.windows(2) {
            assert_eq!(pair[1].seconds() % pair[0].seconds(), 0, "{:?}", pair);
            assert_eq!(pair[1].finer(), Some(pair[0]));
        }
    }

    #[test]
    fn floors_and_ceilings_snap_outward_to_the_grid() {
        let hour = BucketSize::Hour;
        assert_eq!(hour.floor(3_700), 3_600);
        assert_eq!(hour.ceil(3_700), 7_200);
        assert_eq!(hour.ceil(3_600), 3_600);
        assert_eq!(hour.floor(-1), -3_600);
        assert!(BucketSize::Quarter.is_aligned(900));
        assert!(!BucketSize::Quarter.is_aligned(600));
    }

    #[test]
    fn zone_levels_order_from_finest_to_coarsest() {
        assert!(ZoneLevel::Site < ZoneLevel::Quartier);
        assert!(ZoneLevel::Quartier < ZoneLevel::Arrondissement);
        assert!(ZoneLevel::Arrondissement < ZoneLevel::City);
        assert_eq!(ZoneLevel::parse("quartier"), Some(ZoneLevel::Quartier));
    }
}
