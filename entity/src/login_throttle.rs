//! Login attempts per e-mail (known or not) in the current lockout window, so that
//! lockout says nothing about whether an account exists. Counted by one atomic
//! upsert before the password is checked.

use sea_orm::entity::prelude::*;

/// One e-mail's counter.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttle")]
pub struct Model {
    /// The e-mail tried, lower-cased.
    #[sea_orm(primary_key, auto_increment = false)]
    pub email: String,
    /// When the current window opened.
    pub window_start: DateTimeUtc,
    /// Attempts since then, successful ones included until they reset it.
    pub attempts: i64,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
