//! What a deployment should hold, and how the planned one measures up.
//!
//! First aid follows the national DPS grid (`dps`). The other kinds follow the
//! platform's own planning rules below: written down, versioned (`RULES_VERSION`), each
//! with the reason for its numbers. They are advice for the supervision team, not law;
//! changing a number means a new version so past assessments stay explainable.
//!
//! Adequacy of a kind = planned / required x 100 (over 100 % = oversized). Two overall
//! figures, because they answer different questions:
//! - `overall_percent`, the **minimum** over required kinds: an event is only as covered
//!   as its least covered kind (extra stewards do not replace missing first aid);
//! - `weighted_percent`: all planned people of the required kinds over all required
//!   people, i.e. the total staffing level.
//!
//! Kinds with nothing required have no percentage (no division by zero) and take no
//! part in either overall figure; with nothing required at all both are `None`.

use serde::{Deserialize, Serialize};

use crate::dps::DpsResult;
use crate::dps::DpsType;
use crate::features::EventCategory;

/// Version of the rules below; recorded in every assessment.
pub const RULES_VERSION: &str = "adequacy-rules-v1";

/// Risk from which a field counts as medium (0-10 scale): riskier than 30 % of past events.
const MEDIUM_RISK: f64 = 3.0;
/// Risk from which a field counts as high: riskier than 70 % of past events.
const HIGH_RISK: f64 = 7.0;

/// Stewards: below this attendance the organiser's own staff suffice.
const STEWARD_MIN_ATTENDANCE: u32 = 300;
/// Attendees per steward at low / medium / high security risk. 1 per 250 is the usual
/// ratio for a calm seated crowd (UK Guide to Safety at Sports Grounds practice);
/// tighter ratios when the crowd is riskier.
const STEWARD_RATIOS: [u32; 3] = [250, 150, 100];

/// Municipal police: needed from this attendance, or whatever the size at high
/// tranquillity risk.
const MUNICIPAL_MIN_ATTENDANCE: u32 = 1_000;
/// Attendees per municipal officer at low / medium / high tranquillity risk.
const MUNICIPAL_RATIOS: [u32; 3] = [5_000, 2_500, 1_000];

/// National police: needed from this attendance (public order), at high security risk,
/// and always for demonstrations and official visits (the prefecture's remit).
const NATIONAL_MIN_ATTENDANCE: u32 = 10_000;
/// Attendees per national police officer at low / medium / high security risk.
const NATIONAL_RATIOS: [u32; 3] = [1_000, 500, 200];

/// Fire and rescue: one crew per this many attendees when the DPS is medium or large
/// scale, or at high security risk from `FIRE_MIN_ATTENDANCE` people.
const FIRE_ATTENDEES_PER_CREW: u32 = 25_000;
/// Marins-pompiers crews are four.
const FIRE_CREW_SIZE: u32 = 4;
/// Smallest crowd for which a high security risk alone calls for a crew on site.
const FIRE_MIN_ATTENDANCE: u32 = 5_000;

/// Video operators (urban supervision centre): from this attendance or any high risk.
const VIDEO_MIN_ATTENDANCE: u32 = 5_000;
/// Attendees per video operator.
const VIDEO_ATTENDEES_PER_OPERATOR: u32 = 20_000;

/// Transit reinforcement (extra vehicles): from this attendance at medium mobility risk.
const TRANSIT_MIN_ATTENDANCE: u32 = 2_000;
/// Attendees per extra vehicle at medium / high mobility risk (a metro train carries
/// about 500, and about one in ten attendees leaves in the same half hour).
const TRANSIT_RATIOS: [u32; 2] = [5_000, 2_500];

/// Kinds of resources a deployment plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// First-aid workers (DPS grid).
    FirstAid,
    /// Organiser's stewards.
    Stewards,
    /// Municipal police officers.
    MunicipalPolice,
    /// National police officers.
    NationalPolice,
    /// Fire and rescue (Marins-pompiers) on site.
    FireRescue,
    /// Video operators at the urban supervision centre.
    VideoOperators,
    /// Extra transit vehicles.
    TransitReinforcement,
}

impl ResourceKind {
    /// Every kind, in display order.
    pub const ALL: [ResourceKind; 7] = [
        Self::FirstAid,
        Self::Stewards,
        Self::MunicipalPolice,
        Self::NationalPolice,
        Self::FireRescue,
        Self::VideoOperators,
        Self::TransitReinforcement,
    ];

    /// The rule in words, for model cards and explanations.
    pub const fn rule(self) -> &'static str {
        match self {
            Self::FirstAid => "national DPS grid (arrêté of 7 November 2006): workers from the RIS",
            Self::Stewards => {
                "from 300 attendees: 1 per 250 at low security risk (< 3), 1 per 150 at medium, 1 per 100 at high (>= 7)"
            }
            Self::MunicipalPolice => {
                "from 1,000 attendees or at high tranquillity risk: 1 per 5,000 / 2,500 / 1,000 attendees at low / medium / high tranquillity risk, in pairs"
            }
            Self::NationalPolice => {
                "from 10,000 attendees, at high security risk, or for any demonstration or official visit: 1 per 1,000 / 500 / 200 attendees at low / medium / high security risk, in pairs"
            }
            Self::FireRescue => {
                "a crew of 4 per 25,000 attendees when the DPS is medium or large scale, or at high security risk from 5,000 attendees"
            }
            Self::VideoOperators => {
                "from 5,000 attendees or any high risk: 1 per 20,000 attendees, plus 1 at high security risk"
            }
            Self::TransitReinforcement => {
                "from 2,000 attendees at medium or high mobility risk: 1 extra vehicle per 5,000 / 2,500 attendees"
            }
        }
    }
}

/// A count per resource kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceCounts {
    /// First-aid workers.
    pub first_aid: u32,
    /// Stewards.
    pub stewards: u32,
    /// Municipal police officers.
    pub municipal_police: u32,
    /// National police officers.
    pub national_police: u32,
    /// Fire and rescue personnel.
    pub fire_rescue: u32,
    /// Video operators.
    pub video_operators: u32,
    /// Extra transit vehicles.
    pub transit_reinforcement: u32,
}

impl ResourceCounts {
    /// The count of one kind.
    pub const fn get(&self, kind: ResourceKind) -> u32 {
        match kind {
            ResourceKind::FirstAid => self.first_aid,
            ResourceKind::Stewards => self.stewards,
            ResourceKind::MunicipalPolice => self.municipal_police,
            ResourceKind::NationalPolice => self.national_police,
            ResourceKind::FireRescue => self.fire_rescue,
            ResourceKind::VideoOperators => self.video_operators,
            ResourceKind::TransitReinforcement => self.transit_reinforcement,
        }
    }
}

/// What the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RequirementInput {
    /// Kind of event.
    pub category: EventCategory,
    /// Expected attendance.
    pub attendance: u32,
    /// Tranquillity risk, 0-10.
    pub tranquillity_risk: f64,
    /// Security risk, 0-10.
    pub security_risk: f64,
    /// Mobility risk, 0-10.
    pub mobility_risk: f64,
    /// The DPS grid's answer for the event.
    pub first_aid: DpsResult,
}

/// 0 low, 1 medium, 2 high.
fn tier(risk: f64) -> usize {
    if risk >= HIGH_RISK {
        2
    } else if risk >= MEDIUM_RISK {
        1
    } else {
        0
    }
}

fn per(attendance: u32, attendees_each: u32) -> u32 {
    attendance.div_ceil(attendees_each.max(1))
}

/// Police work in pairs: at least one pair, and an even count.
fn in_pairs(count: u32) -> u32 {
    let count = count.max(2);
    count + count % 2
}

/// Required resources by kind under `RULES_VERSION`.
pub fn required_resources(input: &RequirementInput) -> ResourceCounts {
    let attendance = input.attendance;
    let security = tier(input.security_risk);
    let tranquillity = tier(input.tranquillity_risk);
    let mobility = tier(input.mobility_risk);
    let any_high = [security, tranquillity, mobility].contains(&2);

    let stewards = if attendance >= STEWARD_MIN_ATTENDANCE {
        per(attendance, STEWARD_RATIOS[security])
    } else {
        0
    };
    let municipal_police = if attendance >= MUNICIPAL_MIN_ATTENDANCE || tranquillity == 2 {
        in_pairs(per(attendance, MUNICIPAL_RATIOS[tranquillity]))
    } else {
        0
    };
    let prefecture_event = matches!(
        input.category,
        EventCategory::Demonstration | EventCategory::OfficialVisit
    );
    let national_police =
        if attendance >= NATIONAL_MIN_ATTENDANCE || security == 2 || prefecture_event {
            in_pairs(per(attendance, NATIONAL_RATIOS[security]))
        } else {
            0
        };
    let large_dps = input.first_aid.dps_type >= DpsType::DpsMe;
    let fire_rescue = if large_dps || (security == 2 && attendance >= FIRE_MIN_ATTENDANCE) {
        per(attendance, FIRE_ATTENDEES_PER_CREW) * FIRE_CREW_SIZE
    } else {
        0
    };
    let video_operators = if attendance >= VIDEO_MIN_ATTENDANCE || any_high {
        per(attendance, VIDEO_ATTENDEES_PER_OPERATOR) + u32::from(security == 2)
    } else {
        0
    };
    let transit_reinforcement = if attendance >= TRANSIT_MIN_ATTENDANCE && mobility >= 1 {
        per(attendance, TRANSIT_RATIOS[mobility - 1])
    } else {
        0
    };
    ResourceCounts {
        first_aid: input.first_aid.workers,
        stewards,
        municipal_police,
        national_police,
        fire_rescue,
        video_operators,
        transit_reinforcement,
    }
}

/// Adequacy of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KindAdequacy {
    /// The kind.
    pub kind: ResourceKind,
    /// Required by the rules.
    pub required: u32,
    /// Planned by the deployment.
    pub planned: u32,
    /// planned / required x 100, one decimal; `None` when nothing is required.
    pub percent: Option<f64>,
}

/// Adequacy of a deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adequacy {
    /// Rules that computed the requirements.
    pub rules_version: String,
    /// One entry per kind, in `ResourceKind::ALL` order.
    pub by_kind: Vec<KindAdequacy>,
    /// Lowest percentage over required kinds (the weakest link); `None` if none required.
    pub overall_percent: Option<f64>,
    /// Planned over required people, summed over required kinds; `None` if none required.
    pub weighted_percent: Option<f64>,
    /// Required kinds planned below 100 %, in `ResourceKind::ALL` order.
    pub short: Vec<ResourceKind>,
}

fn percent(planned: u32, required: u32) -> f64 {
    (f64::from(planned) / f64::from(required) * 1000.0).round() / 10.0
}

/// Compares a planned deployment with the requirements.
pub fn assess(required: &ResourceCounts, planned: &ResourceCounts) -> Adequacy {
    let by_kind: Vec<KindAdequacy> = ResourceKind::ALL
        .iter()
        .map(|kind| {
            let (required, planned) = (required.get(*kind), planned.get(*kind));
            KindAdequacy {
                kind: *kind,
                required,
                planned,
                percent: (required > 0).then(|| percent(planned, required)),
            }
        })
        .collect();
    let overall_percent = by_kind.iter().filter_map(|k| k.percent).reduce(f64::min);
    let (planned_total, required_total) = by_kind
        .iter()
        .filter(|k| k.required > 0)
        .fold((0u32, 0u32), |(p, r), k| {
            (p.saturating_add(k.planned), r.saturating_add(k.required))
        });
    let weighted_percent = (required_total > 0).then(|| percent(planned_total, required_total));
    let short = by_kind
        .iter()
        .filter(|k| k.required > 0 && k.planned < k.required)
        .map(|k| k.kind)
        .collect();
    Adequacy {
        rules_version: RULES_VERSION.to_string(),
        by_kind,
        overall_percent,
        weighted_percent,
        short,
    }
}

#[cfg(test)]
#[path = "adequacy_tests.rs"]
mod tests;
