//! A municipal incident record (the city owns it): when, where, which field of risk,
//! what and how serious, and a free-text description whose personal data was
//! replaced by placeholders before it was stored.

use sea_orm::entity::prelude::*;

/// The field of risk an incident belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IncidentField {
    /// Nuisance, incivilities, occupation of public space.
    #[sea_orm(string_value = "tranquillity")]
    Tranquillity,
    /// Offences, rescue.
    #[sea_orm(string_value = "security")]
    Security,
    /// Traffic, transit, access.
    #[sea_orm(string_value = "mobility")]
    Mobility,
}

/// One incident row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "incident")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The municipal record source it belongs to (its owner and retention).
    pub source_id: i64,
    /// When it happened (UTC).
    pub occurred_at: DateTimeUtc,
    /// Where it happened.
    pub zone_id: i64,
    /// Its field of risk.
    pub field: IncidentField,
    /// Short category, e.g. `noise`, `brawl`, `parking`.
    pub category: String,
    /// Severity from 1 (minor) to 4 (critical).
    pub severity: i32,
    /// The event it happened at, if any.
    pub event_id: Option<i64>,
    /// The description, personal data replaced by placeholders such as `[PHONE]`.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// How many pieces of personal data were redacted from the description.
    pub redaction_count: i32,
    /// The kinds redacted, comma-separated (`email`, `iban`, `nir`, `phone`, `plate`).
    pub redaction_kinds: String,
    /// Who recorded it (an agent's e-mail), for accountability; not published.
    pub recorded_by: String,
    /// When it was recorded.
    pub created_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the API's services.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
