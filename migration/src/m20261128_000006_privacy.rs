//! The privacy layer's tables: observations (aggregated cells sent by sources), the
//! ingestion batches that brought them (idempotency), and the city's incident
//! records with their redaction counts.
//!
//! Uniqueness lives in the database, not only in the service: two concurrent
//! requests with one idempotency key, or two batches with the same cell, cannot both
//! commit, whatever the timing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates the observation, ingestion batch and incident tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IngestionBatch::Table)
                    .col(big_pk_auto(IngestionBatch::Id))
                    .col(big_integer(IngestionBatch::SourceId))
                    .col(string_len(IngestionBatch::IdempotencyKey, 128))
                    .col(string_len(IngestionBatch::Fingerprint, 64))
                    .col(integer(IngestionBatch::ObservationCount))
                    .col(text(IngestionBatch::Response))
                    .col(string(IngestionBatch::SentBy))
                    .col(timestamp_with_time_zone(IngestionBatch::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IngestionBatch::Table, IngestionBatch::SourceId)
                            .to(Source::Table, Source::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_ingestion_batch_source_key")
                    .table(IngestionBatch::Table)
                    .col(IngestionBatch::SourceId)
                    .col(IngestionBatch::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Observation::Table)
                    .col(big_pk_auto(Observation::Id))
                    .col(big_integer(Observation::SourceId))
                    .col(big_integer(Observation::ZoneId))
                    .col(string_len(Observation::Metric, 64))
                    .col(timestamp_with_time_zone(Observation::BucketStart))
                    .col(integer(Observation::BucketMinutes))
                    .col(double(Observation::Value))
                    .col(integer_null(Observation::Contributors))
                    .col(text_null(Observation::Note))
                    .col(json_null(Observation::Labels))
                    .col(big_integer(Observation::BatchId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Observation::Table, Observation::SourceId)
                            .to(Source::Table, Source::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Observation::Table, Observation::ZoneId)
                            .to(Zone::Table, Zone::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Observation::Table, Observation::BatchId)
                            .to(IngestionBatch::Table, IngestionBatch::Id),
                    )
                    .check(Expr::col(Observation::BucketMinutes).is_in([15, 60, 1440]))
                    .check(Expr::col(Observation::Value).gte(0.0))
                    .to_owned(),
            )
            .await?;
        // One value per cell: the release module refuses duplicated base cells, and
        // this index serves its reads (source, metric, zone, time range).
        manager
            .create_index(
                Index::create()
                    .name("uq_observation_cell")
                    .table(Observation::Table)
                    .col(Observation::SourceId)
                    .col(Observation::Metric)
                    .col(Observation::ZoneId)
                    .col(Observation::BucketStart)
                    .col(Observation::BucketMinutes)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_observation_batch")
                    .table(Observation::Table)
                    .col(Observation::BatchId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Incident::Table)
                    .col(big_pk_auto(Incident::Id))
                    .col(big_integer(Incident::SourceId))
                    .col(timestamp_with_time_zone(Incident::OccurredAt))
                    .col(big_integer(Incident::ZoneId))
                    .col(string_len(Incident::Field, 16))
                    .col(string_len(Incident::Category, 64))
                    .col(integer(Incident::Severity))
                    .col(big_integer_null(Incident::EventId))
                    .col(text(Incident::Description))
                    .col(integer(Incident::RedactionCount))
                    .col(string_len(Incident::RedactionKinds, 64))
                    .col(string(Incident::RecordedBy))
                    .col(timestamp_with_time_zone(Incident::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Incident::Table, Incident::SourceId)
                            .to(Source::Table, Source::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Incident::Table, Incident::ZoneId)
                            .to(Zone::Table, Zone::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Incident::Table, Incident::EventId)
                            .to(Event::Table, Event::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .check(Expr::col(Incident::Severity).between(1, 4))
                    .check(Expr::col(Incident::RedactionCount).gte(0))
                    .to_owned(),
            )
            .await?;
        // Newest-first pages and the statistics' time-range reads.
        manager
            .create_index(
                Index::create()
                    .name("idx_incident_occurred_at")
                    .table(Incident::Table)
                    .col(Incident::OccurredAt)
                    .col(Incident::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_incident_source_occurred_at")
                    .table(Incident::Table)
                    .col(Incident::SourceId)
                    .col(Incident::OccurredAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Incident::Table.into_iden(),
            Observation::Table.into_iden(),
            IngestionBatch::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Source {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Zone {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Event {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IngestionBatch {
    Table,
    Id,
    SourceId,
    IdempotencyKey,
    Fingerprint,
    ObservationCount,
    Response,
    SentBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Observation {
    Table,
    Id,
    SourceId,
    ZoneId,
    Metric,
    BucketStart,
    BucketMinutes,
    Value,
    Contributors,
    Note,
    Labels,
    BatchId,
}

#[derive(DeriveIden)]
enum Incident {
    Table,
    Id,
    SourceId,
    OccurredAt,
    ZoneId,
    Field,
    Category,
    Severity,
    EventId,
    Description,
    RedactionCount,
    RedactionKinds,
    RecordedBy,
    CreatedAt,
}
