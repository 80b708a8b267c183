//! Past editions: for an event of a series, the incidents of the editions that ended
//! before it per 1,000 attendees, against the rate of every past event of its
//! category.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use entity::enums::EventStatus;
use entity::{event, event_outcome, incident};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::ApiResult;

/// Incidents per 1,000 attendees of a category without recorded past events: about
/// one patient per 1,000 attendees at large events (mass-gathering medicine, DESIGN
/// §9) and about as many police-relevant and traffic incidents.
pub const DEFAULT_INCIDENTS_PER_1000: f64 = 2.0;
/// Pseudo-incidents added to a series' count and to its expected count at the
/// category's rate: the index stays positive after calm editions (the model refuses
/// 0) and a single small edition cannot swing it to an extreme.
pub const PRIOR_INCIDENTS: f64 = 1.0;

/// The past editions' incident index: their incidents per 1,000 attendees over the
/// category's rate (`category_per_1000`, `DEFAULT_INCIDENTS_PER_1000` when unknown),
/// with `PRIOR_INCIDENTS` added to both counts, rounded to hundredths so that a
/// category rate moving by a hair does not re-score every edition. `None` without
/// attendees to compare.
pub fn past_incident_index(
    incidents: f64,
    attendance: f64,
    category_per_1000: Option<f64>,
) -> Option<f64> {
    if !(attendance.is_finite() && attendance > 0.0 && incidents.is_finite()) {
        return None;
    }
    let rate = category_per_1000
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(DEFAULT_INCIDENTS_PER_1000);
    let expected = rate * attendance / 1000.0;
    let index = (incidents.max(0.0) + PRIOR_INCIDENTS) / (expected + PRIOR_INCIDENTS);
    Some(((index * 100.0).round() / 100.0).max(0.01))
}

/// Statuses of events that did not take place (or not yet): left out of past rates.
fn did_not_happen() -> [String; 2] {
    [
        EventStatus::Cancelled.to_value(),
        EventStatus::Postponed.to_value(),
    ]
}

/// Incidents recorded for each of `ids`: the outcome's counts for an event that has
/// one (the history the model learns from), else its incident records.
async fn recorded_incidents<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> ApiResult<HashMap<i64, f64>> {
    let mut out: HashMap<i64, f64> = HashMap::new();
    for chunk in ids.chunks(crate::services::events::ID_CHUNK) {
        let counted: Vec<(Option<i64>, i64)> = incident::Entity::find()
            .select_only()
            .column(incident::Column::EventId)
            .column_as(incident::Column::Id.count(), "n")
            .filter(incident::Column::EventId.is_in(chunk.to_vec()))
            .group_by(incident::Column::EventId)
            .into_tuple()
            .all(db)
            .await?;
        for (id, n) in counted {
            if let Some(id) = id {
                out.insert(id, n as f64);
            }
        }
        for outcome in event_outcome::Entity::find()
            .filter(event_outcome::Column::EventId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            let total = outcome.tranquillity + outcome.security + outcome.mobility;
            out.insert(outcome.event_id, f64::from(total));
        }
    }
    Ok(out)
}

/// Incidents per 1,000 attendees of every event of each of `categories` (stored
/// values) that ended by `now`, counted as `recorded_incidents` does.
async fn category_rates<C: ConnectionTrait>(
    db: &C,
    categories: &BTreeSet<String>,
    now: DateTime<Utc>,
) -> ApiResult<HashMap<String, f64>> {
    use event::Column as E;
    // In this function only: its `max` would shadow `Ord::max` elsewhere.
    use sea_orm::sea_query::ExprTrait as _;
    let past = |q: &mut sea_orm::sea_query::SelectStatement| {
        q.and_where(Expr::col((event::Entity, E::Category)).is_in(categories.iter().cloned()))
            .and_where(Expr::col((event::Entity, E::EndsAt)).lte(now))
            .and_where(Expr::col((event::Entity, E::Status)).is_not_in(did_not_happen()))
            .group_by_col((event::Entity, E::Category));
    };
    let sums = |rows: Vec<sea_orm::QueryResult>| -> ApiResult<HashMap<String, f64>> {
        let mut out = HashMap::new();
        for row in rows {
            let category: String = row.try_get("", "category")?;
            let total: Option<f64> = row.try_get("", "total")?;
            out.insert(category, total.unwrap_or(0.0));
        }
        Ok(out)
    };
    let mut attendance = Query::select();
    attendance
        .column((event::Entity, E::Category))
        .expr_as(
            Expr::cust(r#"SUM(CAST("event"."expected_attendance" AS DOUBLE PRECISION))"#),
            Alias::new("total"),
        )
        .from(event::Entity);
    past(&mut attendance);
    let mut outcomes = Query::select();
    outcomes
        .column((event::Entity, E::Category))
        .expr_as(
            Expr::cust(
                r#"SUM(CAST("event_outcome"."tranquillity" + "event_outcome"."security" + "event_outcome"."mobility" AS DOUBLE PRECISION))"#,
            ),
            Alias::new("total"),
        )
        .from(event_outcome::Entity)
        .inner_join(
            event::Entity,
            Expr::col((event::Entity, E::Id)).equals((event_outcome::Entity, event_outcome::Column::EventId)),
        );
    past(&mut outcomes);
    let mut records = Query::select();
    records
        .column((event::Entity, E::Category))
        .expr_as(
            Expr::cust(r#"CAST(COUNT("incident"."id") AS DOUBLE PRECISION)"#),
            Alias::new("total"),
        )
        .from(incident::Entity)
        .inner_join(
            event::Entity,
            Expr::col((event::Entity, E::Id)).equals((incident::Entity, incident::Column::EventId)),
        )
        .and_where(
            Expr::col((incident::Entity, incident::Column::EventId)).not_in_subquery(
                Query::select()
                    .column(event_outcome::Column::EventId)
                    .from(event_outcome::Entity)
                    .to_owned(),
            ),
        );
    past(&mut records);
    let attendance = sums(db.query_all(&attendance).await?)?;
    let outcomes = sums(db.query_all(&outcomes).await?)?;
    let records = sums(db.query_all(&records).await?)?;
    Ok(attendance
        .into_iter()
        .filter(|(_, people)| *people > 0.0)
        .map(|(category, people)| {
            let incidents = outcomes.get(&category).copied().unwrap_or(0.0)
                + records.get(&category).copied().unwrap_or(0.0);
            let rate = incidents / people * 1000.0;
            (category, rate)
        })
        .collect())
}

/// Past-edition indexes of the events of a series with editions that ended before
/// they start (cancelled and postponed editions left out).
pub(super) async fn load_past_editions<C: ConnectionTrait>(
    db: &C,
    events: &[event::Model],
    now: DateTime<Utc>,
) -> ApiResult<HashMap<i64, f64>> {
    let series: BTreeSet<String> = events
        .iter()
        .filter_map(|e| e.series.as_deref().map(str::trim))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if series.is_empty() {
        return Ok(HashMap::new());
    }
    let Some(latest_start) = events.iter().map(|e| e.starts_at).max() else {
        return Ok(HashMap::new());
    };
    let editions = event::Entity::find()
        .filter(event::Column::Series.is_in(series))
        .filter(event::Column::EndsAt.lte(latest_start))
        .filter(event::Column::Status.is_not_in(did_not_happen()))
        .all(db)
        .await?;
    let earlier = |e: &event::Model| -> Vec<&event::Model> {
        let key = e.series.as_deref().map(str::trim);
        editions
            .iter()
            .filter(|p| p.id != e.id && p.series.as_deref().map(str::trim) == key)
            .filter(|p| p.ends_at <= e.starts_at)
            .collect()
    };
    let with_editions: Vec<(&event::Model, Vec<&event::Model>)> = events
        .iter()
        .filter(|e| e.series.as_deref().is_some_and(|s| !s.trim().is_empty()))
        .map(|e| (e, earlier(e)))
        .filter(|(_, past)| !past.is_empty())
        .collect();
    if with_editions.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = editions.iter().map(|p| p.id).collect();
    let incidents = recorded_incidents(db, &ids).await?;
    let categories: BTreeSet<String> = with_editions
        .iter()
        .map(|(e, _)| e.category.to_value())
        .collect();
    let rates = category_rates(db, &categories, now).await?;
    Ok(with_editions
        .into_iter()
        .filter_map(|(e, past)| {
            let count: f64 = past
                .iter()
                .map(|p| incidents.get(&p.id).copied().unwrap_or(0.0))
                .sum();
            let people: f64 = past
                .iter()
                .map(|p| p.expected_attendance.max(0) as f64)
                .sum();
            let index =
                past_incident_index(count, people, rates.get(&e.category.to_value()).copied())?;
            Some((e.id, index))
        })
        .collect())
}
