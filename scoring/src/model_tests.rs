//! Tests of training, storing and scoring with a risk model.

use super::*;
use crate::adequacy::ResourceKind;
use crate::design::tests::reference_event;
use crate::features::{EventCategory, VenueKind};
use crate::history::{self, CalendarInputs, GeneratorConfig};
use std::sync::OnceLock;

/// A model trained once on two synthetic years, shared by the tests.
fn trained() -> &'static RiskModel {
    static MODEL: OnceLock<RiskModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let config = GeneratorConfig {
            first_year: 2022,
            years: 2,
            ..GeneratorConfig::default()
        };
        let history = history::generate(&config, &CalendarInputs::default()).unwrap();
        train(
            &history.rows,
            &TrainOptions {
                version: Some("test-1".into()),
                ..TrainOptions::default()
            },
        )
        .unwrap()
    })
}

fn football_match() -> EventFeatures {
    let mut event = reference_event();
    event.category = EventCategory::FootballMatch;
    event.venue_kind = VenueKind::Stadium;
    event.venue_capacity = Some(67_394);
    event.attendance = 62_000;
    event.start_hour = 21;
    event.duration_hours = 4.0;
    event.public_profile = crate::dps::PublicProfile::Seated;
    event
}

#[test]
fn a_trained_model_records_its_version_window_and_every_field() {
    let model = trained();
    assert_eq!(model.version, "test-1");
    assert_eq!(model.encoder_version, crate::design::ENCODER_VERSION);
    assert_eq!(model.training_window.first.to_string(), "2022-01-01");
    assert!(
        model.training_window.events > 9_000,
        "{}",
        model.training_window.events
    );
    let fields: Vec<Field> = model.fields.iter().map(|f| f.field).collect();
    assert_eq!(fields, Field::ALL.to_vec());
    for field in &model.fields {
        assert_eq!(field.coefficients.len(), crate::design::COLUMN_COUNT);
        assert!(
            field
                .coefficients
                .iter()
                .all(|c| c.std_error > 0.0 && c.std_error.is_finite())
        );
        assert!(
            field.theta.is_some(),
            "the synthetic counts are overdispersed"
        );
    }
}

#[test]
fn a_model_survives_a_json_round_trip_and_scores_the_same() {
    let model = trained();
    let json = serde_json::to_string(model).unwrap();
    let restored: RiskModel = serde_json::from_str(&json).unwrap();
    let event = football_match();
    let before = score_event(model, &event, &ResourceCounts::default()).unwrap();
    let after = score_event(&restored, &event, &ResourceCounts::default()).unwrap();
    // serde_json parses floats to within one ulp unless its `float_roundtrip` feature is
    // on: compare predictions to 1e-12, and everything derived from them exactly.
    for (b, a) in before.fields.iter().zip(&after.fields) {
        assert!(
            (b.expected_incidents / a.expected_incidents - 1.0).abs() < 1e-12,
            "{:?}",
            b.field
        );
        assert_eq!(b.risk, a.risk);
    }
    assert_eq!(
        (before.overall_risk, before.required, before.adequacy),
        (after.overall_risk, after.required, after.adequacy)
    );
    assert!(
        json.len() < 200_000,
        "a stored model stays small: {} bytes",
        json.len()
    );
}

#[test]
fn a_football_match_is_riskier_than_a_small_market_in_every_field() {
    let model = trained();
    let big = score_event(model, &football_match(), &ResourceCounts::default()).unwrap();
    let mut small_market = reference_event();
    small_market.attendance = 200;
    let small = score_event(model, &small_market, &ResourceCounts::default()).unwrap();
    for (b, s) in big.fields.iter().zip(&small.fields) {
        assert!(b.risk > s.risk, "{:?}: {} vs {}", b.field, b.risk, s.risk);
        assert!(b.expected_incidents > s.expected_incidents);
    }
    assert!(big.overall_risk >= 9.0, "overall {}", big.overall_risk);
    let highest = big.fields.iter().map(|f| f.risk).fold(0.0, f64::max);
    assert_eq!(big.overall_risk, highest, "overall = highest field risk");
}

#[test]
fn an_assessment_carries_first_aid_requirements_adequacy_and_explanation() {
    let model = trained();
    let mut event = reference_event();
    event.attendance = 5_000;
    event.public_profile = crate::dps::PublicProfile::StandingDynamic;
    let planned = ResourceCounts {
        first_aid: 3,
        ..ResourceCounts::default()
    };
    let assessment = score_event(model, &event, &planned).unwrap();
    assert_eq!(
        assessment.first_aid.workers, 6,
        "the worked example of the DPS grid"
    );
    assert_eq!(assessment.first_aid.ris_millionths, 4_500_000);
    assert_eq!(assessment.required.first_aid, 6);
    let first_aid = assessment
        .adequacy
        .by_kind
        .iter()
        .find(|k| k.kind == ResourceKind::FirstAid)
        .unwrap();
    assert_eq!(first_aid.percent, Some(50.0));
    assert!(assessment.adequacy.short.contains(&ResourceKind::FirstAid));
    assert_eq!(assessment.explanation.model_version, "test-1");
    assert_eq!(assessment.explanation.fields.len(), 3);
    for (score, explanation) in assessment.fields.iter().zip(&assessment.explanation.fields) {
        let product: f64 = explanation.contributions.iter().map(|c| c.factor).product();
        let rebuilt = explanation.exposure * explanation.baseline_rate * product;
        assert!(
            (rebuilt - score.expected_incidents).abs() < 1e-9 * rebuilt.max(1.0),
            "{:?}",
            score.field
        );
    }
}

#[test]
fn a_model_of_another_encoder_is_refused() {
    let mut model = trained().clone();
    model.encoder_version = "design-v0".into();
    let error = score_event(&model, &reference_event(), &ResourceCounts::default()).unwrap_err();
    assert!(
        matches!(error, ScoringError::IncompatibleModel { .. }),
        "{error:?}"
    );
}

#[test]
fn training_on_nothing_is_a_clear_error() {
    assert!(matches!(
        train(&[], &TrainOptions::default()),
        Err(ScoringError::NotEnoughData { .. })
    ));
}

#[test]
fn training_without_any_football_match_names_the_empty_column() {
    let config = GeneratorConfig {
        first_year: 2022,
        years: 1,
        events_per_year: 1_500,
        ..GeneratorConfig::default()
    };
    let rows: Vec<HistoryRow> = history::generate(&config, &CalendarInputs::default())
        .unwrap()
        .rows
        .into_iter()
        .filter(|r| r.features.category != EventCategory::FootballMatch)
        .collect();
    let error = train(&rows, &TrainOptions::default()).unwrap_err();
    assert_eq!(
        error,
        ScoringError::SingularMatrix {
            column: "category_football_match".into()
        }
    );
}

/// Reference events of different kinds and sizes, largest load first.
fn reference_events() -> Vec<(&'static str, EventFeatures)> {
    use crate::dps::PublicProfile;
    use crate::history::catalogue::VELODROME;
    use crate::load::egress_capacity;
    let saturday = chrono::NaiveDate::from_ymd_opt(2024, 3, 9).unwrap();
    let stadium = |attendance| {
        let mut e = football_match();
        e.date = saturday;
        e.attendance = attendance;
        e.site_access = VELODROME.access;
        e.egress_capacity = Some(egress_capacity(
            VenueKind::Stadium,
            Some(VELODROME.location),
        ));
        e
    };
    let mut opera = reference_event();
    opera.category = EventCategory::Cultural;
    opera.venue_kind = VenueKind::Hall;
    opera.venue_capacity = Some(1_800);
    opera.indoor = true;
    opera.attendance = 1_800;
    opera.start_hour = 20;
    opera.duration_hours = 3.0;
    opera.public_profile = PublicProfile::Seated;
    opera.egress_capacity = Some(egress_capacity(VenueKind::Hall, Some((43.2948, 5.3759))));
    let mut fete = reference_event();
    fete.category = EventCategory::Other;
    fete.date = saturday;
    fete.attendance = 300;
    fete.start_hour = 15;
    fete.duration_hours = 4.0;
    fete.public_profile = PublicProfile::Standing;
    let mut market = reference_event();
    market.attendance = 500;
    vec![
        ("sold-out derby", stadium(67_000)),
        ("mid-table match", stadium(45_000)),
        ("1,800-seat opera", opera),
        ("300-person street fête", fete),
        ("market", market),
    ]
}

#[test]
fn reference_events_are_ordered_by_kind_and_size() {
    let model = trained();
    let scored: Vec<(&str, Assessment)> = reference_events()
        .into_iter()
        .map(|(name, e)| {
            (
                name,
                score_event(model, &e, &ResourceCounts::default()).unwrap(),
            )
        })
        .collect();
    for pair in scored.windows(2) {
        let ((a, x), (b, y)) = (&pair[0], &pair[1]);
        assert!(
            x.load.patients.value > y.load.patients.value,
            "patients: {a} {} <= {b} {}",
            x.load.patients.value,
            y.load.patients.value
        );
        assert!(
            x.overall_risk >= y.overall_risk,
            "risk: {a} {} < {b} {}",
            x.overall_risk,
            y.overall_risk
        );
    }
    let risk = |i: usize| scored[i].1.overall_risk;
    assert!(
        risk(0) > risk(1),
        "derby {} vs mid-table {}",
        risk(0),
        risk(1)
    );
    assert!(risk(1) > risk(2), "match {} vs opera {}", risk(1), risk(2));
    assert!(risk(0) < 10.0, "the scale still has room above a derby");
    assert!(risk(4) < 3.0, "a market is a low risk: {}", risk(4));
}

#[test]
fn a_larger_attendance_at_the_same_venue_never_lowers_the_load() {
    let model = trained();
    for (name, event) in reference_events() {
        let mut previous: Option<Assessment> = None;
        for step in 1..=60 {
            let mut e = event.clone();
            e.attendance = step * 1_200;
            let scored = score_event(model, &e, &ResourceCounts::default()).unwrap();
            if let Some(before) = &previous {
                for field in Field::ALL {
                    let (b, a) = (before.load.of(field), scored.load.of(field));
                    assert!(
                        a.value >= b.value && a.high >= b.high,
                        "{name}, {field:?} at {}: {} < {}",
                        e.attendance,
                        a.value,
                        b.value
                    );
                }
                assert!(scored.overall_risk >= before.overall_risk, "{name}");
            }
            previous = Some(scored);
        }
    }
}

#[test]
fn a_typical_day_of_events_is_a_plausible_share_of_the_citys_daily_totals() {
    use std::collections::BTreeMap;
    let model = trained();
    let config = GeneratorConfig {
        seed: 99,
        first_year: 2024,
        years: 1,
        ..GeneratorConfig::default()
    };
    let history = history::generate(&config, &CalendarInputs::default()).unwrap();
    let mut days: BTreeMap<chrono::NaiveDate, [f64; 2]> = BTreeMap::new();
    for row in &history.rows {
        let load = model.expected_load(&row.features).unwrap();
        let day = days.entry(row.features.date).or_default();
        day[0] += load.patients.value;
        day[1] += load.incidents.value;
    }
    let mut patients: Vec<f64> = days.values().map(|d| d[0]).collect();
    let mut incidents: Vec<f64> = days.values().map(|d| d[1]).collect();
    patients.sort_by(f64::total_cmp);
    incidents.sort_by(f64::total_cmp);
    let median = |v: &[f64]| v[v.len() / 2];
    let fire = crate::load::CITY_FIRE_BRIGADE_PER_DAY;
    let police = crate::load::CITY_POLICE_RELEVANT_PER_DAY;
    assert!(
        median(&patients) < 0.1 * fire,
        "a typical day's patients {} against {fire} interventions",
        median(&patients)
    );
    assert!(
        patients[patients.len() - 1] < 0.4 * fire,
        "the busiest day's patients {}",
        patients[patients.len() - 1]
    );
    assert!(median(&patients) > 0.005 * fire, "events are not nothing");
    assert!(
        median(&incidents) < 0.5 * police,
        "a typical day's incidents {} against {police:.0} offences",
        median(&incidents)
    );
}
