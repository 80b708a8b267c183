//! Ingestion of presence batches through the platform's API (`ingestObservations`,
//! a partner token of the phone operators, 999 cells a batch: 111 quartiers x 9
//! quarter hours) in cells per second, next to PostgreSQL's `COPY` of the same rows
//! into the same table: what the platform's checks, policy and audit cost over the
//! database's fastest path.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, DurationRound, Utc};
use sea_orm::sqlx::postgres::PgPoolCopyExt;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::json;

/// Quarter hours per batch: with 111 quartiers, 999 cells (the API takes 2,000).
const QUARTERS_PER_BATCH: usize = 9;

/// What the comparison measured.
pub struct IngestFigures {
    /// Cells accepted through the API.
    pub cells: usize,
    /// Cells per second through the API.
    pub api_per_second: f64,
    /// Cells per second by `COPY`.
    pub copy_per_second: f64,
    /// Batches refused (should be none).
    pub refused: usize,
}

async fn execute(db: &DatabaseConnection, sql: &str) -> Result<u64, String> {
    db.execute_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await
        .map(|r| r.rows_affected())
        .map_err(|e| e.to_string())
}

/// Removes the presence cells of the coming days (a previous run's).
async fn clear_future(db: &DatabaseConnection, from: DateTime<Utc>) -> Result<(), String> {
    execute(
        db,
        &format!(
            "DELETE FROM observation WHERE metric = 'presence' AND bucket_start >= '{}'
               AND source_id = (SELECT id FROM source WHERE code = 'presence-operateurs')",
            from.to_rfc3339()
        ),
    )
    .await
    .map(|_| ())
}

/// Sends batches for `seconds` over `connections` to `url`, then copies the same
/// cells with `COPY`.
pub async fn measure(
    db: &DatabaseConnection,
    url: &str,
    token: &str,
    seconds: u64,
    connections: usize,
) -> Result<IngestFigures, String> {
    let zones: Vec<String> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT code FROM zone WHERE level = 'quartier' ORDER BY code".to_owned(),
        ))
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    if zones.is_empty() {
        return Err("no quartier to send counts for".to_owned());
    }
    // Buckets of the coming days: past ones are settled and refused.
    let first = Utc::now()
        .duration_trunc(chrono::Duration::minutes(15))
        .map_err(|e| e.to_string())?
        + chrono::Duration::hours(1);
    clear_future(db, first).await?;
    let batches = 29 * 96 / QUARTERS_PER_BATCH;
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::new();
    let zones = Arc::new(zones);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (next, client, zones) = (Arc::clone(&next), client.clone(), Arc::clone(&zones));
        let (url, token) = (url.to_owned(), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let (mut cells, mut refused) = (0usize, 0usize);
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= batches {
                    break;
                }
                let observations: Vec<serde_json::Value> = (0..QUARTERS_PER_BATCH)
                    .flat_map(|q| {
                        let start = first
                            + chrono::Duration::minutes(15 * (n * QUARTERS_PER_BATCH + q) as i64);
                        zones.iter().enumerate().map(move |(z, zone)| {
                            let people = 100 + (z * 37 + q * 11) % 3000;
                            json!({ "zone": zone, "metric": "presence", "bucketStart": start,
                                    "bucketMinutes": 15, "value": people as f64, "contributors": people })
                        })
                    })
                    .collect();
                let size = observations.len();
                let body = json!({ "query": "mutation($input: IngestObservationsInput!) { ingestObservations(input: $input) { accepted } }",
                    "variables": { "input": { "sourceId": "presence-operateurs",
                        "idempotencyKey": format!("bench-ingest-{}-{n}", first.timestamp()),
                        "observations": observations } } });
                let answer = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("X-Purpose", "ingestion")
                    .json(&body)
                    .send()
                    .await;
                let value: serde_json::Value = match answer {
                    Ok(r) => r.json().await.unwrap_or_default(),
                    Err(_) => serde_json::Value::Null,
                };
                if value["data"]["ingestObservations"]["accepted"].as_u64() == Some(size as u64) {
                    cells += size;
                } else {
                    if refused == 0 {
                        let text = value.to_string();
                        println!(
                            "ingestion: batch refused: {}",
                            text.chars().take(300).collect::<String>()
                        );
                    }
                    refused += 1;
                }
            }
            (cells, refused)
        }));
    }
    let (mut cells, mut refused) = (0, 0);
    for task in tasks {
        if let Ok((c, r)) = task.await {
            cells += c;
            refused += r;
        }
    }
    let api_seconds = started.elapsed().as_secs_f64();

    // The same rows, moved aside and copied back into the same table.
    let spec =
        "source_id, zone_id, metric, bucket_start, bucket_minutes, value, contributors, batch_id";
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT source_id || E'\\t' || zone_id || E'\\t' || metric || E'\\t' || bucket_start
                        || E'\\t' || bucket_minutes || E'\\t' || value || E'\\t' || contributors
                        || E'\\t' || batch_id
                   FROM observation WHERE metric = 'presence' AND bucket_start >= '{}'
                    AND source_id = (SELECT id FROM source WHERE code = 'presence-operateurs')",
                first.to_rfc3339()
            ),
        ))
        .await
        .map_err(|e| e.to_string())?;
    let mut data = String::new();
    for row in &rows {
        if let Ok(line) = row.try_get_by_index::<String>(0) {
            data.push_str(&line);
            data.push('\n');
        }
    }
    clear_future(db, first).await?;
    let pool = db.get_postgres_connection_pool();
    let copied = Instant::now();
    let mut copy = pool
        .copy_in_raw(&format!("COPY observation ({spec}) FROM STDIN"))
        .await
        .map_err(|e| e.to_string())?;
    copy.send(data.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let copied_rows = copy.finish().await.map_err(|e| e.to_string())?;
    let copy_seconds = copied.elapsed().as_secs_f64();
    clear_future(db, first).await?;
    Ok(IngestFigures {
        cells,
        api_per_second: cells as f64 / api_seconds,
        copy_per_second: copied_rows as f64 / copy_seconds.max(1e-9),
        refused,
    })
}
