//! The city's incident records (DESIGN §4, §6): recorded by the supervision team
//! into a municipal record source, with the free text redacted of personal data on
//! the way in (the count and kinds kept with the record), and listed newest first.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::enums::{Granularity, OrganizationKind, SourceKind, SourceStatus, ZoneLevel};
use entity::incident::{self, IncidentField};
use entity::{event, organization, source};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use policies::ownership::{self, Holder};
use policies::permissions::OrgId;

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::services::aggregates::incidents_settled_until;
use crate::services::catalog::ZoneTree;
use crate::services::ingest::RULE_LATE_DATA;
use crate::services::work::Change;

/// Longest description (a logbook entry, not a report).
const MAX_DESCRIPTION: usize = 4_000;
/// Longest category.
const MAX_CATEGORY: usize = 64;
/// Clock skew tolerated for an incident said to happen "now".
const FUTURE_SKEW_MINUTES: i64 = 5;
/// See `ingest::SETTLEMENT_MARGIN_MINUTES`: no bucket settles during the transaction.
const SETTLEMENT_MARGIN_MINUTES: i64 = 5;

/// An incident as recorded.
#[derive(Debug, Clone)]
pub struct NewIncident {
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Where.
    pub zone_id: i64,
    /// Field of risk.
    pub field: IncidentField,
    /// Short category.
    pub category: String,
    /// Severity 1 to 4.
    pub severity: i32,
    /// The event it happened at.
    pub event_id: Option<i64>,
    /// Free text, redacted before it is stored.
    pub description: String,
    /// The record source; the recorder's organization's one when omitted.
    pub source_id: Option<i64>,
}

/// Records an incident, its description redacted; returns it with its event.
pub async fn record(
    db: &DatabaseConnection,
    change: Change<'_>,
    input: NewIncident,
) -> ApiResult<(incident::Model, Option<event::Model>)> {
    let viewer = &change.ctx.viewer;
    let category = input.category.trim().to_lowercase();
    let category_ok = !category.is_empty()
        && category.chars().count() <= MAX_CATEGORY
        && category
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '));
    if !category_ok {
        return Err(ApiError::bad_input(
            "input.category",
            format!("a category has 1 to {MAX_CATEGORY} letters, digits, spaces, `-` or `_`"),
        ));
    }
    if policies::pii::contains_personal_data(&category) {
        return Err(ApiError::PolicyViolation {
            rule: "PERSONAL_DATA".to_owned(),
            message: "the category looks like personal data; describe the incident in the description, which is redacted".to_owned(),
        });
    }
    if !(1..=4).contains(&input.severity) {
        return Err(ApiError::bad_input(
            "input.severity",
            "severity is from 1 (minor) to 4 (critical)",
        ));
    }
    let description = input.description.trim();
    if description.is_empty() || description.chars().count() > MAX_DESCRIPTION {
        return Err(ApiError::bad_input(
            "input.description",
            format!("a description has 1 to {MAX_DESCRIPTION} characters"),
        ));
    }
    let now = Utc::now();
    if input.occurred_at > now + Duration::minutes(FUTURE_SKEW_MINUTES) {
        return Err(ApiError::bad_input(
            "input.occurredAt",
            "an incident is recorded once it happened",
        ));
    }
    // Its 15-minute bucket must still be open: statistics already published to
    // non-owners must not change under them (see `policies::release`).
    let bucket_end = crate::services::aggregates::quarter_end(input.occurred_at);
    let settled = incidents_settled_until(now + Duration::minutes(SETTLEMENT_MARGIN_MINUTES));
    if bucket_end <= settled {
        return Err(ApiError::PolicyViolation {
            rule: RULE_LATE_DATA.to_owned(),
            message: format!(
                "incidents before {settled} are settled: their statistics are published and can no longer change"
            ),
        });
    }

    let work = change.begin(db).await?;
    let txn = work.txn();
    let tree = ZoneTree::load(txn).await?;
    match tree.get(input.zone_id) {
        None => {
            return Err(ApiError::bad_input(
                "input.zoneId",
                format!("unknown zone {}", input.zone_id),
            ));
        }
        Some(zone) if zone.level == ZoneLevel::City => {
            return Err(ApiError::bad_input(
                "input.zoneId",
                "an incident happens in an arrondissement, a quartier or a site, not in the whole city",
            ));
        }
        Some(_) => {}
    }
    let event = match input.event_id {
        Some(event_id) => Some(
            event::Entity::find_by_id(event_id)
                .one(txn)
                .await?
                .ok_or_else(|| {
                    ApiError::bad_input("input.eventId", format!("unknown event {event_id}"))
                })?,
        ),
        None => None,
    };
    let source = record_source(txn, viewer, input.source_id).await?;
    let field_name = field_str(input.field);
    if !source.fields.split(',').any(|f| f.trim() == field_name) {
        return Err(ApiError::PolicyViolation {
            rule: "UNKNOWN_FIELD".to_owned(),
            message: format!(
                "source {} does not inform the {field_name} field",
                source.code
            ),
        });
    }
    if source.status != SourceStatus::Active {
        return Err(ApiError::PolicyViolation {
            rule: crate::services::ingest::RULE_SOURCE_INACTIVE.to_owned(),
            message: format!("source {} is not active", source.code),
        });
    }
    crate::services::register::ensure_source_may_ingest(txn, &source).await?;

    let redacted = policies::pii::redact(description);
    let kinds: Vec<&str> = redacted.kinds.iter().map(|k| k.as_str()).collect();
    let saved = incident::ActiveModel {
        source_id: Set(source.id),
        occurred_at: Set(input.occurred_at),
        zone_id: Set(input.zone_id),
        field: Set(input.field),
        category: Set(category),
        severity: Set(input.severity),
        event_id: Set(input.event_id),
        description: Set(redacted.text),
        redaction_count: Set(i32::try_from(redacted.count).unwrap_or(i32::MAX)),
        redaction_kinds: Set(kinds.join(",")),
        recorded_by: Set(viewer.actor.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    work.commit(1).await?;
    Ok((saved, event))
}

/// The municipal record source an incident goes to: the one named, or the only
/// incident or report source of the recorder's organization.
async fn record_source(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    source_id: Option<i64>,
) -> ApiResult<source::Model> {
    let candidates = source::Entity::find()
        .filter(source::Column::Granularity.eq(Granularity::Record))
        .filter(source::Column::Kind.is_in([SourceKind::Incidents, SourceKind::Reports]))
        .all(txn)
        .await?;
    let municipal: Vec<i64> = organization::Entity::find()
        .filter(organization::Column::Kind.eq(OrganizationKind::Municipal))
        .all(txn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let mut eligible = candidates
        .into_iter()
        .filter(|s| municipal.contains(&s.organization_id));
    match source_id {
        Some(id) => eligible.find(|s| s.id == id).ok_or_else(|| {
            ApiError::bad_input(
                "input.sourceId",
                format!("source {id} is not a municipal incident or report source"),
            )
        }),
        None => {
            let own: Vec<source::Model> = eligible
                .filter(|s| Some(s.organization_id) == viewer.organization_id)
                .collect();
            match <[source::Model; 1]>::try_from(own) {
                Ok([only]) => Ok(only),
                Err(_) => Err(ApiError::bad_input(
                    "input.sourceId",
                    "name the municipal record source: your organization has none or several",
                )),
            }
        }
    }
}

/// The stable spelling of a field.
pub fn field_str(field: IncidentField) -> &'static str {
    match field {
        IncidentField::Tranquillity => "tranquillity",
        IncidentField::Security => "security",
        IncidentField::Mobility => "mobility",
    }
}

/// Filter of the incident list.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// Incidents at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Incidents before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Incidents in this zone or inside it.
    pub zone_id: Option<i64>,
    /// Incidents of this field.
    pub field: Option<IncidentField>,
    /// Incidents at this event.
    pub event_id: Option<i64>,
    /// Incidents at least this severe.
    pub min_severity: Option<i32>,
}

/// Position in the list: the (time, id) of the last incident seen.
pub type Cursor = (DateTime<Utc>, i64);

/// One page of incidents with the events they link to.
pub struct IncidentPage {
    /// Incidents, newest first.
    pub incidents: Vec<incident::Model>,
    /// The linked events, by id (one query for the page).
    pub events: HashMap<i64, event::Model>,
    /// Whether another page follows.
    pub has_next: bool,
    /// Incidents matching the filter.
    pub total: u64,
}

/// A page of incidents matching `filter`, after `after`, newest first: only the
/// records of sources the viewer may read as recorded (`policies::ownership`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &IncidentFilter,
    first: u64,
    after: Option<Cursor>,
) -> ApiResult<IncidentPage> {
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to <= from
    {
        return Err(ApiError::bad_input("filter.to", "to must be after from"));
    }
    let holders = crate::services::aggregates::holders(db).await?;
    let mine = viewer
        .organization_id
        .and_then(|id| holders.get(&id).copied());
    let readable: Vec<i64> = source::Entity::find()
        .filter(source::Column::Granularity.eq(Granularity::Record))
        .all(db)
        .await?
        .into_iter()
        .filter(|s| {
            let owner = holders
                .get(&s.organization_id)
                .copied()
                .unwrap_or(Holder::Partner(OrgId(s.organization_id)));
            ownership::may_read_records(viewer.role(), mine, owner)
        })
        .map(|s| s.id)
        .collect();
    let mut condition = Condition::all().add(incident::Column::SourceId.is_in(readable));
    if let Some(from) = filter.from {
        condition = condition.add(incident::Column::OccurredAt.gte(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(incident::Column::OccurredAt.lt(to));
    }
    if let Some(zone_id) = filter.zone_id {
        let tree = ZoneTree::load(db).await?;
        if tree.get(zone_id).is_none() {
            return Err(ApiError::bad_input(
                "filter.zoneId",
                format!("unknown zone {zone_id}"),
            ));
        }
        condition = condition.add(incident::Column::ZoneId.is_in(tree.with_descendants(zone_id)));
    }
    if let Some(field) = filter.field {
        condition = condition.add(incident::Column::Field.eq(field));
    }
    if let Some(event_id) = filter.event_id {
        condition = condition.add(incident::Column::EventId.eq(event_id));
    }
    if let Some(min) = filter.min_severity {
        condition = condition.add(incident::Column::Severity.gte(min));
    }
    let total = incident::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await?;
    let mut query = incident::Entity::find().filter(condition);
    if let Some((at, id)) = after {
        query = query.filter(
            Condition::any()
                .add(incident::Column::OccurredAt.lt(at))
                .add(
                    Condition::all()
                        .add(incident::Column::OccurredAt.eq(at))
                        .add(incident::Column::Id.lt(id)),
                ),
        );
    }
    let mut incidents = query
        .order_by_desc(incident::Column::OccurredAt)
        .order_by_desc(incident::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_next = incidents.len() as u64 > first;
    incidents.truncate(first as usize);
    let event_ids: Vec<i64> = incidents.iter().filter_map(|i| i.event_id).collect();
    let events = if event_ids.is_empty() {
        HashMap::new()
    } else {
        event::Entity::find()
            .filter(event::Column::Id.is_in(event_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect()
    };
    Ok(IncidentPage {
        incidents,
        events,
        has_next,
        total,
    })
}
