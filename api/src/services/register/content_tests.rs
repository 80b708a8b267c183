//! Unit tests of DPIA content: the checks every version obeys and completeness.

use super::*;

/// A complete DPIA content, as a test fixture.
pub(crate) fn complete() -> DpiaContent {
    let mut answers = BTreeMap::new();
    for question in questions::all() {
        let answer = match question.kind {
            QuestionKind::Text => Answer {
                text: Some(format!("Réponse {}", question.id)),
                ..Answer::default()
            },
            QuestionKind::List => Answer {
                list: vec![format!("Élément {}", question.id)],
                ..Answer::default()
            },
            QuestionKind::Gauge => Answer {
                text: Some("Justification".into()),
                gauge: Some(2),
                list: vec![],
            },
        };
        answers.insert(question.id, answer);
    }
    DpiaContent {
        name: "Comptages de présence".into(),
        author_name: "Direction de la tranquillité publique".into(),
        answers,
        measures: vec![Measure {
            number: 1,
            title: "Seuil k".into(),
            content: "k >= 20".into(),
        }],
        people: PeopleOpinion {
            searched: Some(false),
            not_searched_reason: "Données agrégées, consultation publique en conseil municipal"
                .into(),
            ..PeopleOpinion::default()
        },
        ..DpiaContent::default()
    }
}

#[test]
fn a_complete_dpia_passes_both_checks() {
    let content = complete();
    assert!(content.check("input").is_ok());
    assert!(content.check_complete("id").is_ok());
}

#[test]
fn answers_must_fit_their_questions_kind() {
    let cases: Vec<(i32, Answer, &str)> = vec![
        (999, Answer::default(), "input.answers.999"),
        (
            111,
            Answer {
                gauge: Some(2),
                ..Answer::default()
            },
            "input.answers.111.gauge",
        ),
        (
            325,
            Answer {
                gauge: Some(5),
                ..Answer::default()
            },
            "input.answers.325.gauge",
        ),
        (
            325,
            Answer {
                gauge: Some(0),
                ..Answer::default()
            },
            "input.answers.325.gauge",
        ),
        (
            111,
            Answer {
                list: vec!["x".into()],
                ..Answer::default()
            },
            "input.answers.111.list",
        ),
        (
            321,
            Answer {
                list: vec!["  ".into()],
                ..Answer::default()
            },
            "input.answers.321.list",
        ),
    ];
    for (id, answer, path) in cases {
        let mut content = complete();
        content.answers.insert(id, answer);
        let err = content.check("input").err();
        assert!(
            matches!(&err, Some(ApiError::BadUserInput { path: p, .. }) if p == path),
            "answer to {id}: expected an error on {path}, got {err:?}"
        );
    }
}

#[test]
fn evaluations_must_name_an_evaluable_part_once() {
    let base = Evaluation {
        reference_to: "3.2".into(),
        status: EvaluationStatus::Acceptable,
        gauge_x: 2,
        gauge_y: 1,
        action_plan_comment: String::new(),
        evaluation_comment: String::new(),
        person_in_charge: String::new(),
        estimated_implementation_date: None,
    };
    let mut content = complete();
    content.evaluations = vec![base.clone()];
    assert!(content.check("input").is_ok());
    let refused = [
        Evaluation {
            reference_to: "3.1.7".into(),
            gauge_x: 0,
            gauge_y: 0,
            ..base.clone()
        },
        Evaluation {
            reference_to: "1.1".into(),
            ..base.clone()
        },
        Evaluation {
            gauge_x: 5,
            ..base.clone()
        },
    ];
    for evaluation in refused {
        let mut content = complete();
        content.evaluations = vec![evaluation.clone()];
        assert!(
            content.check("input").is_err(),
            "{evaluation:?} must be refused"
        );
    }
    let mut twice = complete();
    twice.evaluations = vec![base.clone(), base];
    assert!(
        twice.check("input").is_err(),
        "a part evaluated twice must be refused"
    );
}

#[test]
fn an_incomplete_dpia_cannot_be_submitted() {
    let mut missing_answer = complete();
    missing_answer.answers.remove(&326);
    let mut no_measure = complete();
    no_measure.measures.clear();
    let mut no_people = complete();
    no_people.people = PeopleOpinion::default();
    let mut sought_without_opinion = complete();
    sought_without_opinion.people.searched = Some(true);
    for (what, content) in [
        ("missing answer", missing_answer),
        ("no measure", no_measure),
        ("no data subjects' opinion", no_people),
        ("opinion sought but not recorded", sought_without_opinion),
    ] {
        assert!(
            content.check_complete("id").is_err(),
            "{what} must block submission"
        );
    }
}
