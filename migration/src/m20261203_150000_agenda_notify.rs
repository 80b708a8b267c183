//! On PostgreSQL, every write to the tables the agenda shows notifies the other
//! instances (`NOTIFY platform_live`, as assessments already do): an instance keeps
//! the agenda's answers until something changes, and must hear of another's edits
//! of events, deployments, venues or zones, and of assessments replaced or purged.
//! SQLite has one process per file; its instance wakes itself after each commit.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// Adds the notifications of the agenda's tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables, and the writes to them that change an agenda.
const TABLES: [(&str, &str); 5] = [
    ("event", "INSERT OR UPDATE OR DELETE"),
    ("deployment", "INSERT OR UPDATE OR DELETE"),
    ("venue", "INSERT OR UPDATE OR DELETE"),
    ("zone", "INSERT OR UPDATE OR DELETE"),
    // Inserts already notify (`assessment_live`).
    ("assessment", "UPDATE OR DELETE"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, writes) in TABLES {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_agenda_live AFTER {writes} ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION platform_live_notify();"
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, _) in TABLES {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS {table}_agenda_live ON {table};"
                ))
                .await?;
        }
        Ok(())
    }
}
