//! Connecting to the database and bringing its schema up to date.
//!
//! On the embedded SQLite, writes go through one connection (SQLite has one writer
//! at a time) and reads of GraphQL queries through a pool of read-only connections:
//! in WAL mode readers never wait for the writer nor for each other, so reads use
//! every core. On PostgreSQL both are the same pool.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::settings::Settings;

/// SQL statements run by this process since it started (every pool, transactions
/// included; BEGIN and COMMIT not counted). Read by `api bench agenda` to report
/// statements per request.
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

/// SQL statements run by this process so far (see [`STATEMENTS`]).
pub fn statements() -> u64 {
    STATEMENTS.load(Ordering::Relaxed)
}

/// The read-only connections GraphQL queries read through (context data).
#[derive(Clone)]
pub struct Readers(pub DatabaseConnection);

fn options(url: &str, max_connections: u32, read_only: bool) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // WAL with NORMAL synchronous: commits need no fsync (checkpoints do), and
        // the file cannot be corrupted; only the last commits may roll back after a
        // power loss. Production runs on PostgreSQL. A reader waits (up to the busy
        // timeout) rather than fail while a checkpoint holds the file.
        // The journal mode belongs to the file: readers find it set by the writer.
        .map_sqlx_sqlite_opts(move |opts| {
            let opts = opts.busy_timeout(Duration::from_secs(5));
            if read_only {
                opts.read_only(true)
            } else {
                opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            }
        });
    options
}

async fn open(options: ConnectOptions) -> Result<DatabaseConnection, DbErr> {
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(|_| {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
    });
    Ok(db)
}

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
    // SQLite has one writer at a time, and a transaction that reads then writes
    // fails outright (SQLITE_BUSY_SNAPSHOT) when another connection wrote in
    // between: one connection serializes writes instead of failing them. Reads of
    // queries have their own pool (`connect_readers`).
    let max_connections = if url.starts_with("sqlite:") {
        1
    } else {
        settings.max_connections
    };
    open(options(&url, max_connections, false)).await
}

/// The pool GraphQL queries read through: on SQLite, read-only connections beside
/// the writer (one per core, at most `max_connections`); on PostgreSQL, and for an
/// in-memory SQLite (which another connection could not see), `writer` itself.
/// Open it after the migrations: a read-only connection cannot create the file.
pub async fn connect_readers(
    settings: &Settings,
    writer: &DatabaseConnection,
) -> Result<DatabaseConnection, DbErr> {
    let url = settings.effective_database_url();
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(writer.clone());
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let readers = u32::try_from(cores)
        .unwrap_or(u32::MAX)
        .clamp(2, settings.max_connections.max(2));
    open(options(&url, readers, true)).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
