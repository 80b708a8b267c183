//! `api audit verify`: recomputes the audit log's hash chain.

use clap::Subcommand;

use super::CliError;
use super::platform::Platform;

/// `api audit ...`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; exits non-zero and names the first broken entry.
    Verify,
}

/// Runs `api audit ...`: prints the result; fails (non-zero exit) when broken.
pub async fn run(platform: &Platform, command: AuditCommand) -> Result<(), CliError> {
    match command {
        AuditCommand::Verify => {
            let result = crate::services::audit::verify::verify(&platform.db).await?;
            if result.ok {
                println!("audit chain verified: {} entries", result.checked);
                return Ok(());
            }
            Err(CliError::CheckFailed(format!(
                "audit chain broken at entry {}: {} ({} entries verified before it)",
                result.first_broken_seq.unwrap_or(0),
                result.problem.unwrap_or_default(),
                result.checked
            )))
        }
    }
}
