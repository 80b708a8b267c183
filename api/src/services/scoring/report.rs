//! The figures that say whether the risk and the adequacy give a signal: the
//! distribution of the current assessments over the coming days, the daily sums of
//! expected load against the city's daily totals, and the yearly totals of the stored
//! history. `api model report` prints them; the README and the model card quote them.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Europe::Paris;
use entity::event;
use scoring::features::HistoryRow;
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::ApiResult;
use crate::time::paris_range;

/// The current assessments of the coming days, summarised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgendaReport {
    /// Events in the window (cancelled ones included).
    pub events: usize,
    /// Events with a current assessment.
    pub scored: usize,
    /// Scored events by overall risk, [0, 1), [1, 2), ..., [9, 10), 10.
    pub histogram: [usize; 11],
    /// Scored events with an overall risk of 7 or more.
    pub high: usize,
    /// Scored events with an overall risk under 3.
    pub low: usize,
    /// Scored events with an overall adequacy over 100 %.
    pub over: usize,
    /// Scored events with an overall adequacy of exactly 100 %.
    pub exact: usize,
    /// Scored events with an overall adequacy under 100 %.
    pub under: usize,
    /// Scored events with required kinds but none planned (no plan filed).
    pub unplanned: usize,
    /// Scored events requiring nothing.
    pub nothing_required: usize,
    /// Scored events with at least one required kind missing from the plan.
    pub with_missing_kind: usize,
    /// Per Paris day: (expected patients, hospital transfers, police-relevant incidents)
    /// summed over the day's scored events.
    pub days: BTreeMap<NaiveDate, [f64; 3]>,
}

/// Summarises the current assessments of the events running in the `days` Paris days
/// from `from`.
pub async fn agenda_report<C: ConnectionTrait>(
    db: &C,
    from: NaiveDate,
    days: u32,
) -> ApiResult<AgendaReport> {
    let (start, end) = paris_range(from, days);
    let events = event::Entity::find()
        .filter(crate::services::window::overlapping(db, start, end).await?)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let current = super::current_for(db, &ids).await?;
    let mut report = AgendaReport {
        events: events.len(),
        ..AgendaReport::default()
    };
    for e in &events {
        let Some(row) = current.get(&e.id) else {
            continue;
        };
        report.scored += 1;
        let risk = row.risk_overall;
        report.histogram[(risk.floor().clamp(0.0, 10.0)) as usize] += 1;
        report.high += usize::from(risk >= 7.0);
        report.low += usize::from(risk < 3.0);
        let details = super::details(row)?;
        let adequacy = &details.adequacy;
        match adequacy.overall_percent {
            Some(p) if p > 100.0 => report.over += 1,
            Some(p) if p < 100.0 => report.under += 1,
            Some(_) => report.exact += 1,
            None if adequacy.missing.is_empty() => report.nothing_required += 1,
            None => report.unplanned += 1,
        }
        if adequacy.overall_percent.is_some() && !adequacy.missing.is_empty() {
            report.with_missing_kind += 1;
        }
        if let Some(load) = details.load {
            let day = e.starts_at.with_timezone(&Paris).date_naive();
            let sums = report.days.entry(day).or_default();
            sums[0] += load.patients.value;
            sums[1] += load.transfers.value;
            sums[2] += load.incidents.value;
        }
    }
    Ok(report)
}

/// One year of the stored history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearTotals {
    /// Calendar year.
    pub year: i32,
    /// Past events.
    pub events: usize,
    /// Police-relevant incidents recorded.
    pub tranquillity: u64,
    /// Patients recorded.
    pub security: u64,
    /// Traffic and transit incidents recorded.
    pub mobility: u64,
}

/// Totals per calendar year of history rows.
pub fn yearly_totals(rows: &[HistoryRow]) -> Vec<YearTotals> {
    let mut years: BTreeMap<i32, YearTotals> = BTreeMap::new();
    for row in rows {
        let year = row.features.date.year();
        let totals = years.entry(year).or_insert(YearTotals {
            year,
            events: 0,
            tranquillity: 0,
            security: 0,
            mobility: 0,
        });
        totals.events += 1;
        totals.tranquillity += u64::from(row.incidents.tranquillity);
        totals.security += u64::from(row.incidents.security);
        totals.mobility += u64::from(row.incidents.mobility);
    }
    years.into_values().collect()
}
