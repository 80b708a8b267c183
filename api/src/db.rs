//! Connecting to the database and bringing its schema up to date.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

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
        .sqlx_logging(false)
        // WAL with NORMAL synchronous: commits need no fsync (checkpoints do), and
        // the file cannot be corrupted; only the last commits may roll back after a
        // power loss. Production runs on PostgreSQL.
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
        });
    let db = Database::connect(options).await?;
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
