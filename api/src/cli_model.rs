//! The scoring commands: `api model train|backtest|card`, `api import
//! weather|holidays <file>` and `api bench scoring`. Long steps draw progress bars;
//! results are printed as tables people can read.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;

use crate::error::ApiError;
use crate::seed::history::HOLDOUT_YEARS;
use crate::services::history::{self, HistoryPlan};
use crate::services::scoring::models::{self, Progress};
use crate::services::scoring::{self as service, RESCORE_WINDOW_DAYS, imports};
use crate::settings::Settings;
use crate::{db, seed, time};

/// `api model ...`
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Train on the stored history, backtest on its last years, publish the model and re-score the coming 30 days.
    Train {
        /// Calendar years held out by the backtest (0: no backtest).
        #[arg(long, default_value_t = HOLDOUT_YEARS)]
        holdout_years: u32,
    },
    /// Backtest on the stored history without publishing anything.
    Backtest {
        /// Calendar years held out.
        #[arg(long, default_value_t = HOLDOUT_YEARS)]
        holdout_years: u32,
    },
    /// Print the current model's card.
    Card,
}

/// `api import ...`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Météo-France daily climatology (key-columns CSV or DPClim export).
    Weather {
        /// The CSV file.
        file: PathBuf,
    },
    /// Public holidays (`jours_feries`) or daily school holidays (`vacances-scolaires`, zone B kept).
    Holidays {
        /// The CSV file.
        file: PathBuf,
    },
}

/// `api bench ...`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Times storing ten years of history, training on it and scoring the 30-day agenda, on a fresh SQLite database.
    Scoring,
    /// Load-tests the 30-day agenda query over HTTP, with and without the audit, and prints throughput and latency.
    Agenda(crate::bench::AgendaBenchArgs),
}

/// A spinner that shows the stage and the rows done.
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg} {pos}/{len}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(bar)
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str) {
        self.0.set_message(name.to_owned());
        self.0.set_length(0);
        self.0.set_position(0);
    }
    fn rows(&self, done: u64, total: u64) {
        self.0.set_length(total);
        self.0.set_position(done);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

fn text(err: ApiError) -> String {
    match err {
        ApiError::Internal(cause) => cause.chain(),
        other => other.to_string(),
    }
}

async fn connect(settings: &Settings) -> Result<DatabaseConnection, String> {
    let conn = db::connect(settings).await.map_err(|e| e.to_string())?;
    db::migrate(&conn).await.map_err(|e| e.to_string())?;
    Ok(conn)
}

fn print_training(training: &models::Training) {
    let model = &training.published.model;
    println!(
        "published {} (trained on {} events, {} to {})",
        model.version,
        model.training_window.events,
        model.training_window.first,
        model.training_window.last
    );
    println!("field         family              theta  dispersion  iterations");
    for field in &model.fields {
        println!(
            "{:<12}  {:<18}  {:>5}  {:>10.2}  {:>10}",
            field.field.as_str(),
            format!("{:?}", field.family),
            field.theta.map_or("-".to_owned(), |t| format!("{t:.2}")),
            field.pearson_dispersion,
            field.iterations
        );
    }
    if let Some(report) = &training.backtest {
        print_backtest(report);
    }
}

fn print_backtest(report: &scoring::backtest::BacktestReport) {
    println!("\nbacktest");
    print!("{}", report.table());
    let failures = report.floor_failures(&scoring::backtest::PUBLICATION_FLOORS);
    if failures.is_empty() {
        println!("all publication floors met");
    } else {
        println!("floors missed: {}", failures.join("; "));
    }
}

/// The history part of `api seed`: ten years up to yesterday (once), a first model
/// if none exists, and the coming 30 days scored.
pub async fn seed_history(conn: &DatabaseConnection) -> Result<(), String> {
    let today = time::paris_today(chrono::Utc::now());
    let (report, training) = {
        let bar = Bar::new();
        let report = seed::history::run(conn, today, &bar).await.map_err(text)?;
        let training = seed::history::train_if_missing(conn, &bar)
            .await
            .map_err(text)?;
        (report, training)
    };
    if report.already_there {
        println!("history already seeded");
    } else {
        println!("seeded {} past events with their incidents", report.events);
    }
    if let Some(training) = &training {
        print_training(training);
    }
    let pass = service::rescore_window(conn, today, RESCORE_WINDOW_DAYS, false)
        .await
        .map_err(text)?;
    println!(
        "scored the coming {RESCORE_WINDOW_DAYS} days: {} new assessments",
        pass.assessed
    );
    Ok(())
}

/// Runs `api model ...`.
pub async fn model(settings: &Settings, command: ModelCommand) -> Result<(), String> {
    let conn = connect(settings).await?;
    match command {
        ModelCommand::Train { holdout_years } => {
            let training = {
                let bar = Bar::new();
                models::train_and_publish(&conn, holdout_years, "api model train", &bar)
                    .await
                    .map_err(text)?
            };
            print_training(&training);
            let pass = service::rescore_window(
                &conn,
                time::paris_today(chrono::Utc::now()),
                RESCORE_WINDOW_DAYS,
                false,
            )
            .await
            .map_err(text)?;
            println!(
                "re-scored the coming {RESCORE_WINDOW_DAYS} days: {} events, {} new assessments{}",
                pass.events,
                pass.assessed,
                if pass.skipped {
                    " (scoring paused)"
                } else {
                    ""
                }
            );
        }
        ModelCommand::Backtest { holdout_years } => {
            let report = {
                let bar = Bar::new();
                models::backtest(&conn, holdout_years, &bar)
                    .await
                    .map_err(text)?
            };
            print_backtest(&report);
        }
        ModelCommand::Card => match service::current_model(&conn).await.map_err(text)? {
            Some(published) => print!("{}", scoring::model_card(&published.model).to_text()),
            None => return Err("no model yet: run `api seed` then `api model train`".into()),
        },
    }
    Ok(())
}

/// Runs `api import ...`.
pub async fn import(settings: &Settings, command: ImportCommand) -> Result<(), String> {
    let (path, weather) = match &command {
        ImportCommand::Weather { file } => (file, true),
        ImportCommand::Holidays { file } => (file, false),
    };
    let content = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let conn = connect(settings).await?;
    let stored = if weather {
        let records = imports::parse_weather(&content).map_err(text)?;
        imports::store_weather(&conn, &records)
            .await
            .map_err(text)?
    } else {
        let records = imports::parse_holidays(&content).map_err(text)?;
        imports::store_holidays(&conn, &records)
            .await
            .map_err(text)?
    };
    println!("imported {stored} days from {}", path.display());
    Ok(())
}

fn ms(since: Instant) -> String {
    format!("{:>9.1} ms", since.elapsed().as_secs_f64() * 1e3)
}

/// Runs `api bench scoring` on a fresh SQLite database in a temporary folder.
pub async fn bench(settings: &Settings, command: BenchCommand) -> Result<(), String> {
    if let BenchCommand::Agenda(args) = command {
        return crate::bench::agenda(settings, args).await;
    }
    let dir = std::env::temp_dir().join(format!("platform-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut bench_settings = settings.clone();
    bench_settings.database_url = Some(format!(
        "sqlite://{}?mode=rwc",
        dir.join("bench.db").display()
    ));
    let outcome = run_bench(&bench_settings).await;
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

async fn run_bench(settings: &Settings) -> Result<(), String> {
    let conn = connect(settings).await?;
    let today = time::paris_today(chrono::Utc::now());
    let started = Instant::now();
    seed::run(&conn, today).await.map_err(|e| e.to_string())?;
    println!(
        "seed reference data and 30-day agenda        {}",
        ms(started)
    );

    let yesterday = today.pred_opt().unwrap_or(today);
    let started = Instant::now();
    let report = history::seed_history(&conn, &HistoryPlan::ten_years_to(yesterday), &())
        .await
        .map_err(text)?;
    println!(
        "generate and store ten years ({} events) {}",
        report.events,
        ms(started)
    );

    let started = Instant::now();
    let rows = models::load_history(&conn, &()).await.map_err(text)?;
    println!(
        "load the history ({} rows)             {}",
        rows.len(),
        ms(started)
    );
    let started = Instant::now();
    let model = scoring::train(&rows, &scoring::model::TrainOptions::default())
        .map_err(|e| e.to_string())?;
    println!(
        "train on ten years (3 fields)               {}",
        ms(started)
    );
    println!(
        "stored model: {} bytes of JSON",
        serde_json::to_string(&model).map_or(0, |j| j.len())
    );

    let started = Instant::now();
    let training = models::train_and_publish(&conn, HOLDOUT_YEARS, "api bench", &())
        .await
        .map_err(text)?;
    println!(
        "load, backtest, train and publish           {}",
        ms(started)
    );

    let started = Instant::now();
    let pass = service::rescore_window(&conn, today, RESCORE_WINDOW_DAYS, true)
        .await
        .map_err(text)?;
    println!(
        "score the 30-day agenda ({} events, {} stored) {}",
        pass.events,
        pass.assessed,
        ms(started)
    );
    let started = Instant::now();
    let again = service::rescore_window(&conn, today, RESCORE_WINDOW_DAYS, false)
        .await
        .map_err(text)?;
    println!(
        "re-score it unchanged ({} stored)            {}",
        again.assessed,
        ms(started)
    );
    print_training(&training);
    Ok(())
}
