//! Servers measured in their own process: the platform (`api bench server`, hidden)
//! and PostGraphile. A process of its own gives the server's start time and its peak
//! resident memory (`VmHWM`), which a server inside the benchmark's process would
//! share with the client and the data generators.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Args;

use crate::settings::Settings;
use crate::startup::Application;

/// Options of the hidden `api bench server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Address to listen on.
    #[arg(long)]
    pub bind: String,
    /// Whether operations are audited (`on` or `off`).
    #[arg(long, default_value = "on")]
    pub audit: String,
}

/// The platform as the benchmark runs it: its own settings, with the per-account
/// limit raised (one analyst sends far more than a person would).
pub async fn server(settings: &Settings, args: ServerArgs) -> Result<(), String> {
    let mut settings = super::agenda::bench_settings(settings);
    settings.bind = args.bind;
    settings.audit_enabled = args.audit != "off";
    let app = Application::build(settings)
        .await
        .map_err(|e| e.to_string())?;
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

/// A server process, stopped when dropped.
pub(crate) struct Running {
    child: Child,
    /// Its base URL (`http://127.0.0.1:port`).
    pub base: String,
    /// Time from the spawn to its first answer.
    pub started_in: Duration,
}

impl Running {
    /// Peak resident memory of the process so far, in MiB (`VmHWM`); for a cluster,
    /// of its master only.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        peak_rss_of(self.child.id())
    }

    /// Resident memory now, in MiB: anonymous pages, file pages.
    pub fn resident_split(&self) -> Option<(f64, f64)> {
        resident_split_of(self.child.id())
    }

    /// Resets the peak to the current resident memory (`clear_refs`, Linux 4.0 or
    /// later), so that the next reading is the peak from now on; the peak until
    /// now is returned.
    pub fn reset_peak(&self) -> Option<f64> {
        let before = self.peak_rss_mib();
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5").ok()?;
        before
    }

    /// Its process id.
    pub fn child_id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Peak resident memory of process `pid`, in MiB.
pub(crate) fn peak_rss_of(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Resident memory of `pid` now, in MiB: its anonymous pages (heap, stacks) and its
/// file pages (mostly the executable's code, shared with the page cache).
pub(crate) fn resident_split_of(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib = |key: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((kib("RssAnon:")? / 1024.0, kib("RssFile:")? / 1024.0))
}

/// Sum of the resident memory peaks of `pid` and its children, in MiB.
pub(crate) fn peak_rss_tree(pid: u32) -> Option<f64> {
    let mut total = peak_rss_of(pid)?;
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
        total += peak_rss_tree(child).unwrap_or(0.0);
    }
    Some(total)
}

/// A free port on the loopback interface.
pub(crate) fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Starts the platform (this executable) on `database_url` (the embedded SQLite of
/// `data_dir` when `None`), waits for its `/healthz` and returns it.
pub(crate) async fn platform(
    database_url: Option<&str>,
    data_dir: &Path,
    audit: bool,
    patience: Duration,
) -> Result<Running, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let port = free_port()?;
    let mut command = Command::new(exe);
    command
        .args(["bench", "server", "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["--audit", if audit { "on" } else { "off" }])
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    let base = format!("http://127.0.0.1:{port}");
    wait_for(command, base, "/healthz", patience).await
}

/// Spawns `command` and waits until `base` + `path` answers (GET, any success).
pub(crate) async fn wait_for(
    mut command: Command,
    base: String,
    path: &str,
    patience: Duration,
) -> Result<Running, String> {
    let started = Instant::now();
    let child = command.spawn().map_err(|e| e.to_string())?;
    let mut running = Running {
        child,
        base,
        started_in: Duration::ZERO,
    };
    let client = reqwest::Client::new();
    let url = format!("{}{path}", running.base);
    while started.elapsed() < patience {
        if let Ok(Some(status)) = running.child.try_wait() {
            return Err(format!("the server stopped at start-up ({status})"));
        }
        let answer = if path == "/graphql" {
            client
                .post(&url)
                .json(&serde_json::json!({ "query": "{ __typename }" }))
                .send()
                .await
        } else {
            client.get(&url).send().await
        };
        if answer.is_ok_and(|r| r.status().is_success()) {
            running.started_in = started.elapsed();
            return Ok(running);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("no answer from {url} within {patience:?}"))
}
