//! The Data Protection Officer's view of the audit log.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_entry;
use sea_orm::DatabaseConnection;

use crate::error::ApiError;
use crate::graphql::pagination::{PageInfo, PageRequest, cursor};
use crate::services::audit::query::{self, AuditFilter};
use crate::services::audit::verify;
use crate::services::audit::writer::AuditWriter;
use crate::settings::Limits;

/// Criteria of audit queries; all optional, combined with AND.
#[derive(InputObject, Default)]
pub struct AuditEntryFilter {
    /// Exact actor (an e-mail, a token's label, `anonymous`, `system`).
    pub actor: Option<String>,
    /// Organization of the caller.
    pub organization_id: Option<ID>,
    /// Role of the caller.
    pub role: Option<String>,
    /// Operation name.
    pub operation: Option<String>,
    /// A root field touched (e.g. `presence`).
    pub resource: Option<String>,
    /// Outcome: `allowed`, `denied` or `error`.
    pub outcome: Option<String>,
    /// Purpose declared or implied.
    pub purpose: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this instant.
    pub to: Option<DateTime<Utc>>,
}

impl AuditEntryFilter {
    /// The service's filter.
    pub fn into_service(self) -> Result<AuditFilter, ApiError> {
        let organization_id = match &self.organization_id {
            Some(id) => Some(crate::graphql::scalars::parse_id(
                id,
                "filter.organizationId",
            )?),
            None => None,
        };
        Ok(AuditFilter {
            actor: self.actor,
            organization_id,
            role: self.role,
            operation: self.operation,
            resource: self.resource,
            outcome: self.outcome,
            purpose: self.purpose,
            from: self.from,
            to: self.to,
        })
    }
}

/// One audit entry.
pub struct AuditEntry(audit_entry::Model);

/// One audit entry: who did what, when, why, and with what outcome.
#[Object]
impl AuditEntry {
    /// Sequence number, from 1, without gaps.
    async fn seq(&self) -> i64 {
        self.0.seq
    }
    /// When (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Who: an e-mail, a token's label, `anonymous` or `system`.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// Role of a person.
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
    /// Organization of the caller.
    async fn organization_id(&self) -> Option<ID> {
        self.0.organization_id.map(|id| ID(id.to_string()))
    }
    /// Partner token used.
    async fn token_id(&self) -> Option<ID> {
        self.0.token_id.map(|id| ID(id.to_string()))
    }
    /// `query`, `mutation`, `subscription`, `http` or `system`.
    async fn operation_type(&self) -> &str {
        &self.0.operation_type
    }
    /// Operation name.
    async fn operation_name(&self) -> &str {
        &self.0.operation_name
    }
    /// Protected resources touched (root fields).
    async fn resources(&self) -> Vec<&str> {
        self.0.resources.split_whitespace().collect()
    }
    /// Fields selected.
    async fn fields(&self) -> Vec<&str> {
        self.0.fields.split_whitespace().collect()
    }
    /// Records returned.
    async fn record_count(&self) -> i64 {
        self.0.record_count
    }
    /// Purpose declared or implied.
    async fn purpose(&self) -> Option<&str> {
        self.0.purpose.as_deref()
    }
    /// `allowed`, `denied` or `error`.
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
    /// Why it was denied or failed.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// HTTP request id, to find the request in the logs.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// SHA-256 of the previous entry's hash and this entry's canonical form (hex).
    async fn hash(&self) -> &str {
        &self.0.hash
    }
}

/// A page of audit entries, newest first.
#[derive(SimpleObject)]
pub struct AuditEntryConnection {
    /// The entries of this page with their cursors.
    pub edges: Vec<AuditEntryEdge>,
    /// Where this page stands.
    pub page_info: PageInfo,
    /// Entries matching the filter.
    pub total_count: u64,
}

/// An audit entry in a page.
#[derive(SimpleObject)]
pub struct AuditEntryEdge {
    /// Cursor: pass it as `after` to read older entries.
    pub cursor: String,
    /// The entry.
    pub node: AuditEntry,
}

/// A count under a key.
#[derive(SimpleObject)]
pub struct AuditCount {
    /// The key (actor, operation, outcome or day).
    pub key: String,
    /// Entries.
    pub count: u64,
}

/// Counts of audit entries.
#[derive(SimpleObject)]
pub struct AuditStats {
    /// Entries matching the filter.
    pub total: u64,
    /// By actor.
    pub by_actor: Vec<AuditCount>,
    /// By operation name.
    pub by_operation: Vec<AuditCount>,
    /// By outcome.
    pub by_outcome: Vec<AuditCount>,
    /// By UTC day (`YYYY-MM-DD`).
    pub by_day: Vec<AuditCount>,
}

/// The result of checking the chain.
#[derive(SimpleObject)]
pub struct AuditVerification {
    /// Whether every entry and link holds.
    pub ok: bool,
    /// Entries checked.
    pub checked: i64,
    /// The first sequence number where the chain breaks.
    pub first_broken_seq: Option<i64>,
    /// What is wrong there.
    pub problem: Option<String>,
}

fn counts(map: std::collections::BTreeMap<String, u64>) -> Vec<AuditCount> {
    map.into_iter()
        .map(|(key, count)| AuditCount { key, count })
        .collect()
}

/// Audit queries (DPO).
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Audit entries matching a filter, newest first (DPO).
    async fn audit_entries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Criteria the entries must match.")] filter: Option<AuditEntryFilter>,
        #[graphql(desc = "Page size, from 1 to the server's maximum; 50 when omitted.")]
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of the last entry already seen; the page continues with older entries."
        )]
        after: Option<String>,
    ) -> Result<AuditEntryConnection> {
        ctx.data::<Arc<AuditWriter>>()?.flush().await;
        let db = ctx.data::<DatabaseConnection>()?;
        let max = ctx.data::<Limits>()?.page_size;
        let request = PageRequest::<i64>::new(first, 50, max, after.as_deref())?;
        let filter = filter.unwrap_or_default().into_service()?;
        let (rows, more, total) =
            query::page(db, &filter, request.size as u64, request.after).await?;
        let edges: Vec<AuditEntryEdge> = rows
            .into_iter()
            .map(|row| AuditEntryEdge {
                cursor: cursor(row.seq),
                node: AuditEntry(row),
            })
            .collect();
        Ok(AuditEntryConnection {
            page_info: request.info(more, edges.iter().map(|e| &e.cursor)),
            edges,
            total_count: total,
        })
    }

    /// Counts of audit entries by actor, operation, outcome and day (DPO).
    async fn audit_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Criteria the entries must match.")] filter: Option<AuditEntryFilter>,
    ) -> Result<AuditStats> {
        ctx.data::<Arc<AuditWriter>>()?.flush().await;
        let db = ctx.data::<DatabaseConnection>()?;
        let stats = query::stats(db, &filter.unwrap_or_default().into_service()?).await?;
        Ok(AuditStats {
            total: stats.total,
            by_actor: counts(stats.by_actor),
            by_operation: counts(stats.by_operation),
            by_outcome: counts(stats.by_outcome),
            by_day: counts(stats.by_day),
        })
    }

    /// Recomputes every hash and link of the chain and names the first broken entry (DPO).
    async fn audit_verify(&self, ctx: &Context<'_>) -> Result<AuditVerification> {
        ctx.data::<Arc<AuditWriter>>()?.flush().await;
        let db = ctx.data::<DatabaseConnection>()?;
        let result = verify::verify(db).await?;
        Ok(AuditVerification {
            ok: result.ok,
            checked: result.checked,
            first_broken_seq: result.first_broken_seq,
            problem: result.problem,
        })
    }
}
