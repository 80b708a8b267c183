//! A login session: the family of refresh tokens born from one login. Access tokens
//! name their session, so revoking it ends them at once.

use sea_orm::entity::prelude::*;

/// One session row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    /// Random public id (UUID), the `sid` claim of access tokens.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The person.
    pub user_id: i64,
    /// When the login happened.
    pub created_at: DateTimeUtc,
    /// Set by logout or by the reuse of a rotated refresh token.
    pub revoked_at: Option<DateTimeUtc>,
}

/// Relations are resolved by explicit queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
