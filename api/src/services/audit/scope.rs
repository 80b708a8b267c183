//! Transitional: lets services not yet moved to the unit of work
//! (`services::work`) write their change's audit entry inside their transaction.
//! The HTTP layer runs each GraphQL request with its context here; mutations run one
//! root field at a time, so the running root field is known. Services moved to the
//! unit of work never touch this, and it goes once the last one has moved.

use std::sync::Arc;

use sea_orm::ConnectionTrait;

use crate::context::{Outcome, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::services::audit::append;

tokio::task_local! {
    static CURRENT: Arc<RequestContext>;
}

/// Runs `fut` with `ctx` reachable by [`record_change`].
pub async fn run<F: Future>(ctx: Arc<RequestContext>, fut: F) -> F::Output {
    CURRENT.scope(ctx, fut).await
}

/// Writes the running root field's entry inside `txn`. Outside a request it does
/// nothing.
pub async fn record_change<C: ConnectionTrait>(txn: &C, record_count: i64) -> ApiResult<()> {
    let Ok(ctx) = CURRENT.try_with(Arc::clone) else {
        return Ok(());
    };
    let Some((key, field)) = ctx.running_root() else {
        return Ok(());
    };
    if ctx.written(&key) {
        return Ok(());
    }
    let operation = ctx.root_operation(&key, &field);
    let draft = ctx.draft(&operation, Outcome::Allowed, None, record_count);
    append(txn, vec![draft]).await.map_err(ApiError::from)?;
    // Marked now; a rollback after this point is undone by `rolled_back`.
    ctx.note_written(&key);
    Ok(())
}

/// Forgets an in-transaction entry whose transaction was rolled back.
pub fn rolled_back() {
    let _ = CURRENT.try_with(|ctx| {
        if let Some((key, _)) = ctx.running_root() {
            ctx.forget_written(&key);
        }
    });
}

/// Kept for services not yet moved: the claimed actor is no longer recorded (the
/// actor is always the authenticated caller).
pub fn claim_actor(_actor: &str) {}
