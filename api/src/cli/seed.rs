//! `api seed`: the demo data (reference data, the 30-day agenda, ten years of
//! history, a first model), idempotent; and `api migrate`.

use super::CliError;
use super::platform::Platform;
use crate::{seed, time};

/// Runs `api migrate`: opening the platform applies pending migrations.
pub async fn migrate(platform: &Platform) -> Result<(), CliError> {
    let _ = platform;
    println!("migrations applied");
    Ok(())
}

/// Runs `api seed`.
pub async fn run(platform: &Platform) -> Result<(), CliError> {
    let report = seed::run(&platform.db, time::paris_today(chrono::Utc::now())).await?;
    println!(
        "seeded {} reference rows, {} days, {} events",
        report.reference_rows, report.days, report.events
    );
    super::model::seed_history(&platform.db).await
}
