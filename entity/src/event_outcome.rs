//! What happened during a past event: incidents recorded per field, and the event's
//! features as they were known then (the training row the risk model learns from).

use sea_orm::entity::prelude::*;

/// One past event's outcome; at most one per event.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event_outcome")]
pub struct Model {
    /// The event (also the key: one outcome per event).
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: i64,
    /// Tranquillity incidents recorded (nuisance, incivilities, occupation).
    pub tranquillity: i32,
    /// Security incidents recorded (offences, rescue).
    pub security: i32,
    /// Mobility incidents recorded (traffic, transit, access).
    pub mobility: i32,
    /// The `scoring::features::EventFeatures` of the event as JSON: weather observed
    /// that day, holidays, concurrency... Kept whole so a model can be retrained on
    /// exactly what an earlier one saw.
    #[sea_orm(column_type = "Text")]
    pub features: String,
    /// Where the counts come from (`synthetic:<seed>` for the demo history).
    pub origin: String,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
