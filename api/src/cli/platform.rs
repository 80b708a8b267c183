//! The one way a command reaches the platform: the settings, a migrated database,
//! and, for changes, the command's own request context, so that every change a
//! command makes is audited like a change made over GraphQL.

use sea_orm::DatabaseConnection;

use super::CliError;
use crate::auth::service::AuthState;
use crate::context::{Operation, OperationKind, RequestContext};
use crate::error::ApiResult;
use crate::services::work::{self, Change};
use crate::settings::Settings;

/// A migrated database and the settings it was opened with.
pub struct Platform {
    /// The pool.
    pub db: DatabaseConnection,
    /// The settings.
    pub settings: Settings,
}

impl Platform {
    /// Connects and applies pending migrations.
    pub async fn open(settings: &Settings) -> Result<Self, CliError> {
        let db = crate::db::connect(settings).await?;
        crate::db::migrate(&db).await?;
        Ok(Platform {
            db,
            settings: settings.clone(),
        })
    }

    /// Keys and password hashing, for commands that handle accounts.
    pub fn auth(&self) -> Result<AuthState, CliError> {
        AuthState::from_settings(&self.settings).map_err(|e| CliError::Usage(e.to_string()))
    }
}

/// One audited change of a command: its context and operation. The service writes
/// the entry of a success in its own transaction; [`CommandChange::settle`] writes
/// the entry of a failure.
pub struct CommandChange {
    ctx: RequestContext,
    operation: Operation,
}

impl CommandChange {
    /// A change made by `api <command>` on `resource` (the root field a GraphQL
    /// client would call for the same change, so that the DPO finds both).
    pub fn new(command: &str, resource: &str) -> Self {
        CommandChange {
            ctx: RequestContext::command_line(command),
            operation: Operation::named(
                OperationKind::Command,
                &format!("api {command}"),
                resource,
            ),
        }
    }

    /// The change to hand to the service.
    pub fn change(&self) -> Change<'_> {
        Change::new(&self.ctx, &self.operation)
    }

    /// Passes a success through; records a failure in the audit log, then reports it.
    pub async fn settle<T>(
        &self,
        platform: &Platform,
        result: ApiResult<T>,
    ) -> Result<T, CliError> {
        match result {
            Ok(value) => Ok(value),
            Err(error) => {
                if let Err(audit) =
                    work::record_failure(&platform.db, &self.ctx, &self.operation, &error).await
                {
                    tracing::error!(error = %audit, "the failure could not be audited");
                }
                Err(CliError::Api(error))
            }
        }
    }
}
