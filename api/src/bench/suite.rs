//! `api bench`: every figure of the performance issue measured side by side in one
//! run, written to `BENCHMARKS.md`.
//!
//! It prepares PostgreSQL (`DATABASE_URL`, `perfbench` on the local server by
//! default): the demo data and ten years of history, a copy with ten times the past
//! events, presence at real grain. It then starts each server in its own process
//! (the platform with the audit on and off, on 1x and 10x the history, on a fresh
//! embedded SQLite; the floor; PostGraphile as one process and two workers), checks
//! each answers the agenda cleanly, and loads them with `wrk` in `--rounds` (3)
//! alternating rounds. Then ingestion next to `COPY`, scoring the 30-day agenda,
//! start times and peak memory. It asserts nothing: the figures and the targets'
//! verdicts are printed and written, the machine is shared.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Args;
use serde_json::json;

use super::process::{self, Running};
use super::{Figures, agenda, ingest, postgraphile, volume, wrk};
use crate::settings::Settings;
use crate::time::{paris_range, paris_today};

/// The platform answering a new document each time, without the kept answer.
const NEW_QUERY: &str = "platform, new document each time";

/// The database measured when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/perfbench";

/// Options of the full benchmark.
#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// Seconds of load per server and round.
    #[arg(long, default_value_t = 8)]
    pub seconds: u64,
    /// Concurrent connections under load.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Rounds under load, each server in turn in each round; a server's figure is
    /// its mean over the rounds, so a passing disturbance of the shared machine
    /// weighs on one round of one server only.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub rounds: u32,
    /// Where to write the report (between its `api bench` markers when it has them).
    #[arg(long, default_value = "BENCHMARKS.md")]
    pub output: PathBuf,
    /// Skip the presence at real grain (39 million rows, several minutes the first time).
    #[arg(long)]
    pub skip_grain: bool,
}

/// First line of the generated part of the report.
pub const BEGIN: &str = "<!-- api bench: begin (generated, replaced by each run) -->";
/// Last line of the generated part of the report.
pub const END: &str = "<!-- api bench: end -->";

/// Lines printed and kept for the report.
#[derive(Default)]
struct Log(Vec<String>);

impl Log {
    fn say(&mut self, line: impl Into<String>) {
        let line = line.into();
        println!("{line}");
        self.0.push(line);
    }
}

/// A server under load: its label, URL, token and body.
struct Target {
    label: &'static str,
    url: String,
    token: String,
    body: serde_json::Value,
    rounds: Vec<Figures>,
}

impl Target {
    fn mean(&self) -> (f64, f64) {
        let n = self.rounds.len().max(1) as f64;
        (
            self.rounds.iter().map(|f| f.per_second).sum::<f64>() / n,
            self.rounds.iter().map(|f| f.p50_ms).sum::<f64>() / n,
        )
    }
}

fn line(label: &str, f: &Figures) -> String {
    format!(
        "{label:<34} {:>8.1} req/s  p50 {:>7.1} ms  p99 {:>7.1} ms  {:>6} requests  {:>3} errors  {:>7} bytes",
        f.per_second, f.p50_ms, f.p99_ms, f.requests, f.errors, f.bytes
    )
}

/// The folder of tools and keys the benchmark installs: `target/bench-tools`.
fn tools_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(Path::to_path_buf))
        .unwrap_or_else(std::env::temp_dir)
        .join("bench-tools")
}

/// The machine, in one line.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    format!("{cores} cores ({model}), {memory:.0} GB of memory")
}

async fn connect(
    settings: &Settings,
    url: Option<&str>,
    data_dir: &Path,
) -> Result<sea_orm::DatabaseConnection, String> {
    let mut s = settings.clone();
    s.database_url = url.map(str::to_owned);
    s.data_dir = data_dir.to_path_buf();
    crate::db::connect(&s).await.map_err(|e| e.to_string())
}

/// An analyst's token on a platform process.
async fn token(
    settings: &Settings,
    db: &sea_orm::DatabaseConnection,
    running: &Running,
) -> Result<String, String> {
    let (_, token) = super::account(settings, db, &format!("{}/graphql", running.base)).await?;
    Ok(token)
}

/// Runs the benchmark and writes the report.
pub async fn run(settings: &Settings, args: SuiteArgs) -> Result<(), String> {
    let began = Instant::now();
    let mut log = Log::default();
    let url = settings
        .database_url
        .clone()
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    if !url.starts_with("postgres") {
        return Err(
            "api bench measures on PostgreSQL: DATABASE_URL must be postgres://...".to_owned(),
        );
    }
    let name = volume::database_name(&url);
    let admin = volume::with_database(&url, "postgres");
    let name_10x = format!("{name}_10x");
    let url_10x = volume::with_database(&url, &name_10x);
    let tools = tools_dir();
    let keys = tools.join("data");
    std::fs::create_dir_all(&keys).map_err(|e| e.to_string())?;
    let mut settings = agenda::bench_settings(settings);
    settings.data_dir = keys.clone();
    let wrk_installed = wrk::available();
    if !wrk_installed {
        log.say("wrk is not installed (Debian/Ubuntu: apt-get install -y wrk): the in-process client measures instead");
    }

    // The databases.
    log.say(format!("== preparing PostgreSQL ({name}, {name_10x})"));
    let created = volume::ensure(&admin, &name, None).await?;
    let first =
        process::platform(Some(url.as_str()), &keys, true, Duration::from_secs(900)).await?;
    let first_start = first.started_in;
    drop(first);
    log.say(format!(
        "{name}: {} start of the platform in {:.1} s (migrations, demo data, ten years of history, first model)",
        if created { "first" } else { "a" },
        first_start.as_secs_f64()
    ));
    let db = connect(&settings, Some(url.as_str()), &keys).await?;
    let imported = crate::seed::reference::run(&db)
        .await
        .map_err(|e| e.to_string())?;
    if !imported.is_empty() {
        log.say(format!(
            "{name}: reference data imported (weather, calendars, 111 quartiers, stops)"
        ));
    }
    db.close().await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    if volume::ensure(&admin, &name_10x, Some(name.as_str())).await? {
        let db10 = connect(&settings, Some(url_10x.as_str()), &keys).await?;
        let total = volume::multiply_history(&db10).await?;
        db10.close().await.map_err(|e| e.to_string())?;
        log.say(format!(
            "{name_10x}: copied and its past events multiplied by {} in {:.0} s ({total} events)",
            volume::HISTORY_FACTOR,
            started.elapsed().as_secs_f64()
        ));
    }
    let db = connect(&settings, Some(url.as_str()), &keys).await?;
    if args.skip_grain {
        log.say("presence at real grain: skipped (--skip-grain)");
    } else {
        let grain = volume::presence_grain(&db).await?;
        log.say(format!(
            "presence at real grain: {} quartiers x 96 quarter hours x {} days: {} observation rows, table {}, indexes {}{}",
            grain.quartiers,
            volume::GRAIN_DAYS,
            grain.rows,
            grain.table,
            grain.indexes,
            grain
                .generated_in
                .map_or(" (generated by an earlier run)".to_owned(), |s| format!(
                    ", generated in {s:.0} s by one INSERT ... SELECT generate_series"
                ))
        ));
        for read in volume::explain_time_reads(&db).await? {
            log.say(format!("  EXPLAIN ANALYZE {read}"));
        }
    }
    let (total, window) = agenda::sizes(&settings_for(&settings, &url)).await?;
    let (total_10x, _) = agenda::sizes(&settings_for(&settings, &url_10x)).await?;
    log.say(format!(
        "agenda: {window} events in the 30-day window; {total} events stored (1x), {total_10x} (10x)"
    ));

    // The servers.
    log.say("== starting the servers");
    let on = process::platform(Some(url.as_str()), &keys, true, Duration::from_secs(300)).await?;
    let off = process::platform(Some(url.as_str()), &keys, false, Duration::from_secs(300)).await?;
    let tenfold = process::platform(
        Some(url_10x.as_str()),
        &keys,
        true,
        Duration::from_secs(300),
    )
    .await?;
    log.say(format!(
        "platform start on a prepared database (spawn to first answer): {:.2} s",
        on.started_in.as_secs_f64()
    ));
    let sqlite_dir =
        std::env::temp_dir().join(format!("platform-bench-sqlite-{}", std::process::id()));
    let sqlite = process::platform(None, &sqlite_dir, true, Duration::from_secs(900)).await?;
    log.say(format!(
        "embedded SQLite: fresh, seeded at its first start in {:.0} s",
        sqlite.started_in.as_secs_f64()
    ));
    let db_10x = connect(&settings, Some(url_10x.as_str()), &keys).await?;
    let db_sqlite = connect(&settings, None, &sqlite_dir).await?;
    let query = json!({ "query": agenda::QUERY });
    let mut targets = vec![
        Target {
            label: "platform, audit on",
            url: format!("{}/graphql", on.base),
            token: token(&settings, &db, &on).await?,
            body: query.clone(),
            rounds: vec![],
        },
        Target {
            label: "platform, audit off",
            url: format!("{}/graphql", off.base),
            token: token(&settings, &db, &off).await?,
            body: query.clone(),
            rounds: vec![],
        },
        Target {
            label: "platform, 10x history",
            url: format!("{}/graphql", tenfold.base),
            token: token(&settings, &db_10x, &tenfold).await?,
            body: query.clone(),
            rounds: vec![],
        },
        Target {
            label: "platform, embedded SQLite",
            url: format!("{}/graphql", sqlite.base),
            token: token(&settings, &db_sqlite, &sqlite).await?,
            body: query.clone(),
            rounds: vec![],
        },
    ];
    // The same agenda as a new document on each request (a comment that changes):
    // no kept answer serves it, every field is resolved.
    targets.push(Target {
        label: NEW_QUERY,
        url: format!("{}/graphql", on.base),
        token: token(&settings, &db, &on).await?,
        body: json!({ "query": format!("{} #{}", agenda::QUERY, wrk::VARY) }),
        rounds: vec![],
    });
    let floor_url = agenda::serve_floor(&settings_for(&settings, &url)).await?;
    targets.push(Target {
        label: "floor (one SQL statement)",
        url: floor_url,
        token: String::new(),
        body: query.clone(),
        rounds: vec![],
    });
    let mut graphile = Vec::new();
    match postgraphile::install(&tools) {
        Ok(bin) => {
            postgraphile::prepare(&db).await?;
            let (start, end) = paris_range(paris_today(Utc::now()), 30);
            for (workers, label) in [
                (1, "PostGraphile, 1 process"),
                (2, "PostGraphile, 2 workers"),
            ] {
                match postgraphile::start(&bin, &url, workers).await {
                    Ok(server) => {
                        targets.push(Target {
                            label,
                            url: server.base.clone(),
                            token: String::new(),
                            body: postgraphile::query(start, end),
                            rounds: vec![],
                        });
                        graphile.push(server);
                    }
                    Err(err) => log.say(format!("{label}: not started: {err}")),
                }
            }
        }
        Err(err) => log.say(format!("PostGraphile: not installed: {err}")),
    }

    // The peak of the start (migrations check, the start-up scoring pass, for the
    // fresh SQLite its whole seeding and first model) apart from the peak while
    // serving.
    let startup_peaks: Vec<f64> = [&on, &off, &tenfold, &sqlite]
        .iter()
        .map(|r| r.reset_peak().unwrap_or(0.0))
        .collect();
    log.say(format!(
        "peak resident memory at start-up (VmHWM): platform audit on {:.1} MiB, audit off {:.1}, 10x {:.1}, SQLite {:.1} (seeding and training included); reset, the peaks below are while serving",
        startup_peaks[0], startup_peaks[1], startup_peaks[2], startup_peaks[3]
    ));

    let split = |r: &Running| {
        r.resident_split().map_or_else(
            || "unknown".to_owned(),
            |(anon, file)| {
                format!("{anon:.1} MiB heap and stacks, {file:.1} MiB files (the binary's code)")
            },
        )
    };
    log.say(format!(
        "resident memory of the platform (audit on) at rest after start-up: {}",
        split(&on)
    ));

    // Each answers cleanly, or is left out.
    let mut checked = Vec::new();
    for target in targets {
        match wrk::probe(&target.url, &target.token, &target.body).await {
            Ok(bytes) => {
                // Warm up connections and caches.
                let _ = super::load(&target.url, &target.token, &target.body, 1, 2).await;
                log.say(format!(
                    "{:<34} answers the agenda: {bytes} bytes",
                    target.label
                ));
                checked.push(target);
            }
            Err(err) => log.say(format!("{:<34} left out, its answer: {err}", target.label)),
        }
    }
    let mut targets = checked;

    // Unloaded latency, then alternating rounds under load.
    let generator = if wrk_installed {
        "wrk"
    } else {
        "in-process client"
    };
    log.say(format!(
        "== one connection, {} s each ({generator})",
        (args.seconds / 2).max(2)
    ));
    let mut unloaded = Vec::new();
    for target in targets.iter().filter(|t| {
        matches!(
            t.label,
            "platform, audit on"
                | NEW_QUERY
                | "floor (one SQL statement)"
                | "PostGraphile, 1 process"
        )
    }) {
        let f = wrk::load(
            &target.url,
            &target.token,
            &target.body,
            (args.seconds / 2).max(2),
            1,
        )
        .await;
        log.say(line(target.label, &f));
        unloaded.push((target.label, f.p50_ms));
    }
    log.say(format!(
        "== {} connections, {} s per server and round, client and server on the same machine ({generator})",
        args.connections, args.seconds
    ));
    for round in 1..=args.rounds {
        for target in &mut targets {
            let f = wrk::load(
                &target.url,
                &target.token,
                &target.body,
                args.seconds,
                args.connections,
            )
            .await;
            log.say(line(&format!("{} (round {round})", target.label), &f));
            target.rounds.push(f);
        }
    }

    // The agenda's peak apart from the ingestion's.
    let serving_peak = on.reset_peak().unwrap_or(0.0);
    log.say(format!(
        "resident memory of the platform (audit on) right after the agenda's load: {}",
        split(&on)
    ));

    // Ingestion next to COPY, on the platform with the audit on.
    log.say("== ingestion of presence batches (999 cells each, 4 connections, 8 s) next to COPY");
    let ingestion = match super::presence_token(&db).await {
        Ok(partner) => ingest::measure(&db, &format!("{}/graphql", on.base), &partner, 8, 4).await,
        Err(err) => Err(err),
    };
    match &ingestion {
        Ok(i) => log.say(format!(
            "ingestion API: {} cells in {:.0} cells/s ({} batches refused); COPY of the same rows: {:.0} cells/s",
            i.cells, i.api_per_second, i.refused, i.copy_per_second
        )),
        Err(err) => log.say(format!("ingestion: not measured: {err}")),
    }

    // Scoring the 30-day agenda, on the 1x database.
    let scored = Instant::now();
    let (ctx, operation) = crate::services::scoring::scoring_task("api bench");
    let change = crate::services::work::Change::new(&ctx, &operation);
    let pass = crate::services::scoring::rescore_window(
        &db,
        change,
        paris_today(Utc::now()),
        crate::services::scoring::RESCORE_WINDOW_DAYS,
        true,
    )
    .await
    .map_err(|e| e.to_string())?;
    let scoring_ms = scored.elapsed().as_secs_f64() * 1e3;
    log.say(format!(
        "scoring the 30-day agenda: {} events, {} assessments stored in {scoring_ms:.0} ms",
        pass.events, pass.assessed
    ));

    // Peak memory.
    let rss = |r: &Running| r.peak_rss_mib().unwrap_or(0.0);
    log.say(format!(
        "peak resident memory while serving (VmHWM): platform audit on {serving_peak:.1} MiB (then {:.1} MiB while ingesting), audit off {:.1}, 10x {:.1}, SQLite {:.1}{}",
        rss(&on),
        rss(&off),
        rss(&tenfold),
        rss(&sqlite),
        graphile
            .iter()
            .zip(["PostGraphile 1 process", "PostGraphile 2 workers (master and workers)"])
            .map(|(g, label)| format!(", {label} {:.1}", process::peak_rss_tree(g.child_id()).unwrap_or(0.0)))
            .collect::<String>()
    ));

    // The summary.
    let mean = |label: &str| targets.iter().find(|t| t.label == label).map(Target::mean);
    let figure = |label: &str| mean(label).map_or(0.0, |m| m.0);
    let unloaded_p50 = |label: &str| unloaded.iter().find(|u| u.0 == label).map_or(0.0, |u| u.1);
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    log.say("");
    log.say(format!(
        "| server | req/s c{} | p50 ms c{} | p50 ms c1 | peak RSS MiB |",
        args.connections, args.connections
    ));
    log.say("|---|---|---|---|---|");
    let memory = |label: &str| match label {
        "platform, audit on" => format!("{serving_peak:.1}"),
        "platform, audit off" => format!("{:.1}", rss(&off)),
        "platform, 10x history" => format!("{:.1}", rss(&tenfold)),
        "platform, embedded SQLite" => format!("{:.1}", rss(&sqlite)),
        "PostGraphile, 1 process" => graphile
            .first()
            .and_then(|g| process::peak_rss_tree(g.child_id()))
            .map_or("-".to_owned(), |m| format!("{m:.1}")),
        "PostGraphile, 2 workers" => graphile
            .get(1)
            .and_then(|g| process::peak_rss_tree(g.child_id()))
            .map_or("-".to_owned(), |m| format!("{m:.1}")),
        _ => "-".to_owned(),
    };
    for t in &targets {
        let c1 = unloaded
            .iter()
            .find(|u| u.0 == t.label)
            .map_or("-".to_owned(), |u| format!("{:.1}", u.1));
        log.say(format!(
            "| {} | {:.0} | {:.1} | {c1} | {} |",
            t.label,
            t.mean().0,
            t.mean().1,
            memory(t.label)
        ));
    }
    let agenda_rate = figure("platform, audit on");
    let (ingest_ratio, ingest_text) = match &ingestion {
        Ok(i) => (
            ratio(i.api_per_second, i.copy_per_second),
            format!("{:.0} / {:.0} cells/s", i.api_per_second, i.copy_per_second),
        ),
        Err(_) => (0.0, "not measured".to_owned()),
    };
    let checks: Vec<(&str, String, Option<bool>)> = vec![
        (
            "agenda / floor >= 0.5x",
            format!(
                "{:.2}x",
                ratio(agenda_rate, figure("floor (one SQL statement)"))
            ),
            Some(ratio(agenda_rate, figure("floor (one SQL statement)")) >= 0.5),
        ),
        (
            "agenda / PostGraphile 2 workers >= 2x",
            format!(
                "{:.2}x",
                ratio(agenda_rate, figure("PostGraphile, 2 workers"))
            ),
            Some(ratio(agenda_rate, figure("PostGraphile, 2 workers")) >= 2.0),
        ),
        (
            "agenda / PostGraphile 1 process (for reference)",
            format!(
                "{:.2}x",
                ratio(agenda_rate, figure("PostGraphile, 1 process"))
            ),
            None,
        ),
        (
            "new document each time / floor (no kept answer; for reference)",
            format!(
                "{:.2}x",
                ratio(figure(NEW_QUERY), figure("floor (one SQL statement)"))
            ),
            None,
        ),
        (
            "unloaded p50 <= 2x floor",
            format!(
                "{:.1} / {:.1} ms = {:.2}x",
                unloaded_p50("platform, audit on"),
                unloaded_p50("floor (one SQL statement)"),
                ratio(
                    unloaded_p50("platform, audit on"),
                    unloaded_p50("floor (one SQL statement)")
                )
            ),
            Some({
                let r = ratio(
                    unloaded_p50("platform, audit on"),
                    unloaded_p50("floor (one SQL statement)"),
                );
                r > 0.0 && r <= 2.0
            }),
        ),
        (
            "10x history / 1x >= 0.9",
            format!(
                "{:.2}x",
                ratio(figure("platform, 10x history"), agenda_rate)
            ),
            Some(ratio(figure("platform, 10x history"), agenda_rate) >= 0.9),
        ),
        (
            "SQLite / PostgreSQL >= 0.8x",
            format!(
                "{:.2}x",
                ratio(figure("platform, embedded SQLite"), agenda_rate)
            ),
            Some(ratio(figure("platform, embedded SQLite"), agenda_rate) >= 0.8),
        ),
        (
            "audit cost <= 10 %",
            format!(
                "{:.1} %",
                (1.0 - ratio(agenda_rate, figure("platform, audit off"))) * 100.0
            ),
            Some(
                agenda_rate > 0.0
                    && 1.0 - ratio(agenda_rate, figure("platform, audit off")) <= 0.10,
            ),
        ),
        (
            "ingestion / COPY >= 0.25x",
            format!("{ingest_text} = {ingest_ratio:.2}x"),
            Some(ingest_ratio >= 0.25),
        ),
        (
            "peak RSS of the server < 64 MiB",
            format!(
                "{serving_peak:.1} MiB serving the agenda, {:.1} MiB ingesting, {:.1} MiB at start-up",
                rss(&on),
                startup_peaks[0]
            ),
            Some(serving_peak > 0.0 && serving_peak.max(rss(&on)).max(startup_peaks[0]) < 64.0),
        ),
    ];
    log.say("");
    log.say("| target | measured | met |");
    log.say("|---|---|---|");
    for (target, measured, met) in &checks {
        let verdict = match met {
            Some(true) => "yes",
            Some(false) => "no",
            None => "-",
        };
        log.say(format!("| {target} | {measured} | {verdict} |"));
    }
    log.say("");
    log.say(format!(
        "scoring the 30-day agenda: {scoring_ms:.0} ms; platform start on a prepared database: {:.2} s; whole run: {:.0} s",
        on.started_in.as_secs_f64(),
        began.elapsed().as_secs_f64()
    ));
    drop(graphile);
    drop((on, off, tenfold, sqlite));
    let _ = std::fs::remove_dir_all(&sqlite_dir);
    let version = volume_version(&db).await;
    write_report(&args.output, &log.0, &machine(), &version, generator)
}

fn settings_for(settings: &Settings, url: &str) -> Settings {
    let mut s = settings.clone();
    s.database_url = Some(url.to_owned());
    s
}

async fn volume_version(db: &sea_orm::DatabaseConnection) -> String {
    use sea_orm::ConnectionTrait;
    db.query_one_raw(sea_orm::Statement::from_string(
        sea_orm::DbBackend::Postgres,
        "SHOW server_version".to_owned(),
    ))
    .await
    .ok()
    .flatten()
    .and_then(|r| r.try_get_by_index::<String>(0).ok())
    .map_or("PostgreSQL".to_owned(), |v| format!("PostgreSQL {v}"))
}

/// Writes the run into `path`, between the markers when it has them.
fn write_report(
    path: &Path,
    lines: &[String],
    machine: &str,
    postgres: &str,
    generator: &str,
) -> Result<(), String> {
    let mut section = vec![
        BEGIN.to_owned(),
        String::new(),
        format!(
            "Last run: {} UTC, on {machine}, {postgres} on the same machine (default settings), load by {generator}, `--release` build; the machine is shared, so ratios measured side by side in one run say more than absolute figures.",
            Utc::now().format("%Y-%m-%d %H:%M")
        ),
        String::new(),
        "```".to_owned(),
    ];
    let table_start = lines
        .iter()
        .position(|l| l.starts_with("| server"))
        .unwrap_or(lines.len());
    section.extend(lines[..table_start].iter().cloned());
    section.push("```".to_owned());
    section.push(String::new());
    section.extend(lines[table_start..].iter().cloned());
    section.push(String::new());
    section.push(END.to_owned());
    let section = section.join("\n");
    let current = std::fs::read_to_string(path).unwrap_or_default();
    let text = match (current.find(BEGIN), current.find(END)) {
        (Some(b), Some(e)) if b < e => {
            format!("{}{section}{}", &current[..b], &current[e + END.len()..])
        }
        _ if current.is_empty() => format!("# Benchmarks\n\n{section}\n"),
        _ => format!("{}\n{section}\n", current.trim_end()),
    };
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("written to {}", path.display());
    Ok(())
}
