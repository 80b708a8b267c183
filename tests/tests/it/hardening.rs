//! Abuse as an attacker would try it: every request below is refused or bounded
//! before it costs anything (a coded error, nothing stored beyond a bounded audit
//! entry), on SQLite and on PostgreSQL.

use entity::audit_entry;
use platform_tests::{Backend, TestApp, error_code, on_both_backends};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde_json::{Value, json};

/// The newest audit entries, newest first, once the writer has caught up.
async fn newest_entries(app: &TestApp, n: u64) -> Vec<audit_entry::Model> {
    // Reads are written in batches shortly after the answer.
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    use sea_orm::QuerySelect;
    audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::Seq)
        .limit(n)
        .all(&app.db)
        .await
        .unwrap()
}

/// Bytes of text an entry stores.
fn entry_bytes(e: &audit_entry::Model) -> usize {
    e.actor.len()
        + e.operation_name.len()
        + e.resources.len()
        + e.fields.len()
        + e.reason.as_deref().map_or(0, str::len)
}

/// Finding 1: seven fragments each spreading the previous one 16 times expand to
/// 16^6 fields. The expanded cost is counted before anything runs, `__typename`
/// included.
async fn nested_fragments_are_refused_by_their_expanded_cost(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut query = String::from("fragment F0 on Query { __typename }\n");
    for level in 1..7 {
        let spreads = format!("...F{} ", level - 1).repeat(16);
        query.push_str(&format!("fragment F{level} on Query {{ {spreads}}}\n"));
    }
    query.push_str("query { ...F6 }");
    assert!(query.len() < 1_000, "a small document: {}", query.len());
    let body = app.graphql(&query, json!({})).await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body}");
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
}

/// Finding 2: aliases, duplicated fields and list sizes multiply the work; each is
/// bounded, and an operation that runs too long is cancelled with `TIMEOUT`.
async fn aliases_duplicates_and_long_operations_are_bounded(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token_for("analyst").await;
    let aliases: String = (0..20)
        .map(|i| format!("a{i}: agenda(days: 90) {{ date }} "))
        .collect();
    let body = app
        .graphql_with(&token, &format!("{{ {aliases} }}"), json!({}))
        .await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["limit"], "aliases",
        "{body}"
    );

    let same = "agenda(days: 90) { date events { id title } } ".repeat(40);
    let body = app
        .graphql_with(&token, &format!("{{ {same} }}"), json!({}))
        .await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["limit"], "rootFields",
        "a field repeated without aliases still counts each time: {body}"
    );

    // A second server on the same database and keys, whose time limit every
    // database read exceeds. The embedded SQLite has one writer per process: the
    // first server's batched audit entries (written 25 ms after a read) are let
    // through before the second one starts writing to the same file.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (data_dir, database_url) = (
        app.settings.data_dir.clone(),
        app.settings.database_url.clone(),
    );
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.limits.timeout_secs = 0;
        s.data_dir = data_dir;
        s.database_url = database_url;
    })
    .await
    else {
        return;
    };
    let response = app
        .post(
            Some(&token),
            &[("accept", "application/graphql-response+json")],
            json!({ "query": "query SlowAgenda { agenda(days: 30) { date events { id } } }" }),
        )
        .await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), Some("TIMEOUT"), "{body}");
    let entry = newest_entries(&app, 1).await.remove(0);
    assert_eq!(entry.resources, "agenda");
    assert_eq!(entry.outcome, "error");
    assert!(
        entry.reason.as_deref().unwrap_or("").starts_with("TIMEOUT"),
        "{entry:?}"
    );
    // The server still answers.
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

/// Finding 3: a 250 KB operation name or e-mail cannot grow the append-only log.
async fn huge_names_and_emails_do_not_grow_the_audit_log(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let before = app.count("audit_entry").await;
    let huge = "A".repeat(250_000);
    let response = app
        .post(
            Some("not-a-token"),
            &[],
            json!({ "query": "{ __typename }", "operationName": huge }),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
    assert!(body.to_string().len() < 1_000, "nothing echoed");
    let name = format!("q{}", "x".repeat(128));
    let response = app
        .post(
            None,
            &[],
            json!({ "query": format!("query {name} {{ __typename }}"), "operationName": name }),
        )
        .await;
    assert_eq!(response.status(), 400, "129 characters is one too many");
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    assert_eq!(
        app.count("audit_entry").await,
        before,
        "refused before any entry"
    );

    let email = format!("{}@example.org", "b".repeat(250_000));
    let body = app
        .graphql(
            "mutation($e: String!) { login(email: $e, password: \"whatever-password\") { accessToken } }",
            json!({ "e": email }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(
        body.to_string().len() < 1_000,
        "nothing echoed: {}",
        body.to_string().len()
    );
    let entries = newest_entries(&app, 1).await;
    assert_eq!(entries[0].resources, "login");
    assert!(
        entry_bytes(&entries[0]) < 2_000,
        "the entry is bounded: {} bytes",
        entry_bytes(&entries[0])
    );
    assert_eq!(app.count("login_throttle").await, 0, "nothing keyed by it");
}

/// Finding 4: a client string that starts like a formula reaches the DPO's
/// spreadsheet as text.
async fn audit_export_neutralises_formulas(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // Failed logins are recorded as anonymous, and operation names must be GraphQL
    // names: no request stores such a string today. Entries written directly stand
    // for any string a future field, an imported log or a partner label carries.
    let drafts: Vec<api::services::audit::Draft> = [
        "=HYPERLINK(\"http://x.example\")",
        "@SUM(A1:A9)",
        "+1+1",
        "-2+3",
        "\tcmd",
    ]
    .into_iter()
    .map(|actor| api::services::audit::Draft {
        at: chrono::Utc::now(),
        actor: format!("{actor} evil.example"),
        operation_type: "query".to_owned(),
        operation_name: "agenda".to_owned(),
        resources: "agenda".to_owned(),
        outcome: "allowed".to_owned(),
        reason: Some("=1+1".to_owned()),
        ..Default::default()
    })
    .collect();
    api::services::audit::append(&app.db, drafts).await.unwrap();
    let token = app.token_for("dpo").await;
    let csv = app
        .client
        .get(format!("{}/audit/export.csv", app.address))
        .bearer_auth(&token)
        .header("x-purpose", "audit")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let mut actors = 0;
    for record in reader.records() {
        let record = record.unwrap();
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "live formula in the export: {cell}"
            );
        }
        if record.iter().any(|c| c.contains("evil.example")) {
            actors += 1;
        }
    }
    assert_eq!(actors, 5, "the entries are in the export:\n{csv}");
}

/// Finding 5: parallel wrong passwords are counted before any is checked: no more
/// than the threshold are verified, and the right password sent among them does not
/// get in.
async fn parallel_logins_cannot_bypass_the_lockout(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let query = "mutation($p: String!) { login(email: \"analyst@marseille.example\", password: $p) { accessToken } }";
    let mut attempts = Vec::new();
    for i in 0..24 {
        let password = if i == 20 {
            "demo-analyst-2026".to_owned()
        } else {
            format!("wrong-password-{i}")
        };
        attempts.push(app.graphql(query, json!({ "p": password })));
    }
    let answers = futures::future::join_all(attempts).await;
    let checked = answers
        .iter()
        .filter(|b| error_code(b) == Some("UNAUTHENTICATED"))
        .count();
    let refused = answers
        .iter()
        .filter(|b| error_code(b) == Some("RATE_LIMITED"))
        .count();
    let admitted = answers
        .iter()
        .filter(|b| b["data"]["login"]["accessToken"].is_string())
        .count();
    assert!(checked <= 5, "at most the threshold verified: {checked}");
    assert_eq!(checked + refused + admitted, 24, "{answers:?}");
    assert!(admitted <= 1);
    // Once locked, the right password is refused.
    let body = app
        .graphql(query, json!({ "p": "demo-analyst-2026" }))
        .await;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
}

/// Finding 6: client-chosen names never become metric labels, and `/metrics` is
/// served to the monitoring addresses or token only.
async fn metrics_stay_small_and_closed(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.http.metrics_allow.clear();
        s.http.metrics_token = Some("monitoring-secret".to_owned());
    })
    .await
    else {
        return;
    };
    for i in 0..50 {
        let name = format!("Probe{i}x{}", uuid::Uuid::new_v4().simple());
        app.post(
            None,
            &[],
            json!({ "query": format!("query {name} {{ __typename }}"), "operationName": name }),
        )
        .await;
    }
    let url = format!("{}/metrics", app.address);
    let refused = app.client.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let wrong = app
        .client
        .get(&url)
        .bearer_auth("monitoring-secreT")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let text = app
        .client
        .get(&url)
        .bearer_auth("monitoring-secret")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("Probe"), "{text}");
    assert!(text.len() < 64 * 1024, "{} bytes", text.len());
}

/// Finding 7: a date beyond what date arithmetic handles is refused with a code,
/// and the request is answered and audited.
async fn extreme_dates_are_refused_before_any_arithmetic(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token_for("analyst").await;
    for query in [
        r#"{ agenda(from: "+262142-12-31", days: 1) { date } }"#,
        r#"{ agenda(from: "9999-12-31", days: 90) { date } }"#,
    ] {
        let body = app.graphql_with(&token, query, json!({})).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    let body = app
        .graphql_with(
            &token,
            "query($f: Date) { agenda(from: $f, days: 1) { date } }",
            json!({ "f": "+262142-12-31" }),
        )
        .await;
    assert!(error_code(&body).is_some(), "{body}");
    let entry = newest_entries(&app, 1).await.remove(0);
    assert_eq!(entry.outcome, "error", "{entry:?}");
    // Still serving.
    let body = app
        .graphql_with(&token, "{ agenda(days: 1) { date } }", json!({}))
        .await;
    assert!(body["data"]["agenda"].is_array(), "{body}");
}

/// Finding 8: the conflicts of events years apart are found without reading the
/// years between them, and many ids never exceed the databases' variable limits.
async fn conflicts_of_events_years_apart_stay_within_their_windows(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token_for("analyst").await;
    let body = app
        .graphql_with(
            &token,
            "{ events(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let ids: Vec<String> = body["data"]["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.len() > 10, "{body}");
    let query: String = ids
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, id)| format!("e{i}: event(id: \"{id}\") {{ id conflicts {{ kind }} }} "))
        .collect();
    let body = app
        .graphql_with(&token, &format!("{{ {query} }}"), json!({}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let missing = app
        .graphql_with(
            &token,
            "{ event(id: \"40000\") { id conflicts { kind } } }",
            json!({}),
        )
        .await;
    assert!(
        missing.get("errors").is_none() || error_code(&missing) == Some("NOT_FOUND"),
        "{missing}"
    );
}

/// Finding 9: security headers on every answer, GraphiQL included.
async fn every_answer_carries_security_headers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let api = app
        .post(None, &[], json!({ "query": "{ __typename }" }))
        .await;
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    for response in [&api, &page, &health] {
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }
    assert!(
        !api.headers().contains_key("access-control-allow-origin"),
        "no CORS unless configured"
    );
}

/// Anonymous callers are limited per address, with `Retry-After`.
async fn anonymous_floods_are_rate_limited(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.http.rate.anonymous_per_minute = 6).await
    else {
        return;
    };
    // The login is the first anonymous request; five remain.
    let token = app.token_for("analyst").await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let response = app
            .post(None, &[], json!({ "query": "{ __typename }" }))
            .await;
        let status = response.status().as_u16();
        let retry = response.headers().get("retry-after").is_some();
        let body: Value = response.json().await.unwrap();
        if status == 429 {
            assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
            assert!(
                body["errors"][0]["extensions"]["retryAfter"].is_u64(),
                "{body}"
            );
        }
        statuses.push((status, retry));
    }
    assert_eq!(
        statuses.iter().filter(|(s, _)| *s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .filter(|(s, _)| *s == 429)
            .all(|(_, retry)| *retry),
        "{statuses:?}"
    );
    // A logged-in account is counted on its own.
    let body = app.graphql_with(&token, "{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");
}

/// Operations beyond the bound wait for a turn, and the wait counts in the time
/// limit: a caller whose turn does not come in time is answered `TIMEOUT` (503) and
/// audited, and once a turn is free the next caller is answered.
async fn operations_wait_their_turn_within_the_time_limit(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.limits.operations_at_once = 1;
        s.limits.timeout_secs = 1;
    })
    .await
    else {
        return;
    };
    let token = app.token_for("analyst").await;
    let query = "query WaitingAgenda { agenda(days: 1) { date } }";
    let held = app.operations.clone().acquire_owned().await.unwrap();
    let response = app
        .post(
            Some(&token),
            &[("accept", "application/graphql-response+json")],
            json!({ "query": query }),
        )
        .await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), Some("TIMEOUT"), "{body}");
    let entry = newest_entries(&app, 1).await.remove(0);
    assert_eq!(entry.outcome, "error", "{entry:?}");
    assert!(
        entry.reason.as_deref().unwrap_or("").starts_with("TIMEOUT"),
        "{entry:?}"
    );
    drop(held);
    let body = app.graphql_with(&token, query, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["data"]["agenda"].is_array(), "{body}");
}

/// A caller sending bad tokens has as many refusals audited per minute as anonymous
/// requests are allowed: past that, it is answered `429` without an audit entry each,
/// so a flood of forged tokens grows neither the log nor the audit writer's queue.
async fn a_flood_of_bad_tokens_is_limited_and_audited_only_within_the_allowance(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.http.rate.anonymous_per_minute = 6).await
    else {
        return;
    };
    let refused =
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_entry WHERE actor = 'invalid credentials'";
    let count = || async {
        app.db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                refused.to_owned(),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap()
    };
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let response = app
            .post(
                Some("forged.token.value"),
                &[],
                json!({ "query": "{ __typename }" }),
            )
            .await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        6,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        14,
        "{statuses:?}"
    );
    // The six refusals are written in the writer's next batches.
    for _ in 0..100 {
        if count().await >= 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(count().await, 6);
    // Counted apart from the anonymous allowance: people behind the same address
    // may still log in.
    let token = app.token_for("analyst").await;
    let body = app.graphql_with(&token, "{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");
}

/// graphql-js's `getIntrospectionQuery()` with every option on passes the limits.
async fn the_standard_introspection_query_passes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = app.graphql(INTROSPECTION, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let types = body["data"]["__schema"]["types"].as_array().unwrap();
    assert!(types.len() > 50, "{}", types.len());
}

/// `getIntrospectionQuery({ descriptions, specifiedByUrl, directiveIsRepeatable,
/// schemaDescription, inputValueDeprecation, oneOf })` of graphql-js 16.
const INTROSPECTION: &str = r#"
    query IntrospectionQuery {
      __schema {
        description
        queryType { name kind }
        mutationType { name kind }
        subscriptionType { name kind }
        types { ...FullType }
        directives {
          name
          description
          isRepeatable
          locations
          args(includeDeprecated: true) { ...InputValue }
        }
      }
    }
    fragment FullType on __Type {
      kind
      name
      description
      specifiedByURL
      isOneOf
      fields(includeDeprecated: true) {
        name
        description
        args(includeDeprecated: true) { ...InputValue }
        type { ...TypeRef }
        isDeprecated
        deprecationReason
      }
      inputFields(includeDeprecated: true) { ...InputValue }
      interfaces { ...TypeRef }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes { ...TypeRef }
    }
    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
      isDeprecated
      deprecationReason
    }
    fragment TypeRef on __Type {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                  ofType {
                    kind
                    name
                    ofType {
                      kind
                      name
                      ofType {
                        kind
                        name
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
"#;

on_both_backends!(
    nested_fragments_are_refused_by_their_expanded_cost,
    aliases_duplicates_and_long_operations_are_bounded,
    huge_names_and_emails_do_not_grow_the_audit_log,
    audit_export_neutralises_formulas,
    parallel_logins_cannot_bypass_the_lockout,
    metrics_stay_small_and_closed,
    extreme_dates_are_refused_before_any_arithmetic,
    conflicts_of_events_years_apart_stay_within_their_windows,
    every_answer_carries_security_headers,
    anonymous_floods_are_rate_limited,
    a_flood_of_bad_tokens_is_limited_and_audited_only_within_the_allowance,
    operations_wait_their_turn_within_the_time_limit,
    the_standard_introspection_query_passes,
);

/// When PostgreSQL goes away, GraphQL answers `UNAVAILABLE`, `/readyz` 503, the
/// process stays up, and it serves again once the database is back, without a
/// restart. (The embedded SQLite file cannot go away on its own.)
#[tokio::test]
async fn the_server_rides_out_a_lost_database() {
    let relay = std::sync::Arc::new(std::sync::OnceLock::new());
    let slot = relay.clone();
    let Some(app) = TestApp::spawn_with(Backend::Postgres, move |s| {
        s.max_connections = 2;
        let url = s.database_url.clone().expect("a PostgreSQL test database");
        let (target, _) = platform_tests::through_port(&url, 1);
        // Started on a runtime of its own (the closure is synchronous), which lives
        // as long as the test process.
        let relay = std::thread::spawn(move || {
            let runtime: &'static tokio::runtime::Runtime =
                Box::leak(Box::new(tokio::runtime::Runtime::new().unwrap()));
            let _entered = runtime.enter();
            runtime.block_on(platform_tests::TcpRelay::start(target))
        })
        .join()
        .unwrap();
        s.database_url = Some(platform_tests::through_port(&url, relay.port).1);
        let _ = slot.set(relay);
    })
    .await
    else {
        return;
    };
    let relay = relay.get().expect("the relay started");
    let token = app.token_for("analyst").await;
    let query = "{ agenda(days: 1) { date } }";
    let body = app.graphql_with(&token, query, json!({})).await;
    assert!(body["data"]["agenda"].is_array(), "{body}");

    relay.cut();
    // Another document than the one just read: that one's answer may still be kept
    // (at most a second, see `graphql::extensions::cache`); this one needs the database.
    let other = "{ agenda(days: 2) { date } }";
    let body = app.graphql_with(&token, other, json!({})).await;
    assert_eq!(error_code(&body), Some("UNAVAILABLE"), "{body}");
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the process is up");

    relay.restore();
    let mut back = Value::Null;
    for _ in 0..20 {
        back = app.graphql_with(&token, query, json!({})).await;
        if back["data"]["agenda"].is_array() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(back["data"]["agenda"].is_array(), "serving again: {back}");
}
