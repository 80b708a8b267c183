//! A day of the agenda.

use std::sync::Arc;

use async_graphql::Object;

use crate::graphql::scalars::Date;
use crate::graphql::types::event::{Conflict, Event};
use crate::services::agenda as service;
use crate::services::conflicts;

/// One Europe/Paris day of the agenda, present even when it has no event.
pub struct AgendaDay {
    day: service::AgendaDay,
    conflicts_by_event: Arc<std::collections::HashMap<i64, Vec<Arc<conflicts::Conflict>>>>,
}

impl AgendaDay {
    /// Wraps a computed day; `conflicts_by_event` is shared by all days of one agenda.
    pub fn new(
        day: service::AgendaDay,
        conflicts_by_event: Arc<std::collections::HashMap<i64, Vec<Arc<conflicts::Conflict>>>>,
    ) -> Self {
        AgendaDay {
            day,
            conflicts_by_event,
        }
    }

    /// The day (Europe/Paris).
    pub fn day(&self) -> chrono::NaiveDate {
        self.day.date
    }

    /// Whether the event runs that day.
    pub fn has_event(&self, id: i64) -> bool {
        self.day.events.iter().any(|e| e.id == id)
    }
}

/// One Europe/Paris day of the agenda, present even when it has no event.
#[Object]
impl AgendaDay {
    /// The day (Europe/Paris).
    async fn date(&self) -> Date {
        Date(self.day.date)
    }
    /// Events running that day (including those that started earlier), ordered by start.
    async fn events(&self) -> Vec<Event> {
        self.day
            .events
            .iter()
            .map(|e| {
                let conflicts = self
                    .conflicts_by_event
                    .get(&e.id)
                    .cloned()
                    .unwrap_or_default();
                Event::with_conflicts(Arc::clone(e), conflicts)
            })
            .collect()
    }
    /// Number of events running that day.
    async fn event_count(&self) -> usize {
        self.day.events.len()
    }
    /// Sum of the expected attendance of the day's events that are not cancelled or postponed.
    async fn total_attendance(&self) -> i64 {
        use entity::enums::EventStatus;
        self.day
            .events
            .iter()
            .filter(|e| !matches!(e.status, EventStatus::Cancelled | EventStatus::Postponed))
            .map(|e| e.expected_attendance)
            .sum()
    }
    /// Situations flagged among the day's events.
    async fn conflicts(&self) -> Vec<Conflict> {
        self.day.conflicts.iter().cloned().map(Conflict).collect()
    }
    /// Highest overall risk (0-10) among the current assessments of the day's events that take place (neither cancelled nor postponed); null when none is scored.
    async fn max_risk(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Option<f64>> {
        let ids: Vec<i64> = self
            .day
            .events
            .iter()
            .filter(|e| crate::services::scoring::features::active(e.status))
            .map(|e| e.id)
            .collect();
        let loaders = &ctx.data::<crate::graphql::loaders::Loaders>()?.scoring;
        let current = loaders.current_light.load_many(ids).await?;
        Ok(current
            .values()
            .flatten()
            .map(|a| a.risk_overall)
            .reduce(f64::max))
    }
    /// Whether scoring is paused platform-wide: no new assessment is made, the risks shown may be out of date.
    async fn scoring_paused(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<bool> {
        use crate::graphql::scoring::loaders::StatusKey;
        let loaders = &ctx.data::<crate::graphql::loaders::Loaders>()?.scoring;
        Ok(loaders
            .status
            .load_one(StatusKey)
            .await?
            .is_some_and(|s| s.paused))
    }
}
