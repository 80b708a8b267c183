//! The agenda's tables: zones, venues, organizations, sources, events, deployments.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates the agenda's tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Zone::Table)
                    .col(big_pk_auto(Zone::Id))
                    .col(string_len_uniq(Zone::Code, 64))
                    .col(string(Zone::Name))
                    .col(string_len(Zone::Level, 16))
                    .col(big_integer_null(Zone::ParentId))
                    .col(big_integer_null(Zone::Population))
                    .col(double_null(Zone::AreaKm2))
                    .col(json_null(Zone::Outline))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Zone::Table, Zone::ParentId)
                            .to(Zone::Table, Zone::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Organization::Table)
                    .col(big_pk_auto(Organization::Id))
                    .col(string_len_uniq(Organization::Code, 64))
                    .col(string(Organization::Name))
                    .col(string_len(Organization::Kind, 16))
                    .col(text(Organization::Description))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Venue::Table)
                    .col(big_pk_auto(Venue::Id))
                    .col(string_len_uniq(Venue::Code, 64))
                    .col(string(Venue::Name))
                    .col(big_integer(Venue::ZoneId))
                    .col(double(Venue::Latitude))
                    .col(double(Venue::Longitude))
                    .col(string_len(Venue::Kind, 16))
                    .col(big_integer_null(Venue::Capacity))
                    .col(double_null(Venue::AreaM2))
                    .col(boolean(Venue::Indoor))
                    .col(boolean(Venue::Sensitive))
                    .col(string_len(Venue::AccessClass, 16))
                    .col(integer(Venue::RescueDelayMin))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Venue::Table, Venue::ZoneId)
                            .to(Zone::Table, Zone::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Source::Table)
                    .col(big_pk_auto(Source::Id))
                    .col(string_len_uniq(Source::Code, 64))
                    .col(string(Source::Name))
                    .col(big_integer(Source::OrganizationId))
                    .col(string_len(Source::Kind, 16))
                    .col(string(Source::Fields))
                    .col(string_len(Source::Granularity, 16))
                    .col(string(Source::Metrics))
                    .col(integer(Source::MinContributors))
                    .col(integer(Source::MinBucketMinutes))
                    .col(string_len(Source::MinZoneLevel, 16))
                    .col(big_integer_null(Source::ProcessingActivityId))
                    .col(string_len(Source::Status, 16))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Source::Table, Source::OrganizationId)
                            .to(Organization::Table, Organization::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Event::Table)
                    .col(big_pk_auto(Event::Id))
                    .col(string(Event::Title))
                    .col(string_len(Event::Category, 24))
                    .col(big_integer_null(Event::VenueId))
                    .col(big_integer(Event::ZoneId))
                    .col(timestamp_with_time_zone(Event::StartsAt))
                    .col(timestamp_with_time_zone(Event::EndsAt))
                    .col(big_integer(Event::ExpectedAttendance))
                    .col(string_null(Event::Organizer))
                    .col(string_len(Event::PublicProfile, 24))
                    .col(boolean(Event::Alcohol))
                    .col(string_len(Event::Status, 16))
                    .col(text_null(Event::StatusReason))
                    .col(string_null(Event::Series))
                    .col(big_integer_null(Event::SourceId))
                    .col(timestamp_with_time_zone(Event::CreatedAt))
                    .col(timestamp_with_time_zone(Event::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Event::Table, Event::VenueId)
                            .to(Venue::Table, Venue::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Event::Table, Event::ZoneId)
                            .to(Zone::Table, Zone::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Event::Table, Event::SourceId)
                            .to(Source::Table, Source::Id),
                    )
                    .check(Expr::col(Event::EndsAt).gt(Expr::col(Event::StartsAt)))
                    .check(Expr::col(Event::ExpectedAttendance).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_event_starts_at")
                    .table(Event::Table)
                    .col(Event::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_event_zone_starts_at")
                    .table(Event::Table)
                    .col(Event::ZoneId)
                    .col(Event::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_event_venue_starts_at")
                    .table(Event::Table)
                    .col(Event::VenueId)
                    .col(Event::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Deployment::Table)
                    .col(big_pk_auto(Deployment::Id))
                    .col(big_integer(Deployment::EventId))
                    .col(string_len(Deployment::Kind, 24))
                    .col(integer(Deployment::Count))
                    .col(timestamp_with_time_zone(Deployment::ShiftStart))
                    .col(timestamp_with_time_zone(Deployment::ShiftEnd))
                    .col(big_integer_null(Deployment::OrganizationId))
                    .col(timestamp_with_time_zone(Deployment::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Deployment::Table, Deployment::EventId)
                            .to(Event::Table, Event::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Deployment::Table, Deployment::OrganizationId)
                            .to(Organization::Table, Organization::Id),
                    )
                    .check(Expr::col(Deployment::Count).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_deployment_event_kind")
                    .table(Deployment::Table)
                    .col(Deployment::EventId)
                    .col(Deployment::Kind)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DemoSeedDay::Table)
                    .col(date(DemoSeedDay::Day).primary_key())
                    .col(timestamp_with_time_zone(DemoSeedDay::SeededAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DemoSeedDay::Table.into_iden(),
            Deployment::Table.into_iden(),
            Event::Table.into_iden(),
            Source::Table.into_iden(),
            Venue::Table.into_iden(),
            Organization::Table.into_iden(),
            Zone::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Zone {
    Table,
    Id,
    Code,
    Name,
    Level,
    ParentId,
    Population,
    AreaKm2,
    Outline,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
    Code,
    Name,
    Kind,
    Description,
}

#[derive(DeriveIden)]
enum Venue {
    Table,
    Id,
    Code,
    Name,
    ZoneId,
    Latitude,
    Longitude,
    Kind,
    Capacity,
    AreaM2,
    Indoor,
    Sensitive,
    AccessClass,
    RescueDelayMin,
}

#[derive(DeriveIden)]
enum Source {
    Table,
    Id,
    Code,
    Name,
    OrganizationId,
    Kind,
    Fields,
    Granularity,
    Metrics,
    MinContributors,
    MinBucketMinutes,
    MinZoneLevel,
    ProcessingActivityId,
    Status,
}

#[derive(DeriveIden)]
enum Event {
    Table,
    Id,
    Title,
    Category,
    VenueId,
    ZoneId,
    StartsAt,
    EndsAt,
    ExpectedAttendance,
    Organizer,
    PublicProfile,
    Alcohol,
    Status,
    StatusReason,
    Series,
    SourceId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Deployment {
    Table,
    Id,
    EventId,
    Kind,
    Count,
    ShiftStart,
    ShiftEnd,
    OrganizationId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DemoSeedDay {
    Table,
    Day,
    SeededAt,
}
