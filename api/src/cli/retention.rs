//! `api retention run`: purges what is past its retention period, as the server's
//! daily task does, and prints what went.

use clap::Subcommand;

use super::CliError;
use super::platform::{CommandChange, Platform};
use crate::services::retention;

/// `api retention ...`
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Purge now every source's data past its processing activity's retention period
    /// (what the server's daily task does) and print what went.
    Run,
}

/// Runs `api retention ...`.
pub async fn run(platform: &Platform, command: RetentionCommand) -> Result<(), CliError> {
    let RetentionCommand::Run = command;
    let change = CommandChange::new("retention run", "runRetention");
    let result = retention::run_retention(&platform.db, change.change(), chrono::Utc::now()).await;
    let report = change.settle(platform, result).await?;
    for source in report
        .sources
        .iter()
        .filter(|s| s.observations + s.incidents + s.batches > 0)
    {
        println!(
            "{:<28} kept {:>5} days (before {}): {} observations, {} incidents, {} batches purged",
            source.source_code,
            source.retention_days,
            source.cutoff.format("%Y-%m-%d"),
            source.observations,
            source.incidents,
            source.batches
        );
    }
    println!(
        "retention: {} observations, {} incidents, {} batches purged",
        report.observations(),
        report.incidents(),
        report.batches()
    );
    Ok(())
}
