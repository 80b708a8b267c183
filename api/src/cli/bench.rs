//! `api bench scoring|agenda`: times the platform's heavy paths. Benchmarks print
//! figures and assert nothing: machines differ and are shared.

use std::time::Instant;

use clap::{Args, Subcommand};

use super::CliError;
use super::platform::Platform;
use crate::seed::history::HOLDOUT_YEARS;
use crate::services::history::{self, HistoryPlan};
use crate::services::scoring::models;
use crate::services::scoring::{self as service, RESCORE_WINDOW_DAYS};
use crate::settings::Settings;
use crate::{seed, time};

/// `api bench [...]`: without a command, every figure of `BENCHMARKS.md` in one run.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    /// One benchmark alone.
    #[command(subcommand)]
    pub command: Option<BenchCommand>,
    /// Options of the full run.
    #[command(flatten)]
    pub suite: crate::bench::SuiteArgs,
}

/// `api bench ...`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Times storing ten years of history, training on it and scoring the 30-day agenda, on a fresh SQLite database.
    Scoring,
    /// Load-tests the 30-day agenda query over HTTP, with and without the audit, and prints throughput and latency.
    Agenda(crate::bench::AgendaBenchArgs),
    /// Sends the abuse suite (nested fragments, aliases, repeated fields, huge names and e-mails, parallel logins, extreme dates) to a fresh server and prints the worst request time and the peak memory.
    Abuse,
    /// Measures the latency from an accepted presence batch to the density alert received by each of 1, 100 and 500 WebSocket subscribers (fresh temporary SQLite), and prints p50, p99 and the messages lost.
    Live(crate::bench::LiveBenchArgs),
    /// Runs the platform as the full benchmark measures it, in a process of its own.
    #[command(hide = true)]
    Server(crate::bench::ServerArgs),
}

fn ms(since: Instant) -> String {
    format!("{:>9.1} ms", since.elapsed().as_secs_f64() * 1e3)
}

/// Runs the full benchmark, or one of them (`api bench scoring` on a fresh SQLite
/// database in a temporary folder).
pub async fn run(settings: &Settings, args: BenchArgs) -> Result<(), CliError> {
    let Some(command) = args.command else {
        return crate::bench::suite::run(settings, args.suite)
            .await
            .map_err(CliError::CheckFailed);
    };
    match command {
        BenchCommand::Server(args) => {
            return crate::bench::server(settings, args)
                .await
                .map_err(CliError::CheckFailed);
        }
        BenchCommand::Agenda(args) => {
            return crate::bench::agenda(settings, args)
                .await
                .map_err(CliError::CheckFailed);
        }
        BenchCommand::Abuse => {
            return crate::bench::abuse(settings)
                .await
                .map_err(CliError::CheckFailed);
        }
        BenchCommand::Live(args) => {
            return crate::bench::live(settings, args)
                .await
                .map_err(CliError::CheckFailed);
        }
        BenchCommand::Scoring => {}
    }
    let dir = std::env::temp_dir().join(format!("platform-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| CliError::file(&dir, e))?;
    let mut bench_settings = settings.clone();
    bench_settings.database_url = Some(format!(
        "sqlite://{}?mode=rwc",
        dir.join("bench.db").display()
    ));
    let outcome = run_bench(&bench_settings).await;
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

async fn run_bench(settings: &Settings) -> Result<(), CliError> {
    let platform = Platform::open(settings).await?;
    let conn = &platform.db;
    let today = time::paris_today(chrono::Utc::now());
    let started = Instant::now();
    seed::run(conn, today).await?;
    println!(
        "seed reference data and 30-day agenda        {}",
        ms(started)
    );

    let yesterday = today.pred_opt().unwrap_or(today);
    let started = Instant::now();
    let report = history::seed_history(conn, &HistoryPlan::ten_years_to(yesterday), &()).await?;
    println!(
        "generate and store ten years ({} events) {}",
        report.events,
        ms(started)
    );

    let started = Instant::now();
    let rows = models::load_history(conn, &()).await?;
    println!(
        "load the history ({} rows)             {}",
        rows.len(),
        ms(started)
    );
    let started = Instant::now();
    let model = scoring::train(&rows, &scoring::model::TrainOptions::default())
        .map_err(|e| CliError::CheckFailed(e.to_string()))?;
    println!(
        "train on ten years (3 fields)               {}",
        ms(started)
    );
    println!(
        "stored model: {} bytes of JSON",
        serde_json::to_string(&model).map_or(0, |j| j.len())
    );

    let started = Instant::now();
    let training = models::train_and_publish(conn, HOLDOUT_YEARS, "api bench", &()).await?;
    println!(
        "load, backtest, train and publish           {}",
        ms(started)
    );

    let started = Instant::now();
    let (ctx, operation) = service::scoring_task("benchmark");
    let change = crate::services::work::Change::new(&ctx, &operation);
    let pass = service::rescore_window(conn, change, today, RESCORE_WINDOW_DAYS, true).await?;
    println!(
        "score the 30-day agenda ({} events, {} stored) {}",
        pass.events,
        pass.assessed,
        ms(started)
    );
    let started = Instant::now();
    let again = service::rescore_window(conn, change, today, RESCORE_WINDOW_DAYS, false).await?;
    println!(
        "re-score it unchanged ({} stored)            {}",
        again.assessed,
        ms(started)
    );
    super::model::print_training(&training);
    Ok(())
}
