//! Password hashing with Argon2id, off the async runtime (a hash takes tens of
//! milliseconds of CPU by design).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{ApiError, ApiResult};
use crate::settings::AuthSettings;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Hashes and verifies passwords with the configured parameters.
#[derive(Clone)]
pub struct PasswordService {
    params: Params,
    /// Hash of a random password, verified when an e-mail is unknown so that the
    /// answer takes as long as for a known one.
    dummy_hash: String,
}

fn hasher(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

impl PasswordService {
    /// Builds the service and its dummy hash.
    pub fn new(settings: &AuthSettings) -> ApiResult<Self> {
        let params = Params::new(
            settings.argon2_memory_kib,
            settings.argon2_iterations,
            settings.argon2_parallelism,
            None,
        )
        .map_err(|err| ApiError::Internal(crate::error::cause::Cause(err.to_string().into())))?;
        let dummy = uuid::Uuid::new_v4().to_string();
        let dummy_hash = hash_with(&params, &dummy)?;
        Ok(PasswordService { params, dummy_hash })
    }

    /// Hashes a password on a blocking thread.
    pub async fn hash(&self, password: String) -> ApiResult<String> {
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || hash_with(&params, &password))
            .await
            .map_err(ApiError::internal)?
    }

    /// Whether a stored hash was made with other parameters than the configured
    /// ones (older defaults, another algorithm): the login that proves the password
    /// stores it again with the current ones.
    pub fn outdated(&self, stored: &str) -> bool {
        let Ok(hash) = PasswordHash::new(stored) else {
            return false;
        };
        if hash.algorithm.as_str() != Algorithm::Argon2id.as_str() {
            return true;
        }
        Params::try_from(&hash).is_ok_and(|used| {
            (used.m_cost(), used.t_cost(), used.p_cost())
                != (
                    self.params.m_cost(),
                    self.params.t_cost(),
                    self.params.p_cost(),
                )
        })
    }

    /// Verifies a password against a stored hash, or against the dummy hash when
    /// there is none; always takes one hash's time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.clone());
        let params = self.params.clone();
        let matches = tokio::task::spawn_blocking(move || {
            hasher(&params)
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok()
        })
        .await
        .unwrap_or(false);
        known && matches
    }
}

fn hash_with(params: &Params, password: &str) -> ApiResult<String> {
    hasher(params)
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| ApiError::Internal(crate::error::cause::Cause(err.to_string().into())))
}

/// Checks a new password's strength.
pub fn check_new_password(password: &str) -> ApiResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_input(
            "input.password",
            format!("a password has at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(memory_kib: u32, iterations: u32) -> PasswordService {
        let settings = AuthSettings {
            argon2_memory_kib: memory_kib,
            argon2_iterations: iterations,
            ..AuthSettings::default()
        };
        PasswordService::new(&settings).expect("a password service")
    }

    #[tokio::test]
    async fn a_hash_made_with_other_parameters_is_outdated_and_still_verifies() {
        let old = service(1024, 2);
        let current = service(2048, 1);
        let stored = old
            .hash("correct horse battery".to_owned())
            .await
            .expect("hash");
        assert!(current.outdated(&stored));
        assert!(!old.outdated(&stored));
        assert!(
            current
                .verify("correct horse battery".to_owned(), Some(stored.clone()))
                .await
        );
        let again = current
            .hash("correct horse battery".to_owned())
            .await
            .expect("hash");
        assert!(!current.outdated(&again));
        assert!(!current.outdated("not a hash"));
    }

    #[test]
    fn the_default_is_owasp_low_memory_argon2id() {
        // OWASP's Password Storage Cheat Sheet lists m=7168 KiB, t=5, p=1 as equal
        // in strength to its 19 MiB, t=2 baseline.
        let settings = AuthSettings::default();
        assert_eq!(
            (
                settings.argon2_memory_kib,
                settings.argon2_iterations,
                settings.argon2_parallelism
            ),
            (7168, 5, 1)
        );
    }
}
