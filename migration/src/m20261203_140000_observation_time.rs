//! Observations read by time alone: the scoring inputs, the duplicate check of an
//! ingested batch and the retention purge select a range of `bucket_start` over
//! every zone. The cell's unique index starts with the source, metric and zone, so
//! without this one each of those reads scanned the whole table: ten years of
//! presence at real grain are about 39 million rows.

use sea_orm_migration::prelude::*;

/// Adds the index of observations by bucket start.
#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_observation_bucket_start";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Observation::Table)
                    .col(Observation::BucketStart)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Observation::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Observation {
    Table,
    BucketStart,
}
