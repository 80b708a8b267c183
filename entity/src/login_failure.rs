//! A failed login, kept per e-mail (known or not) so that lockout says nothing about
//! whether an account exists.

use sea_orm::entity::prelude::*;

/// One failure row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "login_failure")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The e-mail tried, lower-cased.
    pub email: String,
    /// When.
    pub at: DateTimeUtc,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
