//! An event waiting to be re-scored, and why: written in the transaction of the
//! change that calls for it (observations in its zone and window, a forecast for
//! its day, an event nearby), taken by the re-scorer, which coalesces a burst.

use sea_orm::entity::prelude::*;

/// One request.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rescore_request")]
pub struct Model {
    /// Surrogate key, in the order requests were made.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The event to re-score.
    pub event_id: i64,
    /// What changed, in words (stored with the new assessment).
    pub reason: String,
    /// When it was requested (UTC).
    pub requested_at: DateTimeUtc,
}

/// Relations are resolved by explicit queries in the API's services.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
