//! `api model train|backtest|card`: training, backtesting and describing the risk
//! model, and the history part of `api seed`. Long steps draw progress bars; results
//! are printed as tables people can read.

use clap::Subcommand;
use sea_orm::DatabaseConnection;

use super::CliError;
use super::platform::{CommandChange, Platform};
use super::progress::Bar;
use crate::seed::history::HOLDOUT_YEARS;
use crate::services::scoring::models;
use crate::services::scoring::{self as service, RESCORE_WINDOW_DAYS};
use crate::{seed, time};

/// `api model ...`
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Train on the stored history and backtest on its last years; publish the model and re-score the coming 30 days when it meets its floors, else store it as rejected and exit with status 3.
    Train {
        /// Calendar years held out by the backtest (0: no backtest, which the publication gate refuses).
        #[arg(long, default_value_t = HOLDOUT_YEARS)]
        holdout_years: u32,
    },
    /// Backtest on the stored history without publishing anything.
    Backtest {
        /// Calendar years held out.
        #[arg(long, default_value_t = HOLDOUT_YEARS)]
        holdout_years: u32,
    },
    /// Publish a model the publication gate refused, with a written reason (audited), and re-score the coming 30 days.
    Publish {
        /// Identifier of the rejected model (printed by `api model train`).
        #[arg(long)]
        id: i64,
        /// Why it is published although it missed its floors (1 to 2,000 characters).
        #[arg(long)]
        reason: String,
    },
    /// Print the current model's card.
    Card,
    /// Print the figures the README and the model card quote: risk and adequacy over the coming 30 days, daily load against the city's totals, the history's yearly totals, the backtest.
    Report {
        /// Calendar years held out by the backtest.
        #[arg(long, default_value_t = HOLDOUT_YEARS)]
        holdout_years: u32,
    },
}

pub fn print_training(training: &models::Training) {
    let model = &training.published.model;
    println!(
        "{} {} (trained on {} events, {} to {})",
        if training.refused.is_some() {
            "rejected"
        } else {
            "published"
        },
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

pub fn print_backtest(report: &scoring::backtest::BacktestReport) {
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
pub async fn seed_history(conn: &DatabaseConnection) -> Result<(), CliError> {
    let today = time::paris_today(chrono::Utc::now());
    let (report, training) = {
        let bar = Bar::new();
        let report = seed::history::run(conn, today, &bar).await?;
        let training = seed::history::train_if_missing(conn, &bar).await?;
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
    let change = CommandChange::new("seed", "rescoreAgenda");
    let pass =
        service::rescore_window(conn, change.change(), today, RESCORE_WINDOW_DAYS, false).await?;
    println!(
        "scored the coming {RESCORE_WINDOW_DAYS} days: {} new assessments",
        pass.assessed
    );
    Ok(())
}

fn share(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

/// `api model report`.
async fn report(conn: &DatabaseConnection, holdout_years: u32) -> Result<(), CliError> {
    use scoring::load;
    let today = time::paris_today(chrono::Utc::now());
    let agenda = service::report::agenda_report(conn, today, RESCORE_WINDOW_DAYS).await?;
    let n = agenda.scored;
    println!(
        "agenda: {} events in the coming {RESCORE_WINDOW_DAYS} days, {n} scored",
        agenda.events
    );
    println!(
        "overall risk >= 7: {} ({:.1} %); < 3: {} ({:.1} %)",
        agenda.high,
        share(agenda.high, n),
        agenda.low,
        share(agenda.low, n)
    );
    let bars: Vec<String> = agenda
        .histogram
        .iter()
        .enumerate()
        .map(|(r, c)| format!("{r}:{c}"))
        .collect();
    println!("by overall risk: {}", bars.join(" "));
    println!(
        "adequacy over 100 %: {} ({:.1} %); exactly 100 %: {}; under 100 %: {} ({:.1} %); no plan filed: {} ({:.1} %); nothing required: {}; plans missing a required kind: {}",
        agenda.over,
        share(agenda.over, n),
        agenda.exact,
        agenda.under,
        share(agenda.under, n),
        agenda.unplanned,
        share(agenda.unplanned, n),
        agenda.nothing_required,
        agenda.with_missing_kind
    );
    let days: Vec<&[f64; 3]> = agenda.days.values().collect();
    if !days.is_empty() {
        let mean = |i: usize| days.iter().map(|d| d[i]).sum::<f64>() / days.len() as f64;
        let max = |i: usize| days.iter().map(|d| d[i]).fold(0.0, f64::max);
        println!(
            "daily expected patients: mean {:.1}, max {:.1} ({:.1} % / {:.1} % of the {:.0} fire-brigade interventions a day)",
            mean(0),
            max(0),
            100.0 * mean(0) / load::CITY_FIRE_BRIGADE_PER_DAY,
            100.0 * max(0) / load::CITY_FIRE_BRIGADE_PER_DAY,
            load::CITY_FIRE_BRIGADE_PER_DAY
        );
        println!(
            "daily expected hospital transfers: mean {:.2}, max {:.2}",
            mean(1),
            max(1)
        );
        println!(
            "daily expected police-relevant incidents: mean {:.1}, max {:.1} (city: {:.0} recorded offences a day)",
            mean(2),
            max(2),
            load::CITY_POLICE_RELEVANT_PER_DAY
        );
    }
    let rows = {
        let bar = Bar::new();
        models::load_history(conn, &bar).await?
    };
    println!(
        "\nhistory (synthetic) by year: events, police-relevant incidents, patients, traffic incidents"
    );
    for y in service::report::yearly_totals(&rows) {
        println!(
            "{}  {:>5}  {:>6} ({:>4.1} % of the city's offences)  {:>6} ({:>4.1} % of BMPM rescues)  {:>6}",
            y.year,
            y.events,
            y.tranquillity,
            100.0 * y.tranquillity as f64 / (365.0 * load::CITY_POLICE_RELEVANT_PER_DAY),
            y.security,
            100.0 * y.security as f64 / (365.0 * load::CITY_RESCUES_PER_DAY),
            y.mobility
        );
    }
    let backtest = {
        let bar = Bar::new();
        models::backtest(conn, holdout_years, &bar).await?
    };
    print_backtest(&backtest);
    Ok(())
}

/// Runs `api model ...`.
pub async fn run(platform: &Platform, command: ModelCommand) -> Result<(), CliError> {
    let conn = &platform.db;
    match command {
        ModelCommand::Train { holdout_years } => {
            let change = CommandChange::new("model train", "trainModel");
            let training = {
                let bar = Bar::new();
                let work = change.change().begin(conn).await?;
                let training =
                    models::train_and_publish(work.txn(), holdout_years, "api model train", &bar)
                        .await?;
                let summary = format!(
                    "trained {}{}",
                    training.published.model.version,
                    training
                        .refused
                        .as_ref()
                        .map(|refused| format!(", refused by the publication gate: {refused}"))
                        .unwrap_or_default()
                );
                work.commit_with_summary(1, Some(summary)).await?;
                training
            };
            print_training(&training);
            if let Some(refused) = &training.refused {
                return Err(CliError::ModelRejected(format!(
                    "the publication gate refused {} ({refused}); it is stored as rejected model {} and scores nothing; to publish it anyway: `api model publish --id {} --reason \"...\"`",
                    training.published.model.version,
                    training.published.row.id,
                    training.published.row.id
                )));
            }
            let change = CommandChange::new("model train", "rescoreAgenda");
            let pass = service::rescore_window(
                conn,
                change.change(),
                time::paris_today(chrono::Utc::now()),
                RESCORE_WINDOW_DAYS,
                false,
            )
            .await?;
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
                models::backtest(conn, holdout_years, &bar).await?
            };
            print_backtest(&report);
        }
        ModelCommand::Publish { id, reason } => {
            let change = CommandChange::new("model publish", "publishModel");
            let result = models::publish(conn, change.change(), id, &reason).await;
            let published = change.settle(platform, result).await?;
            println!(
                "published {} on a written reason; the coming {RESCORE_WINDOW_DAYS} days are re-scored with it",
                published.version
            );
        }
        ModelCommand::Report { holdout_years } => report(conn, holdout_years).await?,
        ModelCommand::Card => match service::current_model(conn).await? {
            Some(published) => print!("{}", scoring::model_card(&published.model).to_text()),
            None => {
                return Err(CliError::Usage(
                    "no model yet: run `api seed` then `api model train`".to_owned(),
                ));
            }
        },
    }
    Ok(())
}
