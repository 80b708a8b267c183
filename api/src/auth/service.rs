//! Logging in and out, refresh-token rotation, and the authentication of each
//! request. Accounts live in `accounts`, partner tokens in `partner_tokens`.

use chrono::{DateTime, Duration, Utc};
use entity::{login_failure, partner_token, refresh_token, session, user};
use policies::permissions::{OrgId, Subject};
use policies::roles::{Purpose, Role, Scope};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::auth::keys::KeySet;
use crate::auth::passwords::PasswordService;
use crate::auth::{Viewer, tokens};
use crate::error::{ApiError, ApiResult};
use crate::settings::AuthSettings;

pub use crate::auth::accounts::{create_user, list_users, organization_by_code};
pub use crate::auth::partner_tokens::{
    IssuedToken, MAX_TOKEN_DAYS, issue_partner_token, list_partner_tokens, revoke_partner_token,
};

/// Prefix of partner tokens, so a reader tells them from access tokens at a glance.
pub const PARTNER_PREFIX: &str = "pt_";

/// Everything authentication needs, shared by the server.
pub struct AuthState {
    /// Signing and verification keys.
    pub keys: KeySet,
    /// Password hashing.
    pub passwords: PasswordService,
    /// Settings.
    pub settings: AuthSettings,
}

/// The message of every failed login, whatever the cause.
const BAD_CREDENTIALS: &str = "invalid e-mail or password";

/// Tokens handed to a person after login or refresh.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The access token (JWT).
    pub access_token: String,
    /// Its expiry.
    pub access_expires_at: DateTime<Utc>,
    /// The refresh token (opaque, single use).
    pub refresh_token: String,
    /// Its expiry.
    pub refresh_expires_at: DateTime<Utc>,
    /// The person.
    pub user: user::Model,
}

pub(crate) fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

async fn failures_in_window<C: ConnectionTrait>(
    db: &C,
    email: &str,
    settings: &AuthSettings,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    Ok(login_failure::Entity::find()
        .filter(login_failure::Column::Email.eq(email))
        .filter(
            login_failure::Column::At.gt(now - Duration::minutes(settings.lockout_window_minutes)),
        )
        .count(db)
        .await?)
}

/// Checks an e-mail and password and opens a session.
pub async fn login(
    db: &DatabaseConnection,
    auth: &AuthState,
    email: &str,
    password: String,
) -> ApiResult<Tokens> {
    let email = normalize_email(email);
    crate::services::audit::scope::claim_actor(&email);
    let now = Utc::now();
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    // Locking is per e-mail, known or not, so that it reveals nothing.
    if failures_in_window(db, &email, &auth.settings, now).await? >= auth.settings.lockout_threshold
    {
        // Spend the same time as a real check.
        let _ = auth.passwords.verify(password, None).await;
        return Err(ApiError::RateLimited(
            "too many failed logins; try again later".to_owned(),
        ));
    }
    let ok = auth
        .passwords
        .verify(password, found.as_ref().map(|u| u.password_hash.clone()))
        .await;
    let user = match (ok, found) {
        (true, Some(user)) if user.locked_until.is_none_or(|until| until <= now) => user,
        (true, Some(_)) => {
            return Err(ApiError::RateLimited(
                "account locked; try again later".to_owned(),
            ));
        }
        (_, found) => {
            let txn = db.begin().await?;
            login_failure::ActiveModel {
                email: Set(email.clone()),
                at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let failures = failures_in_window(&txn, &email, &auth.settings, now).await?;
            if let (Some(user), true) = (found, failures >= auth.settings.lockout_threshold) {
                let mut active: user::ActiveModel = user.into();
                active.locked_until = Set(Some(
                    now + Duration::minutes(auth.settings.lockout_window_minutes),
                ));
                active.update(&txn).await?;
            }
            txn.commit().await?;
            return Err(ApiError::Unauthenticated(BAD_CREDENTIALS.to_owned()));
        }
    };
    let txn = db.begin().await?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Email.eq(email))
        .exec(&txn)
        .await?;
    let session_id = uuid::Uuid::new_v4().to_string();
    session::ActiveModel {
        id: Set(session_id.clone()),
        user_id: Set(user.id),
        created_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let tokens = new_tokens(&txn, auth, user, &session_id, now).await?;
    crate::services::audit::scope::record_change(&txn, 1).await?;
    txn.commit().await?;
    Ok(tokens)
}

async fn new_tokens<C: ConnectionTrait>(
    db: &C,
    auth: &AuthState,
    user: user::Model,
    session_id: &str,
    now: DateTime<Utc>,
) -> ApiResult<Tokens> {
    let refresh = random_secret();
    let refresh_expires_at = now + Duration::days(auth.settings.refresh_ttl_days);
    refresh_token::ActiveModel {
        session_id: Set(session_id.to_owned()),
        token_hash: Set(sha256_hex(&refresh)),
        expires_at: Set(refresh_expires_at),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let (access_token, access_expires_at) = tokens::issue(
        &auth.keys,
        &auth.settings,
        user.id,
        &user.role,
        session_id,
        now,
    )?;
    Ok(Tokens {
        access_token,
        access_expires_at,
        refresh_token: refresh,
        refresh_expires_at,
        user,
    })
}

/// Exchanges a refresh token for new tokens. A token already exchanged means it was
/// stolen or replayed: the whole session is revoked.
pub async fn refresh(db: &DatabaseConnection, auth: &AuthState, token: &str) -> ApiResult<Tokens> {
    let invalid = || ApiError::Unauthenticated("invalid refresh token".to_owned());
    let now = Utc::now();
    let txn = db.begin().await?;
    let stored = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(sha256_hex(token)))
        .one(&txn)
        .await?
        .ok_or_else(invalid)?;
    let session = session::Entity::find_by_id(stored.session_id.clone())
        .one(&txn)
        .await?
        .ok_or_else(invalid)?;
    if session.revoked_at.is_some() || stored.expires_at <= now {
        return Err(invalid());
    }
    if stored.used_at.is_some() {
        let mut active: session::ActiveModel = session.into();
        active.revoked_at = Set(Some(now));
        active.update(&txn).await?;
        txn.commit().await?;
        return Err(ApiError::Unauthenticated(
            "refresh token reused; the session is revoked".to_owned(),
        ));
    }
    let user = active_user(&txn, session.user_id, now)
        .await?
        .ok_or_else(invalid)?;
    let mut used: refresh_token::ActiveModel = stored.into();
    used.used_at = Set(Some(now));
    used.update(&txn).await?;
    let tokens = new_tokens(&txn, auth, user, &session.id, now).await?;
    crate::services::audit::scope::record_change(&txn, 1).await?;
    txn.commit().await?;
    Ok(tokens)
}

/// Ends a session: the caller's own, or the one a refresh token belongs to.
pub async fn logout(
    db: &DatabaseConnection,
    session_id: Option<String>,
    refresh: Option<&str>,
) -> ApiResult<bool> {
    let session_id = match (session_id, refresh) {
        (Some(id), _) => Some(id),
        (None, Some(token)) => refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(sha256_hex(token)))
            .one(db)
            .await?
            .map(|t| t.session_id),
        (None, None) => None,
    };
    let Some(id) = session_id else {
        return Ok(false);
    };
    let Some(session) = session::Entity::find_by_id(id).one(db).await? else {
        return Ok(false);
    };
    if session.revoked_at.is_some() {
        return Ok(false);
    }
    let txn = db.begin().await?;
    let mut active: session::ActiveModel = session.into();
    active.revoked_at = Set(Some(Utc::now()));
    active.update(&txn).await?;
    crate::services::audit::scope::record_change(&txn, 1).await?;
    txn.commit().await?;
    Ok(true)
}

async fn active_user<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> ApiResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|u| u.deleted_at.is_none() && u.locked_until.is_none_or(|until| until <= now)))
}

/// Turns a bearer token into the viewer of a request; any defect is `UNAUTHENTICATED`.
pub async fn authenticate(
    db: &DatabaseConnection,
    auth: &AuthState,
    bearer: &str,
    purpose: Option<Purpose>,
) -> ApiResult<Viewer> {
    let now = Utc::now();
    if let Some(rest) = bearer.strip_prefix(PARTNER_PREFIX) {
        return authenticate_partner(db, rest, purpose, now).await;
    }
    let claims = tokens::verify(&auth.keys, &auth.settings, bearer)?;
    let revoked = || ApiError::Unauthenticated("invalid access token: session ended".to_owned());
    let session = session::Entity::find_by_id(claims.sid.clone())
        .one(db)
        .await?
        .ok_or_else(revoked)?;
    let user_id: i64 = claims.sub.parse().map_err(|_| revoked())?;
    if session.revoked_at.is_some() || session.user_id != user_id {
        return Err(revoked());
    }
    let user = active_user(db, user_id, now).await?.ok_or_else(|| {
        ApiError::Unauthenticated("invalid access token: account locked or deleted".to_owned())
    })?;
    let role = Role::parse(&user.role).map_err(|_| revoked())?;
    Ok(Viewer {
        subject: Subject::User {
            role,
            organization: OrgId(user.organization_id.unwrap_or(0)),
        },
        user_id: Some(user.id),
        token_id: None,
        organization_id: user.organization_id,
        actor: user.email,
        purpose,
        session_id: Some(session.id),
    })
}

async fn authenticate_partner(
    db: &DatabaseConnection,
    rest: &str,
    purpose: Option<Purpose>,
    now: DateTime<Utc>,
) -> ApiResult<Viewer> {
    let invalid = || ApiError::Unauthenticated("invalid partner token".to_owned());
    let (id, secret) = rest.split_once('_').ok_or_else(invalid)?;
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let token = partner_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    // Both sides are fixed-length hex digests; comparing digests rather than secrets
    // keeps timing independent of the secret.
    if token.secret_hash != sha256_hex(secret) {
        return Err(invalid());
    }
    if token.revoked_at.is_some() {
        return Err(ApiError::Unauthenticated(
            "partner token revoked".to_owned(),
        ));
    }
    if token.expires_at <= now {
        return Err(ApiError::Unauthenticated(
            "partner token expired".to_owned(),
        ));
    }
    let scopes = Scope::parse_list(&token.scopes).map_err(|_| invalid())?;
    let purposes = token
        .purposes
        .split_whitespace()
        .map(Purpose::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| invalid())?;
    let (token_id, organization_id, label) = (token.id, token.organization_id, token.label.clone());
    let mut active: partner_token::ActiveModel = token.into();
    active.last_used_at = Set(Some(now));
    active.update(db).await?;
    Ok(Viewer {
        subject: Subject::PartnerToken {
            organization: OrgId(organization_id),
            scopes,
            purposes,
        },
        user_id: None,
        token_id: Some(token_id),
        organization_id: Some(organization_id),
        actor: format!("token:{token_id} ({label})"),
        purpose,
        session_id: None,
    })
}
