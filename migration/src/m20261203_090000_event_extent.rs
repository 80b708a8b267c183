//! The longest event, kept by the database: `event_extent.max_seconds` is at least
//! the duration of every event ever stored, so the agenda can bound its window from
//! below (`starts_at >= window start - longest event`) and read it with a range scan
//! of `idx_event_starts_at` instead of every event of the history.
//!
//! Triggers keep it on every insert and every change of an event's times, whoever
//! writes (services, imports, the history generator, another process). The bound
//! only grows: a deleted or shortened event leaves it as it was, which keeps it a
//! correct upper bound (only a little wider than needed).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// Creates `event_extent` and its triggers; makes sure `idx_event_starts_at` exists.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EventExtent::Table)
                    .col(integer(EventExtent::Id).primary_key())
                    .col(big_integer(EventExtent::MaxSeconds))
                    .to_owned(),
            )
            .await?;
        // Created by the first migration; kept here too so that a database which
        // lost it gets it back (the agenda's window depends on it).
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_event_starts_at")
                    .table(Event::Table)
                    .col(Event::StartsAt)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "INSERT INTO event_extent (id, max_seconds)
                     SELECT 1, COALESCE(CEIL(MAX(EXTRACT(EPOCH FROM ends_at - starts_at))), 0)::bigint FROM event;
                     CREATE FUNCTION event_extent_keep() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN
                       UPDATE event_extent
                          SET max_seconds = CEIL(EXTRACT(EPOCH FROM NEW.ends_at - NEW.starts_at))::bigint
                        WHERE id = 1
                          AND max_seconds < CEIL(EXTRACT(EPOCH FROM NEW.ends_at - NEW.starts_at))::bigint;
                       RETURN NULL;
                     END $$;
                     CREATE TRIGGER event_extent_on_insert AFTER INSERT ON event
                       FOR EACH ROW EXECUTE FUNCTION event_extent_keep();
                     CREATE TRIGGER event_extent_on_update AFTER UPDATE OF starts_at, ends_at ON event
                       FOR EACH ROW EXECUTE FUNCTION event_extent_keep();",
                )
                .await?;
            }
            _ => {
                // Timestamps are stored as RFC 3339 text; julianday reads them with
                // their offset and fraction. The cast truncates, so one second is
                // added: the bound may be a second wide, never short.
                db.execute_unprepared(
                    "INSERT INTO event_extent (id, max_seconds)
                     SELECT 1, COALESCE(CAST(MAX((julianday(ends_at) - julianday(starts_at)) * 86400.0) AS INTEGER) + 1, 0) FROM event;
                     CREATE TRIGGER event_extent_on_insert AFTER INSERT ON event
                     BEGIN
                       UPDATE event_extent
                          SET max_seconds = CAST((julianday(NEW.ends_at) - julianday(NEW.starts_at)) * 86400.0 AS INTEGER) + 1
                        WHERE id = 1
                          AND max_seconds < CAST((julianday(NEW.ends_at) - julianday(NEW.starts_at)) * 86400.0 AS INTEGER) + 1;
                     END;
                     CREATE TRIGGER event_extent_on_update AFTER UPDATE OF starts_at, ends_at ON event
                     BEGIN
                       UPDATE event_extent
                          SET max_seconds = CAST((julianday(NEW.ends_at) - julianday(NEW.starts_at)) * 86400.0 AS INTEGER) + 1
                        WHERE id = 1
                          AND max_seconds < CAST((julianday(NEW.ends_at) - julianday(NEW.starts_at)) * 86400.0 AS INTEGER) + 1;
                     END;",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS event_extent_keep() CASCADE")
                .await?;
        } else {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS event_extent_on_insert; DROP TRIGGER IF EXISTS event_extent_on_update;",
            )
            .await?;
        }
        manager
            .drop_table(Table::drop().table(EventExtent::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum EventExtent {
    Table,
    Id,
    MaxSeconds,
}

#[derive(DeriveIden)]
enum Event {
    Table,
    StartsAt,
}
