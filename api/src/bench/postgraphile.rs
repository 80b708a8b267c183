//! PostGraphile 4 on the same PostgreSQL database: the server a city would pick
//! instead. Installed by the benchmark from npm (`npm install postgraphile@4` into
//! `target/bench-tools/postgraphile`, never committed), started as one process and
//! as two cluster workers, and asked for the same fields as the platform's agenda.
//!
//! PostGraphile has no overlap filter on its own, so the window is a SQL function
//! in a schema of its own (`postgraphile_bench.agenda_events`), which it exposes as
//! `agendaEvents(windowStart, windowEnd)`; it uses the same bound as the platform
//! (window start minus the longest event) so both read the window by an index range.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

use super::process::{Running, free_port, wait_for};

/// The version installed.
pub const PACKAGE: &str = "postgraphile@4";

/// The window function PostGraphile exposes (replaced on every run).
const FUNCTION: &str = r#"
CREATE SCHEMA IF NOT EXISTS postgraphile_bench;
CREATE OR REPLACE FUNCTION postgraphile_bench.agenda_events(window_start timestamptz, window_end timestamptz)
RETURNS SETOF public.event LANGUAGE sql STABLE AS $$
  SELECT e.* FROM public.event e
   WHERE e.starts_at < window_end AND e.ends_at > window_start
     AND e.starts_at >= window_start - make_interval(secs => COALESCE(
           (SELECT max(max_seconds) FROM public.event_extent), 0)::double precision)
   ORDER BY e.starts_at, e.id
$$;
"#;

/// The platform's agenda selection in PostGraphile's schema.
pub fn query(start: DateTime<Utc>, end: DateTime<Utc>) -> serde_json::Value {
    json!({
        "query": "query Agenda($s: Datetime!, $e: Datetime!) { agendaEvents(windowStart: $s, windowEnd: $e) { nodes { id title category status startsAt endsAt expectedAttendance venueByVenueId { name capacity zoneByZoneId { code name } } zoneByZoneId { code } deploymentsByEventId(orderBy: KIND_ASC) { nodes { kind count } } assessmentsByEventId(orderBy: ID_DESC, first: 1) { nodes { riskOverall adequacyOverall modelVersion } } } } }",
        "variables": { "s": start, "e": end }
    })
}

/// Installs PostGraphile under `tools` unless there; the path of its executable.
pub fn install(tools: &Path) -> Result<PathBuf, String> {
    let dir = tools.join("postgraphile");
    let bin = dir.join("node_modules").join(".bin").join("postgraphile");
    if bin.exists() {
        return Ok(bin);
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--silent",
            PACKAGE,
        ])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("npm could not be run ({e}): install Node.js and npm"))?;
    if !status.success() || !bin.exists() {
        return Err(format!("npm install {PACKAGE} failed ({status})"));
    }
    Ok(bin)
}

/// Creates the window function on `db`.
pub async fn prepare(db: &DatabaseConnection) -> Result<(), String> {
    db.execute_unprepared(FUNCTION)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Starts PostGraphile on `database_url` with `workers` cluster workers (1: one
/// plain process); returns it with its GraphQL URL in `base`.
pub(crate) async fn start(
    bin: &Path,
    database_url: &str,
    workers: usize,
) -> Result<Running, String> {
    let port = free_port()?;
    let mut command = Command::new(bin);
    command
        .args(["-c", database_url, "-s", "public,postgraphile_bench"])
        .args(["-n", "127.0.0.1", "-p", &port.to_string()])
        .args(["--disable-query-log", "--disable-graphiql"])
        .env("NODE_ENV", "production")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if workers > 1 {
        command.args(["--cluster-workers", &workers.to_string()]);
    }
    let mut running = wait_for(
        command,
        format!("http://127.0.0.1:{port}"),
        "/graphql",
        Duration::from_secs(120),
    )
    .await?;
    running.base.push_str("/graphql");
    Ok(running)
}
