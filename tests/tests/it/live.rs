//! Real time over WebSocket (`graphql-transport-ws` at `/graphql/ws`): a change made
//! anywhere reaches the subscribers of every server instance; events are re-scored
//! when a neighbour changes; density alerts are raised and cleared from presence
//! counts; credentials are checked in `connection_init` and while the socket lives;
//! every subscription is audited when it starts and when it ends.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use platform_tests::{Backend, TestApp, on_both_backends};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::Message;

use crate::privacy::support::{INGEST, call, current_quarter, token, zone_id};
use crate::scoring::{app_with_model, create_event};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a message may take to arrive in these tests (the machine is shared).
const WAIT: Duration = Duration::from_secs(20);

/// A `graphql-transport-ws` client socket.
struct Socket {
    ws: Ws,
}

impl Socket {
    /// Opens a socket to `address` (http://host:port) and sends `connection_init`
    /// with `payload`.
    async fn open(address: &str, payload: Value) -> Socket {
        let url = format!("{}/graphql/ws", address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (ws, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the socket opens");
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        let mut socket = Socket { ws };
        socket
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        socket
    }

    /// Opens a socket as `bearer` and waits for the acknowledgement.
    async fn ready(address: &str, bearer: &str) -> Socket {
        let mut socket = Socket::open(
            address,
            json!({ "Authorization": format!("Bearer {bearer}") }),
        )
        .await;
        let ack = socket.next().await.expect("an answer to connection_init");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        socket
    }

    async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("sent");
    }

    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next JSON message, `None` when the socket closed or nothing came in time.
    async fn next(&mut self) -> Option<Value> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Some(value);
                }
                Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) | Err(_) => {
                    return None;
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The next `next` payload of subscription `id`.
    async fn next_data(&mut self, id: &str) -> Value {
        loop {
            let message = self.next().await.expect("a message before the deadline");
            if message["id"] == id && message["type"] == "next" {
                return message["payload"].clone();
            }
            assert_ne!(message["type"], "error", "{message}");
        }
    }

    /// The close code the server ends the socket with.
    async fn close_code(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
                Ok(Some(Ok(_))) => {}
                _ => return None,
            }
        }
    }
}

const FOLLOW: &str =
    "subscription($id: ID!) { assessmentUpdated(eventId: $id) { id eventId risk triggeredBy } }";

const UPDATE: &str = "mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { event { id assessment { id risk } } } }";

const CURRENT: &str = "query($id: ID!) { event(id: $id) { assessment { id risk triggeredBy } } }";

/// The event's current assessment.
async fn current(app: &TestApp, id: &Value) -> Value {
    let body = app
        .graphql_as("supervisor", CURRENT, json!({ "id": id }))
        .await;
    body["data"]["event"]["assessment"].clone()
}

/// Waits until `check` holds for the event's current assessment.
async fn until_assessed(app: &TestApp, id: &Value, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let assessment = current(app, id).await;
        if check(&assessment) {
            return assessment;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never assessed as expected; last: {assessment}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for the audit entries of subscriptions whose reason starts with `reason`.
async fn subscription_entries(app: &TestApp, reason: &str) -> Vec<entity::audit_entry::Model> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let rows = entity::audit_entry::Entity::find()
            .filter(entity::audit_entry::Column::OperationType.eq("subscription"))
            .all(&app.db)
            .await
            .unwrap();
        let matching: Vec<_> = rows
            .into_iter()
            .filter(|r| r.reason.as_deref().is_some_and(|x| x.starts_with(reason)))
            .collect();
        if !matching.is_empty() || tokio::time::Instant::now() >= deadline {
            return matching;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_subscriber_sees_each_new_assessment_and_its_end_is_audited(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let event = create_event(&app, 8_000).await;
    let first = event["assessment"]["id"].clone();
    let supervisor = app.token_for("supervisor").await;
    let mut socket = Socket::ready(&app.address, &supervisor).await;
    socket
        .subscribe("1", FOLLOW, json!({ "id": event["id"] }))
        .await;
    let started = subscription_entries(&app, "subscription started").await;
    assert_eq!(started.len(), 1, "the start is audited");
    assert_eq!(started[0].operation_name, "anonymous");
    assert_eq!(started[0].resources, "assessmentUpdated");

    let edited = app
        .graphql_as(
            "supervisor",
            UPDATE,
            json!({ "id": event["id"], "input": { "expectedAttendance": 25_000 } }),
        )
        .await;
    let stored = &edited["data"]["updateEvent"]["event"]["assessment"];
    assert_ne!(
        stored["id"], first,
        "the edit stored a new assessment: {edited}"
    );

    let update = socket.next_data("1").await;
    let pushed = &update["data"]["assessmentUpdated"];
    assert_eq!(pushed["id"], stored["id"], "{update}");
    assert_eq!(pushed["eventId"], event["id"]);
    assert_eq!(pushed["risk"], stored["risk"], "the new risk is pushed");
    assert_eq!(pushed["triggeredBy"], "event edited");

    socket.send(json!({ "id": "1", "type": "complete" })).await;
    let ended = subscription_entries(&app, "subscription ended").await;
    assert_eq!(ended.len(), 1, "the end is audited");
    assert_eq!(
        ended[0].reason.as_deref(),
        Some("subscription ended after 1 updates")
    );
    assert_eq!(ended[0].record_count, 1);
    assert_eq!(ended[0].actor, "supervisor@test.example");
}

async fn a_batch_accepted_by_one_instance_reaches_a_subscriber_of_another(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let event = create_event(&app, 8_000).await;
    // A second instance, another process on the same database: it shares nothing
    // else with the first.
    let other = crate::faults::Server::start(&app).await;
    let other_address = other.address.clone();
    // On PostgreSQL, the tables' triggers tell every listening instance at once.
    let mut listener = match &app.settings.database_url {
        Some(url) if backend == Backend::Postgres => {
            let mut listener = sea_orm::sqlx::postgres::PgListener::connect(url)
                .await
                .expect("a listener connects");
            listener.listen("platform_live").await.expect("LISTEN");
            Some(listener)
        }
        _ => None,
    };

    let analyst = app.token_for("analyst").await;
    let mut socket = Socket::ready(&other_address, &analyst).await;
    socket
        .subscribe("a", FOLLOW, json!({ "id": event["id"] }))
        .await;
    socket
        .subscribe(
            "b",
            "subscription { agendaUpdated(days: 3) { eventIds dates days { date events { id assessment { risk } } } } }",
            json!({}),
        )
        .await;
    subscription_entries(&app, "subscription started").await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // A heat forecast for the event's day, accepted by the first instance: the
    // event is queued, re-scored there, and its new risk reaches the second.
    let before = current(&app, &event["id"]).await;
    let meteo = token(
        &app,
        "meteo-france",
        &["ingest:meteo-observations"],
        &["ingestion"],
    )
    .await;
    let day = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    let cells: Vec<Value> = (9..=20)
        .map(|hour| {
            json!({ "zone": "13055", "metric": "temperature", "bucketStart": format!("{day}T{hour:02}:00:00Z"),
                "bucketMinutes": 60, "value": 36.0, "contributors": 1 })
        })
        .collect();
    let batch = json!({ "input": { "sourceId": "meteo-observations", "idempotencyKey": "heat-wave", "observations": cells } });
    let sent = call(&app, &meteo, Some("ingestion"), INGEST, batch).await;
    assert_eq!(sent["data"]["ingestObservations"]["accepted"], 12, "{sent}");
    if let Some(listener) = listener.as_mut() {
        let notification = tokio::time::timeout(WAIT, listener.recv())
            .await
            .expect("a notification before the deadline")
            .expect("a notification");
        assert!(
            ["rescore_request", "assessment"].contains(&notification.payload()),
            "notified of {}",
            notification.payload()
        );
    }
    let stored = until_assessed(&app, &event["id"], |a| a["id"] != before["id"]).await;
    assert!(
        stored["risk"].as_f64() > before["risk"].as_f64(),
        "36 °C raises the risk: {before} -> {stored}"
    );
    assert!(
        stored["triggeredBy"]
            .as_str()
            .is_some_and(|t| t.starts_with("observations (temperature) from meteo-observations")),
        "{stored}"
    );

    let mut followed = None;
    let mut agenda = None;
    while followed.is_none() || agenda.is_none() {
        let message = socket.next().await.expect("both updates arrive");
        assert_eq!(message["type"], "next", "{message}");
        match message["id"].as_str() {
            Some("a") => followed = Some(message["payload"]["data"]["assessmentUpdated"].clone()),
            Some("b") => agenda = Some(message["payload"]["data"]["agendaUpdated"].clone()),
            _ => panic!("unexpected {message}"),
        }
    }
    let followed = followed.unwrap();
    assert_eq!(followed["id"], stored["id"]);
    assert_eq!(
        followed["risk"], stored["risk"],
        "the new risk, from the other instance"
    );
    let agenda = agenda.unwrap();
    assert!(
        agenda["eventIds"]
            .as_array()
            .unwrap()
            .contains(&event["id"]),
        "the forecast re-scored the event, among others of its day: {agenda}"
    );
    let shown: Vec<&Value> = agenda["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["events"].as_array().unwrap())
        .filter(|e| e["id"] == event["id"])
        .collect();
    assert!(!shown.is_empty(), "the day of the event is sent: {agenda}");
    assert_eq!(shown[0]["assessment"]["risk"], stored["risk"]);
}

async fn an_event_nearby_re_scores_its_neighbours(backend: Backend) {
    let Some(app) = app_with_model(backend).await else {
        return;
    };
    let first = create_event(&app, 8_000).await;
    let before = current(&app, &first["id"]).await;
    // Another event at the same time in the same arrondissement (8e).
    let second = create_event(&app, 12_000).await;
    let after = until_assessed(&app, &first["id"], |a| a["id"] != before["id"]).await;
    assert_eq!(
        after["triggeredBy"],
        format!("event {} created nearby", second["id"].as_str().unwrap()),
        "{after}"
    );
    assert!(
        entity::rescore_request::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty(),
        "the queue is emptied"
    );
    // A pass that found nothing new to say stored nothing: the second event's own
    // assessment is the one of its creation.
    let again = current(&app, &second["id"]).await;
    assert_eq!(again["triggeredBy"], "event created");
}

async fn presence_raises_and_clears_a_density_alert(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let operators = token(
        &app,
        "operateurs-mobiles",
        &["ingest:presence-operateurs"],
        &["ingestion"],
    )
    .await;
    let site = zone_id(&app, "site-vieux-port").await;
    let analyst = app.token_for("analyst").await;
    let mut socket = Socket::ready(&app.address, &analyst).await;
    socket
        .subscribe(
            "alerts",
            "subscription($z: ID) { alerts(zoneId: $z) { id level people areaM2 density open zone { code } } }",
            json!({ "z": site.to_string() }),
        )
        .await;
    subscription_entries(&app, "subscription started").await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let count = |key: &str, back: i64, people: f64| {
        json!({ "input": { "sourceId": "presence-operateurs", "idempotencyKey": key, "observations": [
            { "zone": "site-vieux-port", "metric": "presence",
              "bucketStart": current_quarter() - chrono::Duration::minutes(15 * back),
              "bucketMinutes": 15, "value": people, "contributors": people as i64 }
        ] } })
    };
    // 60,000 people on the quay's 25,000 m2: 2.4 per m2, busy.
    let sent = call(
        &app,
        &operators,
        Some("ingestion"),
        INGEST,
        count("crowd-1", 2, 60_000.0),
    )
    .await;
    assert_eq!(sent["data"]["ingestObservations"]["accepted"], 1, "{sent}");
    let raised = socket.next_data("alerts").await["data"]["alerts"].clone();
    assert_eq!(raised["level"], "BUSY", "{raised}");
    assert_eq!(raised["open"], true);
    assert_eq!(raised["density"], 2.4);
    assert_eq!(raised["areaM2"], 25_000.0);
    assert_eq!(raised["zone"]["code"], "site-vieux-port");

    // 110,000: critical, the same alert.
    call(
        &app,
        &operators,
        Some("ingestion"),
        INGEST,
        count("crowd-2", 1, 110_000.0),
    )
    .await;
    let critical = socket.next_data("alerts").await["data"]["alerts"].clone();
    assert_eq!(critical["id"], raised["id"]);
    assert_eq!(critical["level"], "CRITICAL");

    let listed = app
        .graphql_with(&analyst, "{ densityAlerts { id level open } }", json!({}))
        .await;
    assert_eq!(
        listed["data"]["densityAlerts"],
        json!([{ "id": raised["id"], "level": "CRITICAL", "open": true }])
    );

    // 9,000: 0.36 per m2, cleared.
    call(
        &app,
        &operators,
        Some("ingestion"),
        INGEST,
        count("crowd-3", 0, 9_000.0),
    )
    .await;
    let cleared = socket.next_data("alerts").await["data"]["alerts"].clone();
    assert_eq!(cleared["id"], raised["id"]);
    assert_eq!(cleared["open"], false, "{cleared}");
    let open = app
        .graphql_with(&analyst, "{ densityAlerts { id } }", json!({}))
        .await;
    assert_eq!(open["data"]["densityAlerts"], json!([]), "{open}");
}

/// Sockets opened with forged tokens spend the address's anonymous allowance, like
/// HTTP requests: each is closed with 4403, but past the allowance none is audited.
async fn forged_sockets_are_audited_only_within_the_allowance(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.http.rate.anonymous_per_minute = 3).await
    else {
        return;
    };
    for _ in 0..8 {
        let mut forged =
            Socket::open(&app.address, json!({ "Authorization": "Bearer forged" })).await;
        assert_eq!(forged.close_code().await, Some(4403));
    }
    subscription_entries(&app, "invalid access token").await;
    // Every entry of the eight refusals would be written within the writer's batches.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = subscription_entries(&app, "invalid access token").await;
    assert_eq!(refused.len(), 3, "{refused:?}");
}

async fn credentials_are_checked_at_init_and_while_the_socket_lives(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.auth.access_ttl_secs = 4).await else {
        return;
    };
    // No credential, a bad one: refused with 4403, the bad one audited.
    let mut anonymous = Socket::open(&app.address, json!({})).await;
    assert_eq!(anonymous.close_code().await, Some(4403));
    let mut forged = Socket::open(&app.address, json!({ "Authorization": "Bearer forged" })).await;
    assert_eq!(forged.close_code().await, Some(4403));
    let refused = subscription_entries(&app, "invalid access token").await;
    assert!(!refused.is_empty(), "the refused credential is audited");
    assert_eq!(refused[0].outcome, "denied");

    // Queries and mutations belong to HTTP.
    let supervisor = app.token_for("supervisor").await;
    let mut socket = Socket::ready(&app.address, &supervisor).await;
    socket.subscribe("q", "{ zones { id } }", json!({})).await;
    let answer = socket.next().await.expect("an answer");
    let errors = if answer["type"] == "error" {
        answer["payload"].clone()
    } else {
        answer["payload"]["errors"].clone()
    };
    assert_eq!(errors[0]["extensions"]["code"], "BAD_REQUEST", "{answer}");

    // A partner token without an agenda scope may not follow the agenda.
    let presence_reader = token(
        &app,
        "operateurs-mobiles",
        &["read:aggregates:presence"],
        &["statistics"],
    )
    .await;
    let mut partner = Socket::ready(&app.address, &presence_reader).await;
    partner
        .subscribe(
            "p",
            "subscription { agendaUpdated { eventIds } }",
            json!({}),
        )
        .await;
    let refusal = partner.next().await.expect("a refusal");
    let errors = if refusal["type"] == "error" {
        refusal["payload"].clone()
    } else {
        refusal["payload"]["errors"].clone()
    };
    assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN", "{refusal}");

    // Logging out ends the session: the socket closes with 4403.
    let logout = app
        .graphql_with(&supervisor, "mutation { logout }", json!({}))
        .await;
    assert_eq!(logout["data"]["logout"], true, "{logout}");
    assert_eq!(socket.close_code().await, Some(4403), "closed once revoked");

    // An access token that expires closes its socket with 4401.
    let analyst = app.account("analyst").await;
    let login = app.login(&analyst, platform_tests::TEST_PASSWORD).await;
    let short = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}"))
        .to_owned();
    let mut expiring = Socket::ready(&app.address, &short).await;
    assert_eq!(expiring.close_code().await, Some(4401), "closed at expiry");
}

on_both_backends!(
    a_subscriber_sees_each_new_assessment_and_its_end_is_audited,
    a_batch_accepted_by_one_instance_reaches_a_subscriber_of_another,
    an_event_nearby_re_scores_its_neighbours,
    presence_raises_and_clears_a_density_alert,
    credentials_are_checked_at_init_and_while_the_socket_lives,
    forged_sockets_are_audited_only_within_the_allowance,
);
