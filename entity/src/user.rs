//! A person who logs in with a password.

use sea_orm::entity::prelude::*;

/// One user row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Login e-mail, lower-cased.
    #[sea_orm(unique)]
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role name (admin, supervisor, analyst, partner, dpo).
    pub role: String,
    /// Organization the person works for.
    pub organization_id: Option<i64>,
    /// Locked until this instant (repeated failures or an administrator's decision).
    pub locked_until: Option<DateTimeUtc>,
    /// Set when the account is deleted; its tokens die with it.
    pub deleted_at: Option<DateTimeUtc>,
    /// When the account was created.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
