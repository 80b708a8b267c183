//! People, sessions, refresh tokens, partner tokens and failed logins.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates the identity tables.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(big_pk_auto(AppUser::Id))
                    .col(string_len_uniq(AppUser::Email, 254))
                    .col(string(AppUser::PasswordHash))
                    .col(string_len(AppUser::Role, 16))
                    .col(big_integer_null(AppUser::OrganizationId))
                    .col(timestamp_with_time_zone_null(AppUser::LockedUntil))
                    .col(timestamp_with_time_zone_null(AppUser::DeletedAt))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppUser::Table, AppUser::OrganizationId)
                            .to(Organization::Table, Organization::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Session::Table)
                    .col(string_len(Session::Id, 36).primary_key())
                    .col(big_integer(Session::UserId))
                    .col(timestamp_with_time_zone(Session::CreatedAt))
                    .col(timestamp_with_time_zone_null(Session::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Session::Table, Session::UserId)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .col(big_pk_auto(RefreshToken::Id))
                    .col(string_len(RefreshToken::SessionId, 36))
                    .col(string_len_uniq(RefreshToken::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::UsedAt))
                    .col(timestamp_with_time_zone(RefreshToken::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshToken::Table, RefreshToken::SessionId)
                            .to(Session::Table, Session::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerToken::Table)
                    .col(big_pk_auto(PartnerToken::Id))
                    .col(big_integer(PartnerToken::OrganizationId))
                    .col(string(PartnerToken::Label))
                    .col(string_len(PartnerToken::SecretHash, 64))
                    .col(text(PartnerToken::Scopes))
                    .col(text(PartnerToken::Purposes))
                    .col(timestamp_with_time_zone(PartnerToken::ExpiresAt))
                    .col(big_integer_null(PartnerToken::CreatedBy))
                    .col(timestamp_with_time_zone(PartnerToken::CreatedAt))
                    .col(timestamp_with_time_zone_null(PartnerToken::RevokedAt))
                    .col(timestamp_with_time_zone_null(PartnerToken::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PartnerToken::Table, PartnerToken::OrganizationId)
                            .to(Organization::Table, Organization::Id),
                    )
                    .to_owned(),
            )
            .await?;
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
            .create_index(
                Index::create()
                    .name("idx_login_failure_email_at")
                    .table(LoginFailure::Table)
                    .col(LoginFailure::Email)
                    .col(LoginFailure::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LoginFailure::Table.into_iden(),
            PartnerToken::Table.into_iden(),
            RefreshToken::Table.into_iden(),
            Session::Table.into_iden(),
            AppUser::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    OrganizationId,
    LockedUntil,
    DeletedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
    UserId,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Id,
    SessionId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PartnerToken {
    Table,
    Id,
    OrganizationId,
    Label,
    SecretHash,
    Scopes,
    Purposes,
    ExpiresAt,
    CreatedBy,
    CreatedAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum LoginFailure {
    Table,
    Id,
    Email,
    At,
}
