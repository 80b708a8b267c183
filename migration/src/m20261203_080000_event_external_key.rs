//! The key an imported event has in the agenda it came from (an iCalendar UID with
//! the occurrence's start, or a CSV id), so that importing the same agenda again
//! updates its events instead of adding them twice.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Adds `event.external_key` and its unique index.
#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "event_external_key_unique";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Event::Table)
                    .add_column(string_len_null(Event::ExternalKey, 255))
                    .to_owned(),
            )
            .await?;
        // NULLs are distinct on both backends: events created by hand have none.
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Event::Table)
                    .col(Event::ExternalKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Event::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Event::Table)
                    .drop_column(Event::ExternalKey)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Event {
    Table,
    ExternalKey,
}
