//! Per-event overrides of the DPS grid's site factors (a stage or a marquee changes
//! the access and rescue of a site for one event), the mark of an assessment whose
//! inputs changed while it could not be recomputed, and the publication gate of risk
//! models (a model that misses its floors is kept as rejected; an administrator may
//! publish it with a written reason).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Adds the override, staleness and publication columns.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// One column per statement: SQLite alters a table one change at a time.
async fn add(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).add_column(column).to_owned())
        .await
}

async fn drop(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: impl IntoIden,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            Event::Table,
            string_len_null(Event::AccessClassOverride, 16),
        )
        .await?;
        add(
            manager,
            Event::Table,
            integer_null(Event::RescueDelayOverrideMin),
        )
        .await?;
        add(
            manager,
            Assessment::Table,
            timestamp_with_time_zone_null(Assessment::InputsChangedAt),
        )
        .await?;
        // Every model stored before the gate existed was published.
        add(
            manager,
            RiskModel::Table,
            string_len(RiskModel::Status, 16)
                .default("published")
                .to_owned(),
        )
        .await?;
        add(manager, RiskModel::Table, text_null(RiskModel::GateRefusal)).await?;
        add(
            manager,
            RiskModel::Table,
            text_null(RiskModel::PublicationReason),
        )
        .await?;
        add(
            manager,
            RiskModel::Table,
            string_null(RiskModel::PublishedBy),
        )
        .await?;
        add(
            manager,
            RiskModel::Table,
            timestamp_with_time_zone_null(RiskModel::PublishedAt),
        )
        .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(RiskModel::Table)
                    .value(RiskModel::PublishedAt, Expr::col(RiskModel::TrainedAt))
                    .value(RiskModel::PublishedBy, Expr::col(RiskModel::TrainedBy))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            RiskModel::PublishedAt,
            RiskModel::PublishedBy,
            RiskModel::PublicationReason,
            RiskModel::GateRefusal,
            RiskModel::Status,
        ] {
            drop(manager, RiskModel::Table, column).await?;
        }
        drop(manager, Assessment::Table, Assessment::InputsChangedAt).await?;
        drop(manager, Event::Table, Event::RescueDelayOverrideMin).await?;
        drop(manager, Event::Table, Event::AccessClassOverride).await
    }
}

#[derive(DeriveIden)]
enum Event {
    Table,
    AccessClassOverride,
    RescueDelayOverrideMin,
}

#[derive(DeriveIden)]
enum Assessment {
    Table,
    InputsChangedAt,
}

#[derive(DeriveIden)]
enum RiskModel {
    Table,
    TrainedBy,
    TrainedAt,
    Status,
    GateRefusal,
    PublicationReason,
    PublishedBy,
    PublishedAt,
}
