//! Real time: what triggered each assessment, the queue of events waiting to be
//! re-scored, the density alerts, and (on PostgreSQL) the notifications that wake
//! every server instance when one of them is written.
//!
//! - `assessment.triggered_by`: why the assessment was computed (an event edit, a
//!   batch of observations, a forecast, the daily pass).
//! - `rescore_request`: one row per event to re-score and why; written in the
//!   transaction of the change that calls for it, taken by whichever instance's
//!   re-scorer runs first, which coalesces a burst into one pass.
//! - `live_alert`: a site whose live presence exceeds its safe density; raised,
//!   updated while it lasts, cleared when the density falls back.
//! - PostgreSQL: statement triggers on these three tables `NOTIFY platform_live`, so
//!   an instance learns of another's writes at once (LISTEN). SQLite has one process
//!   per file; its instance wakes itself after each commit.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// Adds the real-time tables, column and notifications.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Assessment::Table)
                    .add_column(string_null(Assessment::TriggeredBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RescoreRequest::Table)
                    .col(big_pk_auto(RescoreRequest::Id))
                    .col(big_integer(RescoreRequest::EventId))
                    .col(string(RescoreRequest::Reason))
                    .col(timestamp_with_time_zone(RescoreRequest::RequestedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LiveAlert::Table)
                    .col(big_pk_auto(LiveAlert::Id))
                    .col(big_integer(LiveAlert::ZoneId))
                    .col(string(LiveAlert::Level))
                    .col(double(LiveAlert::People))
                    .col(double(LiveAlert::AreaM2))
                    .col(double(LiveAlert::Density))
                    .col(timestamp_with_time_zone(LiveAlert::BucketStart))
                    .col(timestamp_with_time_zone(LiveAlert::RaisedAt))
                    .col(timestamp_with_time_zone(LiveAlert::UpdatedAt))
                    .col(timestamp_with_time_zone_null(LiveAlert::ClearedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_live_alert_zone_open")
                    .table(LiveAlert::Table)
                    .col(LiveAlert::ZoneId)
                    .col(LiveAlert::ClearedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_live_alert_updated_at")
                    .table(LiveAlert::Table)
                    .col(LiveAlert::UpdatedAt)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE FUNCTION platform_live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN
                       PERFORM pg_notify('platform_live', TG_TABLE_NAME);
                       RETURN NULL;
                     END $$;
                     CREATE TRIGGER assessment_live AFTER INSERT ON assessment
                       FOR EACH STATEMENT EXECUTE FUNCTION platform_live_notify();
                     CREATE TRIGGER rescore_request_live AFTER INSERT ON rescore_request
                       FOR EACH STATEMENT EXECUTE FUNCTION platform_live_notify();
                     CREATE TRIGGER live_alert_live AFTER INSERT OR UPDATE ON live_alert
                       FOR EACH STATEMENT EXECUTE FUNCTION platform_live_notify();",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "DROP TRIGGER IF EXISTS assessment_live ON assessment;
                     DROP FUNCTION IF EXISTS platform_live_notify() CASCADE;",
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(LiveAlert::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RescoreRequest::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Assessment::Table)
                    .drop_column(Assessment::TriggeredBy)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Assessment {
    Table,
    TriggeredBy,
}

#[derive(DeriveIden)]
enum RescoreRequest {
    Table,
    Id,
    EventId,
    Reason,
    RequestedAt,
}

#[derive(DeriveIden)]
enum LiveAlert {
    Table,
    Id,
    ZoneId,
    Level,
    People,
    AreaM2,
    Density,
    BucketStart,
    RaisedAt,
    UpdatedAt,
    ClearedAt,
}
