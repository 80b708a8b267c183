//! The `agenda` query.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::enums::EventCategory;
use crate::graphql::loaders::Loaders;
use crate::graphql::scalars::{Date, parse_opt_id};
use crate::graphql::types::agenda::AgendaDay;
use crate::services::agenda::{self, AgendaQuery as Query};
use crate::time::paris_today;

/// Days shown when the client does not say.
const DEFAULT_DAYS: i32 = 30;

/// The agenda of the coming days.
#[derive(Default)]
pub struct AgendaQuery;

#[Object]
impl AgendaQuery {
    /// The agenda: one entry per Europe/Paris day from `from`, every day present even when empty, each with its events ordered by start and the conflicts flagged among them.
    async fn agenda(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day (Europe/Paris); today when omitted.")] from: Option<Date>,
        #[graphql(
            desc = "Number of days, from 1 to 90; 30 when omitted or null.",
            default = 30
        )]
        days: Option<i32>,
        #[graphql(desc = "Only events in this zone or in a zone inside it.")] zone_id: Option<ID>,
        #[graphql(desc = "Only events of this category.")] category: Option<EventCategory>,
    ) -> Result<Vec<AgendaDay>> {
        // A query: read through the read-only pool.
        let db = &ctx.data::<crate::db::Readers>()?.0;
        let query = Query {
            from: from.map_or_else(|| paris_today(chrono::Utc::now()), |d| d.0),
            days: days.unwrap_or(DEFAULT_DAYS),
            zone_id: parse_opt_id(zone_id.as_ref(), "zoneId")?,
            category: category.map(Into::into),
        };
        let ahead = ctx.look_ahead();
        let with_risks =
            ahead.field("maxRisk").exists() || ahead.field("events").field("assessment").exists();
        agenda_days(Some(ctx.data::<Loaders>()?), db, &query, with_risks).await
    }
}

/// The agenda's days for `query`. With `loaders` (a query's), what the service read
/// set-based is fed to the loaders that answer the nested fields: zones, venues and
/// deployments from its rows, and current assessments (without their JSON columns)
/// in one more query when `with_risks`. A subscription passes none: its loaders
/// live as long as it does, so they must not cache, and each update reads afresh.
pub async fn agenda_days(
    loaders: Option<&Loaders>,
    db: &sea_orm::DatabaseConnection,
    query: &Query,
    with_risks: bool,
) -> Result<Vec<AgendaDay>> {
    let agenda = agenda::agenda(db, query).await?;
    let by_event = Arc::new(agenda.conflicts_by_event);
    let Some(loaders) = loaders else {
        return Ok(agenda
            .days
            .into_iter()
            .map(|day| AgendaDay::new(day, Arc::clone(&by_event)))
            .collect());
    };
    if with_risks {
        let mut ids: Vec<i64> = agenda
            .days
            .iter()
            .flat_map(|d| d.events.iter().map(|e| e.id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        loaders.scoring.feed_current_light(db, &ids).await?;
    }
    loaders.feed_window(agenda.rows).await;
    Ok(agenda
        .days
        .into_iter()
        .map(|day| AgendaDay::new(day, Arc::clone(&by_event)))
        .collect())
}
