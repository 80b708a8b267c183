//! `api import weather|holidays <file>`: real calendars the history and the scores use.

use std::path::PathBuf;

use clap::Subcommand;

use super::CliError;
use super::platform::Platform;
use crate::services::scoring::imports;

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

/// Runs `api import ...`.
pub async fn run(platform: &Platform, command: ImportCommand) -> Result<(), CliError> {
    let (path, weather) = match &command {
        ImportCommand::Weather { file } => (file, true),
        ImportCommand::Holidays { file } => (file, false),
    };
    let content = std::fs::read_to_string(path).map_err(|e| CliError::file(path, e))?;
    let conn = &platform.db;
    let stored = if weather {
        let records = imports::parse_weather(&content)?;
        imports::store_weather(conn, &records).await?
    } else {
        let records = imports::parse_holidays(&content)?;
        imports::store_holidays(conn, &records).await?
    };
    println!("imported {stored} days from {}", path.display());
    Ok(())
}
