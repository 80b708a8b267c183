//! One accepted batch of observations, keyed by the sender's idempotency key so
//! that a batch sent twice is stored once and answered the same way both times.

use sea_orm::entity::prelude::*;

/// One batch row; unique per (source, idempotency key).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ingestion_batch")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The source the batch was sent to.
    pub source_id: i64,
    /// The sender's key for this batch (unique per source).
    pub idempotency_key: String,
    /// SHA-256 (hex) of the batch's canonical content, to tell a replay from a
    /// different batch sent with a reused key.
    pub fingerprint: String,
    /// Number of observations stored.
    pub observation_count: i32,
    /// The answer given to the first request, as JSON, returned again on replays.
    #[sea_orm(column_type = "Text")]
    pub response: String,
    /// Who sent it (an e-mail or a token's label), for accountability.
    pub sent_by: String,
    /// When it was accepted.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the API's services.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
