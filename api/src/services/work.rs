//! The unit of work: every change, from GraphQL, HTTP, the command line or a task,
//! goes through it. It begins a transaction, lets the service check the policy with
//! the resource and write, appends the operation's audit entry to the chain in the
//! same transaction, and commits: the change and its entry are stored together or
//! not at all. Dropping it without committing rolls both back; the caller then
//! records the failure ([`record_failure`]: the GraphQL audit layer, or the command
//! runner). This file is the only place a transaction begins, outside migrations.

use policies::permissions::{DenialReason, Grant, ResourceRef};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};

use crate::context::{Operation, Outcome, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{self, Draft};

/// A change about to be made: who makes it, and which operation it is.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// Who acts, for which purpose.
    pub ctx: &'a RequestContext,
    /// What the audit log will name.
    pub operation: &'a Operation,
}

impl<'a> Change<'a> {
    /// A change by `ctx` under `operation`.
    pub fn new(ctx: &'a RequestContext, operation: &'a Operation) -> Self {
        Change { ctx, operation }
    }

    /// Checks the permission matrix for the operation (a rule that needs the
    /// resource is left to [`UnitOfWork::authorize`]), then opens the change's
    /// transaction. The GraphQL guard checked it already; checking here again keeps
    /// every other way in (the command line, tasks) under the same matrix.
    pub async fn begin(self, db: &DatabaseConnection) -> ApiResult<UnitOfWork<'a>> {
        let viewer = &self.ctx.viewer;
        match policies::permissions::authorize(
            &viewer.subject,
            &self.operation.resource,
            viewer.purpose,
            None,
        ) {
            Ok(grant) => self.ctx.note_purpose(&self.operation.key, grant.purpose),
            Err(denial) if matches!(denial.reason, DenialReason::ResourceRequired(_)) => {}
            Err(denial) => return Err(ApiError::Denied(denial)),
        }
        Ok(UnitOfWork {
            txn: db.begin().await?,
            change: self,
        })
    }
}

/// An open change: its transaction, who makes it and what the audit will say.
pub struct UnitOfWork<'a> {
    txn: DatabaseTransaction,
    change: Change<'a>,
}

impl<'a> UnitOfWork<'a> {
    /// The transaction every read and write of the change goes through.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Who makes the change.
    pub fn ctx(&self) -> &'a RequestContext {
        self.change.ctx
    }

    /// The change's operation.
    pub fn operation(&self) -> &'a Operation {
        self.change.operation
    }

    /// Checks the permission matrix for this operation on `resource` (the source a
    /// token ingests into, the DPIA a person edits...), and records the purpose the
    /// grant settled, which the audit entry then carries.
    pub fn authorize(&self, resource: &ResourceRef) -> ApiResult<Grant> {
        let ctx = self.ctx();
        let grant = policies::permissions::authorize(
            &ctx.viewer.subject,
            &self.operation().resource,
            ctx.viewer.purpose,
            Some(resource),
        )?;
        ctx.note_purpose(&self.operation().key, grant.purpose);
        Ok(grant)
    }

    /// Appends the allowed entry and commits the change with it.
    pub async fn commit(self, record_count: i64) -> ApiResult<()> {
        self.commit_with(Outcome::Allowed, None, record_count).await
    }

    /// Appends the allowed entry with a summary of what the change did (what a
    /// purge removed, what an import added) and commits the change with it.
    pub async fn commit_with_summary(
        self,
        record_count: i64,
        summary: Option<String>,
    ) -> ApiResult<()> {
        self.commit_with(Outcome::Allowed, summary, record_count)
            .await
    }

    /// Commits what the change wrote with an entry saying it was refused: for
    /// refusals that must leave a trace of their own (a failed login counts towards
    /// the lockout; a replayed refresh token revokes its session). The caller then
    /// returns its error.
    pub async fn commit_refusal(self, reason: &ApiError) -> ApiResult<()> {
        self.commit_with(outcome_of(reason), Some(reason.to_string()), 0)
            .await
    }

    async fn commit_with(
        self,
        outcome: Outcome,
        reason: Option<String>,
        record_count: i64,
    ) -> ApiResult<()> {
        let UnitOfWork { txn, change } = self;
        let draft = change
            .ctx
            .draft(change.operation, outcome, reason, record_count);
        audit::append(&txn, vec![draft]).await?;
        txn.commit().await?;
        change.ctx.note_written(&change.operation.key);
        // What the change stored may be news for subscribers or the re-scorer.
        crate::live::wake();
        Ok(())
    }
}

/// Appends entries that record no change of their own (reads, refusals, failures of
/// changes that rolled back) in a transaction of their own: the audit writer's
/// batches and the command line's failures are written here.
pub async fn record_entries(db: &DatabaseConnection, drafts: &[Draft]) -> Result<(), DbErr> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        return audit::append_by_copy(db.get_postgres_connection_pool(), drafts).await;
    }
    let txn = db.begin().await?;
    audit::append(&txn, drafts.to_vec()).await?;
    txn.commit().await
}

/// Records the failure of `operation` by `ctx`, whose change rolled back: the entry
/// says it failed (or was refused) and why.
pub async fn record_failure(
    db: &DatabaseConnection,
    ctx: &RequestContext,
    operation: &Operation,
    error: &ApiError,
) -> Result<(), DbErr> {
    let draft = ctx.draft(operation, outcome_of(error), Some(error.to_string()), 0);
    record_entries(db, &[draft]).await
}

/// Whether an error is a refusal (denied) or a failure (error), for the audit log.
pub fn outcome_of(error: &ApiError) -> Outcome {
    match error {
        ApiError::Unauthenticated(_)
        | ApiError::Forbidden(_)
        | ApiError::Denied(_)
        | ApiError::RateLimited { .. }
        | ApiError::QueryTooComplex { .. }
        | ApiError::PolicyViolation { .. } => Outcome::Denied,
        _ => Outcome::Error,
    }
}
