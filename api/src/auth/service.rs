//! Logging in and out, refresh-token rotation, and the authentication of each
//! request. Accounts live in `accounts`, partner tokens in `partner_tokens`.

use chrono::{DateTime, Duration, Utc};
use entity::{partner_token, refresh_token, session, user};
use policies::permissions::{OrgId, Subject};
use policies::roles::{Purpose, Role, Scope};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};

use crate::auth::keys::KeySet;
use crate::auth::passwords::PasswordService;
use crate::auth::{Viewer, tokens};
use crate::error::{ApiError, ApiResult};
use crate::services::work::Change;
use crate::settings::AuthSettings;

pub use crate::auth::accounts::{NewUser, create_user, list_users, organization_by_code};
pub use crate::auth::partner_tokens::{
    IssuedToken, MAX_TOKEN_DAYS, NewPartnerToken, issue_partner_token, list_partner_tokens,
    revoke_partner_token,
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
    /// Login attempts per client address.
    pub logins: crate::http::rate::Limit<std::net::IpAddr>,
    /// Sessions checked a moment ago.
    pub sessions: crate::auth::session_cache::SessionCache,
}

impl AuthState {
    /// Loads (or generates) the signing keys and sets up password hashing.
    pub fn from_settings(settings: &crate::settings::Settings) -> Result<Self, AuthSetupError> {
        Ok(AuthState {
            keys: KeySet::load(settings).map_err(|e| AuthSetupError(e.to_string()))?,
            passwords: PasswordService::new(&settings.auth)
                .map_err(|e| AuthSetupError(e.to_string()))?,
            settings: settings.auth.clone(),
            logins: crate::http::rate::Limit::per_minute(settings.http.rate.login_per_minute),
            sessions: crate::auth::session_cache::SessionCache::new(
                std::time::Duration::from_secs(settings.auth.session_cache_secs),
            ),
        })
    }
}

/// Keys or password hashing could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("authentication setup: {0}")]
pub struct AuthSetupError(String);

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

/// Longest e-mail address (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;
/// Longest password accepted at login: longer ones only cost hashing time.
pub const PASSWORD_MAX: usize = 1_024;

pub(crate) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Counts one login attempt for `email` in the current window and returns the count,
/// in one atomic statement, before the password is checked: parallel attempts each
/// get their own number, so no more than the threshold are ever checked.
async fn count_attempt(
    db: &DatabaseConnection,
    email: &str,
    settings: &AuthSettings,
    now: DateTime<Utc>,
) -> ApiResult<i64> {
    use entity::login_throttle::{Column, Entity};
    use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
    let stale = Expr::col((Entity, Column::WindowStart))
        .lt(now - Duration::minutes(settings.lockout_window_minutes));
    let upsert = Query::insert()
        .into_table(Entity)
        .columns([Column::Email, Column::WindowStart, Column::Attempts])
        .values([email.into(), now.into(), 1i64.into()])
        .map_err(|err| ApiError::internal(DbErr::Custom(err.to_string())))?
        .on_conflict(
            OnConflict::column(Column::Email)
                .values([
                    (
                        Column::Attempts,
                        Expr::case(stale.clone(), 1i64)
                            .finally(Expr::col((Entity, Column::Attempts)).add(1i64))
                            .into(),
                    ),
                    (
                        Column::WindowStart,
                        Expr::case(stale, now)
                            .finally(Expr::col((Entity, Column::WindowStart)))
                            .into(),
                    ),
                ])
                .to_owned(),
        )
        .returning_col(Column::Attempts)
        .to_owned();
    let row = db
        .query_one(&upsert)
        .await?
        .ok_or_else(|| ApiError::internal(DbErr::Custom("no attempt count".to_owned())))?;
    Ok(row.try_get::<i64>("", "attempts")?)
}

/// Checks an e-mail and password and opens a session. Every attempt leaves one audit
/// entry (allowed, or denied with its reason), whoever the caller is.
pub async fn login(
    db: &DatabaseConnection,
    auth: &AuthState,
    change: Change<'_>,
    email: &str,
    password: String,
) -> ApiResult<Tokens> {
    // Bounded before anything is stored or hashed: the throttle row and the audit
    // entry are keyed by the e-mail, and Argon2 runs over the whole password.
    if email.trim().is_empty() || email.len() > EMAIL_MAX {
        let refusal = ApiError::bad_input(
            "email",
            format!("an e-mail address of 1 to {EMAIL_MAX} characters is required"),
        );
        change.begin(db).await?.commit_refusal(&refusal).await?;
        return Err(refusal);
    }
    if password.len() > PASSWORD_MAX {
        let refusal = ApiError::bad_input(
            "password",
            format!("a password is at most {PASSWORD_MAX} bytes"),
        );
        change.begin(db).await?.commit_refusal(&refusal).await?;
        return Err(refusal);
    }
    if let Some(address) = change.ctx.client
        && let Err(wait) = auth.logins.check(&address)
    {
        let refusal = ApiError::rate_limited("too many login attempts from this address", wait);
        change.begin(db).await?.commit_refusal(&refusal).await?;
        return Err(refusal);
    }
    let email = normalize_email(email);
    let now = Utc::now();
    let attempts = count_attempt(db, &email, &auth.settings, now).await?;
    let threshold = i64::try_from(auth.settings.lockout_threshold).unwrap_or(i64::MAX);
    let retry_after = u64::try_from(auth.settings.lockout_window_minutes * 60).unwrap_or(0);
    if attempts > threshold {
        // Spend the same time as a real check, so a lock says nothing either.
        let _ = auth.passwords.verify(password, None).await;
        let refusal =
            ApiError::rate_limited("too many login attempts; try again later", retry_after);
        change.begin(db).await?.commit_refusal(&refusal).await?;
        return Err(refusal);
    }
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.clone()))
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    // A hash made with older parameters is made again once the password is proven,
    // before the transaction opens (a hash takes tens of milliseconds).
    let outdated = found
        .as_ref()
        .is_some_and(|u| auth.passwords.outdated(&u.password_hash));
    let retained = outdated.then(|| password.clone());
    let ok = auth
        .passwords
        .verify(password, found.as_ref().map(|u| u.password_hash.clone()))
        .await;
    let upgraded = match (ok, retained) {
        (true, Some(password)) => Some(auth.passwords.hash(password).await?),
        _ => None,
    };
    let work = change.begin(db).await?;
    let user = match (ok, found) {
        (true, Some(user)) if user.locked_until.is_none_or(|until| until <= now) => {
            match upgraded {
                Some(hash) => {
                    let mut active: user::ActiveModel = user.into();
                    active.password_hash = Set(hash);
                    active.update(work.txn()).await?
                }
                None => user,
            }
        }
        (true, Some(_)) => {
            let refusal = ApiError::rate_limited("account locked; try again later", retry_after);
            work.commit_refusal(&refusal).await?;
            return Err(refusal);
        }
        (_, found) => {
            if let (Some(user), true) = (found, attempts >= threshold) {
                let mut active: user::ActiveModel = user.into();
                active.locked_until = Set(Some(
                    now + Duration::minutes(auth.settings.lockout_window_minutes),
                ));
                active.update(work.txn()).await?;
            }
            let refusal = ApiError::Unauthenticated(BAD_CREDENTIALS.to_owned());
            work.commit_refusal(&refusal).await?;
            // A locked account's sessions stop working at once.
            auth.sessions.clear();
            return Err(refusal);
        }
    };
    entity::login_throttle::Entity::delete_by_id(email)
        .exec(work.txn())
        .await?;
    let session_id = uuid::Uuid::new_v4().to_string();
    session::ActiveModel {
        id: Set(session_id.clone()),
        user_id: Set(user.id),
        created_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(work.txn())
    .await?;
    let tokens = new_tokens(work.txn(), auth, user, &session_id, now).await?;
    work.commit(1).await?;
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
pub async fn refresh(
    db: &DatabaseConnection,
    auth: &AuthState,
    change: Change<'_>,
    token: &str,
) -> ApiResult<Tokens> {
    let invalid = || ApiError::Unauthenticated("invalid refresh token".to_owned());
    let now = Utc::now();
    let work = change.begin(db).await?;
    let txn = work.txn();
    let stored = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(sha256_hex(token)))
        .one(txn)
        .await?
        .ok_or_else(invalid)?;
    let session = session::Entity::find_by_id(stored.session_id.clone())
        .one(txn)
        .await?
        .ok_or_else(invalid)?;
    if session.revoked_at.is_some() || stored.expires_at <= now {
        return Err(invalid());
    }
    if stored.used_at.is_some() {
        let mut active: session::ActiveModel = session.into();
        active.revoked_at = Set(Some(now));
        active.update(txn).await?;
        let refusal =
            ApiError::Unauthenticated("refresh token reused; the session is revoked".to_owned());
        work.commit_refusal(&refusal).await?;
        auth.sessions.clear();
        return Err(refusal);
    }
    let user = active_user(txn, session.user_id, now)
        .await?
        .ok_or_else(invalid)?;
    let mut used: refresh_token::ActiveModel = stored.into();
    used.used_at = Set(Some(now));
    used.update(txn).await?;
    let tokens = new_tokens(txn, auth, user, &session.id, now).await?;
    work.commit(1).await?;
    Ok(tokens)
}

/// Ends a session: the caller's own, or the one a refresh token belongs to.
pub async fn logout(
    db: &DatabaseConnection,
    auth: &AuthState,
    change: Change<'_>,
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
    let work = change.begin(db).await?;
    let mut active: session::ActiveModel = session.into();
    active.revoked_at = Set(Some(Utc::now()));
    active.update(work.txn()).await?;
    work.commit(1).await?;
    auth.sessions.clear();
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
    let user_id: i64 = claims.sub.parse().map_err(|_| revoked())?;
    if let Some(mut viewer) = auth.sessions.get(&claims.sid, user_id) {
        viewer.purpose = purpose;
        return Ok(viewer);
    }
    let generation = auth.sessions.generation();
    let session = session::Entity::find_by_id(claims.sid.clone())
        .one(db)
        .await?
        .ok_or_else(revoked)?;
    if session.revoked_at.is_some() || session.user_id != user_id {
        return Err(revoked());
    }
    let user = active_user(db, user_id, now).await?.ok_or_else(|| {
        ApiError::Unauthenticated("invalid access token: account locked or deleted".to_owned())
    })?;
    let role = Role::parse(&user.role).map_err(|_| revoked())?;
    let viewer = Viewer {
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
    };
    auth.sessions.put(&claims.sid, &viewer, generation);
    Ok(viewer)
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
