//! Reading the audit log: filters, keyset pages, statistics.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::audit_entry;
use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::error::{ApiError, ApiResult};

/// Criteria of the DPO's queries; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Exact actor.
    pub actor: Option<String>,
    /// Organization.
    pub organization_id: Option<i64>,
    /// Role.
    pub role: Option<String>,
    /// Operation name.
    pub operation: Option<String>,
    /// A resource (root field) touched.
    pub resource: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Purpose.
    pub purpose: Option<String>,
    /// From this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
}

impl AuditFilter {
    fn condition(&self) -> ApiResult<Condition> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to <= from
        {
            return Err(ApiError::bad_input("filter.to", "to must be after from"));
        }
        let mut c = Condition::all();
        if let Some(v) = &self.actor {
            c = c.add(audit_entry::Column::Actor.eq(v.clone()));
        }
        if let Some(v) = self.organization_id {
            c = c.add(audit_entry::Column::OrganizationId.eq(v));
        }
        if let Some(v) = &self.role {
            c = c.add(audit_entry::Column::Role.eq(v.clone()));
        }
        if let Some(v) = &self.operation {
            c = c.add(audit_entry::Column::OperationName.eq(v.clone()));
        }
        if let Some(v) = &self.resource {
            let clean: String = v
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            c = c.add(
                Condition::any()
                    .add(audit_entry::Column::Resources.eq(clean.clone()))
                    .add(audit_entry::Column::Resources.like(format!("{clean} %")))
                    .add(audit_entry::Column::Resources.like(format!("% {clean}")))
                    .add(audit_entry::Column::Resources.like(format!("% {clean} %"))),
            );
        }
        if let Some(v) = &self.outcome {
            c = c.add(audit_entry::Column::Outcome.eq(v.clone()));
        }
        if let Some(v) = &self.purpose {
            c = c.add(audit_entry::Column::Purpose.eq(v.clone()));
        }
        if let Some(v) = self.from {
            c = c.add(audit_entry::Column::At.gte(v));
        }
        if let Some(v) = self.to {
            c = c.add(audit_entry::Column::At.lt(v));
        }
        Ok(c)
    }
}

/// A page of entries, newest first, before sequence number `before`.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    first: u64,
    before: Option<i64>,
) -> ApiResult<(Vec<audit_entry::Model>, bool, u64)> {
    let condition = filter.condition()?;
    let total = audit_entry::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let mut query = audit_entry::Entity::find().filter(condition);
    if let Some(before) = before {
        query = query.filter(audit_entry::Column::Seq.lt(before));
    }
    let mut rows = query
        .order_by_desc(audit_entry::Column::Seq)
        .limit(first + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok((rows, more, total))
}

/// Entries in ascending order after `after_seq`, for the export.
pub async fn chunk<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    after_seq: i64,
    size: u64,
) -> ApiResult<Vec<audit_entry::Model>> {
    Ok(audit_entry::Entity::find()
        .filter(filter.condition()?)
        .filter(audit_entry::Column::Seq.gt(after_seq))
        .order_by_asc(audit_entry::Column::Seq)
        .limit(size)
        .all(db)
        .await?)
}

/// Counts by actor, operation, outcome and day.
#[derive(Debug, Clone, Default)]
pub struct AuditStats {
    /// Entries matching.
    pub total: u64,
    /// By actor.
    pub by_actor: BTreeMap<String, u64>,
    /// By operation name.
    pub by_operation: BTreeMap<String, u64>,
    /// By outcome.
    pub by_outcome: BTreeMap<String, u64>,
    /// By UTC day.
    pub by_day: BTreeMap<String, u64>,
}

/// Statistics over the entries matching `filter`.
pub async fn stats<C: ConnectionTrait>(db: &C, filter: &AuditFilter) -> ApiResult<AuditStats> {
    let rows: Vec<(String, String, String, DateTime<Utc>)> = audit_entry::Entity::find()
        .select_only()
        .column(audit_entry::Column::Actor)
        .column(audit_entry::Column::OperationName)
        .column(audit_entry::Column::Outcome)
        .column(audit_entry::Column::At)
        .filter(filter.condition()?)
        .into_tuple()
        .all(db)
        .await?;
    let mut stats = AuditStats::default();
    for (actor, operation, outcome, at) in rows {
        stats.total += 1;
        *stats.by_actor.entry(actor).or_default() += 1;
        *stats.by_operation.entry(operation).or_default() += 1;
        *stats.by_outcome.entry(outcome).or_default() += 1;
        *stats
            .by_day
            .entry(at.format("%Y-%m-%d").to_string())
            .or_default() += 1;
    }
    Ok(stats)
}

/// Whether an entry of this request exists (to confirm an in-transaction entry
/// committed); errors count as "exists" so that nothing is written twice on doubt.
pub async fn exists_for_request<C: ConnectionTrait>(db: &C, request_id: &str) -> bool {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::RequestId.eq(request_id))
        .count(db)
        .await
        .map_or(true, |n| n > 0)
}
