//! The one error type of the API. Its public codes, their HTTP statuses and their
//! meanings are in one table, [`codes`].
//!
//! `Internal` logs its cause and answers a fixed message: database text and other
//! internals never reach a client.

pub mod codes;

use async_graphql::ErrorExtensions;
use policies::permissions::Denial;

pub use codes::ErrorCode;

/// Every failure an operation can report to a client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid credentials (`UNAUTHENTICATED`).
    #[error("{0}")]
    Unauthenticated(String),
    /// Valid credentials without the right (`FORBIDDEN`), for a reason only the
    /// service could see (the permission matrix's refusals are [`ApiError::Denied`]).
    #[error("{0}")]
    Forbidden(String),
    /// The permission matrix refused the operation (`UNAUTHENTICATED` for an anonymous
    /// caller, `FORBIDDEN` otherwise, with `extensions.reason`).
    #[error("{0}")]
    Denied(Denial),
    /// The thing asked for does not exist or is not visible (`NOT_FOUND`).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, e.g. "event 42".
        what: String,
    },
    /// The HTTP request itself is malformed (`BAD_REQUEST`).
    #[error("{0}")]
    BadRequest(String),
    /// Input that breaks a rule; `path` names the offending input field (`BAD_USER_INPUT`).
    #[error("{message}")]
    BadUserInput {
        /// Path of the field inside the operation's input, e.g. `input.endsAt`.
        path: String,
        /// What is wrong, for a person.
        message: String,
    },
    /// The document is over a limit (`QUERY_TOO_COMPLEX`).
    #[error("{message}")]
    QueryTooComplex {
        /// Which limit, e.g. `cost` or `aliases`.
        limit: &'static str,
        /// What is over, for a person.
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
    /// Too many attempts (`RATE_LIMITED`); retry after this many seconds.
    #[error("{message}")]
    RateLimited {
        /// What is limited, for a person.
        message: String,
        /// Seconds before a retry may succeed.
        retry_after_secs: u64,
    },
    /// The operation ran past the time limit and was cancelled (`TIMEOUT`).
    #[error("the operation took longer than {0} s and was cancelled")]
    Timeout(u64),
    /// The database cannot be reached (`UNAVAILABLE`); the cause is logged.
    #[error("the database is unavailable; try again shortly")]
    Unavailable(#[source] cause::Cause),
    /// Anything unexpected; the cause is logged, never returned (`INTERNAL`).
    #[error("internal error")]
    Internal(#[source] cause::Cause),
    /// One record of a batch broke a rule, so the whole batch was refused and nothing
    /// of it stored: the record's error, with `extensions.index`.
    #[error("{error}")]
    InRecord {
        /// Zero-based index of the first offending record.
        index: usize,
        /// The record's error (`POLICY_VIOLATION` with its rule, `BAD_USER_INPUT` or `CONFLICT`).
        error: Box<ApiError>,
    },
}

impl ApiError {
    /// The stable code sent in `extensions.code`.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::Denied(denial) if denial.needs_authentication() => ErrorCode::Unauthenticated,
            ApiError::Denied(_) => ErrorCode::Forbidden,
            ApiError::NotFound { .. } => ErrorCode::NotFound,
            ApiError::BadRequest(_) => ErrorCode::BadRequest,
            ApiError::BadUserInput { .. } => ErrorCode::BadUserInput,
            ApiError::QueryTooComplex { .. } => ErrorCode::QueryTooComplex,
            ApiError::PolicyViolation { .. } => ErrorCode::PolicyViolation,
            ApiError::Conflict(_) => ErrorCode::Conflict,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::Timeout(_) => ErrorCode::Timeout,
            ApiError::Unavailable(_) => ErrorCode::Unavailable,
            ApiError::Internal(_) => ErrorCode::Internal,
            ApiError::InRecord { error, .. } => error.code(),
        }
    }

    /// The error of the record at `index` of a batch.
    pub fn in_record(index: usize, error: ApiError) -> Self {
        ApiError::InRecord {
            index,
            error: Box::new(error),
        }
    }

    /// The HTTP status a transport-level failure with this error should carry.
    pub fn http_status(&self) -> u16 {
        self.code().http_status()
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

    /// Shorthand for a `RATE_LIMITED` error.
    pub fn rate_limited(message: impl Into<String>, retry_after_secs: u64) -> Self {
        ApiError::RateLimited {
            message: message.into(),
            retry_after_secs,
        }
    }

    /// Wraps an unexpected failure; logged with its cause chain when converted.
    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(cause::Cause(Box::new(cause)))
    }

    /// Maps a unique-constraint violation to `CONFLICT` with this message, and any
    /// other database error as [`From<DbErr>`] does. For the writes where a
    /// duplicate is the caller's to fix (an e-mail, a code, an idempotency key).
    pub fn unique_as_conflict(message: impl Into<String>) -> impl FnOnce(sea_orm::DbErr) -> Self {
        move |err| match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                ApiError::Conflict(message.into())
            }
            _ => ApiError::from(err),
        }
    }
}

impl From<Denial> for ApiError {
    fn from(denial: Denial) -> Self {
        ApiError::Denied(denial)
    }
}

/// Whether `err` says the database could not be reached or the connection broke
/// (as opposed to a statement the database refused).
pub fn connection_lost(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    match runtime {
        RuntimeErr::SqlxError(inner) => matches!(
            inner.as_ref(),
            sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed
                | sqlx::Error::Protocol(_)
        ),
        _ => matches!(err, DbErr::Conn(_)),
    }
}

impl From<sea_orm::DbErr> for ApiError {
    /// A unique violation is a `CONFLICT` everywhere (a race between two creations of
    /// the same thing ends like the second of two sequential ones); a lost connection
    /// is `UNAVAILABLE`; anything else is `INTERNAL`.
    fn from(err: sea_orm::DbErr) -> Self {
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
            return ApiError::Conflict("it already exists".to_owned());
        }
        if connection_lost(&err) {
            return ApiError::Unavailable(cause::Cause(Box::new(err)));
        }
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
    /// cause is logged here) and `extensions.code`, plus `field`, `rule`, `reason`,
    /// `limit` or `retryAfter` when known.
    pub fn to_graphql(&self) -> async_graphql::Error {
        if let ApiError::InRecord { index, error } = self {
            let index = i64::try_from(*index).unwrap_or(i64::MAX);
            return error
                .to_graphql()
                .extend_with(|_, ext| ext.set("index", index));
        }
        match self {
            ApiError::Internal(cause) => tracing::error!(error = %cause.chain(), "internal error"),
            ApiError::Unavailable(cause) => {
                tracing::warn!(error = %cause.chain(), "database unavailable")
            }
            _ => {}
        }
        let code = self.code();
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", code.as_str());
            match self {
                ApiError::BadUserInput { path, .. } => ext.set("field", path.as_str()),
                ApiError::PolicyViolation { rule, .. } => ext.set("rule", rule.as_str()),
                ApiError::Denied(denial) => ext.set("reason", denial.reason.code()),
                ApiError::QueryTooComplex { limit, .. } => ext.set("limit", *limit),
                ApiError::RateLimited {
                    retry_after_secs, ..
                } => ext.set("retryAfter", *retry_after_secs),
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
