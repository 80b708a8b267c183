//! Partner agencies' scoped tokens: issued for an organization with scopes,
//! purposes and an expiry, stored as a hash (the secret is shown once), revocable.

use chrono::{Duration, Utc};
use entity::{organization, partner_token};
use policies::roles::{Purpose, Scope};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryOrder,
};

use crate::auth::service::{PARTNER_PREFIX, random_secret, sha256_hex};
use crate::error::{ApiError, ApiResult};
use crate::services::work::Change;

/// A partner token as issued: the row and the secret, shown once.
pub struct IssuedToken {
    /// The stored token.
    pub token: partner_token::Model,
    /// The full bearer value `pt_<id>_<secret>`.
    pub secret: String,
}

/// Longest validity of a partner token, in days.
pub const MAX_TOKEN_DAYS: i64 = 366;

/// A partner token to issue.
#[derive(Debug, Clone)]
pub struct NewPartnerToken {
    /// The organization it acts for.
    pub organization_id: i64,
    /// A name for people.
    pub label: String,
    /// Scopes, as written (`read:agenda`...).
    pub scopes: Vec<String>,
    /// Purposes it may declare.
    pub purposes: Vec<String>,
    /// Validity in days.
    pub days: i64,
}

/// Issues a scoped token for an organization.
pub async fn issue_partner_token(
    db: &DatabaseConnection,
    change: Change<'_>,
    new: &NewPartnerToken,
) -> ApiResult<IssuedToken> {
    let NewPartnerToken {
        organization_id,
        label,
        scopes,
        purposes,
        days,
    } = new;
    let (organization_id, days) = (*organization_id, *days);
    let issued_by = change.ctx.viewer.user_id;
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 200 {
        return Err(ApiError::bad_input(
            "input.label",
            "a label of 1 to 200 characters is required",
        ));
    }
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(ApiError::bad_input(
            "input.days",
            format!("days must be between 1 and {MAX_TOKEN_DAYS}"),
        ));
    }
    if scopes.is_empty() {
        return Err(ApiError::bad_input(
            "input.scopes",
            "at least one scope is required",
        ));
    }
    let mut parsed_scopes = Vec::new();
    for (i, scope) in scopes.iter().enumerate() {
        let scope = Scope::parse(scope)
            .map_err(|err| ApiError::bad_input(format!("input.scopes.{i}"), err.to_string()))?;
        parsed_scopes.push(scope.to_string());
    }
    let mut parsed_purposes = Vec::new();
    for (i, purpose) in purposes.iter().enumerate() {
        let purpose = Purpose::parse(purpose)
            .map_err(|err| ApiError::bad_input(format!("input.purposes.{i}"), err.to_string()))?;
        parsed_purposes.push(purpose.as_str().to_owned());
    }
    let work = change.begin(db).await?;
    if organization::Entity::find_by_id(organization_id)
        .one(work.txn())
        .await?
        .is_none()
    {
        return Err(ApiError::bad_input(
            "input.organizationId",
            format!("unknown organization {organization_id}"),
        ));
    }
    let secret = random_secret();
    let now = Utc::now();
    let token = partner_token::ActiveModel {
        organization_id: Set(organization_id),
        label: Set(label.to_owned()),
        secret_hash: Set(sha256_hex(&secret)),
        scopes: Set(parsed_scopes.join(" ")),
        purposes: Set(parsed_purposes.join(" ")),
        expires_at: Set(now + Duration::days(days)),
        created_by: Set(issued_by),
        created_at: Set(now),
        revoked_at: Set(None),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(work.txn())
    .await?;
    work.commit(1).await?;
    let bearer = format!("{PARTNER_PREFIX}{}_{secret}", token.id);
    Ok(IssuedToken {
        token,
        secret: bearer,
    })
}

/// Every partner token, newest first.
pub async fn list_partner_tokens<C: ConnectionTrait>(
    db: &C,
) -> ApiResult<Vec<partner_token::Model>> {
    Ok(partner_token::Entity::find()
        .order_by_desc(partner_token::Column::Id)
        .all(db)
        .await?)
}

/// Revokes a partner token; effective on the very next request.
pub async fn revoke_partner_token(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
) -> ApiResult<partner_token::Model> {
    let work = change.begin(db).await?;
    let token = partner_token::Entity::find_by_id(id)
        .one(work.txn())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("partner token {id}")))?;
    if token.revoked_at.is_some() {
        // Already revoked: nothing changes, and the audit says it was asked.
        work.commit(1).await?;
        return Ok(token);
    }
    let mut active: partner_token::ActiveModel = token.into();
    active.revoked_at = Set(Some(Utc::now()));
    let revoked = active.update(work.txn()).await?;
    work.commit(1).await?;
    Ok(revoked)
}
