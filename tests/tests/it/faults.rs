//! Faults of the process itself, on the real `api` binary: killed with SIGKILL while
//! partners ingest, it loses no acknowledged batch and leaves no partial one; asked to
//! stop with SIGTERM, it finishes the requests in flight, audits them and exits.
//! (A lost database is in `hardening.rs`.)

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use chrono::Duration as Span;
use platform_tests::{Backend, TestApp, on_both_backends};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

use crate::privacy::support::{INGEST, current_quarter, token};

/// The `api` binary of this build, built once per test run.
fn api_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            escargot::CargoBuild::new()
                .package("api")
                .bin("api")
                .current_release()
                .current_target()
                .manifest_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"))
                .run()
                .expect("the api binary builds")
                .path()
                .to_path_buf()
        })
        .clone()
}

/// The platform running as its own process on the test application's database.
pub(crate) struct Server {
    child: Child,
    pub(crate) address: String,
}

impl Server {
    /// Starts `api serve` on `app`'s database and data folder (same signing keys),
    /// in production mode: nothing seeded, the schema already migrated.
    pub(crate) async fn start(app: &TestApp) -> Server {
        let binary = tokio::task::spawn_blocking(api_binary).await.unwrap();
        let mut command = Command::new(binary);
        command
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .arg("--env")
            .arg("production")
            .arg("--data-dir")
            .arg(&app.settings.data_dir)
            .arg("serve")
            .arg("--bind")
            .arg("127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(url) = &app.settings.database_url {
            command.arg("--database-url").arg(url);
        }
        let mut child = command.spawn().expect("the api binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let address = loop {
            let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
                .await
                .expect("the server announces its address")
                .unwrap()
                .expect("the server prints its address before its output ends");
            if let Some(url) = line.strip_prefix("Serving the platform on ") {
                break url.trim_end_matches("/graphql").to_owned();
            }
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Server { child, address }
    }

    fn port(&self) -> u16 {
        self.address.rsplit(':').next().unwrap().parse().unwrap()
    }

    fn signal(&self, name: &str) {
        let pid = self.child.id().expect("the server is running");
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "signal {name} delivered");
    }

    /// Waits for the process to end, within a generous bound.
    async fn exit_status(&mut self) -> std::process::ExitStatus {
        tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("the server exits")
            .unwrap()
    }
}

/// Sends one ingestion batch: the batch id when the server acknowledged it, else the
/// answer (or why there was none).
async fn send(
    client: &reqwest::Client,
    address: &str,
    token: &str,
    batch: &Value,
) -> Result<String, String> {
    let response = client
        .post(format!("{address}/graphql"))
        .bearer_auth(token)
        .header("X-Purpose", "ingestion")
        .json(&json!({ "query": INGEST, "variables": { "input": batch } }))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    body["data"]["ingestObservations"]["batchId"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| body.to_string())
}

/// Forty-eight batches of two transit cells, within the last hour and a half (older
/// buckets are settled): no two batches share a cell.
fn batches() -> Vec<Value> {
    let mut batches = Vec::new();
    for back in 0..6 {
        let bucket = current_quarter() - Span::minutes(15 * back);
        for pair in 0..8 {
            let observations: Vec<Value> = (1..=2)
                .map(|n| {
                    json!({
                        "zone": format!("132{:02}", 2 * pair + n),
                        "metric": "transit_load",
                        "bucketStart": bucket,
                        "bucketMinutes": 15,
                        "value": 1000.0 + back as f64,
                        "contributors": 1000,
                    })
                })
                .collect();
            batches.push(json!({
                "sourceId": "rtm-frequentation",
                "idempotencyKey": format!("sigkill-{back}-{pair}"),
                "observations": observations,
            }));
        }
    }
    batches
}

/// Every stored batch with the number of observations it holds next to the number
/// it declares.
async fn stored_batches(app: &TestApp) -> HashMap<String, (i64, i64)> {
    let mut stored = HashMap::new();
    for batch in entity::ingestion_batch::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
    {
        let held = entity::observation::Entity::find()
            .filter(entity::observation::Column::BatchId.eq(batch.id))
            .count(&app.db)
            .await
            .unwrap();
        stored.insert(
            batch.idempotency_key,
            (i64::from(batch.observation_count), held as i64),
        );
    }
    stored
}

async fn sigkill_during_ingestion_loses_no_acknowledged_batch_and_leaves_no_partial_one(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let rtm = token(&app, "rtm", &["ingest:rtm-frequentation"], &["ingestion"]).await;
    let batches = batches();
    let mut server = Server::start(&app).await;
    let client = reqwest::Client::new();

    // Four partners' worth of concurrent senders; the process is killed once a few
    // batches are acknowledged, while the others are being written.
    let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut senders = Vec::new();
    for lane in 0..4 {
        let lane_batches: Vec<Value> = batches.iter().skip(lane).step_by(4).cloned().collect();
        let (client, address, token, acked) = (
            client.clone(),
            server.address.clone(),
            rtm.clone(),
            acked_tx.clone(),
        );
        senders.push(tokio::spawn(async move {
            for batch in lane_batches {
                let key = batch["idempotencyKey"].as_str().unwrap().to_owned();
                match send(&client, &address, &token, &batch).await {
                    Ok(id) => acked.send((key, id)).unwrap(),
                    Err(_) => break,
                }
            }
        }));
    }
    drop(acked_tx);
    let mut acknowledged = HashMap::new();
    while acknowledged.len() < 6 {
        let (key, id) = acked_rx.recv().await.expect("batches are acknowledged");
        acknowledged.insert(key, id);
    }
    server.child.start_kill().expect("SIGKILL sent");
    server.exit_status().await;
    for sender in senders {
        sender.await.unwrap();
    }
    while let Ok((key, id)) = acked_rx.try_recv() {
        acknowledged.insert(key, id);
    }
    assert!(
        acknowledged.len() < batches.len(),
        "the kill landed before the last batch: {} acknowledged",
        acknowledged.len()
    );

    let stored = stored_batches(&app).await;
    for key in acknowledged.keys() {
        assert!(
            stored.contains_key(key),
            "acknowledged batch {key} is stored"
        );
    }
    for (key, (declared, held)) in &stored {
        assert_eq!(
            declared, held,
            "batch {key} is whole: {held} of {declared} observations"
        );
    }
    assert_eq!(
        app.count("observation").await,
        stored.values().map(|(declared, _)| declared).sum::<i64>(),
        "no observation outside a stored batch"
    );

    // After a restart, the partners send everything again with the same keys: what was
    // acknowledged replays its first answer, the rest is stored once.
    let server = Server::start(&app).await;
    for batch in &batches {
        let key = batch["idempotencyKey"].as_str().unwrap();
        let id = send(&client, &server.address, &rtm, batch)
            .await
            .unwrap_or_else(|answer| panic!("batch {key} is accepted after the restart: {answer}"));
        if let Some(first) = acknowledged.get(key) {
            assert_eq!(&id, first, "batch {key} keeps its first answer");
        }
    }
    let stored = stored_batches(&app).await;
    assert_eq!(stored.len(), batches.len(), "every batch stored once");
    assert!(
        stored
            .values()
            .all(|(declared, held)| declared == held && *held == 2)
    );
    assert_eq!(app.count("observation").await, 2 * batches.len() as i64);
}

/// Reads one HTTP/1.1 answer's status code and body (the server closes after it).
async fn read_answer(stream: &mut TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut raw))
        .await
        .expect("the answer arrives")
        .expect("the answer is read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP answer: {text:?}"));
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_owned())
}

async fn sigterm_finishes_the_requests_in_flight_then_exits(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let analyst = app.token_for("analyst").await;
    let mut server = Server::start(&app).await;

    // A request in flight: its headers and half its body are sent when the signal
    // comes, the rest after.
    let body = json!({
        "query": "query DrainedAgenda { agenda(days: 7) { date } }",
        "operationName": "DrainedAgenda",
    })
    .to_string();
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port()))
        .await
        .unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {analyst}\r\n\
         Content-Type: application/json\r\nAccept: application/json\r\nConnection: close\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first_half.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    // The server has the connection once it answers another request.
    let ready = reqwest::get(format!("{}/healthz", server.address))
        .await
        .unwrap();
    assert!(ready.status().is_success());

    server.signal("TERM");
    // It stops accepting new connections...
    let mut refused = false;
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", server.port()))
            .await
            .is_err()
        {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused, "no new connection is accepted after SIGTERM");
    // ...but finishes the one in flight...
    stream.write_all(second_half.as_bytes()).await.unwrap();
    let (status, answer) = read_answer(&mut stream).await;
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap_or_else(|_| panic!("{answer}"));
    assert_eq!(
        answer["data"]["agenda"].as_array().map(Vec::len),
        Some(7),
        "{answer}"
    );
    // ...then exits cleanly, its audit entry written.
    let status = server.exit_status().await;
    assert!(status.success(), "exit after the drain: {status:?}");
    let audited = entity::audit_entry::Entity::find()
        .filter(entity::audit_entry::Column::OperationName.eq("DrainedAgenda"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 1, "the drained request is audited before the exit");
}

on_both_backends!(
    sigkill_during_ingestion_loses_no_acknowledged_batch_and_leaves_no_partial_one,
    sigterm_finishes_the_requests_in_flight_then_exits,
);
