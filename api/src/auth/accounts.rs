//! People's accounts: creation with a checked, hashed password, and listing.

use chrono::Utc;
use entity::enums::OrganizationKind;
use entity::{organization, user};
use policies::ownership::{self, Holder};
use policies::permissions::OrgId;
use policies::roles::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder,
};

use crate::auth::passwords::check_new_password;
use crate::auth::service::{AuthState, normalize_email};
use crate::error::{ApiError, ApiResult};
use crate::services::work::Change;

/// A person's account to create.
#[derive(Debug)]
pub struct NewUser {
    /// Work e-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The organization the person works for.
    pub organization_id: Option<i64>,
    /// The initial password, checked and hashed here.
    pub password: String,
}

/// Creates a user; the password is checked and hashed here.
pub async fn create_user(
    db: &DatabaseConnection,
    auth: &AuthState,
    change: Change<'_>,
    new: NewUser,
) -> ApiResult<user::Model> {
    let NewUser {
        email,
        role,
        organization_id,
        password,
    } = new;
    let email = normalize_email(&email);
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if !valid {
        return Err(ApiError::bad_input(
            "input.email",
            "not a valid e-mail address",
        ));
    }
    check_new_password(&password)?;
    let hash = auth.passwords.hash(password).await?;
    let work = change.begin(db).await?;
    let holder = match organization_id {
        Some(org) => {
            let found = organization::Entity::find_by_id(org)
                .one(work.txn())
                .await?
                .ok_or_else(|| {
                    ApiError::bad_input(
                        "input.organizationId",
                        format!("unknown organization {org}"),
                    )
                })?;
            Some(holder_of(&found))
        }
        None => None,
    };
    // The role must agree with the register of organizations: the city's roles in a
    // city service, the partner role in a partner agency.
    ownership::account_fits_register(role, holder).map_err(|contradiction| {
        ApiError::PolicyViolation {
            rule: contradiction.code().to_owned(),
            message: contradiction.to_string(),
        }
    })?;
    if user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .one(work.txn())
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "a user with e-mail {email} exists"
        )));
    }
    let created = user::ActiveModel {
        email: Set(email),
        password_hash: Set(hash),
        role: Set(role.as_str().to_owned()),
        organization_id: Set(organization_id),
        locked_until: Set(None),
        deleted_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(work.txn())
    .await
    // Two creations of one e-mail racing: the second is a conflict, as in sequence.
    .map_err(ApiError::unique_as_conflict(
        "a user with this e-mail exists",
    ))?;
    work.commit(1).await?;
    Ok(created)
}

/// What the register says an organization is.
fn holder_of(org: &organization::Model) -> Holder {
    let id = OrgId(org.id);
    match org.kind {
        OrganizationKind::Municipal => Holder::Municipal(id),
        OrganizationKind::Partner => Holder::Partner(id),
    }
}

/// Every user not deleted, by e-mail.
pub async fn list_users<C: ConnectionTrait>(db: &C) -> ApiResult<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::DeletedAt.is_null())
        .order_by_asc(user::Column::Email)
        .all(db)
        .await?)
}

/// Finds an organization by code, for the command line.
pub async fn organization_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> ApiResult<organization::Model> {
    organization::Entity::find()
        .filter(organization::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::bad_input("org", format!("unknown organization {code}")))
}
