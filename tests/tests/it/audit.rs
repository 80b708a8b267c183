//! The audit log: one verified entry per operation under concurrency, tampering
//! found at the right sequence number, append-only triggers, the DPO's export.

use chrono::{SecondsFormat, Utc};
use platform_tests::{Backend, TEST_PASSWORD, TestApp, error_code, on_both_backends};
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::{Value, json};

const VERIFY: &str = "{ auditVerify { ok checked firstBrokenSeq problem } }";

async fn verification(app: &TestApp) -> Value {
    let body = app.graphql_as("dpo", VERIFY, json!({})).await;
    body["data"]["auditVerify"].clone()
}

async fn concurrent_mixed_requests_leave_exactly_one_verified_entry_each(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let roles = ["analyst", "supervisor", "partner", "dpo", "admin"];
    for role in roles {
        app.token_for(role).await;
    }
    let since = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    let calls: Vec<(&str, &str)> = vec![
        ("analyst", "{ agenda(days: 2) { date } }"),
        (
            "analyst",
            "mutation { pauseScoring(reason: \"no\") { __typename } }",
        ),
        ("partner", "{ users { email } }"),
        ("supervisor", "{ zones { code } }"),
        ("dpo", "{ events(first: 3) { totalCount } }"),
        ("admin", "{ users { email } }"),
        ("supervisor", "{ nope }"),
        ("analyst", "{ venues { code } }"),
    ];
    let n = 40;
    let mut handles = Vec::new();
    for i in 0..n {
        let (role, query) = calls[i % calls.len()];
        let token = app.token_for(role).await;
        let client = app.client.clone();
        let url = format!("{}/graphql", app.address);
        handles.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "query": query }))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    for handle in handles {
        handle.await.unwrap().unwrap();
    }
    let body = app
        .graphql_as("dpo", "query($f: AuditEntryFilter) { auditEntries(filter: $f, first: 100) { totalCount edges { node { outcome actor } } } }", json!({ "f": { "from": since } }))
        .await;
    let page = &body["data"]["auditEntries"];
    assert_eq!(
        page["totalCount"], n,
        "exactly one entry per request: {body}"
    );
    let outcomes: Vec<&str> = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["outcome"].as_str().unwrap())
        .collect();
    for outcome in ["allowed", "denied", "error"] {
        assert!(outcomes.contains(&outcome), "{outcome} among {outcomes:?}");
    }
    let verified = verification(&app).await;
    assert_eq!(verified["ok"], true, "{verified}");
    assert!(verified["checked"].as_i64().unwrap() >= n as i64);
}

async fn logins_are_audited_without_their_passwords(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let email = app.account("analyst").await;
    app.login(&email, "a wrong password here").await;
    app.login(&email, TEST_PASSWORD).await;
    let body = app
        .graphql_as("dpo", "{ auditEntries(filter: { resource: \"login\" }) { edges { node { outcome reason fields actor } } } }", json!({}))
        .await;
    let edges = body["data"]["auditEntries"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let outcomes: Vec<&str> = edges
        .iter()
        .map(|e| e["node"]["outcome"].as_str().unwrap())
        .collect();
    assert!(
        outcomes.contains(&"allowed") && outcomes.contains(&"denied"),
        "{outcomes:?}"
    );
    let export = app
        .client
        .get(format!("{}/audit/export.csv", app.address))
        .bearer_auth(app.token_for("dpo").await)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    assert!(
        export.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = export.text().await.unwrap();
    assert!(csv.starts_with("seq,at,actor"), "{csv}");
    assert!(csv.contains(",login,"), "logins are in the export");
    assert!(
        !csv.contains(TEST_PASSWORD) && !csv.contains("a wrong password here"),
        "no password is ever recorded"
    );
    let refused = app
        .client
        .get(format!("{}/audit/export.csv", app.address))
        .bearer_auth(app.token_for("admin").await)
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        403,
        "administrators do not read audit content"
    );
}

async fn triggers_refuse_changes_to_entries(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    verification(&app).await;
    verification(&app).await;
    for statement in [
        "UPDATE audit_entry SET actor = 'someone else' WHERE seq = 1",
        "DELETE FROM audit_entry WHERE seq = 1",
        "DELETE FROM audit_entry",
    ] {
        assert!(
            app.db.execute_unprepared(statement).await.is_err(),
            "refused: {statement}"
        );
    }
    if app.db.get_database_backend() == DbBackend::Postgres {
        assert!(
            app.db
                .execute_unprepared("TRUNCATE audit_entry")
                .await
                .is_err(),
            "TRUNCATE refused"
        );
    }
}

async fn disable_triggers(app: &TestApp) {
    let sql = match app.db.get_database_backend() {
        DbBackend::Postgres => "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
        _ => "DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete;",
    };
    app.db.execute_unprepared(sql).await.unwrap();
}

async fn tampering_is_found_at_the_right_sequence_number(backend: Backend) {
    // Sequence numbers relative to the first of ten entries written by the test
    // (the server's first start already wrote its own).
    type Statements = fn(i64) -> Vec<String>;
    let cases: [(&str, Statements, i64); 4] = [
        (
            "changed field",
            |b| {
                vec![format!(
                    "UPDATE audit_entry SET record_count = record_count + 1 WHERE seq = {}",
                    b + 3
                )]
            },
            3,
        ),
        (
            "deleted entry",
            |b| vec![format!("DELETE FROM audit_entry WHERE seq = {}", b + 4)],
            4,
        ),
        (
            "inserted entry",
            |b| {
                vec![
                    format!(
                        "UPDATE audit_entry SET seq = seq + 1000000 WHERE seq >= {}",
                        b + 5
                    ),
                    "UPDATE audit_entry SET seq = seq - 999999 WHERE seq >= 1000000".to_owned(),
                    format!(
                        "INSERT INTO audit_entry (seq, at, actor, operation_type, operation_name, resources, fields, record_count, outcome, prev_hash, hash) \
                 SELECT {}, at, 'forger', 'query', 'agenda', 'agenda', 'date', 0, 'allowed', hash, hash FROM audit_entry WHERE seq = {}",
                        b + 5,
                        b + 4
                    ),
                ]
            },
            5,
        ),
        (
            "deleted last entries",
            |b| vec![format!("DELETE FROM audit_entry WHERE seq >= {}", b + 6)],
            6,
        ),
    ];
    for (case, statements, broken) in cases {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        // Entries written directly, so that no request is in flight while the chain
        // is tampered with.
        let drafts: Vec<api::services::audit::Draft> = (0..10)
            .map(|i| api::services::audit::Draft {
                at: Utc::now(),
                actor: format!("tester {i}"),
                operation_type: "query".to_owned(),
                operation_name: "agenda".to_owned(),
                resources: "agenda".to_owned(),
                record_count: i,
                outcome: "allowed".to_owned(),
                ..Default::default()
            })
            .collect();
        // The DPO logs in first, so that no request is in flight during tampering.
        app.token_for("dpo").await;
        let before = api::services::audit::verify::verify(&app.db).await.unwrap();
        let base = before.checked;
        api::services::audit::append(&app.db, drafts).await.unwrap();
        let clean = api::services::audit::verify::verify(&app.db).await.unwrap();
        assert!(
            clean.ok && clean.checked == base + 10,
            "{case}: clean chain {clean:?}"
        );
        disable_triggers(&app).await;
        for statement in statements(base) {
            app.db
                .execute_unprepared(&statement)
                .await
                .unwrap_or_else(|e| panic!("{case}: {statement}: {e}"));
        }
        let found = api::services::audit::verify::verify(&app.db).await.unwrap();
        assert!(!found.ok, "{case}: detected");
        assert_eq!(
            found.first_broken_seq,
            Some(base + broken),
            "{case}: {found:?}"
        );
        let through_graphql = verification(&app).await;
        assert_eq!(
            through_graphql["firstBrokenSeq"],
            base + broken,
            "{case}: {through_graphql}"
        );
    }
}

/// The writer's batches (sent by `COPY` on PostgreSQL) store every character as
/// given: tabs, line breaks, backslashes, quotes, accents, the text of `NULL`, and
/// absent values as absent; the chain still verifies.
async fn batched_entries_keep_every_character_and_verify(backend: Backend) {
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.token_for("dpo").await;
    let awkward = [
        "tab\there",
        "line\nbreak\r\nand back",
        "back\\slash \\N \\t",
        "\"quoted\", 'single'; DROP TABLE x",
        "Pétanque à l'Estaque ✓",
        "\\N",
        "",
    ];
    // Repeated into a batch of more than 200 KB, sent in pieces of 32 KB on
    // PostgreSQL: pieces end inside rows, and some inside an accented letter.
    let awkward: Vec<&str> = awkward.iter().copied().cycle().take(7 * 160).collect();
    let at = Utc::now();
    let drafts: Vec<api::services::audit::Draft> = awkward
        .iter()
        .enumerate()
        .map(|(i, text)| api::services::audit::Draft {
            at,
            actor: format!("batch {text}"),
            role: (i % 2 == 0).then(|| "analyst".to_owned()),
            organization_id: (i % 3 == 0).then_some(i as i64),
            operation_type: "query".to_owned(),
            operation_name: format!("name {text}"),
            resources: "agenda".to_owned(),
            fields: (*text).to_owned(),
            record_count: i as i64,
            outcome: "allowed".to_owned(),
            reason: (i % 2 == 1).then(|| (*text).to_owned()),
            ..Default::default()
        })
        .collect();
    let expected: Vec<api::services::audit::Draft> =
        drafts.iter().cloned().map(|d| d.bounded()).collect();
    api::services::work::record_entries(&app.db, &drafts)
        .await
        .unwrap();
    let mut stored = entity::audit_entry::Entity::find()
        .order_by_desc(entity::audit_entry::Column::Seq)
        .limit(awkward.len() as u64)
        .all(&app.db)
        .await
        .unwrap();
    stored.reverse();
    assert_eq!(stored.len(), expected.len());
    for (row, draft) in stored.iter().zip(&expected) {
        assert_eq!(
            (
                &row.actor,
                &row.role,
                row.organization_id,
                &row.operation_name,
                &row.fields,
                row.record_count,
                &row.reason,
                &row.request_id,
            ),
            (
                &draft.actor,
                &draft.role,
                draft.organization_id,
                &draft.operation_name,
                &draft.fields,
                draft.record_count,
                &draft.reason,
                &draft.request_id,
            ),
            "seq {}",
            row.seq
        );
        assert_eq!(
            row.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            at.to_rfc3339_opts(SecondsFormat::Micros, true)
        );
    }
    let verified = api::services::audit::verify::verify(&app.db).await.unwrap();
    assert!(verified.ok, "{verified:?}");
}

async fn only_the_dpo_reads_the_audit_log(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for role in ["admin", "supervisor", "analyst", "partner"] {
        let body = app.graphql_as(role, VERIFY, json!({})).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{role}: {body}");
    }
    let stats = app.graphql_as("dpo", "{ auditStats { total byOutcome { key count } byActor { key count } byDay { key count } } }", json!({})).await;
    assert!(
        stats["data"]["auditStats"]["total"].as_u64().unwrap() >= 4,
        "{stats}"
    );
    let denied = stats["data"]["auditStats"]["byOutcome"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "denied")
        .cloned();
    assert!(
        denied.is_some_and(|c| c["count"].as_u64().unwrap() >= 4),
        "the four refusals are counted: {stats}"
    );
}

async fn a_change_and_its_entry_are_recorded_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let orgs = app
        .graphql_as("admin", "{ organizations { id code } }", json!({}))
        .await;
    let rtm = orgs["data"]["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "rtm")
        .unwrap()["id"]
        .clone();
    let issued = app
        .graphql_as("admin", "mutation($i: IssuePartnerTokenInput!) { issuePartnerToken(input: $i) { token { id } } }",
            json!({ "i": { "organizationId": rtm, "label": "audited", "scopes": ["read:agenda"], "purposes": [], "days": 1 } }))
        .await;
    let id = issued["data"]["issuePartnerToken"]["token"]["id"].clone();
    app.graphql_as(
        "admin",
        "mutation($id: ID!) { revokePartnerToken(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    for resource in ["issuePartnerToken", "revokePartnerToken"] {
        let body = app
            .graphql_as("dpo", "query($f: AuditEntryFilter) { auditEntries(filter: $f) { totalCount edges { node { outcome actor } } } }",
                json!({ "f": { "resource": resource } }))
            .await;
        assert_eq!(
            body["data"]["auditEntries"]["totalCount"], 1,
            "{resource}: {body}"
        );
        assert_eq!(
            body["data"]["auditEntries"]["edges"][0]["node"]["outcome"], "allowed",
            "{resource}"
        );
    }
}

on_both_backends!(
    a_change_and_its_entry_are_recorded_once,
    concurrent_mixed_requests_leave_exactly_one_verified_entry_each,
    logins_are_audited_without_their_passwords,
    triggers_refuse_changes_to_entries,
    tampering_is_found_at_the_right_sequence_number,
    only_the_dpo_reads_the_audit_log,
    batched_entries_keep_every_character_and_verify,
);
