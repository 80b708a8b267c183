//! Unit tests of the CNIL PIA file format: shape, codes and the round trip.

use chrono::TimeZone;
use entity::register::dpia::DpiaStatus;
use serde_json::Value;

use super::*;
use crate::services::register::content::tests::complete;

fn model(status: DpiaStatus, signed: bool) -> dpia::Model {
    let at = Utc
        .with_ymd_and_hms(2026, 1, 10, 9, 0, 0)
        .single()
        .unwrap_or_default();
    dpia::Model {
        id: 7,
        processing_activity_id: 1,
        version: 1,
        previous_version_id: None,
        status,
        name: String::new(),
        author_name: String::new(),
        evaluator_name: String::new(),
        validator_name: String::new(),
        author_user_id: None,
        dpo_status: None,
        dpo_opinion: String::new(),
        dpos_names: String::new(),
        concerned_people_searched_opinion: None,
        concerned_people_searched_content: String::new(),
        people_names: String::new(),
        concerned_people_status: None,
        concerned_people_opinion: String::new(),
        rejection_reason: String::new(),
        applied_adjustments: String::new(),
        signed,
        validated_at: None,
        cnil_reference: None,
        cnil_submitted_at: None,
        cnil_answer: None,
        cnil_favourable: None,
        cnil_answered_at: None,
        created_at: at,
        updated_at: at,
    }
}

fn evaluated() -> DpiaContent {
    let mut content = complete();
    content.dpo = DpoOpinion {
        status: Some(1),
        opinion: "Favorable".into(),
        names: "DPD de la Ville".into(),
    };
    content.evaluations = vec![
        Evaluation {
            reference_to: "3.2".into(),
            status: EvaluationStatus::Improvable,
            gauge_x: 2,
            gauge_y: 1,
            action_plan_comment: "Ajouter du bruit".into(),
            evaluation_comment: String::new(),
            person_in_charge: "DPD".into(),
            estimated_implementation_date: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single(),
        },
        Evaluation {
            reference_to: "3.1.1".into(),
            status: EvaluationStatus::Acceptable,
            gauge_x: 0,
            gauge_y: 0,
            action_plan_comment: String::new(),
            evaluation_comment: "Seuil conforme".into(),
            person_in_charge: String::new(),
            estimated_implementation_date: None,
        },
    ];
    content.normalized()
}

#[test]
fn an_export_has_the_five_keys_and_all_four_arrays_even_empty() {
    let content = DpiaContent {
        name: "Vide".into(),
        ..DpiaContent::default()
    };
    let value = serde_json::to_value(export(&model(DpiaStatus::Draft, false), &content))
        .unwrap_or_default();
    let keys: Vec<&str> = value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    for key in ["pia", "answers", "measures", "evaluations", "comments"] {
        assert!(keys.contains(&key), "missing {key} in {keys:?}");
    }
    assert_eq!(keys.len(), 5, "{keys:?}");
    for key in ["answers", "measures", "evaluations", "comments"] {
        assert_eq!(
            value[key],
            Value::Array(vec![]),
            "{key} must be an empty array"
        );
    }
}

#[test]
fn an_export_writes_integer_question_ids_and_string_evaluation_references() {
    let value = serde_json::to_value(export(&model(DpiaStatus::Validated, true), &evaluated()))
        .unwrap_or_default();
    assert_eq!(value["pia"]["status"], 3, "signed validation");
    assert_eq!(value["pia"]["created_at"], "2026-01-10T09:00:00.000Z");
    assert_eq!(value["answers"][0]["reference_to"], 111);
    assert_eq!(value["answers"][0]["data"]["gauge"], Value::Null);
    assert_eq!(value["answers"].as_array().map(Vec::len), Some(36));
    let references: Vec<&str> = value["evaluations"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["reference_to"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(references, ["3.1.1", "3.2"], "questionnaire order");
    assert_eq!(
        value["evaluations"][1]["gauges"],
        serde_json::json!({"x": 2, "y": 1})
    );
    assert_eq!(value["evaluations"][1]["status"], 2);
}

#[test]
fn export_then_import_gives_back_the_same_content() {
    let content = evaluated();
    let json = export_json(&model(DpiaStatus::CnilAnswered, false), &content);
    let back = json.and_then(|text| import(&text));
    assert_eq!(back.ok(), Some(content));
}

#[test]
fn import_reads_the_tools_nulls_and_older_spellings() {
    let file = r#"{"pia":{"name":"Ancien","status":1,"author_name":null,"dpo_status":null,
        "rejected_reason":"Trop large","applied_adjustements":"Réduit","created_at":"x"},
        "answers":[{"reference_to":325,"data":{"text":null,"gauge":0,"list":null}}],
        "measures":[],"evaluations":[],"comments":[{"description":"ignored"}]}"#;
    let content = import(file).unwrap_or_default();
    assert_eq!(content.name, "Ancien");
    assert_eq!(content.rejection_reason, "Trop large");
    assert_eq!(content.applied_adjustments, "Réduit");
    assert_eq!(
        content.answers.get(&325),
        Some(&Answer::default()),
        "gauge 0 means not set"
    );
}

#[test]
fn import_refuses_what_is_not_a_valid_pia_file() {
    let cases = [
        ("not json", "file"),
        (r#"{"answers":[]}"#, "file"),
        (
            r#"{"pia":{"name":"x"},"answers":[{"reference_to":999,"data":{}}]}"#,
            "file.answers.999",
        ),
        (
            r#"{"pia":{"name":"x"},"answers":[{"reference_to":325,"data":{"gauge":7}}]}"#,
            "file.answers.325.gauge",
        ),
        (
            r#"{"pia":{"name":"x"},"evaluations":[{"reference_to":"3.1.4","status":3}]}"#,
            "file.evaluations.3.1.4",
        ),
        (
            r#"{"pia":{"name":"x"},"evaluations":[{"reference_to":"1.1","status":9}]}"#,
            "file.evaluations.1.1.status",
        ),
        (r#"{"pia":{"name":" "}}"#, "file.name"),
    ];
    for (file, path) in cases {
        match import(file) {
            Err(ApiError::BadUserInput { path: p, .. }) => assert_eq!(p, path, "{file}"),
            other => panic!("{file}: expected BAD_USER_INPUT on {path}, got {other:?}"),
        }
    }
}
