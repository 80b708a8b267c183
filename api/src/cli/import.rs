//! `api import weather|holidays ... <file>`: what a city already publishes. Each
//! import reads and checks the whole file first (an error names the line and column;
//! nothing is stored), writes in one audited change, and prints what it did; a second
//! run of the same file changes nothing and says so.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::CliError;
use super::platform::{CommandChange, Platform};
use super::progress::Bar;
use crate::services::imports::{self, ImportReport};

/// `api import ...`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Météo-France daily climatology: the DPClim export (`;`, decimal comma,
    /// YYYYMMDD, quality flags) or the key-columns CSV, plain or gzipped, UTF-8 or
    /// Latin-1; the format is recognised from the header.
    Weather {
        /// The file.
        file: PathBuf,
    },
    /// Holidays: public holidays (`date,est_jour_ferie,nom_jour_ferie`), the daily
    /// school-holiday file (`date,vacances_zone_a,vacances_zone_b,...`, zone B kept)
    /// or the official Éducation nationale calendar export (`;`, académie rows).
    Holidays {
        /// The file.
        file: PathBuf,
        /// The académie whose rows the official calendar export gives.
        #[arg(long, default_value = imports::calendar::DEFAULT_ACADEMY)]
        academy: String,
    },
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::file(path, e))
}

/// Runs `api import ...`.
pub async fn run(platform: &Platform, command: ImportCommand) -> Result<(), CliError> {
    let bar = Bar::new();
    let db = &platform.db;
    let (path, report) = match &command {
        ImportCommand::Weather { file } => {
            let change = CommandChange::new("import weather", "importWeather");
            let result = imports::weather::import(db, change.change(), &read(file)?, &bar).await;
            (file, change.settle(platform, result).await?)
        }
        ImportCommand::Holidays { file, academy } => {
            let change = CommandChange::new("import holidays", "importHolidays");
            let result =
                imports::calendar::import(db, change.change(), &read(file)?, academy, &bar).await;
            (file, change.settle(platform, result).await?)
        }
    };
    drop(bar);
    print(path, &report);
    Ok(())
}

fn print(path: &Path, report: &ImportReport) {
    println!("{}: {}", path.display(), report.summary());
}
