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
        let agenda = agenda::agenda(db, &query).await?;
        // What the service read set-based answers the nested fields: zones, venues
        // and deployments from its rows, current assessments (without their JSON
        // columns) in one more query when the selection shows risks.
        let loaders = ctx.data::<Loaders>()?;
        let ahead = ctx.look_ahead();
        if ahead.field("maxRisk").exists() || ahead.field("events").field("assessment").exists() {
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
        let by_event = Arc::new(agenda.conflicts_by_event);
        Ok(agenda
            .days
            .into_iter()
            .map(|day| AgendaDay::new(day, Arc::clone(&by_event)))
            .collect())
    }
}
