//! The agenda page and GraphiQL as the server sends them: embedded files with their
//! types, validators and a policy that lets them load nothing from elsewhere; the zone
//! outlines the map draws; and what a partner token may learn about itself.

use platform_tests::{Backend, TestApp, error_code, on_both_backends};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

async fn get(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header("accept", accept)
        .send()
        .await
        .unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("{name} is set"))
        .to_str()
        .unwrap()
}

/// Every script, stylesheet and image the two pages reference, read from their HTML.
fn referenced_assets(html: &str) -> Vec<String> {
    html.split(['"', '\''])
        .filter(|part| part.starts_with("/assets/"))
        .map(str::to_owned)
        .collect()
}

async fn pages_and_assets_come_from_the_server_alone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let page = get(&app, "/", "text/html").await;
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    let policy = header(&page, "content-security-policy").to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self';",
        "style-src 'self';",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("http"), "no other origin: {policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains("lang=\"fr\""), "labels in French");
    assert!(!html.contains("<script>"), "no inline script");

    let graphiql = get(&app, "/graphql", "text/html").await;
    assert_eq!(graphiql.status(), 200);
    let graphiql_policy = header(&graphiql, "content-security-policy").to_owned();
    assert!(
        graphiql_policy.contains("script-src 'self';")
            && !graphiql_policy.contains("http")
            && !graphiql_policy.contains("unsafe"),
        "{graphiql_policy}"
    );
    let graphiql_html = graphiql.text().await.unwrap();
    assert!(!graphiql_html.contains("unpkg"), "{graphiql_html}");
    assert!(!graphiql_html.contains("<script>"), "no inline script");

    let mut assets = referenced_assets(&html);
    assets.extend(referenced_assets(&graphiql_html));
    assert!(assets.len() >= 8, "{assets:?}");
    for path in &assets {
        let response = get(&app, path, "*/*").await;
        assert_eq!(response.status(), 200, "{path}");
        let kind = header(&response, "content-type");
        let expected = match path.rsplit('.').next() {
            Some("js") => "text/javascript",
            Some("css") => "text/css",
            Some("svg") => "image/svg+xml",
            other => panic!("unexpected asset {path} ({other:?})"),
        };
        assert!(kind.starts_with(expected), "{path}: {kind}");
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        let body = response.bytes().await.unwrap();
        assert!(!body.is_empty(), "{path}");
    }
    // The page's modules import each other: each import resolves to a served file.
    let app_js = get(&app, "/assets/js/app.js", "*/*")
        .await
        .text()
        .await
        .unwrap();
    for module in app_js
        .lines()
        .filter(|l| l.starts_with("import"))
        .filter_map(|l| l.split('"').nth(1))
    {
        let path = format!("/assets/js/{}", module.trim_start_matches("./"));
        assert_eq!(get(&app, &path, "*/*").await.status(), 200, "{path}");
    }

    // A strong validator: an unchanged file answers 304 without a body.
    let first = get(&app, "/assets/app.css", "text/css").await;
    let tag = header(&first, "etag").to_owned();
    assert!(tag.starts_with('"'), "{tag}");
    let again = app
        .client
        .get(format!("{}/assets/app.css", app.address))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());

    // Nothing outside the embedded files, and no page served as an asset.
    for path in [
        "/assets/nope.js",
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/Cargo.toml",
        "/assets/index.html",
        "/assets/graphiql.html",
    ] {
        let response = get(&app, path, "*/*").await;
        assert_eq!(response.status(), 404, "{path}");
    }
}

const OUTLINES: &str =
    "query($t: Float) { zones(level: ARRONDISSEMENT) { code outline(tolerance: $t) } }";

fn points(geometry: &Value) -> usize {
    let rings: Vec<&Value> = match geometry["type"].as_str() {
        Some("Polygon") => geometry["coordinates"].as_array().unwrap().iter().collect(),
        Some("MultiPolygon") => geometry["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p.as_array().unwrap().iter())
            .collect(),
        other => panic!("not a polygon: {other:?}"),
    };
    rings.iter().map(|r| r.as_array().unwrap().len()).sum()
}

async fn zone_outlines_are_simplified_geojson(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // The official outlines the platform ships, imported as at a first start.
    let geo = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../reference/geo/marseille_111_quartiers.geojson.gz"),
    )
    .unwrap();
    let change = api::cli::CommandChange::new("import zones", "importZones");
    api::services::imports::zones::import(
        &app.db,
        change.change(),
        &geo,
        &api::services::imports::zones::ZoneOptions::quartiers(),
        &(),
    )
    .await
    .unwrap();
    let count = |body: &Value| -> usize {
        body["data"]["zones"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|z| {
                let text = z["outline"].as_str().unwrap_or_else(|| panic!("{z}"));
                points(&serde_json::from_str(text).unwrap())
            })
            .sum()
    };
    let exact = app
        .graphql_as("analyst", OUTLINES, json!({ "t": 0.0 }))
        .await;
    let drawn = app
        .graphql_as("analyst", OUTLINES, json!({ "t": 0.0004 }))
        .await;
    assert_eq!(exact["data"]["zones"].as_array().unwrap().len(), 16);
    let (exact, drawn) = (count(&exact), count(&drawn));
    assert!(
        drawn * 4 < exact && drawn > 16 * 4,
        "{exact} points simplified to {drawn}"
    );

    for bad in [-0.1, 0.5] {
        let body = app
            .graphql_as("analyst", OUTLINES, json!({ "t": bad }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }

    // The agenda reads zones without their outlines, yet an outline asked through it
    // is the zone's own, the same as the zone list gives.
    let listed = app
        .graphql_as(
            "analyst",
            "{ zones { code outline(tolerance: 0.001) } }",
            json!({}),
        )
        .await;
    let by_code: std::collections::HashMap<String, Value> = listed["data"]["zones"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"))
        .iter()
        .map(|z| (z["code"].as_str().unwrap().to_owned(), z["outline"].clone()))
        .collect();
    let agenda = app
        .graphql_as(
            "analyst",
            "{ agenda(days: 30) { events { zone { code outline(tolerance: 0.001) } venue { zone { code outline(tolerance: 0.001) } } } } }",
            json!({}),
        )
        .await;
    let mut drawn = 0;
    for day in agenda["data"]["agenda"]
        .as_array()
        .unwrap_or_else(|| panic!("{agenda}"))
    {
        for event in day["events"].as_array().unwrap() {
            for zone in [&event["zone"], &event["venue"]["zone"]] {
                let Some(code) = zone["code"].as_str() else {
                    continue;
                };
                assert_eq!(zone["outline"], by_code[code], "zone {code}");
                drawn += usize::from(!zone["outline"].is_null());
            }
        }
    }
    assert!(drawn > 0, "no agenda zone has an outline: {agenda}");
}

async fn a_partner_token_may_ask_what_it_is(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let org = entity::organization::Entity::find()
        .filter(entity::organization::Column::Code.eq("rtm"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let issue = "mutation($i: IssuePartnerTokenInput!) { issuePartnerToken(input: $i) { secret } }";
    let issued = app
        .graphql_as(
            "admin",
            issue,
            json!({ "i": { "organizationId": org.to_string(), "label": "Tableau de bord RTM",
                "scopes": ["read:agenda"], "purposes": ["event_planning"], "days": 1 } }),
        )
        .await;
    let secret = issued["data"]["issuePartnerToken"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{issued}"))
        .to_owned();
    let me = app
        .graphql_with(&secret, "{ me { actor role scopes tokenId } }", json!({}))
        .await;
    let actor = me["data"]["me"]["actor"].as_str().unwrap_or_default();
    assert!(actor.contains("Tableau de bord RTM"), "{me}");
    assert_eq!(me["data"]["me"]["role"], Value::Null);
    assert_eq!(me["data"]["me"]["scopes"], json!(["read:agenda"]));
    assert!(me["data"]["me"]["tokenId"].is_string(), "{me}");
    // Knowing itself opens nothing else.
    let users = app
        .graphql_with(&secret, "{ users { email } }", json!({}))
        .await;
    assert_eq!(error_code(&users), Some("FORBIDDEN"), "{users}");
}

on_both_backends!(
    pages_and_assets_come_from_the_server_alone,
    zone_outlines_are_simplified_geojson,
    a_partner_token_may_ask_what_it_is
);
