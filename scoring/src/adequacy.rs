//! What a deployment should hold, and how the planned one measures up.
//!
//! Requirements follow from the event's expected load (`load`), each kind from the load
//! that calls for it, with the ratio and its source written down below; no kind is
//! required where its load does not call for it. Counts are planned for the upper end
//! of the 80 % interval of the load (a bad but plausible day), not its mean. They are
//! advice for the supervision team, not law; changing a number means a new
//! `RULES_VERSION` so past assessments stay explainable.
//!
//! Adequacy of a kind = planned / required x 100 (over 100 % = oversized). A kind that
//! is required and has nothing planned is **missing**: it is named in `missing` and
//! kept out of the percentages, which measure the kinds actually planned, so that "no
//! stewards filed" reads as such instead of a silent 0 %. Two overall figures:
//! - `overall_percent`, the **minimum** over required kinds planned: an event is only as
//!   covered as its least covered kind;
//! - `weighted_percent`: planned people of those kinds over their required people.
//!
//! With nothing required, or nothing required planned, both are `None`.

use serde::{Deserialize, Serialize};

use crate::dps::{DpsResult, PublicProfile};
use crate::features::EventCategory;
use crate::load::EventLoad;

/// Version of the rules below; recorded in every assessment.
pub const RULES_VERSION: &str = "adequacy-rules-v2";

/// Stewards: from this attendance in a bounded venue or at an organised event.
const STEWARD_MIN_ATTENDANCE: u32 = 300;
/// Attendees per steward, seated / standing / standing and moving. 1 per 250 seated is
/// the stadium practice (UK Guide to Safety at Sports Grounds, used by French Ligue 1
/// clubs' safety officers); 1 per 100 for standing crowds is the usual public-venue
/// practice for concerts and festivals.
const STEWARDS_SEATED: u32 = 250;
const STEWARDS_STANDING: u32 = 150;
const STEWARDS_STANDING_MOVING: u32 = 100;

/// Municipal police: from this many expected police-relevant incidents (upper end).
const MUNICIPAL_MIN_INCIDENTS: f64 = 1.0;
/// A patrol pair handles about one incident an hour, report included.
const INCIDENTS_PER_PAIR_HOUR: f64 = 1.0;

/// National police (public order, the prefecture's remit): for demonstrations and
/// official visits one officer per this many attendees (at least a pair)...
const NATIONAL_ATTENDEES_PER_OFFICER_PREFECTURE: u32 = 100;
/// ...and for other events from this many expected incidents (upper end): a section
/// of 20 officers per 10 expected incidents.
const NATIONAL_MIN_INCIDENTS: f64 = 10.0;
const NATIONAL_OFFICERS_PER_SECTION: u32 = 20;
const NATIONAL_INCIDENTS_PER_SECTION: f64 = 10.0;

/// Fire and rescue on site: from this many expected patients (upper end), or when the
/// DPS is medium or large scale; a crew of 4 per 20 expected patients (a crew treats and
/// evacuates about one patient every 20 minutes over a 6-hour event with its
/// ambulance's round trips).
const FIRE_MIN_PATIENTS: f64 = 5.0;
const FIRE_PATIENTS_PER_CREW: f64 = 20.0;
const FIRE_CREW_SIZE: u32 = 4;

/// Video operators at the urban supervision centre: from this many expected incidents
/// (upper end), one per 15.
const VIDEO_MIN_INCIDENTS: f64 = 3.0;
const VIDEO_INCIDENTS_PER_OPERATOR: f64 = 15.0;

/// Transit reinforcement: when the busiest half hour exceeds the capacity serving the
/// site, one extra vehicle (a metro train added to the timetable, or an articulated
/// bus shuttle making repeated trips) per 1,000 people over capacity per half hour.
const TRANSIT_MIN_OVERLOAD: f64 = 1.0;
const TRANSIT_PEOPLE_PER_VEHICLE: f64 = 1_000.0;

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

    /// The rule in words, with its source, for model cards and explanations.
    pub const fn rule(self) -> &'static str {
        match self {
            Self::FirstAid => {
                "national DPS grid (arrêté of 7 November 2006): workers from the RIS, whatever the model says"
            }
            Self::Stewards => {
                "from 300 attendees in a bounded venue or at an organised event (not markets, demonstrations, official visits): 1 per 250 seated (stadium practice, Guide to Safety at Sports Grounds), 1 per 150 standing, 1 per 100 standing and moving (public-venue practice)"
            }
            Self::MunicipalPolice => {
                "from 1 expected police-relevant incident (upper end of the 80 % interval): one patrol pair per incident-hour (a pair handles about one incident an hour, report included)"
            }
            Self::NationalPolice => {
                "demonstrations and official visits: 1 officer per 100 attendees (prefecture's public-order remit); other events from 10 expected incidents (upper end): a section of 20 officers per 10"
            }
            Self::FireRescue => {
                "from 5 expected patients (upper end) or a medium or large DPS: a crew of 4 per 20 expected patients"
            }
            Self::VideoOperators => {
                "from 3 expected police-relevant incidents (upper end): 1 operator per 15"
            }
            Self::TransitReinforcement => {
                "when the busiest half hour exceeds what the metro and roads serving the site carry: 1 extra vehicle per 1,000 people over capacity"
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
    /// Duration in hours.
    pub duration_hours: f64,
    /// The public's profile.
    pub profile: PublicProfile,
    /// Whether the venue is bounded (has a capacity, gates).
    pub bounded: bool,
    /// The expected load.
    pub load: EventLoad,
    /// The DPS grid's answer for the event.
    pub first_aid: DpsResult,
}

/// One required kind: how many, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    /// The kind.
    pub kind: ResourceKind,
    /// People (or vehicles) required.
    pub count: u32,
    /// The load and the ratio the count comes from, in words.
    pub basis: String,
}

fn per(attendance: u32, attendees_each: u32) -> u32 {
    attendance.div_ceil(attendees_each.max(1))
}

fn ceil(value: f64) -> u32 {
    value.max(0.0).ceil().min(f64::from(u32::MAX)) as u32
}

/// Police work in pairs: at least one pair, and an even count.
fn in_pairs(count: u32) -> u32 {
    let count = count.max(2);
    count + count % 2
}

/// Required kinds under `RULES_VERSION`, in `ResourceKind::ALL` order; kinds the load
/// does not call for are absent.
pub fn requirements(input: &RequirementInput) -> Vec<Requirement> {
    let mut out = Vec::new();
    let load = &input.load;
    let attendance = input.attendance;
    let mut push = |kind: ResourceKind, count: u32, basis: String| {
        if count > 0 {
            out.push(Requirement { kind, count, basis });
        }
    };
    push(
        ResourceKind::FirstAid,
        input.first_aid.workers,
        format!(
            "DPS grid: RIS {:.3}, {:?}",
            input.first_aid.ris(),
            input.first_aid.dps_type
        ),
    );
    let organised = !matches!(
        input.category,
        EventCategory::Market | EventCategory::Demonstration | EventCategory::OfficialVisit
    );
    if attendance >= STEWARD_MIN_ATTENDANCE && (input.bounded || organised) {
        let ratio = match input.profile {
            PublicProfile::Seated => STEWARDS_SEATED,
            PublicProfile::Standing => STEWARDS_STANDING,
            PublicProfile::StandingStatic | PublicProfile::StandingDynamic => {
                STEWARDS_STANDING_MOVING
            }
        };
        push(
            ResourceKind::Stewards,
            per(attendance, ratio),
            format!("{attendance} attendees, 1 steward per {ratio}"),
        );
    }
    let incidents = load.incidents.high;
    if incidents >= MUNICIPAL_MIN_INCIDENTS {
        let pairs = ceil(incidents / (INCIDENTS_PER_PAIR_HOUR * input.duration_hours.max(1.0)));
        push(
            ResourceKind::MunicipalPolice,
            in_pairs(2 * pairs),
            format!(
                "up to {incidents:.0} police-relevant incidents over {:.1} h, one pair per incident-hour",
                input.duration_hours
            ),
        );
    }
    if matches!(
        input.category,
        EventCategory::Demonstration | EventCategory::OfficialVisit
    ) {
        push(
            ResourceKind::NationalPolice,
            in_pairs(per(attendance, NATIONAL_ATTENDEES_PER_OFFICER_PREFECTURE)),
            format!(
                "prefecture event: {attendance} attendees, 1 officer per {NATIONAL_ATTENDEES_PER_OFFICER_PREFECTURE}"
            ),
        );
    } else if incidents >= NATIONAL_MIN_INCIDENTS {
        push(
            ResourceKind::NationalPolice,
            NATIONAL_OFFICERS_PER_SECTION * ceil(incidents / NATIONAL_INCIDENTS_PER_SECTION),
            format!("up to {incidents:.0} police-relevant incidents, a section of 20 per 10"),
        );
    }
    let patients = load.patients.high;
    let large_dps = input.first_aid.dps_type >= crate::dps::DpsType::DpsMe;
    if patients >= FIRE_MIN_PATIENTS || large_dps {
        push(
            ResourceKind::FireRescue,
            FIRE_CREW_SIZE * ceil(patients / FIRE_PATIENTS_PER_CREW).max(1),
            format!("up to {patients:.0} patients, a crew of 4 per 20"),
        );
    }
    if incidents >= VIDEO_MIN_INCIDENTS {
        push(
            ResourceKind::VideoOperators,
            ceil(incidents / VIDEO_INCIDENTS_PER_OPERATOR).max(1),
            format!("up to {incidents:.0} police-relevant incidents, 1 operator per 15"),
        );
    }
    let over = load.overload.value;
    if over > TRANSIT_MIN_OVERLOAD {
        let excess = load.peak_outflow - load.egress_capacity;
        push(
            ResourceKind::TransitReinforcement,
            ceil(excess / TRANSIT_PEOPLE_PER_VEHICLE),
            format!(
                "{:.0} people leaving in the busiest half hour for {:.0} of capacity (ratio {over:.2}), 1 vehicle per 1,000 over",
                load.peak_outflow, load.egress_capacity
            ),
        );
    }
    out
}

/// The counts of a list of requirements.
pub fn counts(requirements: &[Requirement]) -> ResourceCounts {
    let mut counts = ResourceCounts::default();
    for r in requirements {
        let slot = match r.kind {
            ResourceKind::FirstAid => &mut counts.first_aid,
            ResourceKind::Stewards => &mut counts.stewards,
            ResourceKind::MunicipalPolice => &mut counts.municipal_police,
            ResourceKind::NationalPolice => &mut counts.national_police,
            ResourceKind::FireRescue => &mut counts.fire_rescue,
            ResourceKind::VideoOperators => &mut counts.video_operators,
            ResourceKind::TransitReinforcement => &mut counts.transit_reinforcement,
        };
        *slot = slot.saturating_add(r.count);
    }
    counts
}

/// Required resources by kind under `RULES_VERSION`.
pub fn required_resources(input: &RequirementInput) -> ResourceCounts {
    counts(&requirements(input))
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
    /// Lowest percentage over required kinds with something planned (the weakest
    /// link); `None` if none.
    pub overall_percent: Option<f64>,
    /// Planned over required people, summed over required kinds with something
    /// planned; `None` if none.
    pub weighted_percent: Option<f64>,
    /// Required kinds planned below 100 % (missing ones included), in
    /// `ResourceKind::ALL` order.
    pub short: Vec<ResourceKind>,
    /// Required kinds with nothing planned, in `ResourceKind::ALL` order.
    #[serde(default)]
    pub missing: Vec<ResourceKind>,
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
    let overall_percent = by_kind
        .iter()
        .filter(|k| k.planned > 0)
        .filter_map(|k| k.percent)
        .reduce(f64::min);
    let (planned_total, required_total) = by_kind
        .iter()
        .filter(|k| k.required > 0 && k.planned > 0)
        .fold((0u32, 0u32), |(p, r), k| {
            (p.saturating_add(k.planned), r.saturating_add(k.required))
        });
    let weighted_percent = (required_total > 0).then(|| percent(planned_total, required_total));
    let short = by_kind
        .iter()
        .filter(|k| k.required > 0 && k.planned < k.required)
        .map(|k| k.kind)
        .collect();
    let missing = by_kind
        .iter()
        .filter(|k| k.required > 0 && k.planned == 0)
        .map(|k| k.kind)
        .collect();
    Adequacy {
        missing,
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
