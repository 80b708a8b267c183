//! Demo accounts of the embedded default: one per role, with fixed demo passwords
//! printed at first start and listed in the README. Never created when the server
//! runs on a configured database.

use entity::{organization, user};
use policies::roles::Role;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::auth::service::{self, AuthState};
use crate::context::{Operation, OperationKind, RequestContext};
use crate::error::ApiResult;
use crate::services::work::Change;

/// (e-mail, role, organization code, demo password).
#[rustfmt::skip]
pub const DEMO_USERS: &[(&str, Role, &str, &str)] = &[
    ("admin@marseille.example", Role::Admin, "csu", "demo-admin-2026"),
    ("supervisor@marseille.example", Role::Supervisor, "csu", "demo-supervisor-2026"),
    ("analyst@marseille.example", Role::Analyst, "csu", "demo-analyst-2026"),
    ("partner@rtm.example", Role::Partner, "rtm", "demo-partner-2026"),
    ("dpo@marseille.example", Role::Dpo, "csu", "demo-dpo-2026-rgpd"),
];

/// Creates the demo accounts that are missing; returns (e-mail, role, password) of those created.
pub async fn run(
    db: &DatabaseConnection,
    auth: &AuthState,
) -> ApiResult<Vec<(String, &'static str, String)>> {
    let mut created = Vec::new();
    for (email, role, org, password) in DEMO_USERS {
        if user::Entity::find()
            .filter(user::Column::Email.eq(*email))
            .one(db)
            .await?
            .is_some()
        {
            continue;
        }
        let org_id = organization::Entity::find()
            .filter(organization::Column::Code.eq(*org))
            .one(db)
            .await?
            .map(|o| o.id);
        let ctx = RequestContext::task("seed");
        let operation = Operation::named(OperationKind::Task, "seed demo accounts", "createUser");
        let new = service::NewUser {
            email: (*email).to_owned(),
            role: *role,
            organization_id: org_id,
            password: (*password).to_owned(),
        };
        service::create_user(db, auth, Change::new(&ctx, &operation), new).await?;
        created.push(((*email).to_owned(), role.as_str(), (*password).to_owned()));
    }
    Ok(created)
}
