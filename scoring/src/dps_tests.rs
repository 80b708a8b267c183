//! Table tests of the DPS grid: every bracket boundary, the worked example, the
//! public above 100,000, the PAPS that rescue delay turns into a DPS-PE.

use super::*;

fn grid(public: u64, p2: PublicProfile, e1: SiteAccess, e2_minutes: u32) -> DpsResult {
    compute(&DpsInput {
        public,
        profile: p2,
        site: e1,
        rescue_delay: RescueDelay::from_minutes(e2_minutes),
    })
}

#[test]
fn the_worked_example_of_5000_standing_dynamic_people_in_a_street_needs_six_workers() {
    let result = grid(5_000, PublicProfile::StandingDynamic, SiteAccess::Easy, 10);
    assert_eq!(result.ratio_hundredths, 90, "i = 0.40 + 0.25 + 0.25");
    assert_eq!(
        result.ris_millionths, 4_500_000,
        "RIS = 0.9 x 5000 / 1000 = 4.5"
    );
    assert_eq!(result.workers, 6, "4.5 rounds up to 5, then up to 6");
    assert_eq!(result.dps_type, DpsType::DpsPe);
    assert!((result.ris() - 4.5).abs() < 1e-12);
}

#[test]
fn every_bracket_boundary_is_inclusive_and_the_next_person_crosses_it() {
    use PublicProfile::*;
    use SiteAccess::*;
    // (public, P2, E1, E2 minutes, RIS millionths, workers, level)
    let cases = [
        // RIS 0.25 (i = 1.00): no minimum; one more person: PAPS.
        (250, Standing, Difficult, 25, 250_000, 0, DpsType::None),
        (251, Standing, Difficult, 25, 251_000, 2, DpsType::Paps),
        // RIS 1.125 (i = 0.75): still PAPS; above: DPS-PE of 4.
        (1_500, Seated, Easy, 10, 1_125_000, 2, DpsType::Paps),
        (1_501, Seated, Easy, 10, 1_125_750, 4, DpsType::DpsPe),
        // RIS 4 (i = 1.00): 4 workers; above: 5 rounded to 6.
        (4_000, Standing, Difficult, 25, 4_000_000, 4, DpsType::DpsPe),
        (4_001, Standing, Difficult, 25, 4_001_000, 6, DpsType::DpsPe),
        // RIS exactly 6 stays 6 (already even); 6.0012 goes to 8.
        (
            5_000,
            StandingDynamic,
            VeryDifficult,
            40,
            6_000_000,
            6,
            DpsType::DpsPe,
        ),
        (
            5_001,
            StandingDynamic,
            VeryDifficult,
            40,
            6_001_200,
            8,
            DpsType::DpsPe,
        ),
        // RIS 12 with i = 0.40 + 0.40 + 0.40: exact, still DPS-PE.
        (
            10_000,
            StandingDynamic,
            VeryDifficult,
            45,
            12_000_000,
            12,
            DpsType::DpsPe,
        ),
        (
            10_001,
            StandingDynamic,
            VeryDifficult,
            45,
            12_001_200,
            14,
            DpsType::DpsMe,
        ),
        // RIS 36: DPS-ME; above: DPS-GE.
        (
            30_000,
            StandingDynamic,
            VeryDifficult,
            31,
            36_000_000,
            36,
            DpsType::DpsMe,
        ),
        (
            30_001,
            StandingDynamic,
            VeryDifficult,
            31,
            36_001_200,
            38,
            DpsType::DpsGe,
        ),
    ];
    for (public, p2, e1, e2, ris, workers, level) in cases {
        let result = grid(public, p2, e1, e2);
        assert_eq!(
            result.ris_millionths, ris,
            "RIS for {public} people ({p2:?}, {e1:?}, {e2} min)"
        );
        assert_eq!(
            result.workers, workers,
            "workers for {public} people ({p2:?}, {e1:?}, {e2} min)"
        );
        assert_eq!(
            result.dps_type, level,
            "level for {public} people ({p2:?}, {e1:?}, {e2} min)"
        );
    }
}

#[test]
fn the_public_above_100000_counts_for_half() {
    let at_limit = grid(100_000, PublicProfile::Seated, SiteAccess::Easy, 10);
    assert_eq!(at_limit.effective_public_halves, 200_000);
    assert_eq!(at_limit.ris_millionths, 75_000_000, "0.75 x 100000 / 1000");
    let odd_above = grid(100_001, PublicProfile::Seated, SiteAccess::Easy, 10);
    assert_eq!(
        odd_above.effective_public_halves, 200_001,
        "P = 100000.5, kept exact"
    );
    assert_eq!(
        odd_above.ris_millionths, 75_000_375,
        "0.75 x 100000.5 / 1000"
    );
    let far_above = grid(300_000, PublicProfile::Seated, SiteAccess::Easy, 10);
    assert_eq!(far_above.ris_millionths, 150_000_000, "P = 200000, RIS 150");
    assert_eq!(far_above.workers, 150);
    assert_eq!(far_above.dps_type, DpsType::DpsGe);
}

#[test]
fn a_paps_becomes_a_dps_pe_of_four_when_rescue_is_more_than_30_minutes_away() {
    let near = grid(1_000, PublicProfile::Seated, SiteAccess::Easy, 30);
    assert_eq!(
        (near.dps_type, near.workers),
        (DpsType::Paps, 2),
        "RIS 0.85, rescue 30 min"
    );
    let far = grid(1_000, PublicProfile::Seated, SiteAccess::Easy, 31);
    assert_eq!(
        (far.dps_type, far.workers),
        (DpsType::DpsPe, 4),
        "RIS 0.9, rescue 31 min"
    );
    let tiny = grid(100, PublicProfile::Seated, SiteAccess::Easy, 60);
    assert_eq!(
        (tiny.dps_type, tiny.workers),
        (DpsType::None, 0),
        "no minimum stays none"
    );
}

#[test]
fn rescue_delay_classes_close_at_10_20_and_30_minutes() {
    let cases = [
        (0, RescueDelay::UpTo10Min),
        (10, RescueDelay::UpTo10Min),
        (11, RescueDelay::UpTo20Min),
        (20, RescueDelay::UpTo20Min),
        (21, RescueDelay::UpTo30Min),
        (30, RescueDelay::UpTo30Min),
        (31, RescueDelay::Over30Min),
    ];
    for (minutes, class) in cases {
        assert_eq!(
            RescueDelay::from_minutes(minutes),
            class,
            "{minutes} minutes"
        );
    }
}

#[test]
fn an_empty_gathering_needs_nothing() {
    let result = grid(
        0,
        PublicProfile::StandingDynamic,
        SiteAccess::VeryDifficult,
        60,
    );
    assert_eq!(
        (result.ris_millionths, result.workers, result.dps_type),
        (0, 0, DpsType::None)
    );
}

proptest::proptest! {
    #[test]
    fn workers_never_decrease_when_the_public_grows(public in 0u64..2_000_000, extra in 0u64..10_000) {
        let smaller = grid(public, PublicProfile::Standing, SiteAccess::Moderate, 15);
        let larger = grid(public + extra, PublicProfile::Standing, SiteAccess::Moderate, 15);
        proptest::prop_assert!(larger.workers >= smaller.workers);
        proptest::prop_assert!(larger.dps_type >= smaller.dps_type);
        proptest::prop_assert!(larger.workers.is_multiple_of(2));
    }
}
