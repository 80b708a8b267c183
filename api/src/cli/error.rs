//! What a command can fail with, and the exit status each gives.

use crate::error::ApiError;
use crate::startup::StartupError;

/// A failed command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The arguments or the input make no sense (exit status 2).
    #[error("{0}")]
    Usage(String),
    /// An operation of the platform failed; an operator may read its cause.
    #[error("{}", api_message(.0))]
    Api(#[from] ApiError),
    /// The database could not be reached or migrated.
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The server could not start.
    #[error("server: {0}")]
    Startup(#[from] StartupError),
    /// A check the command runs failed: a broken audit chain (exit status 1).
    #[error("{0}")]
    CheckFailed(String),
    /// The publication gate refused a trained model: it is stored as rejected and
    /// scores nothing (exit status 3, so that a script tells it from a failure).
    #[error("{0}")]
    ModelRejected(String),
}

impl CliError {
    /// The process's exit status.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::ModelRejected(_) => 3,
            CliError::Api(ApiError::BadUserInput { .. } | ApiError::Conflict(_)) => 2,
            _ => 1,
        }
    }

    /// Reading `path` failed.
    pub fn file(path: &std::path::Path, source: std::io::Error) -> Self {
        CliError::File {
            path: path.display().to_string(),
            source,
        }
    }
}

/// The operator at the server's console may see an internal cause.
fn api_message(err: &ApiError) -> String {
    match err {
        ApiError::Internal(cause) | ApiError::Unavailable(cause) => cause.chain(),
        ApiError::BadUserInput { path, message } => format!("{path}: {message}"),
        other => other.to_string(),
    }
}
