//! Login attempts counted atomically: one row per e-mail (known or not) whose counter
//! is incremented by a single upsert before the password is checked, so parallel
//! attempts cannot all slip under the lockout threshold. Replaces the per-failure
//! rows, which were counted after the check.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates `login_throttle` and drops `login_failure`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottle::Table)
                    .col(string_len(LoginThrottle::Email, 254).primary_key())
                    .col(timestamp_with_time_zone(LoginThrottle::WindowStart))
                    .col(big_integer(LoginThrottle::Attempts))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(LoginFailure::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginFailure::Table)
                    .col(big_pk_auto(LoginFailure::Id))
                    .col(string_len(LoginFailure::Email, 254))
                    .col(timestamp_with_time_zone(LoginFailure::At))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(LoginThrottle::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Email,
    WindowStart,
    Attempts,
}

#[derive(DeriveIden)]
enum LoginFailure {
    Table,
    Id,
    Email,
    At,
}
