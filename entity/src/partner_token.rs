//! A partner agency's scoped token, stored as a hash; the secret is shown once.

use sea_orm::entity::prelude::*;

/// One partner token row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_token")]
pub struct Model {
    /// Surrogate key, also the public part of the token.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Organization the token was issued for.
    pub organization_id: i64,
    /// A name for people (e.g. "RTM ingestion, production").
    pub label: String,
    /// SHA-256 of the secret, hex.
    pub secret_hash: String,
    /// Scopes, space-separated.
    pub scopes: String,
    /// Allowed purposes, space-separated.
    pub purposes: String,
    /// Expiry.
    pub expires_at: DateTimeUtc,
    /// Issuing administrator.
    pub created_by: Option<i64>,
    /// When it was issued.
    pub created_at: DateTimeUtc,
    /// Set when revoked; effective on the very next request.
    pub revoked_at: Option<DateTimeUtc>,
    /// Last time it was presented.
    pub last_used_at: Option<DateTimeUtc>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
