//! Tests of the requirement rules and of the adequacy figures.

use super::*;
use crate::dps::{DpsInput, PublicProfile, RescueDelay, SiteAccess, compute};
use crate::load::{EventLoad, ExpectedLoad, LoadUnit};

fn count(unit: LoadUnit, value: f64) -> ExpectedLoad {
    ExpectedLoad {
        unit,
        value,
        low: value * 0.6,
        high: value * 1.5,
    }
}

/// An event of `attendance` standing people for 4 hours with the given expected
/// incidents, patients and overload ratio (capacity 10,000 a half hour).
fn input(
    category: EventCategory,
    attendance: u32,
    [incidents, patients, overload]: [f64; 3],
) -> RequirementInput {
    RequirementInput {
        category,
        attendance,
        duration_hours: 4.0,
        profile: PublicProfile::Standing,
        bounded: true,
        load: EventLoad {
            incidents: count(LoadUnit::PoliceIncidents, incidents),
            patients: count(LoadUnit::Patients, patients),
            transfers: count(LoadUnit::HospitalTransfers, patients * 0.027),
            overload: count(LoadUnit::OverloadRatio, overload),
            peak_outflow: overload * 10_000.0,
            egress_capacity: 10_000.0,
        },
        first_aid: compute(&DpsInput {
            public: u64::from(attendance),
            profile: PublicProfile::Standing,
            site: SiteAccess::Easy,
            rescue_delay: RescueDelay::UpTo10Min,
        }),
    }
}

#[test]
fn a_small_quiet_market_needs_nothing() {
    let required = requirements(&input(EventCategory::Market, 250, [0.2, 0.05, 0.01]));
    assert!(required.is_empty(), "RIS 0.2 and no load: {required:?}");
}

#[test]
fn a_loaded_football_match_needs_every_kind_each_with_its_basis() {
    let input = RequirementInput {
        profile: PublicProfile::Seated,
        ..input(EventCategory::FootballMatch, 60_000, [40.0, 50.0, 2.0])
    };
    let list = requirements(&input);
    let required = counts(&list);
    assert_eq!(required.first_aid, input.first_aid.workers);
    assert_eq!(required.stewards, 240, "1 per 250 seated");
    assert_eq!(
        required.municipal_police, 30,
        "60 incidents over 4 h: 15 pairs"
    );
    assert_eq!(
        required.national_police, 120,
        "60 incidents: 6 sections of 20"
    );
    assert_eq!(required.fire_rescue, 16, "75 patients: 4 crews of 4");
    assert_eq!(required.video_operators, 4, "60 incidents: 1 per 15");
    assert_eq!(
        required.transit_reinforcement, 10,
        "20,000 leaving for 10,000: 10 vehicles"
    );
    assert_eq!(list.len(), ResourceKind::ALL.len());
    assert!(list.iter().all(|r| !r.basis.is_empty()));
}

#[test]
fn demonstrations_always_need_national_police_in_pairs() {
    let required = required_resources(&input(EventCategory::Demonstration, 150, [0.1, 0.1, 0.0]));
    assert_eq!(required.national_police, 2);
    let concert = required_resources(&input(EventCategory::Concert, 150, [0.1, 0.1, 0.0]));
    assert_eq!(concert.national_police, 0);
}

#[test]
fn no_kind_is_required_where_its_load_does_not_call_for_it() {
    let quiet = required_resources(&input(EventCategory::Concert, 8_000, [0.3, 1.0, 0.3]));
    assert_eq!(quiet.municipal_police, 0);
    assert_eq!(quiet.national_police, 0);
    assert_eq!(quiet.video_operators, 0);
    assert_eq!(quiet.transit_reinforcement, 0);
    assert!(
        quiet.stewards > 0,
        "stewards follow the crowd in a bounded venue"
    );
}

#[test]
fn requirements_grow_with_the_load_at_equal_attendance() {
    let low = required_resources(&input(EventCategory::Concert, 8_000, [1.0, 1.0, 0.2]));
    let high = required_resources(&input(EventCategory::Concert, 8_000, [30.0, 30.0, 1.8]));
    for kind in ResourceKind::ALL {
        assert!(
            high.get(kind) >= low.get(kind),
            "{kind:?}: {} < {}",
            high.get(kind),
            low.get(kind)
        );
    }
    assert!(high.national_police > low.national_police);
}

#[test]
fn adequacy_is_planned_over_required_with_the_weakest_kind_overall() {
    let required = ResourceCounts {
        first_aid: 6,
        stewards: 20,
        national_police: 10,
        ..ResourceCounts::default()
    };
    let planned = ResourceCounts {
        first_aid: 3,
        stewards: 30,
        national_police: 10,
        video_operators: 2,
        ..ResourceCounts::default()
    };
    let adequacy = assess(&required, &planned);
    let percent = |kind| {
        adequacy
            .by_kind
            .iter()
            .find(|k| k.kind == kind)
            .unwrap()
            .percent
    };
    assert_eq!(percent(ResourceKind::FirstAid), Some(50.0));
    assert_eq!(
        percent(ResourceKind::Stewards),
        Some(150.0),
        "over 100 % is oversized"
    );
    assert_eq!(percent(ResourceKind::NationalPolice), Some(100.0));
    assert_eq!(
        percent(ResourceKind::VideoOperators),
        None,
        "nothing required: no percentage"
    );
    assert_eq!(
        adequacy.overall_percent,
        Some(50.0),
        "the weakest required kind"
    );
    assert_eq!(
        adequacy.weighted_percent,
        Some(119.4),
        "43 planned for 36 required"
    );
    assert_eq!(adequacy.short, vec![ResourceKind::FirstAid]);
    assert!(adequacy.missing.is_empty());
}

#[test]
fn nothing_required_means_no_overall_figure_and_no_division_by_zero() {
    let adequacy = assess(
        &ResourceCounts::default(),
        &ResourceCounts {
            stewards: 4,
            ..ResourceCounts::default()
        },
    );
    assert_eq!(adequacy.overall_percent, None);
    assert_eq!(adequacy.weighted_percent, None);
    assert!(adequacy.short.is_empty());
    assert!(adequacy.by_kind.iter().all(|k| k.percent.is_none()));
}

#[test]
fn a_required_kind_with_nothing_planned_is_named_missing_not_folded_into_zero() {
    let required = ResourceCounts {
        stewards: 5,
        first_aid: 4,
        ..ResourceCounts::default()
    };
    let planned = ResourceCounts {
        first_aid: 6,
        ..ResourceCounts::default()
    };
    let adequacy = assess(&required, &planned);
    assert_eq!(adequacy.missing, vec![ResourceKind::Stewards]);
    assert_eq!(
        adequacy.overall_percent,
        Some(150.0),
        "first aid, the kind planned"
    );
    assert_eq!(
        adequacy.short,
        vec![ResourceKind::Stewards],
        "missing is short too"
    );
    let nothing = assess(&required, &ResourceCounts::default());
    assert_eq!(nothing.overall_percent, None);
    assert_eq!(
        nothing.missing,
        vec![ResourceKind::FirstAid, ResourceKind::Stewards]
    );
}
