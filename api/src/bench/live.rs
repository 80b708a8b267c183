//! `api bench live`: the latency from an accepted batch to the subscribers' message.
//!
//! For each number of subscribers it starts, in this process, a fresh platform on a
//! temporary embedded SQLite with the demo data, opens that many WebSocket
//! subscriptions (`graphql-transport-ws`) to the density alerts of the Vieux-Port,
//! then sends presence batches one after the other, each moving the site's density
//! (busy, critical, busy...). For every batch it measures, for every subscriber, the
//! time from the batch's accepted answer to the alert's arrival. The path measured
//! is the real one: ingestion commits, the dispatcher wakes, reads the change from
//! the database and publishes it, each subscription reads the alert and sends it. It
//! prints p50, p99 and the worst latency per number of subscribers, and the messages
//! lost. It asserts nothing.

use std::time::{Duration, Instant};

use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::settings::Settings;
use crate::startup::Application;

/// Options of the live benchmark.
#[derive(Debug, Args)]
pub struct LiveBenchArgs {
    /// Numbers of subscribers to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 100, 500])]
    pub subscribers: Vec<usize>,
}

/// Batches per run: two sites, six quarter hours each (older buckets are settled).
const SITES: [&str; 2] = ["site-vieux-port", "site-canebiere"];
const QUARTERS: i64 = 6;
/// Longest wait for a message.
const PATIENCE: Duration = Duration::from_secs(5);

/// Runs the benchmark.
pub async fn live(settings: &Settings, args: LiveBenchArgs) -> Result<(), String> {
    println!("api bench live: batch accepted -> density alert received by every subscriber");
    println!(
        "{:>12} {:>8} {:>9} {:>9} {:>9} {:>9} {:>6}",
        "subscribers", "batches", "messages", "p50 ms", "p99 ms", "max ms", "lost"
    );
    for count in args.subscribers {
        let dir = std::env::temp_dir().join(format!(
            "platform-bench-live-{}-{count}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let outcome = run(settings, &dir, count).await;
        let _ = std::fs::remove_dir_all(&dir);
        let figures = outcome?;
        println!(
            "{:>12} {:>8} {:>9} {:>9.1} {:>9.1} {:>9.1} {:>6}",
            count,
            figures.batches,
            figures.messages,
            figures.p50,
            figures.p99,
            figures.max,
            figures.lost
        );
    }
    Ok(())
}

struct LiveFigures {
    batches: usize,
    messages: usize,
    p50: f64,
    p99: f64,
    max: f64,
    lost: usize,
}

async fn run(
    settings: &Settings,
    dir: &std::path::Path,
    count: usize,
) -> Result<LiveFigures, String> {
    let mut settings = settings.clone();
    settings.database_url = None;
    settings.data_dir = dir.to_path_buf();
    settings.bind = "127.0.0.1:0".to_owned();
    settings.seed_demo = true;
    settings.seed_history = false;
    settings.seed_reference = false;
    settings.seed_presence = false;
    settings.retention_task = false;
    // One account opens every subscription: the per-account limit must not count
    // a benchmark's subscriptions as abuse.
    settings.http.rate.account_per_minute = u32::MAX / 2;
    settings.http.rate.token_per_minute = u32::MAX / 2;
    let app = Application::build(settings.clone())
        .await
        .map_err(|e| e.to_string())?;
    let base = format!("127.0.0.1:{}", app.port());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    let (_, analyst) = super::account(&settings, &db, &format!("http://{base}/graphql")).await?;
    let ingest = super::presence_token(&db).await?;

    // The subscribers, each on its own socket.
    let (sender, mut arrivals) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    for _ in 0..count {
        let mut request = format!("ws://{base}/graphql/ws")
            .into_client_request()
            .map_err(|e| e.to_string())?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().map_err(|_| "header")?,
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| e.to_string())?;
        let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {analyst}") } });
        ws.send(Message::Text(init.to_string().into()))
            .await
            .map_err(|e| e.to_string())?;
        let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { alerts { id level density } }" } });
        ws.send(Message::Text(subscribe.to_string().into()))
            .await
            .map_err(|e| e.to_string())?;
        let sender = sender.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = ws.next().await {
                if let Message::Text(text) = message {
                    let value: Value = serde_json::from_str(&text).unwrap_or_default();
                    if value["type"] == "next" {
                        let _ = sender.send(Instant::now());
                    }
                }
            }
        });
    }
    // Let every subscription start.
    tokio::time::sleep(Duration::from_millis(500 + count as u64 * 2)).await;

    let client = reqwest::Client::new();
    let quarter = {
        let now = chrono::Utc::now();
        chrono::DurationRound::duration_trunc(now, chrono::Duration::minutes(15))
            .map_err(|e| e.to_string())?
    };
    let (mut latencies, mut lost, mut batches) = (Vec::new(), 0, 0);
    for (n, back) in (0..QUARTERS).rev().enumerate() {
        for site in SITES {
            // 2.4 and 4.4 people per m2 on the Vieux-Port's 25,000 m2, alternately;
            // the Canebière's 30,000 m2 get the same densities.
            let area = if site == "site-vieux-port" {
                25_000.0
            } else {
                30_000.0
            };
            let density = if n % 2 == 0 { 2.4 } else { 4.4 };
            let people = (area * density) as i64;
            let batch = json!({ "query": "mutation($input: IngestObservationsInput!) { ingestObservations(input: $input) { accepted } }",
                "variables": { "input": { "sourceId": "presence-operateurs", "idempotencyKey": format!("bench-{site}-{back}"),
                "observations": [{ "zone": site, "metric": "presence", "bucketStart": quarter - chrono::Duration::minutes(15 * back),
                  "bucketMinutes": 15, "value": people as f64, "contributors": people }] } } });
            let answer: Value = client
                .post(format!("http://{base}/graphql"))
                .bearer_auth(&ingest)
                .header("X-Purpose", "ingestion")
                .json(&batch)
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            if answer["data"]["ingestObservations"]["accepted"] != 1 {
                return Err(format!("batch refused: {answer}"));
            }
            let accepted = Instant::now();
            batches += 1;
            let mut received = 0;
            while received < count {
                match tokio::time::timeout(PATIENCE, arrivals.recv()).await {
                    Ok(Some(at)) => {
                        received += 1;
                        latencies.push(at.saturating_duration_since(accepted).as_secs_f64() * 1e3);
                    }
                    _ => break,
                }
            }
            lost += count - received;
        }
    }
    latencies.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round().max(0.0) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    Ok(LiveFigures {
        batches,
        messages: latencies.len(),
        p50: pick(0.5),
        p99: pick(0.99),
        max: latencies.last().copied().unwrap_or(0.0),
        lost,
    })
}
