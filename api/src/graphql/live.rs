//! Subscriptions (served over WebSocket at `/graphql/ws`, `graphql-transport-ws`)
//! and the density alerts.
//!
//! Each subscription is checked against the permission matrix like a query (its
//! root field has a row; nested fields are checked on the document by the guard),
//! and audited twice: when it starts (or is refused) and when it ends, with the
//! number of updates it delivered. Updates come from this instance's [`Hub`], which
//! publishes what any instance stored (see `crate::live`); each update is read from
//! the database as it stands, never from a cache.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use entity::live_alert;
use futures_util::Stream;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::broadcast::error::RecvError;

use crate::context::{Operation, Outcome, RequestContext};
use crate::error::ApiError;
use crate::graphql::agenda::agenda_days;
use crate::graphql::enums::EventCategory;
use crate::graphql::scalars::{Date, parse_id, parse_opt_id};
use crate::graphql::types::agenda::AgendaDay;
use crate::graphql::types::assessment::Assessment;
use crate::graphql::types::catalog::Zone;
use crate::live::{Hub, LiveMessage};
use crate::services::agenda::AgendaQuery as Query;
use crate::services::audit::writer::AuditWriter;
use crate::time::{paris_range, paris_today};

/// Updates of one agenda subscription gathered for this long are sent as one.
const AGENDA_COALESCE: Duration = Duration::from_millis(100);
/// Most alerts `densityAlerts` returns.
const MAX_ALERTS: u64 = 200;

/// How crowded a site is, from its live presence over its area.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DensityLevel {
    /// At or above the busy threshold (default 2 people per m2): moving takes effort.
    Busy,
    /// At or above the critical threshold (default 4 people per m2): the crowd stops flowing.
    Critical,
}

/// A site whose live presence exceeds what its area holds safely.
pub struct DensityAlert(live_alert::Model);

/// A site whose live presence exceeds what its area holds safely: raised when a presence count crosses the busy threshold, updated while it lasts, cleared when the density falls back below it.
#[Object]
impl DensityAlert {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The site concerned.
    async fn zone(&self, ctx: &Context<'_>) -> Result<Option<Zone>> {
        let loaders = ctx.data::<crate::graphql::loaders::Loaders>()?;
        Ok(loaders.zones.load_one(self.0.zone_id).await?.map(Zone))
    }
    /// The level of the latest count.
    async fn level(&self) -> DensityLevel {
        if self.0.level == "critical" {
            DensityLevel::Critical
        } else {
            DensityLevel::Busy
        }
    }
    /// People counted in the latest bucket (an aggregate of at least the source's minimum count).
    async fn people(&self) -> f64 {
        self.0.people
    }
    /// The site's area in m2 the density is computed on (its venues' areas, else the zone's).
    async fn area_m2(&self) -> f64 {
        self.0.area_m2
    }
    /// People per m2 in the latest bucket.
    async fn density(&self) -> f64 {
        (self.0.density * 100.0).round() / 100.0
    }
    /// Start of the latest count's time bucket (UTC).
    async fn bucket_start(&self) -> DateTime<Utc> {
        self.0.bucket_start
    }
    /// When the alert was raised (UTC).
    async fn raised_at(&self) -> DateTime<Utc> {
        self.0.raised_at
    }
    /// When the alert last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was cleared (UTC); null while it lasts.
    async fn cleared_at(&self) -> Option<DateTime<Utc>> {
        self.0.cleared_at
    }
    /// Whether it still lasts.
    async fn open(&self) -> bool {
        self.0.cleared_at.is_none()
    }
}

/// What changed in a subscribed agenda.
#[derive(SimpleObject)]
pub struct AgendaUpdate {
    /// Events that got a new assessment since the previous update.
    pub event_ids: Vec<ID>,
    /// The days of the subscribed window these events run on (Europe/Paris).
    pub dates: Vec<Date>,
    /// Those days of the agenda as they now stand, with the same filters as the subscription.
    pub days: Vec<AgendaDay>,
}

/// Density alerts, for a screen's first view before it subscribes.
#[derive(Default)]
pub struct LiveQuery;

#[Object]
impl LiveQuery {
    /// Density alerts, newest first (at most 200): the open ones, or all of them with `includeCleared`.
    async fn density_alerts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only alerts of this site.")] zone_id: Option<ID>,
        #[graphql(desc = "Include cleared alerts.", default = false)] include_cleared: bool,
    ) -> Result<Vec<DensityAlert>> {
        let db = &ctx.data::<crate::db::Readers>()?.0;
        let mut select = live_alert::Entity::find()
            .order_by_desc(live_alert::Column::Id)
            .limit(MAX_ALERTS);
        if let Some(zone) = parse_opt_id(zone_id.as_ref(), "zoneId")? {
            select = select.filter(live_alert::Column::ZoneId.eq(zone));
        }
        if !include_cleared {
            select = select.filter(live_alert::Column::ClearedAt.is_null());
        }
        Ok(select
            .all(db)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(DensityAlert)
            .collect())
    }
}

/// Every subscription of the platform.
#[derive(Default)]
pub struct SubscriptionRoot;

/// Live updates, over WebSocket at `/graphql/ws` with the graphql-transport-ws protocol; authenticate in `connection_init` with `Authorization: Bearer <token>` (and optionally `X-Purpose`).
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Each new assessment of one event, as soon as it is stored on any server instance: after an edit of the event, its venue or its deployment, observations in its zone and time, an event nearby, a new model. Same access as the `event` query.
    async fn assessment_updated(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event to follow.")] event_id: ID,
    ) -> Result<impl Stream<Item = Assessment> + use<>> {
        let event_id = parse_id(&event_id, "eventId")?;
        let watch = Watch::open(ctx, "assessmentUpdated")?;
        let mut receiver = ctx.data::<Hub>()?.subscribe();
        Ok(async_stream::stream! {
            let mut watch = watch;
            loop {
                match receiver.recv().await {
                    Ok(LiveMessage::Assessment { event_id: e, row }) if e == event_id => {
                        watch.delivered += 1;
                        yield Assessment::from((*row).clone());
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                }
            }
        })
    }

    /// The days of an agenda window whose events got new assessments, as they now stand; updates arriving together are sent as one. Same access as the `agenda` query.
    async fn agenda_updated(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day (Europe/Paris); today when omitted.")] from: Option<Date>,
        #[graphql(desc = "Number of days, from 1 to 90; 30 when omitted.", default = 30)] days: i32,
        #[graphql(desc = "Only events in this zone or in a zone inside it.")] zone_id: Option<ID>,
        #[graphql(desc = "Only events of this category.")] category: Option<EventCategory>,
    ) -> Result<impl Stream<Item = AgendaUpdate> + use<>> {
        let query = Query {
            from: from.map_or_else(|| paris_today(Utc::now()), |d| d.0),
            days,
            zone_id: parse_opt_id(zone_id.as_ref(), "zoneId")?,
            category: category.map(Into::into),
        };
        crate::services::agenda::validate(&query)?;
        let watch = Watch::open(ctx, "agendaUpdated")?;
        let db = ctx.data::<crate::db::Readers>()?.0.clone();
        let mut receiver = ctx.data::<Hub>()?.subscribe();
        Ok(async_stream::stream! {
            let mut watch = watch;
            loop {
                let mut changed = BTreeSet::new();
                match receiver.recv().await {
                    Ok(LiveMessage::Assessment { event_id, .. }) => {
                        changed.insert(event_id);
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                }
                // Gather what arrives with it.
                let deadline = tokio::time::Instant::now() + AGENDA_COALESCE;
                while let Ok(next) = tokio::time::timeout_at(deadline, receiver.recv()).await {
                    if let Ok(LiveMessage::Assessment { event_id, .. }) = next {
                        changed.insert(event_id);
                    }
                }
                match agenda_update(&db, &query, &changed).await {
                    Ok(Some(update)) => {
                        watch.delivered += 1;
                        yield update;
                    }
                    Ok(None) => {}
                    Err(err) => tracing::warn!(error = ?err.message, "cannot build an agenda update"),
                }
            }
        })
    }

    /// Density alerts as they are raised, change level and are cleared. Same access as the `agenda` query.
    async fn alerts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only alerts of this site, or of sites inside this zone.")]
        zone_id: Option<ID>,
    ) -> Result<impl Stream<Item = DensityAlert> + use<>> {
        let zone_id = parse_opt_id(zone_id.as_ref(), "zoneId")?;
        let db = ctx.data::<crate::db::Readers>()?.0.clone();
        let zones = match zone_id {
            Some(id) => {
                let tree = crate::services::catalog::ZoneTree::load(&db).await?;
                if tree.get(id).is_none() {
                    return Err(ApiError::not_found(format!("zone {id}")).into());
                }
                Some(tree.with_descendants(id))
            }
            None => None,
        };
        let watch = Watch::open(ctx, "alerts")?;
        let mut receiver = ctx.data::<Hub>()?.subscribe();
        Ok(async_stream::stream! {
            let mut watch = watch;
            loop {
                match receiver.recv().await {
                    Ok(LiveMessage::Alert { zone_id, row }) => {
                        if zones.as_ref().is_some_and(|z| !z.contains(&zone_id)) {
                            continue;
                        }
                        watch.delivered += 1;
                        yield DensityAlert((*row).clone());
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                }
            }
        })
    }
}

/// The update of `query`'s window for `changed` events: `None` when none of them
/// runs in it.
async fn agenda_update(
    db: &DatabaseConnection,
    query: &Query,
    changed: &BTreeSet<i64>,
) -> Result<Option<AgendaUpdate>> {
    let (start, end) = paris_range(query.from, u32::try_from(query.days).unwrap_or(1));
    let touched: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = entity::event::Entity::find()
        .select_only()
        .column(entity::event::Column::Id)
        .column(entity::event::Column::StartsAt)
        .column(entity::event::Column::EndsAt)
        .filter(entity::event::Column::Id.is_in(changed.iter().copied()))
        .filter(entity::event::Column::StartsAt.lt(end))
        .filter(entity::event::Column::EndsAt.gt(start))
        .into_tuple()
        .all(db)
        .await
        .map_err(ApiError::from)?;
    if touched.is_empty() {
        return Ok(None);
    }
    let days = agenda_days(None, db, query, true).await?;
    let mut ids = BTreeSet::new();
    let mut on_days = Vec::new();
    for day in days {
        if touched.iter().any(|(id, ..)| day.has_event(*id)) {
            on_days.push(day);
        }
    }
    for (id, ..) in &touched {
        ids.insert(*id);
    }
    if on_days.is_empty() {
        return Ok(None);
    }
    Ok(Some(AgendaUpdate {
        event_ids: ids.into_iter().map(|id| ID(id.to_string())).collect(),
        dates: on_days.iter().map(|d| Date(d.day())).collect(),
        days: on_days,
    }))
}

/// One running subscription: checked when it starts, audited when it starts and
/// when it ends (dropped: the client stopped it, the socket closed, the token
/// expired).
struct Watch {
    writer: Arc<AuditWriter>,
    request: Arc<RequestContext>,
    operation: Operation,
    delivered: i64,
}

impl Watch {
    fn open(ctx: &Context<'_>, field: &str) -> Result<Self> {
        let request = Arc::clone(ctx.data::<Arc<RequestContext>>()?);
        let writer = Arc::clone(ctx.data::<Arc<AuditWriter>>()?);
        let key = ctx.item.node.response_key().node.to_string();
        let viewer = &request.viewer;
        let granted =
            policies::permissions::authorize(&viewer.subject, field, viewer.purpose, None);
        if let Ok(grant) = &granted {
            request.note_purpose(&key, grant.purpose);
        }
        let operation = request.root_operation(&key, field);
        match granted {
            Ok(_) => {
                writer.enqueue(request.draft(
                    &operation,
                    Outcome::Allowed,
                    Some("subscription started".to_owned()),
                    0,
                ));
                Ok(Watch {
                    writer,
                    request,
                    operation,
                    delivered: 0,
                })
            }
            Err(denial) => {
                let error = ApiError::Denied(denial);
                writer.enqueue(request.draft(
                    &operation,
                    Outcome::Denied,
                    Some(error.to_string()),
                    0,
                ));
                Err(error.into())
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.writer.enqueue(self.request.draft(
            &self.operation,
            Outcome::Allowed,
            Some(format!(
                "subscription ended after {} updates",
                self.delivered
            )),
            self.delivered,
        ));
    }
}
