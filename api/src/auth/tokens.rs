//! Access tokens: short-lived JWTs signed with the pinned algorithm, naming their
//! session so that logout and reuse detection end them at once.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};

use crate::auth::keys::KeySet;
use crate::error::{ApiError, ApiResult};
use crate::settings::AuthSettings;

/// The only algorithm issued and accepted.
pub const ALGORITHM: Algorithm = Algorithm::EdDSA;

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user's id.
    pub sub: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Not valid before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id.
    pub jti: String,
    /// Session id.
    pub sid: String,
    /// Role at issuance (the database's current role is what counts).
    pub role: String,
}

/// Signs an access token for `user_id` in `session_id`; returns it and its expiry.
pub fn issue(
    keys: &KeySet,
    settings: &AuthSettings,
    user_id: i64,
    role: &str,
    session_id: &str,
    now: DateTime<Utc>,
) -> ApiResult<(String, DateTime<Utc>)> {
    let expires = now + Duration::seconds(settings.access_ttl_secs);
    let claims = Claims {
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
        sub: user_id.to_string(),
        exp: expires.timestamp(),
        nbf: now.timestamp(),
        iat: now.timestamp(),
        jti: uuid::Uuid::new_v4().to_string(),
        sid: session_id.to_owned(),
        role: role.to_owned(),
    };
    let mut header = Header::new(ALGORITHM);
    header.kid = Some(keys.signing_kid.clone());
    let token = encode(&header, &claims, &keys.signing).map_err(ApiError::internal)?;
    Ok((token, expires))
}

/// Verifies signature, algorithm, `kid`, issuer, audience and validity window.
pub fn verify(keys: &KeySet, settings: &AuthSettings, token: &str) -> ApiResult<Claims> {
    let invalid = |why: &str| ApiError::Unauthenticated(format!("invalid access token: {why}"));
    let header = decode_header(token).map_err(|_| invalid("malformed"))?;
    if header.alg != ALGORITHM {
        return Err(invalid("algorithm not accepted"));
    }
    let kid = header.kid.ok_or_else(|| invalid("no key id"))?;
    let key = keys
        .verifying
        .get(&kid)
        .ok_or_else(|| invalid("unknown key id"))?;
    let mut validation = Validation::new(ALGORITHM);
    validation.algorithms = vec![ALGORITHM];
    validation.set_issuer(&[settings.issuer.as_str()]);
    validation.set_audience(&[settings.audience.as_str()]);
    validation.validate_nbf = true;
    validation.leeway = 5;
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub", "jti"]);
    decode::<Claims>(token, key, &validation)
        .map(|data| data.claims)
        .map_err(|err| match err.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => invalid("expired"),
            jsonwebtoken::errors::ErrorKind::ImmatureSignature => invalid("not yet valid"),
            jsonwebtoken::errors::ErrorKind::InvalidIssuer => invalid("wrong issuer"),
            jsonwebtoken::errors::ErrorKind::InvalidAudience => invalid("wrong audience"),
            jsonwebtoken::errors::ErrorKind::InvalidSignature => invalid("bad signature"),
            _ => invalid("rejected"),
        })
}
