//! The privacy layer's operations: aggregates under disclosure control (`presence`,
//! `incidentStats`), the city's incident records (`incidents`, `recordIncident`),
//! partner ingestion (`ingestObservations`) and the retention purge (`runRetention`).
//!
//! The central guard has already checked role, scope and purpose for each root
//! field; what depends on the resource (which source, which field) is checked by the
//! services with the same permission matrix.

pub mod inputs;

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::auth::Viewer;
use crate::context::RequestContext;
use crate::graphql::extensions::Acting;
use crate::graphql::pagination::{PageInfo, PageRequest, cursor};
use crate::graphql::scalars::parse_id;
use crate::graphql::types::assessment::RiskField;
use crate::graphql::types::privacy::records::{
    Incident, IngestObservationsPayload, RecordIncidentPayload, RetentionRun,
};
use crate::graphql::types::privacy::{AggregateRelease, BucketSize};
use crate::services::aggregates::{self, WindowQuery};
use crate::services::incidents::{self, Cursor};
use crate::services::ingest;
use crate::services::retention;
use crate::settings::Limits;
use inputs::{IncidentFilter, IngestObservationsInput, RecordIncidentInput, incident_field};

/// Default page size of the incident list.
const DEFAULT_PAGE: i32 = 20;

/// Notes the purpose a service's grant settled on the request's context, under
/// this root field, for its audit entry.
fn purpose_note(ctx: &Context<'_>) -> impl Fn(Option<policies::roles::Purpose>) + Send + Sync {
    let request = ctx.data_opt::<Arc<RequestContext>>().cloned();
    let key = ctx.item.node.response_key().node.to_string();
    move |purpose| {
        if let Some(request) = &request {
            request.note_purpose(&key, purpose);
        }
    }
}

fn window(
    zone_id: &ID,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bucket: BucketSize,
) -> Result<WindowQuery> {
    Ok(WindowQuery {
        zone_id: parse_id(zone_id, "zoneId")?,
        from,
        to,
        bucket: bucket.into(),
    })
}

/// Reading aggregates and incident records.
#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// Presence counts (people in a zone per time bucket, from the phone operators'
    /// aggregates). The data's owner sees its counts as they are; anyone else sees
    /// counts of fewer people than the source's threshold suppressed, and any total
    /// that would reveal one. Needs a declared purpose (`X-Purpose`).
    async fn presence(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The zone: a site, an arrondissement, or the city (answered per arrondissement)."
        )]
        zone_id: ID,
        #[graphql(desc = "Start of the window; widened down to the bucket grid.")] from: DateTime<
            Utc,
        >,
        #[graphql(
            desc = "End of the window (exclusive); widened up to the bucket grid. At most 92 days after `from`."
        )]
        to: DateTime<Utc>,
        #[graphql(
            desc = "Length of the answer's buckets.",
            default_with = "BucketSize::Hour"
        )]
        bucket: BucketSize,
    ) -> Result<AggregateRelease> {
        let db = ctx.data::<DatabaseConnection>()?;
        let viewer = ctx.data::<Viewer>()?;
        let query = window(&zone_id, from, to, bucket)?;
        aggregates::presence(db, viewer, &query)
            .await
            .map(AggregateRelease)
            .map_err(|err| err.to_graphql())
    }

    /// Incident counts of one field per arrondissement and time bucket, from the
    /// city's incident records, under disclosure control for anyone but the
    /// supervision team. Tokens need `read:aggregates:<field>`. Needs a declared purpose.
    async fn incident_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An arrondissement, or the city (answered per arrondissement).")] zone_id: ID,
        #[graphql(desc = "The field of risk counted.")] field: RiskField,
        #[graphql(desc = "Start of the window; widened down to the bucket grid.")] from: DateTime<
            Utc,
        >,
        #[graphql(
            desc = "End of the window (exclusive); widened up to the bucket grid. At most 92 days after `from`."
        )]
        to: DateTime<Utc>,
        #[graphql(
            desc = "Length of the answer's buckets.",
            default_with = "BucketSize::Day"
        )]
        bucket: BucketSize,
    ) -> Result<AggregateRelease> {
        let db = ctx.data::<DatabaseConnection>()?;
        let viewer = ctx.data::<Viewer>()?;
        let query = window(&zone_id, from, to, bucket)?;
        let note = purpose_note(ctx);
        aggregates::incident_stats(db, viewer, incident_field(field), &query, &note)
            .await
            .map(AggregateRelease)
            .map_err(|err| err.to_graphql())
    }

    /// The city's incident records, newest first, as a Relay connection
    /// (record-level municipal data: the supervision team only). Needs a declared purpose.
    async fn incidents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Criteria the incidents must match.")] filter: Option<IncidentFilter>,
        #[graphql(
            desc = "Page size, from 1 to the server's maximum (100 by default); 20 when omitted."
        )]
        first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge already seen; the page starts after it.")] after: Option<String>,
    ) -> Result<IncidentConnection> {
        let db = ctx.data::<DatabaseConnection>()?;
        let max = ctx.data::<Limits>()?.page_size;
        let request = PageRequest::<Cursor>::new(first, DEFAULT_PAGE, max, after.as_deref())?;
        let filter = filter.unwrap_or_default().into_service()?;
        let viewer = ctx.data::<Viewer>()?;
        let page = incidents::list(db, viewer, &filter, request.size as u64, request.after).await?;
        let events = page.events;
        let edges: Vec<IncidentEdge> = page
            .incidents
            .into_iter()
            .map(|model| IncidentEdge {
                cursor: cursor((model.occurred_at, model.id)),
                node: Incident {
                    event: model
                        .event_id
                        .and_then(|id| events.get(&id))
                        .cloned()
                        .map(Arc::new),
                    model,
                },
            })
            .collect();
        Ok(IncidentConnection {
            page_info: request.info(page.has_next, edges.iter().map(|e| &e.cursor)),
            edges,
            total_count: page.total,
        })
    }
}

/// A page of incidents (a Relay connection).
#[derive(SimpleObject)]
pub struct IncidentConnection {
    /// The incidents of this page, each with its cursor.
    pub edges: Vec<IncidentEdge>,
    /// Where this page stands in the list.
    pub page_info: PageInfo,
    /// Number of incidents matching the filter, over all pages.
    pub total_count: u64,
}

/// An incident in a page, with its cursor.
#[derive(SimpleObject)]
pub struct IncidentEdge {
    /// Opaque position of the incident in the list; pass it as `after` to read what follows.
    pub cursor: String,
    /// The incident.
    pub node: Incident,
}

/// Sending data, recording incidents, purging what is past retention.
#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// Sends a batch of aggregated observations to a source (partner tokens with
    /// `ingest:<source code>`, supervisors for their organization's sources). The
    /// batch is refused whole, nothing stored, at its first offending record:
    /// `POLICY_VIOLATION` with `extensions.rule` and `extensions.index`. Sending the
    /// same idempotency key again returns the first answer.
    async fn ingest_observations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source, the batch's idempotency key and its observations.")]
        input: IngestObservationsInput,
    ) -> Result<IngestObservationsPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        ingest::ingest(db, Acting::of(ctx)?.change(), input.into())
            .await
            .map(IngestObservationsPayload)
            .map_err(|err| err.to_graphql())
    }

    /// Records an incident (the supervision team); personal data in the description
    /// is replaced by placeholders before it is stored, and counted.
    async fn record_incident(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The incident.")] input: RecordIncidentInput,
    ) -> Result<RecordIncidentPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let (model, event) =
            incidents::record(db, Acting::of(ctx)?.change(), input.into_service()?).await?;
        Ok(RecordIncidentPayload {
            incident: Incident {
                model,
                event: event.map(Arc::new),
            },
        })
    }

    /// Purges every source's data past its processing activity's retention period
    /// now, as the daily task does (administrators).
    async fn run_retention(&self, ctx: &Context<'_>) -> Result<RetentionRun> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(RetentionRun(
            retention::run_retention(db, Acting::of(ctx)?.change(), Utc::now()).await?,
        ))
    }
}
