//! A zone of the city: the city itself, an arrondissement, a quartier or a site.

use sea_orm::entity::prelude::*;

use crate::enums::ZoneLevel;

/// One zone row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "zone")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable public code: the INSEE code for arrondissements, a slug otherwise.
    #[sea_orm(unique)]
    pub code: String,
    /// Display name.
    pub name: String,
    /// Level in the hierarchy.
    pub level: ZoneLevel,
    /// Enclosing zone, if any.
    pub parent_id: Option<i64>,
    /// Resident population (INSEE), if known.
    pub population: Option<i64>,
    /// Area in square kilometres, if known.
    pub area_km2: Option<f64>,
    /// Optional GeoJSON outline.
    pub outline: Option<Json>,
}

/// Relations are resolved by explicit queries in the API's loaders.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
