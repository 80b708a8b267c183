//! The French national grid for first-aid coverage of public gatherings ("dispositif
//! prévisionnel de secours", arrêté of 7 November 2006, referential "RNMSC-DPS").
//!
//! Everything is computed in integers: the grid's factors are exact hundredths, and the
//! public count above 100,000 is halved, so we keep the effective public in halves.
//! Floats would be wrong here: `0.40 + 0.40 + 0.40` is `1.2000000000000002` in binary
//! floating point, which pushes an exact RIS of 12 into the next level (DPS-ME).

use serde::{Deserialize, Serialize};

/// Above this many people, each extra person counts for half (the grid's `P`).
const FULL_COUNT_LIMIT: u64 = 100_000;

/// The RIS is `i * P / 1000` with `i` in hundredths and `P` in halves, so the exact RIS
/// is `i_hundredths * p_halves / RIS_DENOMINATOR`.
const RIS_DENOMINATOR: u64 = 100 * 2 * 1000;

/// `RIS_DENOMINATOR / 1_000_000`: one millionth of RIS is 1/5 of a numerator unit,
/// so the RIS in millionths is an exact integer (`numerator * 5`).
const MILLIONTHS_PER_NUMERATOR_UNIT: u64 = 1_000_000 / RIS_DENOMINATOR;

/// Level thresholds as RIS numerators (RIS x `RIS_DENOMINATOR`), inclusive upper bounds.
const NO_MINIMUM_MAX: u64 = RIS_DENOMINATOR / 4; // RIS 0.25
const PAPS_MAX: u64 = RIS_DENOMINATOR * 9 / 8; // RIS 1.125
const FOUR_WORKERS_MAX: u64 = RIS_DENOMINATOR * 4; // RIS 4
const DPS_PE_MAX: u64 = RIS_DENOMINATOR * 12; // RIS 12
const DPS_ME_MAX: u64 = RIS_DENOMINATOR * 36; // RIS 36

/// Workers of a PAPS ("point d'alerte et de premiers secours"): one team of two.
const PAPS_WORKERS: u32 = 2;
/// The smallest DPS-PE: one team of four.
const DPS_PE_MIN_WORKERS: u32 = 4;

/// P2: how the public behaves, which drives how often people need help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicProfile {
    /// Seated public (theatre, stadium stands): 0.25.
    Seated,
    /// Standing public: 0.30.
    Standing,
    /// Standing, static public (concert pit, ceremony): 0.35.
    StandingStatic,
    /// Standing, moving public (parade, festival, demonstration): 0.40.
    StandingDynamic,
}

impl PublicProfile {
    /// The grid's P2 factor in hundredths.
    pub const fn hundredths(self) -> u64 {
        match self {
            Self::Seated => 25,
            Self::Standing => 30,
            Self::StandingStatic => 35,
            Self::StandingDynamic => 40,
        }
    }
}

/// E1: how hard it is for rescuers to reach and carry a victim on the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteAccess {
    /// Permanent building, or public road with clear access: 0.25.
    Easy,
    /// Temporary stands or marquees, natural area up to 2 ha, stretcher carry
    /// 150-300 m: 0.30.
    Moderate,
    /// Natural area of 2-5 ha, carry 300-600 m, other difficult access: 0.35.
    Difficult,
    /// Natural area over 5 ha, carry over 600 m, banks, stairs, rescuers slowed by the
    /// crowd: 0.40.
    VeryDifficult,
}

impl SiteAccess {
    /// The grid's E1 factor in hundredths.
    pub const fn hundredths(self) -> u64 {
        match self {
            Self::Easy => 25,
            Self::Moderate => 30,
            Self::Difficult => 35,
            Self::VeryDifficult => 40,
        }
    }
}

/// E2: how long public rescue services (fire brigade, SAMU) take to reach the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RescueDelay {
    /// Up to 10 minutes: 0.25.
    UpTo10Min,
    /// Up to 20 minutes: 0.30.
    UpTo20Min,
    /// Up to 30 minutes: 0.35.
    UpTo30Min,
    /// More than 30 minutes: 0.40.
    Over30Min,
}

impl RescueDelay {
    /// The delay class of a delay in minutes.
    pub const fn from_minutes(minutes: u32) -> Self {
        match minutes {
            0..=10 => Self::UpTo10Min,
            11..=20 => Self::UpTo20Min,
            21..=30 => Self::UpTo30Min,
            _ => Self::Over30Min,
        }
    }

    /// The grid's E2 factor in hundredths.
    pub const fn hundredths(self) -> u64 {
        match self {
            Self::UpTo10Min => 25,
            Self::UpTo20Min => 30,
            Self::UpTo30Min => 35,
            Self::Over30Min => 40,
        }
    }
}

/// The level of first-aid coverage the grid asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DpsType {
    /// RIS up to 0.25: no minimum.
    None,
    /// RIS up to 1.125: an alert and first-aid point of 2 workers.
    Paps,
    /// RIS up to 12: small-scale DPS ("petite envergure").
    DpsPe,
    /// RIS up to 36: medium-scale DPS ("moyenne envergure").
    DpsMe,
    /// RIS over 36: large-scale DPS ("grande envergure"), prefecture involved.
    DpsGe,
}

impl DpsType {
    /// The label used in French documents.
    pub const fn label(self) -> &'static str {
        match self {
            Self::None => "aucun",
            Self::Paps => "PAPS",
            Self::DpsPe => "DPS-PE",
            Self::DpsMe => "DPS-ME",
            Self::DpsGe => "DPS-GE",
        }
    }
}

/// What the grid needs to know about a gathering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpsInput {
    /// P1: the public expected (maximum present at once).
    pub public: u64,
    /// P2: the public's profile.
    pub profile: PublicProfile,
    /// E1: the site and its access.
    pub site: SiteAccess,
    /// E2: the public rescue services' delay.
    pub rescue_delay: RescueDelay,
}

/// The grid's answer, with the intermediate figures a reviewer checks by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpsResult {
    /// i = P2 + E1 + E2, in hundredths (75..=120).
    pub ratio_hundredths: u64,
    /// P, the effective public, in halves (exact when P1 exceeds 100,000 by an odd count).
    pub effective_public_halves: u64,
    /// RIS in millionths: exact, since RIS = i x P / 1000 has at most six decimals.
    pub ris_millionths: u64,
    /// First-aid workers required.
    pub workers: u32,
    /// Level of coverage.
    pub dps_type: DpsType,
}

impl DpsResult {
    /// RIS as a float, for display only: decisions are taken on `ris_millionths`.
    pub fn ris(&self) -> f64 {
        self.ris_millionths as f64 / 1_000_000.0
    }
}

/// Applies the grid to one gathering.
pub fn compute(input: &DpsInput) -> DpsResult {
    let ratio =
        input.profile.hundredths() + input.site.hundredths() + input.rescue_delay.hundredths();
    let effective_public_halves = if input.public <= FULL_COUNT_LIMIT {
        input.public * 2
    } else {
        FULL_COUNT_LIMIT * 2 + (input.public - FULL_COUNT_LIMIT)
    };
    // Saturating: a public of 10^17 is absurd but must not wrap into a small RIS.
    let numerator = ratio.saturating_mul(effective_public_halves);
    let (dps_type, workers) = level_and_workers(numerator, input.rescue_delay);
    DpsResult {
        ratio_hundredths: ratio,
        effective_public_halves,
        ris_millionths: numerator.saturating_mul(MILLIONTHS_PER_NUMERATOR_UNIT),
        workers,
        dps_type,
    }
}

/// Level and workers from the exact RIS numerator.
fn level_and_workers(numerator: u64, rescue_delay: RescueDelay) -> (DpsType, u32) {
    if numerator <= NO_MINIMUM_MAX {
        return (DpsType::None, 0);
    }
    if numerator <= PAPS_MAX {
        // A PAPS alone is not enough when public rescue is more than 30 minutes away:
        // the first team must be able to hold the victim that long (eBrigade does the same).
        return if rescue_delay == RescueDelay::Over30Min {
            (DpsType::DpsPe, DPS_PE_MIN_WORKERS)
        } else {
            (DpsType::Paps, PAPS_WORKERS)
        };
    }
    let dps_type = if numerator <= DPS_PE_MAX {
        DpsType::DpsPe
    } else if numerator <= DPS_ME_MAX {
        DpsType::DpsMe
    } else {
        DpsType::DpsGe
    };
    let workers = if numerator <= FOUR_WORKERS_MAX {
        DPS_PE_MIN_WORKERS
    } else {
        // Round RIS up, then up to an even number: workers go in pairs.
        let rounded = numerator.div_ceil(RIS_DENOMINATOR);
        let even = rounded + rounded % 2;
        u32::try_from(even).unwrap_or(u32::MAX)
    };
    (dps_type, workers)
}

#[cfg(test)]
#[path = "dps_tests.rs"]
mod tests;
