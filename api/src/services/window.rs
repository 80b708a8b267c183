//! Events overlapping a time window, found by an index range scan.
//!
//! `starts_at < end AND ends_at > start` alone lets the database use
//! `idx_event_starts_at` only for the upper bound: every past event qualifies, so the
//! cost of an agenda grows with the years of history. An event overlapping the
//! window cannot have started before `start - longest event`; the longest event is
//! kept by database triggers in `event_extent` (see its migration), so adding that
//! lower bound is exact and turns the scan into a range as wide as the window plus
//! the longest event.

use chrono::{DateTime, Duration, Utc};
use entity::{event, event_extent};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait};

use crate::error::ApiResult;

/// The condition selecting the events that overlap `[start, end)`. One primary-key
/// read of `event_extent`.
pub async fn overlapping<C: ConnectionTrait>(
    db: &C,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> ApiResult<Condition> {
    Ok(condition(start, end, longest(db).await?))
}

/// The longest event's duration in seconds (an upper bound), `None` when unknown.
pub async fn longest<C: ConnectionTrait>(db: &C) -> ApiResult<Option<i64>> {
    Ok(event_extent::Entity::find_by_id(1)
        .one(db)
        .await?
        .map(|row| row.max_seconds))
}

/// The overlap condition with the lower bound derived from `longest` (seconds);
/// without it (no extent row), the plain overlap.
pub fn condition(start: DateTime<Utc>, end: DateTime<Utc>, longest: Option<i64>) -> Condition {
    let mut condition = Condition::all()
        .add(event::Column::StartsAt.lt(end))
        .add(event::Column::EndsAt.gt(start));
    if let Some(lower) = longest
        .and_then(|seconds| Duration::try_seconds(seconds.max(0)))
        .and_then(|span| start.checked_sub_signed(span))
    {
        condition = condition.add(event::Column::StartsAt.gte(lower));
    }
    condition
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    fn sql(longest: Option<i64>) -> String {
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let end = start + Duration::days(30);
        event::Entity::find()
            .filter(condition(start, end, longest))
            .build(DbBackend::Postgres)
            .to_string()
    }

    #[test]
    fn a_known_longest_event_bounds_the_start_from_below() {
        let bounded = sql(Some(86_400));
        assert!(
            bounded.contains("\"starts_at\" >= '2027-01-14 08:00:00"),
            "the lower bound is the window start minus one day: {bounded}"
        );
    }

    #[test]
    fn without_an_extent_the_plain_overlap_is_used() {
        let plain = sql(None);
        assert!(!plain.contains(">="), "no lower bound: {plain}");
        assert!(
            plain.contains("\"ends_at\" >"),
            "the overlap stays: {plain}"
        );
    }
}
