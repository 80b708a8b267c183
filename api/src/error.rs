//! The one error type of the API and its public codes.
//!
//! Codes are public API: frontend developers branch on them, so they are never
//! renamed. `Internal` logs its cause and answers a fixed message: database text and
//! other internals never reach a client.

use async_graphql::ErrorExtensions;

/// Every failure an operation can report to a client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid credentials (HTTP 401, `UNAUTHENTICATED`).
    #[error("{0}")]
    Unauthenticated(String),
    /// Valid credentials without the right (HTTP 403, `FORBIDDEN`).
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist or is not visible (`NOT_FOUND`).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, e.g. "event 42".
        what: String,
    },
    /// Input that breaks a rule; `path` names the offending input field (`BAD_USER_INPUT`).
    #[error("{message}")]
    BadUserInput {
        /// Path of the field inside the operation's input, e.g. `input.endsAt`.
        path: String,
        /// What is wrong, for a person.
        message: String,
    },
    /// A privacy rule refused the operation (`POLICY_VIOLATION`).
    #[error("{message}")]
    PolicyViolation {
        /// Stable code of the rule, e.g. `K_ANONYMITY`.
        rule: String,
        /// What is wrong, for a person.
        message: String,
    },
    /// The change conflicts with the current state (`CONFLICT`).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts (`RATE_LIMITED`).
    #[error("{0}")]
    RateLimited(String),
    /// Anything unexpected; the cause is logged, never returned (`INTERNAL`).
    #[error("internal error")]
    Internal(#[source] cause::Cause),
}

impl ApiError {
    /// The stable code sent in `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound { .. } => "NOT_FOUND",
            ApiError::BadUserInput { .. } => "BAD_USER_INPUT",
            ApiError::PolicyViolation { .. } => "POLICY_VIOLATION",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::RateLimited(_) => "RATE_LIMITED",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    /// The HTTP status a transport-level failure with this error should carry.
    pub fn http_status(&self) -> u16 {
        match self {
            ApiError::Unauthenticated(_) => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound { .. } => 404,
            ApiError::BadUserInput { .. } | ApiError::PolicyViolation { .. } => 400,
            ApiError::Conflict(_) => 409,
            ApiError::RateLimited(_) => 429,
            ApiError::Internal(_) => 500,
        }
    }

    /// Shorthand for a `BAD_USER_INPUT` error on one input field.
    pub fn bad_input(path: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadUserInput {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Shorthand for a `NOT_FOUND` error.
    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::NotFound { what: what.into() }
    }

    /// Wraps an unexpected failure; logged with its cause chain when converted.
    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(cause::Cause(Box::new(cause)))
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        ApiError::internal(err)
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(err: sea_orm::TransactionError<ApiError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => ApiError::internal(db),
            sea_orm::TransactionError::Transaction(api) => api,
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.to_graphql()
    }
}

impl ApiError {
    /// The GraphQL error a client sees: the message (fixed for `Internal`, whose
    /// cause is logged here) and `extensions.code`, plus `field` or `rule` when known.
    pub fn to_graphql(&self) -> async_graphql::Error {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = %cause.chain(), "internal error");
        }
        let code = self.code();
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", code);
            match self {
                ApiError::BadUserInput { path, .. } => ext.set("field", path.as_str()),
                ApiError::PolicyViolation { rule, .. } => ext.set("rule", rule.as_str()),
                _ => {}
            }
        })
    }
}

/// An error shared by every resolver waiting on one DataLoader batch.
#[derive(Debug, Clone)]
pub struct SharedError(pub std::sync::Arc<ApiError>);

impl From<SharedError> for async_graphql::Error {
    fn from(err: SharedError) -> Self {
        err.0.to_graphql()
    }
}

/// A boxed cause whose full chain can be logged.
pub mod cause {
    use std::fmt;

    /// The underlying error of an `Internal` failure.
    #[derive(Debug)]
    pub struct Cause(pub Box<dyn std::error::Error + Send + Sync>);

    impl Cause {
        /// The error and all its sources, joined for a log line.
        pub fn chain(&self) -> String {
            let mut out = self.0.to_string();
            let mut source = self.0.source();
            while let Some(err) = source {
                out.push_str(": ");
                out.push_str(&err.to_string());
                source = err.source();
            }
            out
        }
    }

    impl fmt::Display for Cause {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.chain())
        }
    }

    impl std::error::Error for Cause {}
}

/// The result type of services.
pub type ApiResult<T> = Result<T, ApiError>;
