//! `api import weather|holidays|zones|gtfs|events ...`: what a city already publishes. Each
//! import reads and checks the whole file first (an error names the line and column;
//! nothing is stored), writes in one audited change, and prints what it did; a second
//! run of the same file changes nothing and says so.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::CliError;
use super::platform::{CommandChange, Platform};
use super::progress::Bar;
use entity::enums::ZoneLevel;

use crate::services::imports::zones::ZoneOptions;
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
    /// Zones from GeoJSON (arrondissements, quartiers or named sites), properties
    /// mapped by the options; the defaults read the official quartiers file and
    /// build the arrondissements as their unions.
    Zones {
        /// The GeoJSON file, plain or gzipped.
        file: PathBuf,
        /// Level of the features.
        #[arg(long, value_enum, default_value_t = Level::Quartier)]
        level: Level,
        /// Property holding the zone's code (a slug of parent and name when unset).
        #[arg(long)]
        code_property: Option<String>,
        /// Property holding the zone's name.
        #[arg(long, default_value = "nom_qua")]
        name_property: String,
        /// Property holding the parent zone's code (empty for none).
        #[arg(long, default_value = "depco")]
        parent_property: String,
        /// Property holding the parent's name, for a parent the import creates.
        #[arg(long, default_value = "nom_co")]
        parent_name_property: String,
        /// Property holding the resident population.
        #[arg(long)]
        population_property: Option<String>,
        /// Property holding the area in km² (the outline's area otherwise).
        #[arg(long)]
        area_property: Option<String>,
        /// Do not give the parents the union of their children's outlines.
        #[arg(long)]
        no_parent_unions: bool,
    },
    /// Transit stops from a GTFS folder (`stops.txt`, `routes.txt`,
    /// `stop_times.txt`, `trips.txt` when present): each stop's lines and peak
    /// departures per hour.
    Gtfs {
        /// The folder.
        dir: PathBuf,
    },
    /// An events agenda: CSV (columns in the README) or iCalendar (`.ics`, RFC
    /// 5545), recognised from the text. Each event is placed at its venue, in its
    /// zone or in the zone containing its coordinates; recurrences are expanded over
    /// `--days` from `--from`.
    Events {
        /// The file, plain or gzipped.
        file: PathBuf,
        /// First day (YYYY-MM-DD, Europe/Paris) of the recurrences' occurrences
        /// imported; today by default.
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Days of occurrences imported from `--from`.
        #[arg(long, default_value_t = imports::events::DEFAULT_WINDOW_DAYS)]
        days: u32,
        /// Expected attendance of events whose agenda gives none (refused otherwise).
        #[arg(long)]
        default_attendance: Option<i64>,
    },
}

/// Zone level of imported features.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Level {
    /// Arrondissements.
    Arrondissement,
    /// Quartiers.
    Quartier,
    /// Named sites.
    Site,
}

fn text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| CliError::file(path, e))
}

fn feed(dir: &Path) -> Result<imports::transit::Feed, CliError> {
    let trips = dir.join("trips.txt");
    Ok(imports::transit::Feed {
        stops: text(&dir.join("stops.txt"))?,
        routes: text(&dir.join("routes.txt"))?,
        stop_times: text(&dir.join("stop_times.txt"))?,
        trips: if trips.exists() {
            Some(text(&trips)?)
        } else {
            None
        },
    })
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
        ImportCommand::Zones {
            file,
            level,
            code_property,
            name_property,
            parent_property,
            parent_name_property,
            population_property,
            area_property,
            no_parent_unions,
        } => {
            let options = ZoneOptions {
                level: match level {
                    Level::Arrondissement => ZoneLevel::Arrondissement,
                    Level::Quartier => ZoneLevel::Quartier,
                    Level::Site => ZoneLevel::Site,
                },
                code_property: code_property.clone(),
                name_property: name_property.clone(),
                parent_property: Some(parent_property.clone()).filter(|p| !p.is_empty()),
                parent_name_property: Some(parent_name_property.clone()).filter(|p| !p.is_empty()),
                population_property: population_property.clone(),
                area_property: area_property.clone(),
                parent_unions: !no_parent_unions,
            };
            let change = CommandChange::new("import zones", "importZones");
            let result =
                imports::zones::import(db, change.change(), &read(file)?, &options, &bar).await;
            (file, change.settle(platform, result).await?)
        }
        ImportCommand::Gtfs { dir } => {
            let feed = feed(dir)?;
            let change = CommandChange::new("import gtfs", "importTransit");
            let result = imports::transit::import(db, change.change(), &feed, &bar).await;
            (dir, change.settle(platform, result).await?)
        }
        ImportCommand::Events {
            file,
            from,
            days,
            default_attendance,
        } => {
            let mut window = imports::events::EventWindow::from_today();
            if let Some(from) = from {
                window.from = *from;
            }
            window.days = *days;
            window.default_attendance = *default_attendance;
            let change = CommandChange::new("import events", "importEvents");
            let result =
                imports::events::import(db, change.change(), &read(file)?, &window, &bar).await;
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
