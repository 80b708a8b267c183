//! `api bench agenda`: the 30-day agenda query under load over real HTTP, next to
//! its floor, measured in one run.
//!
//! For each database (the configured one: the embedded SQLite, or `DATABASE_URL`;
//! with `--compare-sqlite`, a fresh embedded SQLite as well) it starts, in this
//! process, the platform with the audit on, the platform with the audit off, and the
//! floor: a minimal actix handler answering the window's events with the same
//! fields, read and turned into JSON by one SQL statement (no GraphQL, no token, no
//! audit, no day grouping nor conflicts). It prints the data's size, the SQL
//! statements per agenda request (the audit's batches included), the unloaded p50
//! (one connection) and, under `--connections`, throughput and p50 in two
//! alternating rounds; then one summary table. It asserts nothing.

use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::{DateTime, Utc};
use clap::Args;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde_json::json;

use super::{Figures, load, print, serve};
use crate::settings::Settings;
use crate::time::{paris_range, paris_today};

/// Options of the agenda benchmark.
#[derive(Debug, Args)]
pub struct AgendaBenchArgs {
    /// Seconds of load per configuration and round.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// With `DATABASE_URL` set, measure a fresh embedded SQLite as well.
    #[arg(long)]
    pub compare_sqlite: bool,
}

/// The agenda as the supervision screen asks for it.
pub const QUERY: &str = "query Agenda { agenda(days: 30) { date maxRisk conflicts { kind eventIds } events { id title category status startsAt endsAt expectedAttendance venue { name capacity zone { code name } } zone { code } deployments { kind count } assessment { risk adequacy modelVersion } } } }";

/// Agenda requests sent one after the other to count statements.
const COUNTED_REQUESTS: u64 = 20;

/// The floor's statement on PostgreSQL: `$1` window start, `$2` end, `$3` lower
/// bound of starts (window start minus the longest event).
const FLOOR_POSTGRES: &str = r#"
SELECT COALESCE(json_agg(e ORDER BY e."startsAt", e.id), '[]')::text FROM (
  SELECT ev.id, ev.title, ev.category, ev.status, ev.starts_at AS "startsAt",
         ev.ends_at AS "endsAt", ev.expected_attendance AS "expectedAttendance",
         (SELECT json_build_object('name', v.name, 'capacity', v.capacity,
                 'zone', json_build_object('code', vz.code, 'name', vz.name))
            FROM venue v JOIN zone vz ON vz.id = v.zone_id WHERE v.id = ev.venue_id) AS venue,
         (SELECT json_build_object('code', z.code) FROM zone z WHERE z.id = ev.zone_id) AS zone,
         (SELECT COALESCE(json_agg(json_build_object('kind', d.kind, 'count', d.count) ORDER BY d.kind), '[]')
            FROM deployment d WHERE d.event_id = ev.id) AS deployments,
         (SELECT json_build_object('risk', a.risk_overall, 'adequacy', a.adequacy_overall,
                 'modelVersion', a.model_version)
            FROM assessment a WHERE a.event_id = ev.id ORDER BY a.id DESC LIMIT 1) AS assessment
    FROM event ev
   WHERE ev.starts_at < $2 AND ev.ends_at > $1 AND ev.starts_at >= $3
) e"#;

/// The floor's statement on SQLite: the same, with `?` for end, start, lower bound.
const FLOOR_SQLITE: &str = r#"
SELECT COALESCE(json_group_array(json(e)), '[]') FROM (
  SELECT json_object('id', ev.id, 'title', ev.title, 'category', ev.category,
         'status', ev.status, 'startsAt', ev.starts_at, 'endsAt', ev.ends_at,
         'expectedAttendance', ev.expected_attendance,
         'venue', json((SELECT json_object('name', v.name, 'capacity', v.capacity,
                  'zone', json_object('code', vz.code, 'name', vz.name))
             FROM venue v JOIN zone vz ON vz.id = v.zone_id WHERE v.id = ev.venue_id)),
         'zone', json((SELECT json_object('code', z.code) FROM zone z WHERE z.id = ev.zone_id)),
         'deployments', json((SELECT json_group_array(json_object('kind', d.kind, 'count', d.count))
             FROM (SELECT kind, count FROM deployment WHERE event_id = ev.id ORDER BY kind) d)),
         'assessment', json((SELECT json_object('risk', a.risk_overall, 'adequacy', a.adequacy_overall,
                  'modelVersion', a.model_version)
             FROM assessment a WHERE a.event_id = ev.id ORDER BY a.id DESC LIMIT 1))) AS e
    FROM event ev
   WHERE ev.starts_at < ? AND ev.ends_at > ? AND ev.starts_at >= ?
   ORDER BY ev.starts_at, ev.id
)"#;

/// What the floor handler needs: a pool and the window.
struct Floor {
    db: DatabaseConnection,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    lower: DateTime<Utc>,
}

async fn floor_handler(floor: web::Data<Floor>) -> HttpResponse {
    let statement = match floor.db.get_database_backend() {
        DatabaseBackend::Postgres => Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            FLOOR_POSTGRES,
            [floor.start.into(), floor.end.into(), floor.lower.into()],
        ),
        backend => Statement::from_sql_and_values(
            backend,
            FLOOR_SQLITE,
            [floor.end.into(), floor.start.into(), floor.lower.into()],
        ),
    };
    let row = floor.db.query_one_raw(statement).await;
    match row.map(|r| r.and_then(|r| r.try_get_by_index::<String>(0).ok())) {
        Ok(Some(body)) => HttpResponse::Ok()
            .content_type("application/json")
            .body(body),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

/// Starts the floor on the database of `settings`; returns its URL.
pub(crate) async fn serve_floor(settings: &Settings) -> Result<String, String> {
    let writer = crate::db::connect(settings)
        .await
        .map_err(|e| e.to_string())?;
    let db = crate::db::connect_readers(settings, &writer)
        .await
        .map_err(|e| e.to_string())?;
    let (start, end) = paris_range(paris_today(Utc::now()), 30);
    // Read once: the floor is one statement per request, and nothing changes the
    // events during the benchmark.
    let lower = crate::services::window::longest(&db)
        .await
        .map_err(|e| e.to_string())?
        .and_then(|s| start.checked_sub_signed(chrono::Duration::seconds(s)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let data = web::Data::new(Floor {
        db,
        start,
        end,
        lower,
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/floor", web::post().to(floor_handler))
    })
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    tokio::spawn(server);
    Ok(format!("http://127.0.0.1:{port}/floor"))
}

/// Events stored and events in the 30-day window.
pub(crate) async fn sizes(settings: &Settings) -> Result<(i64, i64), String> {
    let db = crate::db::connect(settings)
        .await
        .map_err(|e| e.to_string())?;
    let count = |sql: String| {
        let db = db.clone();
        async move {
            db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .ok()
                .flatten()
                .and_then(|r| r.try_get_by_index::<i64>(0).ok())
                .unwrap_or(0)
        }
    };
    let (start, end) = paris_range(paris_today(Utc::now()), 30);
    let fmt = |t: DateTime<Utc>| match db.get_database_backend() {
        DatabaseBackend::Postgres => t.to_rfc3339(),
        _ => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
    };
    let total = count("SELECT COUNT(*) FROM event".to_owned()).await;
    let window = count(format!(
        "SELECT COUNT(*) FROM event WHERE starts_at < '{}' AND ends_at > '{}'",
        fmt(end),
        fmt(start)
    ))
    .await;
    Ok((total, window))
}

/// SQL statements per agenda request: `COUNTED_REQUESTS` sent one after the other,
/// then the audit's batch given time to be written.
async fn statements_per_request(url: &str, token: &str) -> f64 {
    let client = reqwest::Client::new();
    let before = crate::db::statements();
    for _ in 0..COUNTED_REQUESTS {
        let sent = client
            .post(url)
            .bearer_auth(token)
            .json(&json!({ "query": QUERY }))
            .send()
            .await;
        if let Ok(response) = sent {
            let _ = response.bytes().await;
        }
    }
    // The audit writer lingers 25 ms before a batch.
    tokio::time::sleep(Duration::from_millis(300)).await;
    (crate::db::statements() - before) as f64 / COUNTED_REQUESTS as f64
}

/// One database's figures, for the summary.
struct Row {
    database: String,
    window: i64,
    total: i64,
    statements_on: f64,
    statements_off: f64,
    unloaded: (f64, f64),
    on: (f64, f64),
    off: (f64, f64),
    floor: (f64, f64),
}

fn mean(figures: &[Figures]) -> (f64, f64) {
    let n = figures.len().max(1) as f64;
    (
        figures.iter().map(|f| f.per_second).sum::<f64>() / n,
        figures.iter().map(|f| f.p50_ms).sum::<f64>() / n,
    )
}

async fn measure(label: &str, settings: &Settings, args: &AgendaBenchArgs) -> Result<Row, String> {
    println!("== {label}: preparing the database (demo agenda, ten years of history, model) ...");
    let started = Instant::now();
    let (audited_url, audited_token) = serve(settings, true).await?;
    let (plain_url, plain_token) = serve(settings, false).await?;
    let floor_url = serve_floor(settings).await?;
    let (total, window) = sizes(settings).await?;
    println!(
        "ready in {:.0} s: {total} events stored, {window} in the 30-day window",
        started.elapsed().as_secs_f64()
    );
    let query = json!({ "query": QUERY });
    // Warm up every server (connections, caches of the database).
    for (url, token) in [
        (&audited_url, &audited_token),
        (&plain_url, &plain_token),
        (&floor_url, &String::new()),
    ] {
        let _ = load(url, token, &query, 1, 2).await;
    }
    let statements_on = statements_per_request(&audited_url, &audited_token).await;
    let statements_off = statements_per_request(&plain_url, &plain_token).await;
    println!(
        "SQL statements per agenda request: {statements_on:.1} with the audit (its batches included), {statements_off:.1} without; the floor: 1"
    );
    let unloaded_seconds = (args.seconds / 3).max(2);
    let platform_c1 = load(&audited_url, &audited_token, &query, unloaded_seconds, 1).await;
    print("agenda, 1 connection", &platform_c1);
    let floor_c1 = load(&floor_url, "", &query, unloaded_seconds, 1).await;
    print("floor, 1 connection", &floor_c1);
    println!(
        "{} connections, {} s per run, client and server on the same machine",
        args.connections, args.seconds
    );
    let (mut on, mut off, mut floor) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=2 {
        let f = load(
            &audited_url,
            &audited_token,
            &query,
            args.seconds,
            args.connections,
        )
        .await;
        print(&format!("agenda, audit on  (round {round})"), &f);
        on.push(f);
        let f = load(
            &plain_url,
            &plain_token,
            &query,
            args.seconds,
            args.connections,
        )
        .await;
        print(&format!("agenda, audit off (round {round})"), &f);
        off.push(f);
        let f = load(&floor_url, "", &query, args.seconds, args.connections).await;
        print(&format!("floor             (round {round})"), &f);
        floor.push(f);
    }
    Ok(Row {
        database: label.to_owned(),
        window,
        total,
        statements_on,
        statements_off,
        unloaded: (platform_c1.p50_ms, floor_c1.p50_ms),
        on: mean(&on),
        off: mean(&off),
        floor: mean(&floor),
    })
}

/// Raises the per-account and per-token request limits: the benchmark's one
/// analyst and one partner token send far more than a person would.
pub(crate) fn bench_settings(settings: &Settings) -> Settings {
    let mut settings = settings.clone();
    settings.seed_demo = true;
    settings.retention_task = false;
    settings.http.rate.account_per_minute = 100_000_000;
    // Likewise the partner token that sends the ingestion benchmark's batches.
    settings.http.rate.token_per_minute = 100_000_000;
    settings
}

/// Runs the benchmark and prints the summary.
pub async fn agenda(settings: &Settings, args: AgendaBenchArgs) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("platform-bench-agenda-{}", std::process::id()));
    let mut targets = Vec::new();
    let mut sqlite = bench_settings(settings);
    sqlite.database_url = None;
    sqlite.data_dir = dir.clone();
    match &settings.database_url {
        Some(url) => {
            let name = if url.starts_with("postgres") {
                "PostgreSQL"
            } else {
                "DATABASE_URL"
            };
            targets.push((name, bench_settings(settings)));
            if args.compare_sqlite {
                targets.push(("embedded SQLite", sqlite));
            }
        }
        None => targets.push(("embedded SQLite", sqlite)),
    }
    let mut rows = Vec::new();
    for (label, target) in &targets {
        match measure(label, target, &args).await {
            Ok(row) => rows.push(row),
            Err(err) => println!("{label}: not measured: {err}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!();
    println!(
        "| database | events (window / stored) | statements per request (audit on / off) | agenda req/s audit on | audit off | floor req/s | agenda / floor | audit cost | p50 ms c{} (agenda / floor) | p50 ms c1 (agenda / floor) |",
        args.connections
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        let ratio = if r.floor.0 > 0.0 {
            r.on.0 / r.floor.0
        } else {
            0.0
        };
        let cost = if r.off.0 > 0.0 {
            (1.0 - r.on.0 / r.off.0) * 100.0
        } else {
            0.0
        };
        println!(
            "| {} | {} / {} | {:.1} / {:.1} | {:.0} | {:.0} | {:.0} | {:.2}x | {:.1} % | {:.1} / {:.1} | {:.1} / {:.1} |",
            r.database,
            r.window,
            r.total,
            r.statements_on,
            r.statements_off,
            r.on.0,
            r.off.0,
            r.floor.0,
            ratio,
            cost,
            r.on.1,
            r.floor.1,
            r.unloaded.0,
            r.unloaded.1
        );
    }
    Ok(())
}
