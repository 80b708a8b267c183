//! One entry of the append-only, hash-chained audit log.

use sea_orm::entity::prelude::*;

/// One audit row. Triggers refuse UPDATE, DELETE and TRUNCATE on this table.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entry")]
pub struct Model {
    /// Sequence number, from 1, without gaps.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    /// When (UTC, microseconds).
    pub at: DateTimeUtc,
    /// Who: an e-mail, a token's label, "anonymous" or "system".
    pub actor: String,
    /// The person's role, if a person.
    pub role: Option<String>,
    /// The caller's organization.
    pub organization_id: Option<i64>,
    /// The partner token used, if any.
    pub token_id: Option<i64>,
    /// query, mutation, subscription, http or system.
    pub operation_type: String,
    /// Operation name (or root fields when anonymous).
    pub operation_name: String,
    /// Protected resources touched (root fields), space-separated.
    pub resources: String,
    /// Fields selected, space-separated.
    pub fields: String,
    /// Number of records returned.
    pub record_count: i64,
    /// Purpose declared or implied.
    pub purpose: Option<String>,
    /// allowed, denied or error.
    pub outcome: String,
    /// Why it was denied or failed.
    pub reason: Option<String>,
    /// HTTP request id.
    pub request_id: Option<String>,
    /// Hash of the previous entry (hex); zeros for the first.
    pub prev_hash: String,
    /// SHA-256(previous hash || canonical entry), hex.
    pub hash: String,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
