//! What the original platform flagged automatically on the agenda: two events at
//! the same venue at the same time; overlapping events in one arrondissement whose
//! combined attendance exceeds what its venues hold; events without any planned
//! deployment.
//!
//! Detection is a pure function over event slots, so the agenda computes it once
//! for its whole window and single-event reads reuse it on a small neighbourhood.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

/// Why events are flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConflictKind {
    /// Two events overlap in time at the same venue.
    SameVenueOverlap,
    /// Events overlapping in one arrondissement draw more people than its venues hold.
    ZoneOverCapacity,
    /// An event has no planned deployment.
    NoDeployment,
}

/// One flagged situation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Why it is flagged.
    pub kind: ConflictKind,
    /// The events involved, by id, ascending.
    pub event_ids: Vec<i64>,
    /// A sentence for the supervision team.
    pub message: String,
}

/// What detection needs to know of one event.
#[derive(Debug, Clone)]
pub struct Slot {
    /// Event id.
    pub id: i64,
    /// Title, for messages.
    pub title: String,
    /// Venue, if any.
    pub venue_id: Option<i64>,
    /// Arrondissement (or top-level zone) the event takes place in.
    pub area_id: i64,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Expected attendance.
    pub attendance: i64,
    /// Whether any deployment is planned.
    pub has_deployment: bool,
    /// Cancelled or postponed events take no space and need no plan.
    pub active: bool,
}

fn overlaps(a: &Slot, b: &Slot) -> bool {
    a.starts_at < b.ends_at && b.starts_at < a.ends_at
}

/// Flags the situations among `slots`. `area_capacity` gives, per area id, the sum of
/// the capacities of the venues it contains (areas without one are never flagged
/// for capacity).
pub fn detect(slots: &[Slot], area_capacity: &HashMap<i64, i64>) -> Vec<Conflict> {
    let active: Vec<&Slot> = slots.iter().filter(|s| s.active).collect();
    let mut out = Vec::new();

    for (i, a) in active.iter().enumerate() {
        for b in &active[i + 1..] {
            if a.venue_id.is_some() && a.venue_id == b.venue_id && overlaps(a, b) {
                let (first, second) = if a.id < b.id { (a, b) } else { (b, a) };
                out.push(Conflict {
                    kind: ConflictKind::SameVenueOverlap,
                    event_ids: vec![first.id, second.id],
                    message: format!(
                        "\"{}\" and \"{}\" overlap at the same venue",
                        first.title, second.title
                    ),
                });
            }
        }
    }

    // For each area, the crowd peaks when an event starts: checking the sum of the
    // events running at every start instant finds every over-capacity moment.
    let mut by_area: HashMap<i64, Vec<&Slot>> = HashMap::new();
    for slot in &active {
        by_area.entry(slot.area_id).or_default().push(slot);
    }
    let mut seen: BTreeSet<Vec<i64>> = BTreeSet::new();
    let mut areas: Vec<_> = by_area.into_iter().collect();
    areas.sort_by_key(|(area, _)| *area);
    for (area, events) in areas {
        let Some(&capacity) = area_capacity.get(&area) else {
            continue;
        };
        for pivot in &events {
            let running: Vec<&&Slot> = events
                .iter()
                .filter(|e| e.starts_at <= pivot.starts_at && pivot.starts_at < e.ends_at)
                .collect();
            if running.len() < 2 {
                continue;
            }
            let total: i64 = running.iter().map(|e| e.attendance).sum();
            if total <= capacity {
                continue;
            }
            let mut ids: Vec<i64> = running.iter().map(|e| e.id).collect();
            ids.sort_unstable();
            if seen.insert(ids.clone()) {
                out.push(Conflict {
                    kind: ConflictKind::ZoneOverCapacity,
                    event_ids: ids,
                    message: format!(
                        "{} overlapping events expect {total} people where the area's venues hold {capacity}",
                        running.len()
                    ),
                });
            }
        }
    }

    for slot in &active {
        if !slot.has_deployment {
            out.push(Conflict {
                kind: ConflictKind::NoDeployment,
                event_ids: vec![slot.id],
                message: format!("\"{}\" has no planned deployment", slot.title),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn slot(id: i64, venue: Option<i64>, area: i64, (from, to): (u32, u32), people: i64) -> Slot {
        Slot {
            id,
            title: format!("event {id}"),
            venue_id: venue,
            area_id: area,
            starts_at: Utc.with_ymd_and_hms(2026, 12, 1, from, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 12, 1, to, 0, 0).unwrap(),
            attendance: people,
            has_deployment: true,
            active: true,
        }
    }

    fn kinds(conflicts: &[Conflict]) -> Vec<(ConflictKind, Vec<i64>)> {
        conflicts
            .iter()
            .map(|c| (c.kind, c.event_ids.clone()))
            .collect()
    }

    #[test]
    fn events_overlapping_at_one_venue_are_flagged_once() {
        let slots = [
            slot(2, Some(1), 10, (10, 12), 100),
            slot(1, Some(1), 10, (11, 13), 100),
        ];
        let found = detect(&slots, &HashMap::new());
        assert_eq!(
            kinds(&found),
            vec![(ConflictKind::SameVenueOverlap, vec![1, 2])]
        );
    }

    #[test]
    fn back_to_back_events_at_one_venue_do_not_conflict() {
        let slots = [
            slot(1, Some(1), 10, (10, 12), 100),
            slot(2, Some(1), 10, (12, 14), 100),
        ];
        assert!(detect(&slots, &HashMap::new()).is_empty());
    }

    #[test]
    fn a_cancelled_event_takes_no_space_and_needs_no_plan() {
        let mut cancelled = slot(2, Some(1), 10, (10, 12), 100);
        cancelled.active = false;
        cancelled.has_deployment = false;
        let slots = [slot(1, Some(1), 10, (10, 12), 100), cancelled];
        assert!(detect(&slots, &HashMap::new()).is_empty());
    }

    #[test]
    fn overlapping_crowds_over_the_area_capacity_are_flagged_with_every_event_running() {
        let capacity = HashMap::from([(10, 1_000)]);
        let slots = [
            slot(1, Some(1), 10, (10, 14), 600),
            slot(2, Some(2), 10, (11, 12), 300),
            slot(3, Some(3), 10, (13, 15), 500),
            slot(4, Some(4), 20, (10, 14), 5_000),
        ];
        let found = detect(&slots, &capacity);
        assert_eq!(
            kinds(&found),
            vec![(ConflictKind::ZoneOverCapacity, vec![1, 3])]
        );
    }

    #[test]
    fn crowds_exactly_at_capacity_are_not_flagged() {
        let capacity = HashMap::from([(10, 900)]);
        let slots = [
            slot(1, Some(1), 10, (10, 14), 600),
            slot(2, Some(2), 10, (11, 12), 300),
        ];
        assert!(detect(&slots, &capacity).is_empty());
    }

    #[test]
    fn an_active_event_without_deployment_is_flagged() {
        let mut bare = slot(7, None, 10, (10, 12), 50);
        bare.has_deployment = false;
        let found = detect(&[bare], &HashMap::new());
        assert_eq!(kinds(&found), vec![(ConflictKind::NoDeployment, vec![7])]);
    }
}
