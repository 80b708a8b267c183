//! Planned resources: one deployment per event and kind, created or replaced.

use chrono::{DateTime, Duration, Utc};
use entity::enums::ResourceKind;
use entity::{deployment, event, organization};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};

use super::MAX_EVENT_DAYS;
use crate::error::{ApiError, ApiResult};
use crate::services::work::Change;

/// Largest count of one resource kind.
const MAX_RESOURCE_COUNT: i32 = 10_000;

/// The planned resources of one kind for an event.
#[derive(Debug, Clone)]
pub struct DeploymentInput {
    /// Event.
    pub event_id: i64,
    /// Kind of resource.
    pub kind: ResourceKind,
    /// Count; 0 withdraws the resource.
    pub count: i32,
    /// Shift start; defaults to the event's start.
    pub shift_start: Option<DateTime<Utc>>,
    /// Shift end; defaults to the event's end.
    pub shift_end: Option<DateTime<Utc>>,
    /// Providing organization.
    pub organization_id: Option<i64>,
}

/// Creates or replaces the deployment of one kind for an event.
pub async fn upsert_deployment(
    db: &DatabaseConnection,
    change: Change<'_>,
    input: DeploymentInput,
) -> ApiResult<deployment::Model> {
    if !(0..=MAX_RESOURCE_COUNT).contains(&input.count) {
        return Err(ApiError::bad_input(
            "input.count",
            format!("count must be between 0 and {MAX_RESOURCE_COUNT}"),
        ));
    }
    let work = change.begin(db).await?;
    let txn = work.txn();
    let event = event::Entity::find_by_id(input.event_id)
        .one(txn)
        .await?
        .ok_or_else(|| {
            ApiError::bad_input("input.eventId", format!("unknown event {}", input.event_id))
        })?;
    let shift_start = input.shift_start.unwrap_or(event.starts_at);
    let shift_end = input.shift_end.unwrap_or(event.ends_at);
    if shift_end <= shift_start {
        return Err(ApiError::bad_input(
            "input.shiftEnd",
            "shiftEnd must be after shiftStart",
        ));
    }
    if shift_end - shift_start > Duration::days(MAX_EVENT_DAYS) {
        return Err(ApiError::bad_input(
            "input.shiftEnd",
            format!("a shift lasts at most {MAX_EVENT_DAYS} days"),
        ));
    }
    if let Some(org) = input.organization_id
        && organization::Entity::find_by_id(org)
            .one(txn)
            .await?
            .is_none()
    {
        return Err(ApiError::bad_input(
            "input.organizationId",
            format!("unknown organization {org}"),
        ));
    }
    let existing = deployment::Entity::find()
        .filter(deployment::Column::EventId.eq(input.event_id))
        .filter(deployment::Column::Kind.eq(input.kind))
        .one(txn)
        .await?;
    let now = Utc::now();
    let saved = match existing {
        Some(row) => {
            let mut active: deployment::ActiveModel = row.into();
            active.count = Set(input.count);
            active.shift_start = Set(shift_start);
            active.shift_end = Set(shift_end);
            active.organization_id = Set(input.organization_id);
            active.updated_at = Set(now);
            active.update(txn).await?
        }
        None => {
            deployment::ActiveModel {
                event_id: Set(input.event_id),
                kind: Set(input.kind),
                count: Set(input.count),
                shift_start: Set(shift_start),
                shift_end: Set(shift_end),
                organization_id: Set(input.organization_id),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    crate::services::scoring::rescore_event(txn, saved.event_id, "deployment changed").await?;
    work.commit(1).await?;
    Ok(saved)
}
