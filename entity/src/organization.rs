//! A municipal service or a partner agency.

use sea_orm::entity::prelude::*;

use crate::enums::OrganizationKind;

/// One organization row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organization")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable public code (slug), used in scopes and on the command line.
    #[sea_orm(unique)]
    pub code: String,
    /// Display name.
    pub name: String,
    /// Municipal service or partner agency.
    pub kind: OrganizationKind,
    /// What the organization does for the platform.
    pub description: String,
}

/// Relations are resolved by explicit queries in the API's loaders.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
