//! Venues over HTTP: an administrator creates and changes them, each bad input is
//! refused with nothing stored, other roles are refused, each change is audited;
//! an event overrides its venue's site factors (E1, E2) and its first aid follows,
//! as it follows a change of the venue itself.

use platform_tests::{Backend, TestApp, error_code, error_field, on_both_backends};
use serde_json::{Value, json};

const CREATE_VENUE: &str = r#"mutation($input: CreateVenueInput!) {
  createVenue(input: $input) { venue { id code name latitude longitude kind capacity areaM2
    indoor sensitive accessClass rescueDelayMinutes zone { id } } }
}"#;

const UPDATE_VENUE: &str = r#"mutation($id: ID!, $input: UpdateVenueInput!) {
  updateVenue(id: $id, input: $input) { venue { id code name capacity areaM2 accessClass rescueDelayMinutes } }
}"#;

const CREATE_EVENT: &str = r#"mutation($input: CreateEventInput!) {
  createEvent(input: $input) { event { id } }
}"#;

const UPDATE_EVENT: &str = r#"mutation($id: ID!, $input: UpdateEventInput!) {
  updateEvent(id: $id, input: $input) { event { id } }
}"#;

const EVENT_SITE: &str = r#"query($id: ID!) { event(id: $id) {
  accessClass accessClassOverridden rescueDelayMinutes rescueDelayOverridden
  firstAid { ris workers dpsType }
} }"#;

/// The identifier of the 2nd arrondissement (the Joliette, the J4 esplanade).
async fn an_arrondissement(app: &TestApp) -> Value {
    let body = app
        .graphql_as(
            "admin",
            "{ zones(level: ARRONDISSEMENT) { id code } }",
            json!({}),
        )
        .await;
    body["data"]["zones"]
        .as_array()
        .and_then(|z| z.iter().find(|z| z["code"] == "13202"))
        .map(|z| z["id"].clone())
        .unwrap_or_else(|| panic!("seeded arrondissement 13202: {body}"))
}

/// A valid new venue: clear access, public rescue within 5 minutes.
fn stage(zone: &Value) -> Value {
    json!({
        "code": "esplanade-test", "name": "Esplanade d'essai", "zoneId": zone,
        "latitude": 43.2965, "longitude": 5.3698, "kind": "SQUARE",
        "capacity": 20000, "areaM2": 12000.0, "indoor": false, "sensitive": false,
        "accessClass": "CLEAR", "rescueDelayMinutes": 5
    })
}

async fn create_venue(app: &TestApp) -> Value {
    let zone = an_arrondissement(app).await;
    let body = app
        .graphql_as("admin", CREATE_VENUE, json!({ "input": stage(&zone) }))
        .await;
    assert!(body["errors"].is_null(), "venue creation failed: {body}");
    body["data"]["createVenue"]["venue"].clone()
}

/// Audit entries of `resource` as the DPO reads them.
async fn entries_for(app: &TestApp, resource: &str) -> Vec<Value> {
    let body = app
        .graphql_as(
            "dpo",
            "query($f: AuditEntryFilter) { auditEntries(filter: $f, first: 100) { edges { node { actor resources outcome } } } }",
            json!({ "f": { "resource": resource } }),
        )
        .await;
    body["data"]["auditEntries"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn an_administrator_creates_and_changes_a_venue_and_each_change_is_audited(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = app.account("admin").await;

    let created = create_venue(&app).await;
    assert_eq!(created["code"], "esplanade-test");
    assert_eq!(created["name"], "Esplanade d'essai");
    assert_eq!(created["capacity"], 20000);
    assert_eq!(created["accessClass"], "CLEAR");
    assert_eq!(created["rescueDelayMinutes"], 5);
    let listed = app
        .graphql_as("supervisor", "{ venues { code } }", json!({}))
        .await;
    assert!(
        listed["data"]["venues"]
            .as_array()
            .is_some_and(|v| v.iter().any(|v| v["code"] == "esplanade-test")),
        "the new venue is listed: {listed}"
    );

    let body = app
        .graphql_as(
            "admin",
            UPDATE_VENUE,
            json!({ "id": created["id"], "input": {
                "name": "Esplanade J4", "capacity": null, "accessClass": "MODERATE",
                "rescueDelayMinutes": 25
            } }),
        )
        .await;
    assert!(body["errors"].is_null(), "update failed: {body}");
    let updated = &body["data"]["updateVenue"]["venue"];
    assert_eq!(updated["name"], "Esplanade J4");
    assert!(updated["capacity"].is_null(), "null makes it unbounded");
    assert_eq!(
        updated["areaM2"], 12000.0,
        "omitted fields keep their value"
    );
    assert_eq!(updated["accessClass"], "MODERATE");
    assert_eq!(updated["rescueDelayMinutes"], 25);
    assert_eq!(updated["code"], "esplanade-test", "the code never changes");

    for resource in ["createVenue", "updateVenue"] {
        let entries = entries_for(&app, resource).await;
        assert_eq!(entries.len(), 1, "one entry for {resource}: {entries:?}");
        assert_eq!(entries[0]["outcome"], "allowed", "{resource}");
        assert_eq!(entries[0]["actor"], admin.as_str(), "{resource}");
    }
}

async fn each_bad_venue_input_is_refused_and_nothing_is_stored(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let zone = an_arrondissement(&app).await;
    let long_name = "x".repeat(121);
    // (what is wrong, the field set to it, its value, the path the error names)
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "a code with spaces",
            "code",
            json!("Esplanade Test"),
            "input.code",
        ),
        (
            "a code with a double hyphen",
            "code",
            json!("a--b"),
            "input.code",
        ),
        (
            "an existing venue's code",
            "code",
            json!("parc-borely"),
            "input.code",
        ),
        ("an empty name", "name", json!("   "), "input.name"),
        ("a name too long", "name", json!(long_name), "input.name"),
        (
            "a latitude in Paris",
            "latitude",
            json!(48.8566),
            "input.latitude",
        ),
        (
            "a latitude off the globe",
            "latitude",
            json!(143.3),
            "input.latitude",
        ),
        (
            "a longitude in Paris",
            "longitude",
            json!(2.3522),
            "input.longitude",
        ),
        ("a capacity of zero", "capacity", json!(0), "input.capacity"),
        (
            "a negative capacity",
            "capacity",
            json!(-500),
            "input.capacity",
        ),
        (
            "a capacity beyond any crowd",
            "capacity",
            json!(5_000_000),
            "input.capacity",
        ),
        ("an area of zero", "areaM2", json!(0.0), "input.areaM2"),
        ("a negative area", "areaM2", json!(-10.0), "input.areaM2"),
        (
            "a negative rescue delay",
            "rescueDelayMinutes",
            json!(-1),
            "input.rescueDelayMinutes",
        ),
        (
            "a rescue delay over three hours",
            "rescueDelayMinutes",
            json!(181),
            "input.rescueDelayMinutes",
        ),
        ("an unknown zone", "zoneId", json!("999999"), "input.zoneId"),
    ];
    let before = app.count("venue").await;
    for (what, field, value, path) in cases {
        let mut input = stage(&zone);
        input[field] = value;
        let body = app
            .graphql_as("admin", CREATE_VENUE, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{what}: {body}");
        assert_eq!(error_field(&body), Some(path), "{what}: {body}");
        assert_eq!(app.count("venue").await, before, "{what}: nothing stored");
    }

    // A change is validated as a whole too, and a refused one changes nothing.
    let venue = create_venue(&app).await;
    for (what, input, path) in [
        (
            "a latitude at sea level zero",
            json!({ "latitude": 0.0 }),
            "input.latitude",
        ),
        (
            "a capacity of zero",
            json!({ "capacity": 0 }),
            "input.capacity",
        ),
        ("an empty name", json!({ "name": "" }), "input.name"),
        (
            "a rescue delay over three hours",
            json!({ "rescueDelayMinutes": 500 }),
            "input.rescueDelayMinutes",
        ),
    ] {
        let body = app
            .graphql_as(
                "admin",
                UPDATE_VENUE,
                json!({ "id": venue["id"], "input": input }),
            )
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{what}: {body}");
        assert_eq!(error_field(&body), Some(path), "{what}: {body}");
    }
    let after = app
        .graphql_as(
            "admin",
            "{ venues { code name latitude capacity rescueDelayMinutes } }",
            json!({}),
        )
        .await;
    let stored = after["data"]["venues"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["code"] == "esplanade-test"))
        .cloned()
        .expect("the venue is still there");
    assert_eq!(stored["name"], venue["name"], "unchanged: {stored}");
    assert_eq!(stored["latitude"], venue["latitude"], "unchanged: {stored}");
    assert_eq!(stored["capacity"], venue["capacity"], "unchanged: {stored}");
    assert_eq!(stored["rescueDelayMinutes"], 5, "unchanged: {stored}");
}

async fn only_an_administrator_creates_or_changes_venues(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let zone = an_arrondissement(&app).await;
    let venue = create_venue(&app).await;
    let before = app.count("venue").await;
    for role in ["supervisor", "analyst", "partner", "dpo"] {
        let mut input = stage(&zone);
        input["code"] = json!(format!("venue-of-{role}"));
        let body = app
            .graphql_as(role, CREATE_VENUE, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{role}: {body}");
        let body = app
            .graphql_as(
                role,
                UPDATE_VENUE,
                json!({ "id": venue["id"], "input": { "name": "Renamed" } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{role}: {body}");
    }
    assert_eq!(app.count("venue").await, before, "nothing stored");
    let body = app
        .graphql(CREATE_VENUE, json!({ "input": stage(&zone) }))
        .await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
}

async fn read_site(app: &TestApp, id: &Value) -> Value {
    let body = app
        .graphql_as("supervisor", EVENT_SITE, json!({ "id": id }))
        .await;
    assert!(body["errors"].is_null(), "read failed: {body}");
    body["data"]["event"].clone()
}

async fn an_event_overrides_its_sites_factors_and_its_first_aid_follows(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let venue = create_venue(&app).await;
    let day = chrono::Utc::now().date_naive() + chrono::Days::new(2);
    // 10,000 standing, moving people (P2 0.40) on a clear site (E1 0.25) with
    // rescue within 5 minutes (E2 0.25): RIS 0.90 x 10 = 9 -> 10 workers.
    let body = app
        .graphql_as(
            "supervisor",
            CREATE_EVENT,
            json!({ "input": {
                "title": "Concert sur l'esplanade", "category": "CONCERT", "venueId": venue["id"],
                "startsAt": format!("{day}T18:00:00Z"), "endsAt": format!("{day}T23:00:00Z"),
                "expectedAttendance": 10000, "publicProfile": "STANDING_DYNAMIC"
            } }),
        )
        .await;
    assert!(body["errors"].is_null(), "creation failed: {body}");
    let id = body["data"]["createEvent"]["event"]["id"].clone();
    let site = read_site(&app, &id).await;
    assert_eq!(site["accessClass"], "CLEAR", "{site}");
    assert_eq!(site["accessClassOverridden"], false, "{site}");
    assert_eq!(site["rescueDelayMinutes"], 5, "{site}");
    assert_eq!(site["firstAid"]["ris"], 9.0, "{site}");
    assert_eq!(site["firstAid"]["workers"], 10, "{site}");

    // A stage with stairs (E1 0.40) and a cut-off site (rescue over 30 minutes,
    // E2 0.40): i = 1.20 exactly, RIS 12 -> 12 workers, still a DPS-PE.
    let body = app
        .graphql_as(
            "supervisor",
            UPDATE_EVENT,
            json!({ "id": id, "input": {
                "accessClassOverride": "VERY_DIFFICULT", "rescueDelayOverrideMinutes": 40
            } }),
        )
        .await;
    assert!(body["errors"].is_null(), "override failed: {body}");
    let site = read_site(&app, &id).await;
    assert_eq!(site["accessClass"], "VERY_DIFFICULT", "{site}");
    assert_eq!(site["accessClassOverridden"], true, "{site}");
    assert_eq!(site["rescueDelayMinutes"], 40, "{site}");
    assert_eq!(site["rescueDelayOverridden"], true, "{site}");
    assert_eq!(site["firstAid"]["ris"], 12.0, "{site}");
    assert_eq!(site["firstAid"]["workers"], 12, "{site}");
    assert_eq!(site["firstAid"]["dpsType"], "DPS_PE", "{site}");

    // A bad override is refused and changes nothing.
    let body = app
        .graphql_as(
            "supervisor",
            UPDATE_EVENT,
            json!({ "id": id, "input": { "rescueDelayOverrideMinutes": 500 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(
        error_field(&body),
        Some("input.rescueDelayOverrideMinutes"),
        "{body}"
    );
    assert_eq!(read_site(&app, &id).await["rescueDelayMinutes"], 40);

    // Null returns to the venue's factors; then a change of the venue reaches the
    // event: E1 0.40 on the venue gives i = 1.05, RIS 10.5 -> 11 -> 12 workers.
    let body = app
        .graphql_as(
            "supervisor",
            UPDATE_EVENT,
            json!({ "id": id, "input": {
                "accessClassOverride": null, "rescueDelayOverrideMinutes": null
            } }),
        )
        .await;
    assert!(body["errors"].is_null(), "clearing failed: {body}");
    let site = read_site(&app, &id).await;
    assert_eq!(site["accessClassOverridden"], false, "{site}");
    assert_eq!(site["rescueDelayOverridden"], false, "{site}");
    assert_eq!(site["firstAid"]["workers"], 10, "{site}");
    let body = app
        .graphql_as(
            "admin",
            UPDATE_VENUE,
            json!({ "id": venue["id"], "input": { "accessClass": "VERY_DIFFICULT" } }),
        )
        .await;
    assert!(body["errors"].is_null(), "venue update failed: {body}");
    let site = read_site(&app, &id).await;
    assert_eq!(site["accessClass"], "VERY_DIFFICULT", "{site}");
    assert_eq!(site["firstAid"]["ris"], 10.5, "{site}");
    assert_eq!(site["firstAid"]["workers"], 12, "{site}");
}

on_both_backends!(
    an_administrator_creates_and_changes_a_venue_and_each_change_is_audited,
    each_bad_venue_input_is_refused_and_nothing_is_stored,
    only_an_administrator_creates_or_changes_venues,
    an_event_overrides_its_sites_factors_and_its_first_aid_follows,
);
