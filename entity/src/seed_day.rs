//! Days for which the demo agenda has been generated, so seeding is idempotent and
//! tops up the rolling 30-day window on later starts.

use sea_orm::entity::prelude::*;

/// One seeded day.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "demo_seed_day")]
pub struct Model {
    /// The Europe/Paris day that was seeded.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// When it was seeded.
    pub seeded_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
