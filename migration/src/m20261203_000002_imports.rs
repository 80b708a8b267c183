//! Imports of what a city already publishes: weather values may be unknown (a day
//! with a missing gust is still a day with a known temperature), the days each
//! calendar import covers are recorded per day span, and transit stops carry their
//! lines and peak frequency.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Rebuilds `weather_day` with nullable values, creates `calendar_coverage` and
/// `transit_stop`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WeatherDayNext::Table)
                    .col(date(WeatherDay::Day).primary_key())
                    .col(string_len(WeatherDay::Station, 16))
                    .col(double_null(WeatherDay::MaxTempC))
                    .col(double_null(WeatherDay::MinTempC))
                    .col(double_null(WeatherDay::MeanTempC))
                    .col(double_null(WeatherDay::RainMm))
                    .col(double_null(WeatherDay::WindGustMs))
                    .col(double_null(WeatherDay::MeanWindMs))
                    .col(double_null(WeatherDay::HumidityPct))
                    .to_owned(),
            )
            .await?;
        let copy = Query::insert()
            .into_table(WeatherDayNext::Table)
            .columns([
                WeatherDay::Day,
                WeatherDay::Station,
                WeatherDay::MaxTempC,
                WeatherDay::RainMm,
                WeatherDay::WindGustMs,
            ])
            .select_from(
                Query::select()
                    .columns([
                        WeatherDay::Day,
                        WeatherDay::Station,
                        WeatherDay::MaxTempC,
                        WeatherDay::RainMm,
                        WeatherDay::WindGustMs,
                    ])
                    .from(WeatherDay::Table)
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(copy).await?;
        manager
            .drop_table(Table::drop().table(WeatherDay::Table).to_owned())
            .await?;
        manager
            .rename_table(
                Table::rename()
                    .table(WeatherDayNext::Table, WeatherDay::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CalendarCoverage::Table)
                    .col(string_len(CalendarCoverage::Kind, 16))
                    .col(date(CalendarCoverage::FirstDay))
                    .col(date(CalendarCoverage::LastDay))
                    .primary_key(
                        Index::create()
                            .col(CalendarCoverage::Kind)
                            .col(CalendarCoverage::FirstDay),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TransitStop::Table)
                    .col(string_len(TransitStop::Code, 64).primary_key())
                    .col(string_len(TransitStop::Name, 200))
                    .col(double(TransitStop::Latitude))
                    .col(double(TransitStop::Longitude))
                    .col(string_len(TransitStop::Lines, 200))
                    .col(double(TransitStop::PeakTripsPerHour))
                    .col(boolean(TransitStop::FrequencyFromFeed))
                    .col(big_integer_null(TransitStop::ZoneId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TransitStop::Table.into_iden(),
            CalendarCoverage::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(WeatherDay::Table)
                    .drop_column(WeatherDay::MinTempC)
                    .drop_column(WeatherDay::MeanTempC)
                    .drop_column(WeatherDay::MeanWindMs)
                    .drop_column(WeatherDay::HumidityPct)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum WeatherDay {
    Table,
    Day,
    Station,
    MaxTempC,
    MinTempC,
    MeanTempC,
    RainMm,
    WindGustMs,
    MeanWindMs,
    HumidityPct,
}

#[derive(DeriveIden)]
enum WeatherDayNext {
    Table,
}

#[derive(DeriveIden)]
enum CalendarCoverage {
    Table,
    Kind,
    FirstDay,
    LastDay,
}

#[derive(DeriveIden)]
enum TransitStop {
    Table,
    Code,
    Name,
    Latitude,
    Longitude,
    Lines,
    PeakTripsPerHour,
    FrequencyFromFeed,
    ZoneId,
}
