//! GraphQL over HTTP conformance and the operational routes.

use platform_tests::{Backend, TestApp, on_both_backends};
use serde_json::{Value, json};

const QUERY: &str = "{ zones(level: ARRONDISSEMENT) { code } }";

async fn transport_follows_graphql_over_http(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token_for("analyst").await;
    let url = format!("{}/graphql", app.address);

    // GET runs queries and honours operationName.
    let doc = "query A { zones { code } } query B { venues { code } }";
    let response = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .query(&[("query", doc), ("operationName", "B")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["data"]["venues"].is_array() && body["data"].get("zones").is_none(),
        "{body}"
    );

    // GET never runs a mutation.
    let mutation = "mutation { logout }";
    let response = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .query(&[("query", mutation)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");

    // Media types: the one asked for, 406 when none fits, 415 for other bodies.
    let gql = "application/graphql-response+json";
    let response = app
        .post(Some(&token), &[("accept", gql)], json!({ "query": QUERY }))
        .await;
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(gql)
    );
    let response = app
        .post(
            Some(&token),
            &[("accept", "application/json")],
            json!({ "query": QUERY }),
        )
        .await;
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let response = app
        .post(
            Some(&token),
            &[("accept", "text/xml")],
            json!({ "query": QUERY }),
        )
        .await;
    assert_eq!(response.status(), 406);
    let response = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body(format!("{{\"query\":\"{QUERY}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);

    // Request errors: 400 under graphql-response+json (without data), 200 under json.
    let response = app
        .post(
            Some(&token),
            &[("accept", gql)],
            json!({ "query": "{ zones { " }),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        body.get("data").is_none() && body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT",
        "{body}"
    );
    let response = app
        .post(
            Some(&token),
            &[("accept", "application/json")],
            json!({ "query": "{ zones { " }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = app
        .post(
            Some(&token),
            &[("accept", gql)],
            json!({ "query": "{ nope }" }),
        )
        .await;
    assert_eq!(
        response.status(),
        400,
        "validation errors are request errors"
    );

    // Variables reach the operation, by POST and by GET; `null` means none.
    let by_level = "query Z($level: ZoneLevel) { zones(level: $level) { code } }";
    let count = |body: &Value| body["data"]["zones"].as_array().map(Vec::len);
    let posted: Value = app
        .post(
            Some(&token),
            &[],
            json!({ "query": by_level, "variables": { "level": "ARRONDISSEMENT" } }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(count(&posted), Some(16), "{posted}");
    let got: Value = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .query(&[
            ("query", by_level),
            ("variables", r#"{"level":"ARRONDISSEMENT"}"#),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["data"], posted["data"]);
    let unfiltered: Value = app
        .post(
            Some(&token),
            &[],
            json!({ "query": by_level, "variables": null }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        count(&unfiltered).is_some_and(|n| n > 16),
        "no variables: every zone, {unfiltered}"
    );

    // Malformed parameters are 400 whatever is accepted.
    for body in [
        json!({ "query": 42 }),
        json!({ "variables": {} }),
        json!({ "query": QUERY, "variables": "x" }),
        json!({ "query": QUERY, "operationName": 7 }),
        json!({ "query": QUERY, "operationName": "not a name" }),
        json!({ "query": QUERY, "extensions": [1] }),
        json!([{ "query": QUERY }]),
        json!(42),
    ] {
        let response = app.post(Some(&token), &[], body.clone()).await;
        assert_eq!(response.status(), 400, "{body}");
    }
    let response = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    // Bodies over the limit are refused before parsing.
    let huge = "x".repeat(app.settings.limits.body_bytes + 1);
    let response = app.post(Some(&token), &[], json!({ "query": huge })).await;
    assert_eq!(response.status(), 413);

    // Too deep queries are refused.
    let deep = format!(
        "{{ zones {} code {} }}",
        "{ parent ".repeat(15),
        "}".repeat(15)
    );
    let body: Value = app
        .post(Some(&token), &[], json!({ "query": deep }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["limit"], "depth", "{body}");
}

async fn operational_routes_answer(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        health.headers().contains_key("x-request-id"),
        "every answer carries its request id"
    );
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let token = app.token_for("analyst").await;
    app.post(Some(&token), &[], json!({ "query": "query ZonesForMetrics { zones { code } }", "operationName": "ZonesForMetrics" })).await;
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("field=\"zones\""),
        "metrics by root field: {metrics}"
    );
    assert!(
        !metrics.contains("ZonesForMetrics"),
        "client-chosen names never become labels: {metrics}"
    );
    let jwks: Value = app
        .client
        .get(format!("{}/.well-known/jwks.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        page.text().await.unwrap().contains("graphiql"),
        "GraphiQL for a browser"
    );
}

on_both_backends!(
    transport_follows_graphql_over_http,
    operational_routes_answer
);

/// Readiness follows the database: a PostgreSQL database that refuses connections
/// makes `/readyz` answer 503, so a load balancer stops sending traffic. (The
/// embedded SQLite file cannot be made unreachable from outside the process.)
#[tokio::test]
async fn readiness_fails_when_the_database_is_unreachable() {
    use sea_orm::ConnectionTrait;
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let name = app.postgres_database().unwrap().to_owned();
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let admin = sea_orm::Database::connect(std::env::var("TEST_DATABASE_URL").unwrap())
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false"
        ))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await
        .unwrap();
    let down = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(down.status(), 503, "an unreachable database is reported");
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the process itself is still alive");
}
