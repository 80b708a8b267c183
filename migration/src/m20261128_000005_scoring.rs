//! The scoring tables: past events' outcomes (the history the risk model learns
//! from), imported weather and holidays, published models, assessments, decisions,
//! and the platform settings that pause scoring.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates the scoring tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EventOutcome::Table)
                    .col(big_integer(EventOutcome::EventId).primary_key())
                    .col(integer(EventOutcome::Tranquillity))
                    .col(integer(EventOutcome::Security))
                    .col(integer(EventOutcome::Mobility))
                    .col(text(EventOutcome::Features))
                    .col(string_len(EventOutcome::Origin, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EventOutcome::Table, EventOutcome::EventId)
                            .to(Event::Table, Event::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::col(EventOutcome::Tranquillity).gte(0))
                    .check(Expr::col(EventOutcome::Security).gte(0))
                    .check(Expr::col(EventOutcome::Mobility).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WeatherDay::Table)
                    .col(date(WeatherDay::Day).primary_key())
                    .col(double(WeatherDay::MaxTempC))
                    .col(double(WeatherDay::RainMm))
                    .col(double(WeatherDay::WindGustMs))
                    .col(string_len(WeatherDay::Station, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Holiday::Table)
                    .col(date(Holiday::Day))
                    .col(string_len(Holiday::Kind, 16))
                    .col(string_null(Holiday::Name))
                    .primary_key(Index::create().col(Holiday::Day).col(Holiday::Kind))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RiskModel::Table)
                    .col(big_pk_auto(RiskModel::Id))
                    .col(string_len_uniq(RiskModel::Version, 128))
                    .col(date(RiskModel::WindowFirst))
                    .col(date(RiskModel::WindowLast))
                    .col(big_integer(RiskModel::WindowEvents))
                    .col(text(RiskModel::ModelJson))
                    .col(text_null(RiskModel::BacktestJson))
                    .col(string(RiskModel::TrainedBy))
                    .col(timestamp_with_time_zone(RiskModel::TrainedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Assessment::Table)
                    .col(big_pk_auto(Assessment::Id))
                    .col(big_integer(Assessment::EventId))
                    .col(string_len(Assessment::ModelVersion, 128))
                    .col(string_len(Assessment::RulesVersion, 64))
                    .col(string_len(Assessment::InputsFingerprint, 64))
                    .col(double(Assessment::RiskOverall))
                    .col(double(Assessment::RiskTranquillity))
                    .col(double(Assessment::RiskSecurity))
                    .col(double(Assessment::RiskMobility))
                    .col(double(Assessment::ExpectedTranquillity))
                    .col(double(Assessment::ExpectedSecurity))
                    .col(double(Assessment::ExpectedMobility))
                    .col(text(Assessment::RequiredJson))
                    .col(text(Assessment::AdequacyJson))
                    .col(double_null(Assessment::AdequacyOverall))
                    .col(double_null(Assessment::AdequacyWeighted))
                    .col(double(Assessment::FirstAidRis))
                    .col(integer(Assessment::FirstAidWorkers))
                    .col(string_len(Assessment::DpsType, 16))
                    .col(text(Assessment::ExplanationJson))
                    .col(text(Assessment::FeaturesJson))
                    .col(timestamp_with_time_zone(Assessment::ComputedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assessment::Table, Assessment::EventId)
                            .to(Event::Table, Event::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::col(Assessment::RiskOverall).between(0.0, 10.0))
                    .to_owned(),
            )
            .await?;
        // The current assessment of an event is its highest id: (event_id, id) serves
        // both the "current" loader and the newest-first history.
        manager
            .create_index(
                Index::create()
                    .name("idx_assessment_event_id")
                    .table(Assessment::Table)
                    .col(Assessment::EventId)
                    .col(Assessment::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Decision::Table)
                    .col(big_pk_auto(Decision::Id))
                    .col(big_integer(Decision::EventId))
                    .col(big_integer_null(Decision::AssessmentId))
                    .col(string_len(Decision::Action, 16))
                    .col(text(Decision::Rationale))
                    .col(boolean(Decision::IsOverride))
                    .col(text_null(Decision::OverrideReason))
                    .col(string(Decision::DecidedBy))
                    .col(big_integer_null(Decision::UserId))
                    .col(timestamp_with_time_zone(Decision::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Decision::Table, Decision::EventId)
                            .to(Event::Table, Event::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Decision::Table, Decision::AssessmentId)
                            .to(Assessment::Table, Assessment::Id),
                    )
                    .check(Expr::cust("length(trim(rationale)) > 0"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_decision_event_id")
                    .table(Decision::Table)
                    .col(Decision::EventId)
                    .col(Decision::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlatformSetting::Table)
                    .col(string_len(PlatformSetting::Key, 64).primary_key())
                    .col(text(PlatformSetting::Value))
                    .col(string(PlatformSetting::UpdatedBy))
                    .col(timestamp_with_time_zone(PlatformSetting::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PlatformSetting::Table.into_iden(),
            Decision::Table.into_iden(),
            Assessment::Table.into_iden(),
            RiskModel::Table.into_iden(),
            Holiday::Table.into_iden(),
            WeatherDay::Table.into_iden(),
            EventOutcome::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Event {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EventOutcome {
    Table,
    EventId,
    Tranquillity,
    Security,
    Mobility,
    Features,
    Origin,
}

#[derive(DeriveIden)]
enum WeatherDay {
    Table,
    Day,
    MaxTempC,
    RainMm,
    WindGustMs,
    Station,
}

#[derive(DeriveIden)]
enum Holiday {
    Table,
    Day,
    Kind,
    Name,
}

#[derive(DeriveIden)]
enum RiskModel {
    Table,
    Id,
    Version,
    WindowFirst,
    WindowLast,
    WindowEvents,
    ModelJson,
    BacktestJson,
    TrainedBy,
    TrainedAt,
}

#[derive(DeriveIden)]
enum Assessment {
    Table,
    Id,
    EventId,
    ModelVersion,
    RulesVersion,
    InputsFingerprint,
    RiskOverall,
    RiskTranquillity,
    RiskSecurity,
    RiskMobility,
    ExpectedTranquillity,
    ExpectedSecurity,
    ExpectedMobility,
    RequiredJson,
    AdequacyJson,
    AdequacyOverall,
    AdequacyWeighted,
    FirstAidRis,
    FirstAidWorkers,
    DpsType,
    ExplanationJson,
    FeaturesJson,
    ComputedAt,
}

#[derive(DeriveIden)]
enum Decision {
    Table,
    Id,
    EventId,
    AssessmentId,
    Action,
    Rationale,
    IsOverride,
    OverrideReason,
    DecidedBy,
    UserId,
    DecidedAt,
}

#[derive(DeriveIden)]
enum PlatformSetting {
    Table,
    Key,
    Value,
    UpdatedBy,
    UpdatedAt,
}
