//! The register of processing and the DPIA workflow, black-box over HTTP: the
//! seeded register, every workflow step allowed and refused, versions, the CNIL
//! export and import, and the gate that keeps a source from running without a
//! validated DPIA.

mod export;
mod gate;
mod workflow;

use platform_tests::TestApp;
use serde_json::{Value, json};

/// Every question id of the CNIL questionnaire.
pub const QUESTION_IDS: [i64; 36] = [
    111, 112, 113, 121, 122, 123, 211, 212, 213, 214, 215, 221, 222, 223, 224, 225, 226, 227, 321,
    322, 323, 324, 325, 326, 331, 332, 333, 334, 335, 336, 341, 342, 343, 344, 345, 346,
];

/// The fields of a DPIA the tests read back.
pub const DPIA_FIELDS: &str = "id version status cnilStatus frozen name previousVersionId \
    answers { questionId text gauge list } measures { number title } \
    dpoOpinion { favourable opinion } evaluations { referenceTo status severity likelihood }";

/// An answer to every question, the way a careful author fills the questionnaire.
pub fn complete_answers() -> Value {
    let answers: Vec<Value> = QUESTION_IDS
        .iter()
        .map(|id| match id % 10 {
            _ if *id < 300 => {
                json!({ "questionId": id, "text": format!("Réponse à la question {id}") })
            }
            1..=4 => json!({ "questionId": id, "list": [format!("Élément {id}")] }),
            _ => json!({ "questionId": id, "text": "Justification", "gauge": 2 }),
        })
        .collect();
    Value::Array(answers)
}

/// A register entry with `code`, valid as is.
pub fn activity_input(code: &str) -> Value {
    json!({
        "code": code,
        "name": format!("Traitement {code}"),
        "controllerContact": "Direction de la tranquillité publique, tranquillite-publique@marseille.fr",
        "dpoContact": "DPD de la Ville, dpd@marseille.fr",
        "purposes": ["Planifier les opérations"],
        "legalBasis": "PUBLIC_TASK",
        "legalBasisDetails": "Art. L2212-2 du CGCT",
        "dataSubjectCategories": ["Public des événements (compté)"],
        "dataCategories": ["Effectifs agrégés"],
        "retentionDays": 365,
        "securityMeasures": ["Agrégation k >= 11"],
    })
}

/// Creates a register entry as admin; returns its id.
pub async fn new_activity(app: &TestApp, code: &str) -> Value {
    let body = app
        .graphql_as(
            "admin",
            "mutation($input: ProcessingActivityInput!) { upsertProcessingActivity(input: $input) { processingActivity { id } } }",
            json!({ "input": activity_input(code) }),
        )
        .await;
    let id = body["data"]["upsertProcessingActivity"]["processingActivity"]["id"].clone();
    assert!(id.is_string(), "upsertProcessingActivity failed: {body}");
    id
}

/// Drafts a complete DPIA of `activity` as admin; returns its id.
pub async fn complete_draft(app: &TestApp, activity: &Value) -> Value {
    let input = json!({
        "processingActivityId": activity,
        "name": "AIPD de test",
        "answers": complete_answers(),
        "measures": [{ "title": "Seuil k", "content": "k >= 20" }, { "title": "Journal d'audit" }],
        "dataSubjectsOpinion": { "sought": false, "notSoughtReason": "Données agrégées" },
    });
    let body = app
        .graphql_as(
            "admin",
            "mutation($input: CreateDpiaInput!) { createDpia(input: $input) { dpia { id status } } }",
            json!({ "input": input }),
        )
        .await;
    assert_eq!(
        body["data"]["createDpia"]["dpia"]["status"], "DRAFT",
        "{body}"
    );
    body["data"]["createDpia"]["dpia"]["id"].clone()
}

/// A workflow mutation on DPIA `id` as `role`; `args` are its other arguments
/// written in GraphQL, `vars` their values.
pub async fn step(
    app: &TestApp,
    role: &str,
    field: &str,
    id: &Value,
    args: &str,
    vars: Value,
) -> Value {
    let declared = match field {
        "recordDpoOpinion" => "$id: ID!, $input: RecordDpoOpinionInput!",
        "updateDpia" => "$id: ID!, $input: UpdateDpiaInput!",
        _ => "$id: ID!",
    };
    let query =
        format!("mutation({declared}) {{ {field}(id: $id{args}) {{ dpia {{ {DPIA_FIELDS} }} }} }}");
    let mut variables = vars;
    variables["id"] = id.clone();
    app.graphql_as(role, &query, variables).await
}

/// The DPO's opinion, with an evaluation of the first risk.
pub fn dpo_opinion() -> Value {
    json!({ "input": {
        "favourable": true,
        "opinion": "Risque résiduel négligeable",
        "evaluations": [
            { "referenceTo": "3.2", "status": "IMPROVABLE", "severity": 2, "likelihood": 1,
              "actionPlanComment": "Ajouter du bruit", "personInCharge": "DPD" },
            { "referenceTo": "3.1.1", "status": "ACCEPTABLE" },
            { "referenceTo": "2.1.211", "status": "ACCEPTABLE" }
        ]
    }})
}

/// Walks draft `id` to VALIDATED: submit, DPO opinion, validation.
pub async fn validate(app: &TestApp, id: &Value) {
    let submitted = step(app, "admin", "submitDpia", id, "", json!({})).await;
    assert_eq!(
        submitted["data"]["submitDpia"]["dpia"]["status"], "SUBMITTED",
        "{submitted}"
    );
    let reviewed = step(
        app,
        "dpo",
        "recordDpoOpinion",
        id,
        ", input: $input",
        dpo_opinion(),
    )
    .await;
    assert_eq!(
        reviewed["data"]["recordDpoOpinion"]["dpia"]["status"], "DPO_REVIEWED",
        "{reviewed}"
    );
    let validated = step(app, "admin", "validateDpia", id, "", json!({})).await;
    assert_eq!(
        validated["data"]["validateDpia"]["dpia"]["status"], "VALIDATED",
        "{validated}"
    );
}

/// Reads one DPIA version.
pub async fn read_dpia(app: &TestApp, id: &Value) -> Value {
    let body = app
        .graphql_as(
            "dpo",
            &format!("query($id: ID!) {{ dpia(id: $id) {{ {DPIA_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    body["data"]["dpia"].clone()
}
