//! The audit scope of one request: who is calling and what the operation is, so
//! that a change can write its entry inside its own transaction (the entry commits
//! with the change, or neither does), and the request writes it otherwise.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use sea_orm::ConnectionTrait;

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{Draft, append};

tokio::task_local! {
    /// The scope of the request being executed on this task.
    static CURRENT: Arc<AuditScope>;
}

/// What is known of the operation as it runs.
#[derive(Debug, Default, Clone)]
pub struct OperationInfo {
    /// query, mutation or subscription.
    pub operation_type: String,
    /// Name of the operation.
    pub operation_name: String,
    /// Root fields.
    pub resources: Vec<String>,
    /// Fields selected.
    pub fields: Vec<String>,
    /// Purpose granted by the guard.
    pub purpose: Option<String>,
}

/// One request's audit state.
pub struct AuditScope {
    /// The caller.
    pub viewer: Viewer,
    /// HTTP request id.
    pub request_id: Option<String>,
    /// Filled in as the operation is parsed and guarded.
    pub info: Mutex<OperationInfo>,
    /// Who the operation names when the caller is anonymous (the e-mail of a login).
    claimed_actor: Mutex<Option<String>>,
    written: AtomicBool,
}

impl AuditScope {
    /// A scope for a request by `viewer`.
    pub fn new(viewer: Viewer, request_id: Option<String>) -> Arc<Self> {
        Arc::new(AuditScope {
            viewer,
            request_id,
            info: Mutex::new(OperationInfo::default()),
            claimed_actor: Mutex::new(None),
            written: AtomicBool::new(false),
        })
    }

    /// Runs `fut` with this scope as the task's current scope.
    pub async fn run<F: Future>(self: &Arc<Self>, fut: F) -> F::Output {
        CURRENT.scope(Arc::clone(self), fut).await
    }

    /// Whether the operation's entry has been written.
    pub fn written(&self) -> bool {
        self.written.load(Ordering::SeqCst)
    }

    /// The operation's entry with this outcome.
    pub fn draft(&self, outcome: &str, reason: Option<String>, record_count: i64) -> Draft {
        let info = self.info.lock().map(|i| i.clone()).unwrap_or_default();
        Draft {
            at: Utc::now(),
            actor: self
                .claimed_actor
                .lock()
                .ok()
                .and_then(|a| a.clone())
                .unwrap_or_else(|| self.viewer.actor.clone()),
            role: self.viewer.role().map(|r| r.as_str().to_owned()),
            organization_id: self.viewer.organization_id,
            token_id: self.viewer.token_id,
            operation_type: if info.operation_type.is_empty() {
                "unknown".to_owned()
            } else {
                info.operation_type
            },
            operation_name: if info.operation_name.is_empty() {
                "invalid".to_owned()
            } else {
                info.operation_name
            },
            resources: info.resources.join(" "),
            fields: info.fields.join(" "),
            record_count,
            purpose: info
                .purpose
                .or_else(|| self.viewer.purpose.map(|p| p.as_str().to_owned())),
            outcome: outcome.to_owned(),
            reason,
            request_id: self.request_id.clone(),
        }
    }
}

/// Writes the current operation's entry inside `txn`, the transaction of the change
/// it records, so that both commit or neither does. Outside a request (command line,
/// background task) it does nothing: those paths record their own entries.
pub async fn record_change<C: ConnectionTrait>(txn: &C, record_count: i64) -> ApiResult<()> {
    let Ok(scope) = CURRENT.try_with(Arc::clone) else {
        return Ok(());
    };
    if scope.written.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let draft = scope.draft("allowed", None, record_count);
    match append(txn, vec![draft]).await {
        Ok(_) => Ok(()),
        Err(err) => {
            // The change fails with its entry; the request then records the error.
            scope.written.store(false, Ordering::SeqCst);
            Err(ApiError::from(err))
        }
    }
}

/// Forgets an in-transaction entry whose transaction was rolled back.
pub fn rolled_back() {
    let _ = CURRENT.try_with(|scope| scope.written.store(false, Ordering::SeqCst));
}

/// The scope of the request running on this task, if any.
pub fn current() -> Option<Arc<AuditScope>> {
    CURRENT.try_with(Arc::clone).ok()
}

/// Names the actor of an anonymous operation, such as the e-mail a login tries.
pub fn claim_actor(actor: &str) {
    if let Some(scope) = current()
        && let Ok(mut claimed) = scope.claimed_actor.lock()
    {
        *claimed = Some(format!("{actor} (claimed)"));
    }
}
