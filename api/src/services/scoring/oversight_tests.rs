//! The override rule, case by case.

use super::*;

fn advice(risk: f64, adequacy: Option<f64>) -> assessment::Model {
    assessment::Model {
        id: 1,
        event_id: 1,
        model_version: "test".into(),
        rules_version: "rules".into(),
        inputs_fingerprint: String::new(),
        risk_overall: risk,
        risk_tranquillity: risk,
        risk_security: risk,
        risk_mobility: risk,
        expected_tranquillity: 0.0,
        expected_security: 0.0,
        expected_mobility: 0.0,
        required_json: String::new(),
        adequacy_json: String::new(),
        adequacy_overall: adequacy,
        adequacy_weighted: adequacy,
        first_aid_ris: 0.0,
        first_aid_workers: 0,
        dps_type: "none".into(),
        explanation_json: String::new(),
        features_json: String::new(),
        computed_at: Utc::now(),
        inputs_changed_at: None,
        triggered_by: None,
    }
}

#[test]
fn decisions_against_the_advice_are_overrides_and_the_others_are_not() {
    use DecisionAction::*;
    // (action, risk, overall adequacy, override expected)
    let cases = [
        (Maintain, 3.0, Some(60.0), true),
        (Reduce, 3.0, Some(60.0), true),
        (Reinforce, 3.0, Some(60.0), false),
        (Maintain, 3.0, Some(100.0), false),
        (Reduce, 8.0, Some(120.0), true),
        (Reduce, 3.0, Some(200.0), false),
        (Maintain, 8.0, Some(120.0), false),
        (Reinforce, 3.0, Some(200.0), true),
        (Reinforce, 3.0, None, true),
        (Reinforce, 8.0, Some(200.0), false),
        (Reinforce, 3.0, Some(149.0), false),
        (Postpone, 9.0, Some(10.0), false),
        (Move, 9.0, Some(10.0), false),
        (Cancel, 1.0, Some(500.0), false),
    ];
    for (action, risk, adequacy, expected) in cases {
        let reason = override_reason(action, &advice(risk, adequacy));
        assert_eq!(
            reason.is_some(),
            expected,
            "{action:?} at risk {risk} and adequacy {adequacy:?}: {reason:?}"
        );
    }
}

#[test]
fn an_override_says_which_advice_it_goes_against() {
    let reason = override_reason(DecisionAction::Maintain, &advice(3.0, Some(60.0)));
    assert!(
        reason
            .as_deref()
            .is_some_and(|r| r.contains("60 %") && r.contains("reinforce")),
        "{reason:?}"
    );
}

#[test]
fn a_required_kind_with_nothing_planned_calls_for_reinforcement() {
    let required = scoring::adequacy::ResourceCounts {
        first_aid: 4,
        stewards: 10,
        ..Default::default()
    };
    let planned = scoring::adequacy::ResourceCounts {
        stewards: 30,
        ..Default::default()
    };
    let adequacy = scoring::adequacy::assess(&required, &planned);
    let mut row = advice(3.0, adequacy.overall_percent);
    row.adequacy_json = serde_json::to_string(&adequacy).unwrap();
    assert_eq!(
        row.adequacy_overall,
        Some(300.0),
        "stewards, the kind planned"
    );
    assert!(override_reason(DecisionAction::Maintain, &row).is_some());
    assert!(override_reason(DecisionAction::Reinforce, &row).is_none());
}
