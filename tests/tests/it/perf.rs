//! The agenda's read path keeps nothing a change could hide: the window bound
//! follows the longest event, the request's loaders are fed from what the agenda
//! read, a kept answer is recomputed after any change and never handed to a viewer
//! the guard refuses, every read is audited even when answered from what was kept,
//! and a session checked a moment ago is forgotten when it ends.

use chrono::{Duration, Utc};
use platform_tests::{Backend, TEST_PASSWORD, TestApp, error_code, on_both_backends};
use serde_json::{Value, json};

const TODAY: &str = r#"query { agenda(days: 1) { date events { id title deployments { kind count } venue { code zone { code } } } } }"#;

async fn venue_id(app: &TestApp, code: &str) -> Value {
    let body = app
        .graphql_as("supervisor", "{ venues { id code } }", json!({}))
        .await;
    body["data"]["venues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == code)
        .unwrap_or_else(|| panic!("venue {code}: {body}"))["id"]
        .clone()
}

/// The ids and the whole entries of the events of today's agenda.
async fn todays_events(app: &TestApp) -> Vec<Value> {
    let body = app.graphql_as("analyst", TODAY, json!({})).await;
    body["data"]["agenda"][0]["events"]
        .as_array()
        .unwrap_or_else(|| panic!("no agenda: {body}"))
        .clone()
}

fn find<'a>(events: &'a [Value], id: &Value) -> Option<&'a Value> {
    events.iter().find(|e| &e["id"] == id)
}

async fn an_event_longer_than_any_before_shows_on_the_next_agenda_read(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let before = todays_events(&app).await;
    // Three weeks long, started twenty days ago: longer than any demo event, so the
    // window's lower bound must have moved for it to be found.
    let venue = venue_id(&app, "parc-borely").await;
    let starts = Utc::now() - Duration::days(20);
    let ends = Utc::now() + Duration::days(1);
    let created = app
        .graphql_as(
            "supervisor",
            r#"mutation($input: CreateEventInput!) { createEvent(input: $input) { event { id } } }"#,
            json!({ "input": {
                "title": "Foire aux santons", "category": "MARKET", "venueId": venue,
                "startsAt": starts.to_rfc3339(), "endsAt": ends.to_rfc3339(),
                "expectedAttendance": 2000, "publicProfile": "STANDING_DYNAMIC", "alcohol": false
            } }),
        )
        .await;
    let id = created["data"]["createEvent"]["event"]["id"].clone();
    assert!(id.is_string(), "the event is created: {created}");
    assert!(find(&before, &id).is_none(), "not there before");

    let after = todays_events(&app).await;
    let shown = find(&after, &id).unwrap_or_else(|| {
        panic!("an event that began 20 days ago and runs today is in today's agenda")
    });
    assert_eq!(shown["venue"]["code"], "parc-borely", "{shown}");

    // Moved five more days back: an update moves the bound too.
    let update = r#"mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { event { startsAt } } }"#;
    let earlier = Utc::now() - Duration::days(25);
    let moved = app
        .graphql_as(
            "supervisor",
            update,
            json!({ "id": id, "input": { "startsAt": earlier.to_rfc3339() } }),
        )
        .await;
    assert!(moved["errors"].is_null(), "the event is moved: {moved}");
    let after = todays_events(&app).await;
    assert!(
        find(&after, &id).is_some(),
        "an event that began 25 days ago and runs today is still in today's agenda"
    );
}

async fn a_deployment_change_shows_on_the_next_agenda_read(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let events = todays_events(&app).await;
    let event = events.first().expect("the demo agenda has events today");
    let id = event["id"].clone();
    let plan = r#"mutation($input: UpsertDeploymentInput!) { upsertDeployment(input: $input) { deployment { count } } }"#;
    for count in [37, 41] {
        let body = app
            .graphql_as(
                "supervisor",
                plan,
                json!({ "input": { "eventId": id, "kind": "STEWARDS", "count": count } }),
            )
            .await;
        assert!(body["errors"].is_null(), "planned: {body}");
        let after = todays_events(&app).await;
        let shown = find(&after, &id).expect("still in the agenda");
        let stewards: Vec<&Value> = shown["deployments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] == "STEWARDS")
            .collect();
        assert_eq!(
            stewards,
            vec![&json!({ "kind": "STEWARDS", "count": count })],
            "the agenda read right after the change shows {count} stewards"
        );
    }
}

/// The same document each time: a kept answer would be served to the second read.
const KEPT: &str =
    r#"query Kept { agenda(days: 1) { date events { id title expectedAttendance } } }"#;

async fn kept_events(app: &TestApp) -> Vec<Value> {
    let body = app.graphql_as("analyst", KEPT, json!({})).await;
    body["data"]["agenda"][0]["events"]
        .as_array()
        .unwrap_or_else(|| panic!("no agenda: {body}"))
        .clone()
}

async fn agenda_entries(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT COUNT(*) AS n FROM audit_entry WHERE operation_name = 'Kept' AND resources = 'agenda'";
    let row = app
        .db
        .query_one_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .expect("the audit log is readable")
        .expect("a count");
    row.try_get_by_index::<i64>(0).expect("a number")
}

async fn an_edit_between_two_identical_agenda_reads_shows_on_the_second(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let first = kept_events(&app).await;
    let again = kept_events(&app).await;
    assert_eq!(first, again, "nothing changed: the same answer");
    let id = first.first().expect("the demo agenda has events today")["id"].clone();
    let update = r#"mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { event { title } } }"#;
    for (title, attendance) in [("Renamed once", 1234), ("Renamed twice", 4321)] {
        let edited = app
            .graphql_as(
                "supervisor",
                update,
                json!({ "id": id, "input": { "title": title, "expectedAttendance": attendance } }),
            )
            .await;
        assert!(edited["errors"].is_null(), "edited: {edited}");
        let after = kept_events(&app).await;
        let shown = find(&after, &id).expect("still in the agenda");
        assert_eq!(
            (&shown["title"], &shown["expectedAttendance"]),
            (&json!(title), &json!(attendance)),
            "the read right after the edit shows it"
        );
    }
}

async fn every_agenda_read_is_audited_even_when_its_answer_was_kept(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.token_for("analyst").await;
    let before = agenda_entries(&app).await;
    for _ in 0..5 {
        kept_events(&app).await;
    }
    // Read entries are written by the audit's writer, in batches off the request path.
    let mut after = before;
    for _ in 0..50 {
        after = agenda_entries(&app).await;
        if after >= before + 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(after - before, 5, "one audit entry per agenda read");
}

/// A kept answer is written into the response as text: the second and third reads
/// of a document (an alias, the agenda kept) must be the first one byte for byte,
/// with a field beside it the same answer, and each read audited with the same
/// record count.
async fn a_kept_answer_is_written_as_the_computed_one_byte_for_byte(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token_for("analyst").await;
    let agenda = "week: agenda(days: 7) { date maxRisk conflicts { kind eventIds } events { id title startsAt venue { name zone { code } } assessment { risk adequacy } } }";
    let alone = format!("query Twice {{ {agenda} }}");
    let beside = format!("query Twice {{ {agenda} venues {{ code }} }}");
    for (query, exact) in [(alone, true), (beside, false)] {
        let mut bodies = Vec::new();
        for _ in 0..3 {
            let response = app.post(Some(&token), &[], json!({ "query": query })).await;
            assert_eq!(response.status(), 200);
            bodies.push(response.text().await.unwrap());
        }
        let first: Value = serde_json::from_str(&bodies[0]).unwrap();
        assert_eq!(
            first["data"]["week"].as_array().map_or(0, Vec::len),
            7,
            "{first}"
        );
        assert!(first["errors"].is_null(), "{first}");
        for body in &bodies[1..] {
            if exact {
                assert_eq!(body, &bodies[0], "the kept answer, as computed");
            } else {
                // The root fields' order follows their completion (async-graphql
                // resolves them concurrently), so only the values are compared.
                let again: Value = serde_json::from_str(body).unwrap();
                assert_eq!(again, first, "the kept answer beside a computed field");
            }
        }
    }

    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT record_count FROM audit_entry WHERE operation_name = 'Twice' AND resources = 'agenda' ORDER BY seq";
    let mut counts: Vec<i64> = Vec::new();
    // Read entries are written by the audit's writer, in batches off the request path.
    for _ in 0..50 {
        counts = app
            .db
            .query_all_raw(Statement::from_string(app.db.get_database_backend(), sql))
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get_by_index::<i64>(0).unwrap())
            .collect();
        if counts.len() >= 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        counts,
        vec![7; 6],
        "one entry per read, each counting the days"
    );
}

async fn a_viewer_refused_the_agenda_is_refused_after_another_read_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    assert!(!kept_events(&app).await.is_empty(), "the analyst reads it");
    let body = app.graphql_as("dpo", KEPT, json!({})).await;
    assert!(
        body["data"]["agenda"].is_null() && error_code(&body).is_some(),
        "the DPO may not read the agenda, kept or not: {body}"
    );
    let anonymous = app.graphql(KEPT, json!({})).await;
    assert!(
        anonymous["data"]["agenda"].is_null() && error_code(&anonymous).is_some(),
        "nor may an anonymous caller: {anonymous}"
    );
}

async fn observations_are_indexed_by_their_bucket_start(backend: Backend) {
    use sea_orm::{ConnectionTrait, Statement};
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let sql = match backend {
        Backend::Postgres => {
            "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'idx_observation_bucket_start'"
        }
        _ => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'idx_observation_bucket_start'"
        }
    };
    let row = app
        .db
        .query_one_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .expect("the catalog is readable")
        .expect("a count");
    assert_eq!(
        row.try_get_by_index::<i64>(0).expect("a number"),
        1,
        "time-range reads of ten years of observations need the index"
    );
}

async fn the_audit_log_is_indexed_by_time_as_block_ranges_on_postgres(backend: Backend) {
    use sea_orm::{ConnectionTrait, Statement};
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let sql = match backend {
        Backend::Postgres => "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_audit_at'",
        _ => "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'idx_audit_at'",
    };
    let row = app
        .db
        .query_one_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .expect("the catalog is readable")
        .expect("the audit log has its time index");
    let definition = row.try_get_by_index::<String>(0).expect("a definition");
    match backend {
        Backend::Postgres => assert!(
            definition.contains("USING brin (at)"),
            "entries are appended in time order: a block-range index, not a B-tree: {definition}"
        ),
        _ => assert!(definition.contains("\"at\""), "{definition}"),
    }
    // The DPO's search by period still finds the entries of the period, and only them.
    app.graphql_as("analyst", TODAY, json!({})).await;
    let now = Utc::now();
    let search = |from: chrono::DateTime<Utc>, to: chrono::DateTime<Utc>| json!({ "filter": { "from": from.to_rfc3339(), "to": to.to_rfc3339() } });
    const PERIOD: &str = "query($filter: AuditEntryFilter) { auditEntries(filter: $filter, first: 5) { totalCount } }";
    let mut found = 0;
    for _ in 0..50 {
        let body = app
            .graphql_as(
                "dpo",
                PERIOD,
                search(now - Duration::minutes(5), now + Duration::minutes(5)),
            )
            .await;
        found = body["data"]["auditEntries"]["totalCount"]
            .as_i64()
            .unwrap_or_else(|| panic!("{body}"));
        if found > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(found > 0, "the last minutes' entries are found by period");
    let body = app
        .graphql_as(
            "dpo",
            PERIOD,
            search(now - Duration::days(400), now - Duration::days(399)),
        )
        .await;
    assert_eq!(body["data"]["auditEntries"]["totalCount"], 0, "{body}");
}

async fn a_session_used_a_moment_ago_is_refused_right_after_logout(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let email = app.account("analyst").await;
    let login = app.login(&email, TEST_PASSWORD).await;
    let access = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}"))
        .to_owned();
    for _ in 0..3 {
        let body = app
            .graphql_with(&access, "{ me { role } }", json!({}))
            .await;
        assert_eq!(body["data"]["me"]["role"], "analyst", "{body}");
    }
    let out = app
        .graphql_with(&access, "mutation { logout }", json!({}))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    let status = app
        .post(Some(&access), &[], json!({ "query": "{ me { role } }" }))
        .await
        .status()
        .as_u16();
    assert_eq!(status, 401, "the next request after logout is refused");
}

async fn a_session_used_a_moment_ago_is_refused_once_its_account_is_locked(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let email = app.account("analyst").await;
    let login = app.login(&email, TEST_PASSWORD).await;
    let access = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}"))
        .to_owned();
    let body = app
        .graphql_with(&access, "{ me { role } }", json!({}))
        .await;
    assert_eq!(body["data"]["me"]["role"], "analyst", "{body}");
    for _ in 0..5 {
        let failed = app.login(&email, "wrong password!!").await;
        assert_eq!(error_code(&failed), Some("UNAUTHENTICATED"), "{failed}");
    }
    let status = app
        .post(Some(&access), &[], json!({ "query": "{ me { role } }" }))
        .await
        .status()
        .as_u16();
    assert_eq!(
        status, 401,
        "the next request of a locked account's open session is refused"
    );
}

on_both_backends!(
    an_event_longer_than_any_before_shows_on_the_next_agenda_read,
    a_deployment_change_shows_on_the_next_agenda_read,
    an_edit_between_two_identical_agenda_reads_shows_on_the_second,
    every_agenda_read_is_audited_even_when_its_answer_was_kept,
    a_kept_answer_is_written_as_the_computed_one_byte_for_byte,
    a_viewer_refused_the_agenda_is_refused_after_another_read_it,
    observations_are_indexed_by_their_bucket_start,
    the_audit_log_is_indexed_by_time_as_block_ranges_on_postgres,
    a_session_used_a_moment_ago_is_refused_right_after_logout,
    a_session_used_a_moment_ago_is_refused_once_its_account_is_locked,
);
