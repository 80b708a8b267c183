//! Export to the CNIL PIA tool and import back: the file follows the tool's JSON
//! Schema (kept in `tests/fixtures`), and an export imported again gives back the
//! same DPIA.

use platform_tests::{Backend, TestApp, error_code, error_field, on_both_backends};
use serde_json::{Value, json};

use super::{complete_draft, new_activity, step, validate};

const EXPORT: &str = "query($id: ID!, $format: DpiaExportFormat!) { dpiaExport(id: $id, format: $format) { format fileName mediaType content } }";
const IMPORT: &str = "mutation($a: ID!, $file: String!) { importDpia(processingActivityId: $a, file: $file) { dpia { id version status } } }";

fn schema() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cnil_pia.schema.json");
    let text = std::fs::read_to_string(path).expect("schema fixture");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

async fn export_file(app: &TestApp, id: &Value) -> Value {
    let body = app
        .graphql_as("dpo", EXPORT, json!({ "id": id, "format": "CNIL_PIA" }))
        .await;
    let file = &body["data"]["dpiaExport"];
    assert_eq!(file["mediaType"], "application/json", "{body}");
    serde_json::from_str(file["content"].as_str().expect("content is text"))
        .expect("the export is JSON")
}

fn assert_valid(validator: &jsonschema::Validator, file: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(file)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} breaks the CNIL PIA schema: {errors:?}"
    );
}

/// The file without what an import does not carry over: status and timestamps.
fn content_of(mut file: Value) -> Value {
    for key in ["status", "created_at", "updated_at"] {
        file["pia"].as_object_mut().map(|pia| pia.remove(key));
    }
    for list in ["answers", "measures", "evaluations"] {
        for item in file[list].as_array_mut().into_iter().flatten() {
            item.as_object_mut().map(|o| o.remove("created_at"));
        }
    }
    file
}

async fn every_export_follows_the_cnil_tools_schema(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let validator = schema();
    let listed = app
        .graphql_as("dpo", "{ dpias { id status } }", json!({}))
        .await;
    let dpias = listed["data"]["dpias"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(dpias.len() >= 5, "the seed has DPIAs: {listed}");
    for dpia in &dpias {
        let file = export_file(&app, &dpia["id"]).await;
        assert_valid(&validator, &file, &format!("DPIA {}", dpia["id"]));
        for key in ["answers", "measures", "evaluations", "comments"] {
            assert!(file[key].is_array(), "{key} is always an array");
        }
        let expected = if dpia["status"] == "VALIDATED" { 2 } else { 0 };
        assert_eq!(
            file["pia"]["status"], expected,
            "status code of {}",
            dpia["status"]
        );
    }
    let empty = app
        .graphql_as(
            "admin",
            "mutation($input: CreateDpiaInput!) { createDpia(input: $input) { dpia { id } } }",
            json!({ "input": { "processingActivityId": new_activity(&app, "test-vide").await } }),
        )
        .await;
    let file = export_file(&app, &empty["data"]["createDpia"]["dpia"]["id"]).await;
    assert_valid(&validator, &file, "an empty draft");
    assert_eq!(file["evaluations"], json!([]), "empty arrays are present");
    assert!(
        !validator.is_valid(&json!({ "pia": file["pia"], "answers": [] })),
        "the schema itself requires the four arrays"
    );

    let report = app
        .graphql_as(
            "dpo",
            EXPORT,
            json!({ "id": dpias[0]["id"], "format": "MARKDOWN" }),
        )
        .await;
    let text = report["data"]["dpiaExport"]["content"]
        .as_str()
        .unwrap_or_default();
    for heading in [
        "# Analyse d'impact",
        "## 1.1 Vue d'ensemble",
        "## 3.2 Accès illégitime",
        "## 4.2 Plan d'action",
        "## 4.3 Avis du DPD",
    ] {
        assert!(text.contains(heading), "the report has {heading:?}: {text}");
    }
}

async fn export_then_import_gives_back_the_same_dpia(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let activity = new_activity(&app, "test-aller-retour").await;
    let v1 = complete_draft(&app, &activity).await;
    validate(&app, &v1).await;
    step(&app, "admin", "submitDpiaToCnil", &v1, "", json!({})).await;
    let exported = export_file(&app, &v1).await;
    assert_eq!(
        exported["evaluations"][0]["reference_to"], "2.1.211",
        "{exported}"
    );

    let body = app
        .graphql_as(
            "admin",
            IMPORT,
            json!({ "a": activity, "file": exported.to_string() }),
        )
        .await;
    let imported = &body["data"]["importDpia"]["dpia"];
    assert_eq!(imported["status"], "DRAFT", "an import is a draft: {body}");
    assert_eq!(imported["version"], 2, "the next version of the frozen one");
    let again = export_file(&app, &imported["id"]).await;
    assert_valid(&schema(), &again, "the re-export");
    assert_eq!(
        content_of(again),
        content_of(exported),
        "the same DPIA, answer for answer"
    );
    let compare = app
        .graphql_as("dpo", "query($a: ID!, $b: ID!) { dpiaCompare(a: $a, b: $b) { changedAnswers { questionId } changedMeasures { number } changedFields { field } } }",
            json!({ "a": v1, "b": imported["id"] }))
        .await;
    assert_eq!(
        compare["data"]["dpiaCompare"],
        json!({ "changedAnswers": [], "changedMeasures": [], "changedFields": [] }),
        "{compare}"
    );

    let fresh = new_activity(&app, "test-import-neuf").await;
    let body = app
        .graphql_as(
            "admin",
            IMPORT,
            json!({ "a": fresh, "file": include_str!("../../../fixtures/pia_tool_file.json") }),
        )
        .await;
    assert_eq!(
        body["data"]["importDpia"]["dpia"]["version"], 1,
        "a file from the tool itself imports: {body}"
    );
}

async fn a_file_that_is_not_a_valid_pia_is_refused_and_nothing_stored(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let activity = new_activity(&app, "test-import-refus").await;
    let before = (app.count("dpia").await, app.count("dpia_answer").await);
    let cases = [
        ("{ not json", "file"),
        (
            r#"{"pia":{"name":"x"},"answers":[{"reference_to":999,"data":{"text":"?"}}]}"#,
            "file.answers.999",
        ),
        (
            r#"{"pia":{"name":"x"},"answers":[{"reference_to":325,"data":{"gauge":7}}]}"#,
            "file.answers.325.gauge",
        ),
        (
            r#"{"pia":{"name":"x"},"evaluations":[{"reference_to":"3.1.9","status":3}]}"#,
            "file.evaluations.3.1.9",
        ),
    ];
    for (file, field) in cases {
        let body = app
            .graphql_as("admin", IMPORT, json!({ "a": activity, "file": file }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{file}: {body}");
        assert_eq!(error_field(&body), Some(field), "{file}");
    }
    let wrong_role = app
        .graphql_as("dpo", IMPORT, json!({ "a": activity, "file": "{}" }))
        .await;
    assert_eq!(error_code(&wrong_role), Some("FORBIDDEN"), "{wrong_role}");
    let draft = complete_draft(&app, &activity).await;
    let exported = export_file(&app, &draft).await;
    let over_draft = app
        .graphql_as(
            "admin",
            IMPORT,
            json!({ "a": activity, "file": exported.to_string() }),
        )
        .await;
    assert_eq!(
        error_field(&over_draft),
        Some("processingActivityId"),
        "a draft in progress is changed, not imported over: {over_draft}"
    );
    assert_eq!(
        (app.count("dpia").await, app.count("dpia_answer").await),
        (before.0 + 1, before.1 + 36),
        "only the draft was stored"
    );
}

on_both_backends!(
    every_export_follows_the_cnil_tools_schema,
    export_then_import_gives_back_the_same_dpia,
    a_file_that_is_not_a_valid_pia_is_refused_and_nothing_stored,
);
