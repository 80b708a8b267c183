//! Tests of the requirement rules and of the adequacy figures.

use super::*;
use crate::dps::{DpsInput, PublicProfile, RescueDelay, SiteAccess, compute};

fn input(category: EventCategory, attendance: u32, risks: [f64; 3]) -> RequirementInput {
    RequirementInput {
        category,
        attendance,
        tranquillity_risk: risks[0],
        security_risk: risks[1],
        mobility_risk: risks[2],
        first_aid: compute(&DpsInput {
            public: u64::from(attendance),
            profile: PublicProfile::Standing,
            site: SiteAccess::Easy,
            rescue_delay: RescueDelay::UpTo10Min,
        }),
    }
}

#[test]
fn a_small_quiet_market_needs_only_what_the_grid_says() {
    let required = required_resources(&input(EventCategory::Market, 250, [1.0, 1.0, 1.0]));
    assert_eq!(
        required,
        ResourceCounts::default(),
        "RIS 0.2: no first aid, nothing else"
    );
}

#[test]
fn a_high_risk_football_match_needs_every_kind() {
    let required = required_resources(&input(
        EventCategory::FootballMatch,
        60_000,
        [8.0, 9.5, 9.0],
    ));
    assert_eq!(required.first_aid, 48, "RIS 0.8 x 60000 / 1000 = 48");
    assert_eq!(required.stewards, 600, "1 per 100 at high security risk");
    assert_eq!(
        required.municipal_police, 60,
        "1 per 1,000 at high tranquillity risk"
    );
    assert_eq!(
        required.national_police, 300,
        "1 per 200 at high security risk"
    );
    assert_eq!(required.fire_rescue, 12, "DPS-GE: 3 crews of 4 for 60,000");
    assert_eq!(
        required.video_operators, 4,
        "3 for 60,000 plus 1 at high security risk"
    );
    assert_eq!(
        required.transit_reinforcement, 24,
        "1 per 2,500 at high mobility risk"
    );
}

#[test]
fn demonstrations_always_need_national_police_in_pairs() {
    let required = required_resources(&input(EventCategory::Demonstration, 150, [0.5, 0.5, 0.5]));
    assert_eq!(required.national_police, 2);
    let concert = required_resources(&input(EventCategory::Concert, 150, [0.5, 0.5, 0.5]));
    assert_eq!(concert.national_police, 0);
}

#[test]
fn requirements_grow_with_risk_at_equal_attendance() {
    let low = required_resources(&input(EventCategory::Concert, 8_000, [1.0, 1.0, 1.0]));
    let high = required_resources(&input(EventCategory::Concert, 8_000, [9.0, 9.0, 9.0]));
    for kind in ResourceKind::ALL {
        assert!(
            high.get(kind) >= low.get(kind),
            "{kind:?}: {} < {}",
            high.get(kind),
            low.get(kind)
        );
    }
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
fn nothing_planned_for_a_required_kind_is_zero_percent_and_short() {
    let required = ResourceCounts {
        stewards: 5,
        ..ResourceCounts::default()
    };
    let adequacy = assess(&required, &ResourceCounts::default());
    assert_eq!(adequacy.overall_percent, Some(0.0));
    assert_eq!(adequacy.short, vec![ResourceKind::Stewards]);
}
