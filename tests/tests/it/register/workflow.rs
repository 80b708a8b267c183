//! The DPIA workflow over HTTP: the whole path, every step refused to the wrong
//! role and from the wrong status, rejection and rework, and versions.

use platform_tests::{Backend, TestApp, error_code, error_field, on_both_backends};
use serde_json::{Value, json};

use super::{complete_draft, dpo_opinion, new_activity, read_dpia, step, validate};

async fn the_workflow_runs_from_draft_to_the_cnil_answer(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let activity = new_activity(&app, "test-parcours").await;
    let id = complete_draft(&app, &activity).await;
    validate(&app, &id).await;
    let validated = read_dpia(&app, &id).await;
    assert_eq!(validated["frozen"], true, "a validated DPIA is frozen");
    assert_eq!(validated["cnilStatus"], 2, "simple validation");
    assert_eq!(validated["dpoOpinion"]["favourable"], true);
    assert_eq!(validated["evaluations"].as_array().map(Vec::len), Some(3));

    let sent = step(
        &app,
        "dpo",
        "submitDpiaToCnil",
        &id,
        ", reference: \"CNIL-2026-001\"",
        json!({}),
    )
    .await;
    assert_eq!(
        sent["data"]["submitDpiaToCnil"]["dpia"]["status"], "SUBMITTED_TO_CNIL",
        "{sent}"
    );
    let answered = step(
        &app,
        "admin",
        "recordCnilAnswer",
        &id,
        ", favourable: true, answer: \"Pas d'observation\"",
        json!({}),
    )
    .await;
    assert_eq!(
        answered["data"]["recordCnilAnswer"]["dpia"]["status"], "CNIL_ANSWERED",
        "{answered}"
    );
    let read = app
        .graphql_as("dpo", "query($id: ID!) { dpia(id: $id) { cnilReference cnilAnswer cnilFavourable cnilAnsweredAt } }", json!({ "id": id }))
        .await;
    assert_eq!(
        read["data"]["dpia"]["cnilReference"], "CNIL-2026-001",
        "{read}"
    );
    assert_eq!(read["data"]["dpia"]["cnilFavourable"], true);
}

/// (role, mutation field, extra arguments, variables) of every step.
fn steps() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "updateDpia",
            ", input: $input",
            json!({ "input": { "name": "Autre" } }),
        ),
        ("submitDpia", "", json!({})),
        ("recordDpoOpinion", ", input: $input", dpo_opinion()),
        ("validateDpia", "", json!({})),
        ("rejectDpia", ", reason: \"Incomplet\"", json!({})),
        ("submitDpiaToCnil", "", json!({})),
        (
            "recordCnilAnswer",
            ", favourable: true, answer: \"Vu\"",
            json!({}),
        ),
    ]
}

async fn every_step_is_refused_to_the_wrong_role(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let activity = new_activity(&app, "test-roles").await;
    let id = complete_draft(&app, &activity).await;
    let wrong: &[(&str, &[&str])] = &[
        ("updateDpia", &["dpo", "analyst", "partner"]),
        ("submitDpia", &["dpo", "analyst", "partner"]),
        ("recordDpoOpinion", &["admin", "supervisor", "analyst"]),
        ("validateDpia", &["dpo", "supervisor", "analyst"]),
        ("rejectDpia", &["dpo", "supervisor", "partner"]),
        ("submitDpiaToCnil", &["supervisor", "analyst", "partner"]),
        ("recordCnilAnswer", &["supervisor", "analyst", "partner"]),
    ];
    for (field, args, vars) in steps() {
        let roles = wrong
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, r)| *r)
            .unwrap_or(&[]);
        for role in roles {
            let body = step(&app, role, field, &id, args, vars.clone()).await;
            assert_eq!(
                error_code(&body),
                Some("FORBIDDEN"),
                "{field} as {role}: {body}"
            );
        }
    }
    for role in ["dpo", "analyst"] {
        let body = app
            .graphql_as(
                role,
                "mutation($input: CreateDpiaInput!) { createDpia(input: $input) { dpia { id } } }",
                json!({ "input": { "processingActivityId": activity } }),
            )
            .await;
        assert_eq!(
            error_code(&body),
            Some("FORBIDDEN"),
            "createDpia as {role}: {body}"
        );
    }
    let anonymous = app
        .graphql(
            "mutation { submitDpia(id: \"1\") { dpia { id } } }",
            json!({}),
        )
        .await;
    assert!(
        matches!(
            error_code(&anonymous),
            Some("FORBIDDEN" | "UNAUTHENTICATED")
        ),
        "anonymous: {anonymous}"
    );
    assert_eq!(
        read_dpia(&app, &id).await["status"],
        "DRAFT",
        "nothing moved"
    );
}

/// The right role for each step, so that only the transition is wrong.
fn right_role(field: &str) -> &'static str {
    match field {
        "recordDpoOpinion" | "submitDpiaToCnil" => "dpo",
        _ => "admin",
    }
}

async fn every_step_is_refused_from_a_status_that_does_not_allow_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let activity = new_activity(&app, "test-transitions").await;
    let id = complete_draft(&app, &activity).await;
    // (status reached, steps allowed from it); every other step must be refused.
    let stages: [(&str, &[&str]); 3] = [
        ("DRAFT", &["updateDpia", "submitDpia"]),
        ("SUBMITTED", &["recordDpoOpinion"]),
        ("VALIDATED", &["updateDpia", "submitDpiaToCnil"]),
    ];
    for (status, allowed) in stages {
        match status {
            "SUBMITTED" => {
                step(&app, "admin", "submitDpia", &id, "", json!({})).await;
            }
            "VALIDATED" => {
                step(
                    &app,
                    "dpo",
                    "recordDpoOpinion",
                    &id,
                    ", input: $input",
                    dpo_opinion(),
                )
                .await;
                step(&app, "admin", "validateDpia", &id, "", json!({})).await;
            }
            _ => {}
        }
        assert_eq!(read_dpia(&app, &id).await["status"], status);
        let before = app.count("dpia").await;
        for (field, args, vars) in steps().into_iter().filter(|(f, _, _)| !allowed.contains(f)) {
            let body = step(&app, right_role(field), field, &id, args, vars).await;
            assert_eq!(
                error_code(&body),
                Some("BAD_USER_INPUT"),
                "{field} from {status}: {body}"
            );
            assert_eq!(error_field(&body), Some("id"), "{field} from {status}");
        }
        assert_eq!(
            read_dpia(&app, &id).await["status"],
            status,
            "a refused step changes nothing"
        );
        assert_eq!(
            app.count("dpia").await,
            before,
            "a refused step stores nothing"
        );
    }
    let dpo_reviewed_only = new_activity(&app, "test-transitions-2").await;
    let other = complete_draft(&app, &dpo_reviewed_only).await;
    step(&app, "admin", "submitDpia", &other, "", json!({})).await;
    let early = step(&app, "admin", "validateDpia", &other, "", json!({})).await;
    assert_eq!(
        error_code(&early),
        Some("BAD_USER_INPUT"),
        "no validation before the DPO's opinion: {early}"
    );
}

async fn an_incomplete_draft_cannot_be_submitted(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let activity = new_activity(&app, "test-incomplet").await;
    let body = app
        .graphql_as(
            "admin",
            "mutation($input: CreateDpiaInput!) { createDpia(input: $input) { dpia { id } } }",
            json!({ "input": { "processingActivityId": activity, "answers": [{ "questionId": 111, "text": "Seule réponse" }] } }),
        )
        .await;
    let id = body["data"]["createDpia"]["dpia"]["id"].clone();
    let submitted = step(&app, "admin", "submitDpia", &id, "", json!({})).await;
    assert_eq!(
        error_code(&submitted),
        Some("BAD_USER_INPUT"),
        "{submitted}"
    );
    let message = submitted["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("112"),
        "the first unanswered question is named: {message}"
    );
    let bad_gauge = step(
        &app,
        "admin",
        "updateDpia",
        &id,
        ", input: $input",
        json!({ "input": { "answers": [{ "questionId": 325, "gauge": 9 }] } }),
    )
    .await;
    assert_eq!(
        error_field(&bad_gauge),
        Some("input.answers.325.gauge"),
        "{bad_gauge}"
    );
    let again = app
        .graphql_as(
            "admin",
            "mutation($input: CreateDpiaInput!) { createDpia(input: $input) { dpia { id } } }",
            json!({ "input": { "processingActivityId": activity } }),
        )
        .await;
    assert_eq!(
        error_field(&again),
        Some("input.processingActivityId"),
        "one DPIA per activity: {again}"
    );
}

async fn a_rejected_dpia_goes_back_to_draft_when_reworked(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let activity = new_activity(&app, "test-refus").await;
    let id = complete_draft(&app, &activity).await;
    step(&app, "admin", "submitDpia", &id, "", json!({})).await;
    step(
        &app,
        "dpo",
        "recordDpoOpinion",
        &id,
        ", input: $input",
        dpo_opinion(),
    )
    .await;
    let no_reason = step(
        &app,
        "admin",
        "rejectDpia",
        &id,
        ", reason: \"  \"",
        json!({}),
    )
    .await;
    assert_eq!(error_field(&no_reason), Some("reason"), "{no_reason}");
    let rejected = step(
        &app,
        "admin",
        "rejectDpia",
        &id,
        ", reason: \"Mesures insuffisantes\"",
        json!({}),
    )
    .await;
    assert_eq!(
        rejected["data"]["rejectDpia"]["dpia"]["status"], "REJECTED",
        "{rejected}"
    );
    assert_eq!(rejected["data"]["rejectDpia"]["dpia"]["cnilStatus"], 1);
    let input = json!({ "input": { "appliedAdjustments": "Chiffrement ajouté", "measures": [{ "title": "Seuil k" }, { "title": "Chiffrement" }] } });
    let reworked = step(
        &app,
        "supervisor",
        "updateDpia",
        &id,
        ", input: $input",
        input,
    )
    .await;
    let reworked = if error_code(&reworked) == Some("FORBIDDEN") {
        // The permission matrix may keep supervisors off the register; the author is then an admin.
        step(
            &app,
            "admin",
            "updateDpia",
            &id,
            ", input: $input",
            json!({ "input": { "appliedAdjustments": "Chiffrement ajouté" } }),
        )
        .await
    } else {
        reworked
    };
    assert_eq!(
        reworked["data"]["updateDpia"]["dpia"]["status"], "DRAFT",
        "{reworked}"
    );
    assert_eq!(
        reworked["data"]["updateDpia"]["dpia"]["id"], id,
        "rework happens in place"
    );
    validate(&app, &id).await;
}

async fn changing_a_validated_dpia_makes_a_new_version_and_keeps_the_old(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let activity = new_activity(&app, "test-versions").await;
    let v1 = complete_draft(&app, &activity).await;
    validate(&app, &v1).await;
    let before = read_dpia(&app, &v1).await;
    let change = json!({ "input": { "answers": [{ "questionId": 111, "text": "Périmètre étendu" }, { "questionId": 325, "text": "Revue", "gauge": 3 }] } });
    let body = step(
        &app,
        "admin",
        "updateDpia",
        &v1,
        ", input: $input",
        change.clone(),
    )
    .await;
    let v2 = body["data"]["updateDpia"]["dpia"].clone();
    assert_eq!(v2["status"], "DRAFT", "{body}");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["previousVersionId"], v1);
    assert_eq!(
        v2["dpoOpinion"],
        Value::Null,
        "the new version awaits a new opinion"
    );
    assert_eq!(
        read_dpia(&app, &v1).await,
        before,
        "the validated version is unchanged"
    );
    let stale = step(&app, "admin", "updateDpia", &v1, ", input: $input", change).await;
    assert_eq!(
        error_code(&stale),
        Some("BAD_USER_INPUT"),
        "only the latest version changes: {stale}"
    );

    let compare = app
        .graphql_as(
            "dpo",
            "query($a: ID!, $b: ID!) { dpiaCompare(a: $a, b: $b) { changedAnswers { questionId before { text gauge } after { text gauge } } changedMeasures { number } } }",
            json!({ "a": v1, "b": v2["id"] }),
        )
        .await;
    let changed = &compare["data"]["dpiaCompare"]["changedAnswers"];
    let ids: Vec<i64> = changed
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["questionId"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(ids, [111, 325], "{compare}");
    assert_eq!(changed[1]["before"]["gauge"], 2);
    assert_eq!(changed[1]["after"]["gauge"], 3);

    validate(&app, &v2["id"]).await;
    let old = read_dpia(&app, &v1).await;
    assert_eq!(old["status"], "SUPERSEDED", "validating v2 archives v1");
    assert_eq!(old["cnilStatus"], 4);
    let listed = app
        .graphql_as(
            "admin",
            "query($a: ID) { dpias(processingActivityId: $a) { version status } }",
            json!({ "a": activity }),
        )
        .await;
    assert_eq!(
        listed["data"]["dpias"],
        json!([{ "version": 2, "status": "VALIDATED" }, { "version": 1, "status": "SUPERSEDED" }]),
        "{listed}"
    );
}

on_both_backends!(
    the_workflow_runs_from_draft_to_the_cnil_answer,
    every_step_is_refused_to_the_wrong_role,
    every_step_is_refused_from_a_status_that_does_not_allow_it,
    an_incomplete_draft_cannot_be_submitted,
    a_rejected_dpia_goes_back_to_draft_when_reworked,
    changing_a_validated_dpia_makes_a_new_version_and_keeps_the_old,
);
