//! Connecting to the database and bringing its schema up to date.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

use crate::settings::Settings;

/// Opens the pool; creates the embedded data folder when needed.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    let url = settings.effective_database_url();
    if settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir).map_err(|err| {
            DbErr::Custom(format!(
                "cannot create {}: {err}",
                settings.data_dir.display()
            ))
        })?;
    }
    let mut options = ConnectOptions::new(url.clone());
    // SQLite has one writer at a time, and a transaction that reads then writes
    // fails outright (SQLITE_BUSY_SNAPSHOT) when another connection wrote in
    // between: one connection serializes access instead of failing it.
    let max_connections = if url.starts_with("sqlite:") {
        1
    } else {
        settings.max_connections
    };
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(options).await?;
    if url.starts_with("sqlite:") {
        // WAL lets readers proceed while one writer commits; it is a property of the
        // file, so setting it once through any pooled connection is enough. (sqlx
        // already turns foreign keys on for every connection it opens.)
        db.execute_unprepared("PRAGMA journal_mode = WAL;").await?;
    }
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
