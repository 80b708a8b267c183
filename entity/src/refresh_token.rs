//! A refresh token, stored as a hash. Each use rotates it: the old one is marked used
//! and a reuse revokes the whole session.

use sea_orm::entity::prelude::*;

/// One refresh token row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_token")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Session (family) it belongs to.
    pub session_id: String,
    /// SHA-256 of the token, hex.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Expiry.
    pub expires_at: DateTimeUtc,
    /// Set when it was exchanged for a new one.
    pub used_at: Option<DateTimeUtc>,
    /// When it was issued.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
