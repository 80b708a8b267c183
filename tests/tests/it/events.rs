//! Events and deployments: creation, validation that stores nothing, updates,
//! status changes, deployments and the paginated list.

use platform_tests::{Backend, TestApp, error_code, error_field, on_both_backends};
use serde_json::{Value, json};

const CREATE: &str = r#"mutation($input: CreateEventInput!) {
  createEvent(input: $input) { event { id title status expectedAttendance startsAt endsAt zone { code } venue { code } } }
}"#;

async fn venue_id(app: &TestApp, code: &str) -> Value {
    let body = app
        .graphql_as("supervisor", "{ venues { id code } }", json!({}))
        .await;
    body["data"]["venues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == code)
        .unwrap()["id"]
        .clone()
}

fn valid_input(venue: &Value) -> Value {
    json!({
        "title": "Fête de la Soupe au Pistou", "category": "FESTIVAL", "venueId": venue,
        "startsAt": "2027-01-10T10:00:00Z", "endsAt": "2027-01-10T18:00:00Z",
        "expectedAttendance": 3000, "publicProfile": "STANDING_DYNAMIC", "alcohol": true
    })
}

async fn a_created_event_reads_back_with_its_venue_zone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let venue = venue_id(&app, "parc-borely").await;
    let body = app
        .graphql_as(
            "supervisor",
            CREATE,
            json!({ "input": valid_input(&venue) }),
        )
        .await;
    let event = &body["data"]["createEvent"]["event"];
    assert_eq!(event["status"], "PLANNED", "{body}");
    assert_eq!(event["zone"]["code"], "13208", "the venue's zone");
    let read = app
        .graphql_as(
            "analyst",
            "query($id: ID!) { event(id: $id) { title expectedAttendance venue { code } } }",
            json!({ "id": event["id"] }),
        )
        .await;
    assert_eq!(read["data"]["event"]["title"], "Fête de la Soupe au Pistou");
    assert_eq!(read["data"]["event"]["expectedAttendance"], 3000);
    let missing = app
        .graphql_as("analyst", "{ event(id: \"987654\") { id } }", json!({}))
        .await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"), "{missing}");
}

async fn bad_event_inputs_are_refused_by_field_and_store_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let venue = venue_id(&app, "parc-borely").await;
    let before = app.count("event").await;
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "end before start",
            json!({ "endsAt": "2027-01-10T09:00:00Z" }),
            "input.endsAt",
        ),
        (
            "end equal to start",
            json!({ "endsAt": "2027-01-10T10:00:00Z" }),
            "input.endsAt",
        ),
        (
            "negative attendance",
            json!({ "expectedAttendance": -5 }),
            "input.expectedAttendance",
        ),
        (
            "unknown venue",
            json!({ "venueId": "424242" }),
            "input.venueId",
        ),
        (
            "malformed venue id",
            json!({ "venueId": "abc" }),
            "input.venueId",
        ),
        ("empty title", json!({ "title": "   " }), "input.title"),
        (
            "no venue nor zone",
            json!({ "venueId": null }),
            "input.zoneId",
        ),
        (
            "unknown zone",
            json!({ "venueId": null, "zoneId": "999999" }),
            "input.zoneId",
        ),
        (
            "forty days long",
            json!({ "endsAt": "2027-02-20T10:00:00Z" }),
            "input.endsAt",
        ),
    ];
    for (case, patch, field) in cases {
        let mut input = valid_input(&venue);
        for (key, value) in patch.as_object().unwrap() {
            input[key] = value.clone();
        }
        let body = app
            .graphql_as("supervisor", CREATE, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{case}: {body}");
        assert_eq!(error_field(&body), Some(field), "{case}: {body}");
    }
    let malformed = {
        let mut input = valid_input(&venue);
        input["startsAt"] = json!("10/01/2027 10h");
        app.graphql_as("supervisor", CREATE, json!({ "input": input }))
            .await
    };
    assert_eq!(
        error_code(&malformed),
        Some("BAD_USER_INPUT"),
        "malformed date: {malformed}"
    );
    assert_eq!(
        app.count("event").await,
        before,
        "no refused event was stored"
    );
}

async fn an_update_is_validated_as_a_whole_and_a_refused_one_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let venue = venue_id(&app, "parc-borely").await;
    let body = app
        .graphql_as(
            "supervisor",
            CREATE,
            json!({ "input": valid_input(&venue) }),
        )
        .await;
    let id = body["data"]["createEvent"]["event"]["id"].clone();
    let update = r#"mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { event { title endsAt expectedAttendance venue { code } zone { code } } } }"#;
    let refused = app
        .graphql_as(
            "supervisor",
            update,
            json!({ "id": id, "input": { "endsAt": "2027-01-10T08:00:00Z", "title": "Changed" } }),
        )
        .await;
    assert_eq!(error_field(&refused), Some("input.endsAt"), "{refused}");
    let dome = venue_id(&app, "le-dome").await;
    let body = app
        .graphql_as(
            "supervisor",
            update,
            json!({ "id": id, "input": { "expectedAttendance": 4500, "venueId": dome } }),
        )
        .await;
    let event = &body["data"]["updateEvent"]["event"];
    assert_eq!(
        event["title"], "Fête de la Soupe au Pistou",
        "the refused title was not kept: {body}"
    );
    assert_eq!(event["expectedAttendance"], 4500);
    assert_eq!(
        event["zone"]["code"], "13204",
        "a new venue brings its zone"
    );
}

async fn status_changes_need_a_reason_and_postponing_moves_the_shifts(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let venue = venue_id(&app, "parc-borely").await;
    let body = app
        .graphql_as(
            "supervisor",
            CREATE,
            json!({ "input": valid_input(&venue) }),
        )
        .await;
    let id = body["data"]["createEvent"]["event"]["id"].clone();
    let plan = r#"mutation($input: UpsertDeploymentInput!) { upsertDeployment(input: $input) { deployment { shiftStart } } }"#;
    app.graphql_as(
        "supervisor",
        plan,
        json!({ "input": { "eventId": id, "kind": "STEWARDS", "count": 20 } }),
    )
    .await;
    let set = r#"mutation($input: SetEventStatusInput!) { setEventStatus(input: $input) { event { status statusReason startsAt deployments { kind shiftStart } } } }"#;
    let no_reason = app
        .graphql_as(
            "supervisor",
            set,
            json!({ "input": { "id": id, "status": "CANCELLED", "reason": " " } }),
        )
        .await;
    assert_eq!(error_field(&no_reason), Some("input.reason"), "{no_reason}");
    let move_without_venue = app
        .graphql_as(
            "supervisor",
            set,
            json!({ "input": { "id": id, "status": "MOVED", "reason": "works" } }),
        )
        .await;
    assert_eq!(
        error_field(&move_without_venue),
        Some("input.newVenueId"),
        "{move_without_venue}"
    );
    let postponed = app
        .graphql_as("supervisor", set, json!({ "input": { "id": id, "status": "POSTPONED", "reason": "storm warning (vigilance orange)",
            "newStartsAt": "2027-01-17T10:00:00Z", "newEndsAt": "2027-01-17T18:00:00Z" } }))
        .await;
    let event = &postponed["data"]["setEventStatus"]["event"];
    assert_eq!(event["status"], "POSTPONED", "{postponed}");
    assert_eq!(event["statusReason"], "storm warning (vigilance orange)");
    let shift = event["deployments"][0]["shiftStart"].as_str().unwrap();
    assert!(
        shift.starts_with("2027-01-17T10:00:00"),
        "the shift followed the event: {shift}"
    );
    let cancelled = app
        .graphql_as(
            "supervisor",
            set,
            json!({ "input": { "id": id, "status": "CANCELLED", "reason": "organizer withdrew" } }),
        )
        .await;
    assert_eq!(
        cancelled["data"]["setEventStatus"]["event"]["status"], "CANCELLED",
        "{cancelled}"
    );
    let again = app
        .graphql_as(
            "supervisor",
            set,
            json!({ "input": { "id": id, "status": "CONFIRMED", "reason": "back" } }),
        )
        .await;
    assert_eq!(
        error_code(&again),
        Some("CONFLICT"),
        "a cancelled event stays cancelled: {again}"
    );
}

async fn a_deployment_is_one_row_per_kind_and_bad_counts_are_refused(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let venue = venue_id(&app, "parc-borely").await;
    let body = app
        .graphql_as(
            "supervisor",
            CREATE,
            json!({ "input": valid_input(&venue) }),
        )
        .await;
    let id = body["data"]["createEvent"]["event"]["id"].clone();
    let plan = r#"mutation($input: UpsertDeploymentInput!) { upsertDeployment(input: $input) { event { deployments { kind count } } } }"#;
    app.graphql_as(
        "supervisor",
        plan,
        json!({ "input": { "eventId": id, "kind": "FIRST_AID", "count": 4 } }),
    )
    .await;
    let body = app
        .graphql_as(
            "supervisor",
            plan,
            json!({ "input": { "eventId": id, "kind": "FIRST_AID", "count": 6 } }),
        )
        .await;
    assert_eq!(
        body["data"]["upsertDeployment"]["event"]["deployments"],
        json!([{ "kind": "FIRST_AID", "count": 6 }]),
        "{body}"
    );
    let rows = app.count("deployment").await;
    for (input, field) in [
        (
            json!({ "eventId": id, "kind": "FIRST_AID", "count": -1 }),
            "input.count",
        ),
        (
            json!({ "eventId": "999999", "kind": "FIRST_AID", "count": 2 }),
            "input.eventId",
        ),
        (
            json!({ "eventId": id, "kind": "STEWARDS", "count": 2, "shiftStart": "2027-01-10T12:00:00Z", "shiftEnd": "2027-01-10T11:00:00Z" }),
            "input.shiftEnd",
        ),
        (
            json!({ "eventId": id, "kind": "STEWARDS", "count": 2, "organizationId": "999999" }),
            "input.organizationId",
        ),
    ] {
        let body = app
            .graphql_as("supervisor", plan, json!({ "input": input }))
            .await;
        assert_eq!(error_field(&body), Some(field), "{body}");
    }
    assert_eq!(
        app.count("deployment").await,
        rows,
        "refused deployments stored nothing"
    );
}

async fn the_events_list_pages_through_every_match_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let query = r#"query($first: Int, $after: String) { events(first: $first, after: $after, filter: { category: MARKET }) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id category } } } }"#;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut total = 0;
    for _ in 0..100 {
        let body = app
            .graphql_as("analyst", query, json!({ "first": 7, "after": after }))
            .await;
        let page = &body["data"]["events"];
        total = page["totalCount"]
            .as_u64()
            .unwrap_or_else(|| panic!("{body}"));
        for edge in page["edges"].as_array().unwrap() {
            assert_eq!(edge["node"]["category"], "MARKET");
            seen.push(edge["node"]["id"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no event twice");
    assert_eq!(seen.len() as u64, total, "every match once");
    assert!(total > 30, "a month of markets: {total}");
    for (first, after) in [
        (json!(0), json!(null)),
        (json!(101), json!(null)),
        (json!(5), json!("not-a-cursor")),
    ] {
        let body = app
            .graphql_as("analyst", query, json!({ "first": first, "after": after }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
}

on_both_backends!(
    a_created_event_reads_back_with_its_venue_zone,
    bad_event_inputs_are_refused_by_field_and_store_nothing,
    an_update_is_validated_as_a_whole_and_a_refused_one_changes_nothing,
    status_changes_need_a_reason_and_postponing_moves_the_shifts,
    a_deployment_is_one_row_per_kind_and_bad_counts_are_refused,
    the_events_list_pages_through_every_match_once,
);
