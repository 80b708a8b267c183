//! Aggregates answered to viewers (DESIGN §6): presence counts from the presence
//! sources' observations, and incident statistics from the city's incident records,
//! both through `policies::release`.
//!
//! Each source is its own data set (its owner, its k, its base bucket): the owner
//! sees its cells as they are, anyone else the disclosure-controlled answer, and the
//! answers of several sources are added cell by cell. Adding is safe: every shown
//! number is still a sum of published nodes of the sources' fixed trees, whose
//! base cells are disjoint, so the release module's proof holds for the union.
//!
//! Zones are never summed from their descendants: a zone's cells are what was
//! stored at that zone. Summing a site into its arrondissement would make two
//! zones' trees overlap, and the overlap is what lets differences isolate a small
//! group. The city is answered as its arrondissements, side by side, with totals.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use entity::enums::{SourceKind, ZoneLevel};
use entity::incident::{self, IncidentField};
use entity::{observation, source, zone};
use policies::disclosure::SourceRules;
use policies::grid::{BucketSize, instant, unix};
use policies::permissions::{OrgId, ResourceRef, authorize};
use policies::release::{
    AggregateQuery, BaseCell, Cell, Dataset, MAX_ANSWER_CELLS, Release, ReleaseError, release,
};
use policies::roles::{AggregateField, Role};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::services::catalog::ZoneTree;
use crate::services::ingest::{PrivacyError, rules_of};

/// The metric presence sources send.
pub const PRESENCE_METRIC: &str = "presence";
/// Observations settle two hours after their bucket ends: partners deliver within
/// minutes, and this is how late a correction may come before non-owners see the
/// bucket (they see it as pending until then).
pub const OBSERVATION_SETTLEMENT_MINUTES: i64 = 120;
/// Incident records settle after a week: agents often write up an incident the
/// next day or after a weekend.
pub const INCIDENT_SETTLEMENT_DAYS: i64 = 7;
/// Longest window of one query (a quarter of a year): bounds the cells read.
pub const MAX_WINDOW_DAYS: i64 = 92;

/// Observation buckets ending at or before this instant are settled: published to
/// non-owners, and closed to late data. Aligned on the quarter hour so that answers
/// do not change between two quarter hours.
pub fn observations_settled_until(now: DateTime<Utc>) -> DateTime<Utc> {
    quarter_floor(now - Duration::minutes(OBSERVATION_SETTLEMENT_MINUTES))
}

/// Incident buckets ending at or before this instant are settled.
pub fn incidents_settled_until(now: DateTime<Utc>) -> DateTime<Utc> {
    quarter_floor(now - Duration::days(INCIDENT_SETTLEMENT_DAYS))
}

fn quarter_floor(t: DateTime<Utc>) -> DateTime<Utc> {
    instant(BucketSize::Quarter.floor(unix(t)))
}

/// The end of the 15-minute bucket an instant falls in (incidents' base cells).
pub fn quarter_end(t: DateTime<Utc>) -> DateTime<Utc> {
    quarter_floor(t) + Duration::minutes(15)
}

/// What an aggregate query asks.
#[derive(Debug, Clone)]
pub struct WindowQuery {
    /// The zone: a site, an arrondissement or the city (answered per arrondissement).
    pub zone_id: i64,
    /// Start of the window.
    pub from: DateTime<Utc>,
    /// End of the window (exclusive).
    pub to: DateTime<Utc>,
    /// Size of the answer's buckets.
    pub bucket: BucketSize,
}

/// An answer: the zone asked, the release, and the settlement boundary used.
#[derive(Debug, Clone)]
pub struct AggregateAnswer {
    /// The zone asked for.
    pub zone: zone::Model,
    /// The released cells and totals; zones are zone ids written as text.
    pub release: Release,
    /// Buckets ending after this were withheld from non-owners as pending.
    pub settled_until: DateTime<Utc>,
}

/// Presence counts in a zone.
pub async fn presence(
    db: &DatabaseConnection,
    viewer: &Viewer,
    query: &WindowQuery,
) -> Result<AggregateAnswer, PrivacyError> {
    let tree = ZoneTree::load(db).await?;
    let (asked, zones) = answer_zones(&tree, query.zone_id, ZoneLevel::Site)?;
    let window = checked_window(query, zones.len())?;
    let sources = source::Entity::find()
        .filter(source::Column::Kind.eq(SourceKind::Presence))
        .all(db)
        .await?;
    let rows = observation::Entity::find()
        .filter(observation::Column::SourceId.is_in(sources.iter().map(|s| s.id)))
        .filter(observation::Column::Metric.eq(PRESENCE_METRIC))
        .filter(observation::Column::ZoneId.is_in(zones.iter().copied()))
        .filter(observation::Column::BucketStart.gte(window.from))
        .filter(observation::Column::BucketStart.lt(window.to))
        .all(db)
        .await?;
    let settled_until = observations_settled_until(Utc::now());
    // One data set per source and bucket length: each has a single base grid.
    let mut sets: BTreeMap<(i64, i32), Vec<BaseCell>> = BTreeMap::new();
    for row in rows {
        sets.entry((row.source_id, row.bucket_minutes))
            .or_default()
            .push(BaseCell {
                zone: row.zone_id.to_string(),
                start: row.bucket_start,
                // Presence values are counts of people; stored as numbers to share
                // the table with measurements such as rain.
                value: row.value.round() as i64,
                contributors: row
                    .contributors
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(0),
            });
    }
    let by_id: HashMap<i64, &source::Model> = sources.iter().map(|s| (s.id, s)).collect();
    let mut datasets = Vec::new();
    for ((source_id, minutes), cells) in sets {
        let (Some(source), Some(base)) = (
            by_id.get(&source_id),
            BucketSize::from_minutes(i64::from(minutes)),
        ) else {
            continue;
        };
        datasets.push(Dataset {
            owner: OrgId(source.organization_id),
            k: rules_of(source).k,
            base,
            settled_until: Some(settled_until),
            cells,
        });
    }
    let viewer_org = release_viewer(viewer);
    let release = release_all(&datasets, |_| viewer_org, &window, zones)?;
    Ok(AggregateAnswer {
        zone: asked,
        release,
        settled_until,
    })
}

/// Incident counts of one field, per arrondissement.
pub async fn incident_stats(
    db: &DatabaseConnection,
    viewer: &Viewer,
    field: IncidentField,
    query: &WindowQuery,
) -> Result<AggregateAnswer, PrivacyError> {
    // The window's own checks come first, as for any malformed argument; the
    // answer then depends on who asks for which field.
    check_span(query)?;
    let resource = ResourceRef::Field(aggregate_field(field));
    authorize(
        &viewer.subject,
        "incidentStats",
        viewer.purpose,
        Some(&resource),
    )
    .map_err(PrivacyError::Denied)?;
    let tree = ZoneTree::load(db).await?;
    let (asked, zones) = answer_zones(&tree, query.zone_id, ZoneLevel::Arrondissement)?;
    let window = checked_window(query, zones.len())?;
    let wanted: HashSet<i64> = zones.iter().copied().collect();
    let incidents = incident::Entity::find()
        .filter(incident::Column::Field.eq(field))
        .filter(incident::Column::OccurredAt.gte(window.from))
        .filter(incident::Column::OccurredAt.lt(window.to))
        .all(db)
        .await?;
    // Each incident counts once, in the arrondissement it lies in, in its quarter.
    let mut counts: BTreeMap<(i64, i64, i64), u32> = BTreeMap::new();
    for row in &incidents {
        let area = tree.area_of(row.zone_id);
        if wanted.contains(&area) {
            let start = BucketSize::Quarter.floor(unix(row.occurred_at));
            *counts.entry((row.source_id, area, start)).or_default() += 1;
        }
    }
    let source_ids: HashSet<i64> = counts.keys().map(|(s, _, _)| *s).collect();
    let sources: HashMap<i64, source::Model> = source::Entity::find()
        .filter(source::Column::Id.is_in(source_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let settled_until = incidents_settled_until(Utc::now());
    let mut datasets: BTreeMap<i64, Dataset> = BTreeMap::new();
    for ((source_id, area, start), count) in counts {
        let Some(source) = sources.get(&source_id) else {
            continue;
        };
        datasets
            .entry(source_id)
            .or_insert_with(|| Dataset {
                owner: OrgId(source.organization_id),
                // Record sources take k = 1 at ingestion (k does not apply to
                // records); a count of incidents is a count over people, so its
                // release takes at least the platform's k.
                k: rules_of(source).k.max(SourceRules::DEFAULT_K),
                base: BucketSize::Quarter,
                settled_until: Some(settled_until),
                cells: Vec::new(),
            })
            .cells
            .push(BaseCell {
                zone: area.to_string(),
                start: instant(start),
                value: i64::from(count),
                contributors: count,
            });
    }
    let datasets: Vec<Dataset> = datasets.into_values().collect();
    // Supervisors read the records themselves (`incidents`): withholding their
    // counts would protect nothing. Analysts always get the controlled answer.
    let viewer_org = release_viewer(viewer);
    let supervisor = viewer.role() == Some(Role::Supervisor);
    let release = release_all(
        &datasets,
        |set| {
            if supervisor {
                Some(set.owner)
            } else {
                viewer_org
            }
        },
        &window,
        zones,
    )?;
    Ok(AggregateAnswer {
        zone: asked,
        release,
        settled_until,
    })
}

/// The organization a release treats as the viewer's: analysts see aggregates
/// "above thresholds" only (DESIGN §5), even of their own organization's sources.
fn release_viewer(viewer: &Viewer) -> Option<OrgId> {
    match viewer.role() {
        Some(Role::Analyst) => None,
        _ => viewer.org(),
    }
}

fn aggregate_field(field: IncidentField) -> AggregateField {
    match field {
        IncidentField::Tranquillity => AggregateField::Tranquillity,
        IncidentField::Security => AggregateField::Security,
        IncidentField::Mobility => AggregateField::Mobility,
    }
}

/// The zone asked and the zones answered: the city as its arrondissements, any
/// other zone at least as coarse as `finest` as itself.
fn answer_zones(
    tree: &ZoneTree,
    zone_id: i64,
    finest: ZoneLevel,
) -> Result<(zone::Model, Vec<i64>), PrivacyError> {
    let zone = tree
        .get(zone_id)
        .cloned()
        .ok_or_else(|| ApiError::bad_input("zoneId", format!("unknown zone {zone_id}")))?;
    if zone.level == ZoneLevel::City {
        let mut parts: Vec<(String, i64)> = tree
            .with_descendants(zone.id)
            .into_iter()
            .filter_map(|id| tree.get(id))
            .filter(|z| z.level == ZoneLevel::Arrondissement)
            .map(|z| (z.code.clone(), z.id))
            .collect();
        parts.sort();
        return Ok((zone, parts.into_iter().map(|(_, id)| id).collect()));
    }
    // entity::ZoneLevel orders from the city down to the site.
    if zone.level > finest {
        return Err(ApiError::bad_input(
            "zoneId",
            "these statistics are released per arrondissement (incidents count in the arrondissement they lie in): ask for an arrondissement or the city",
        )
        .into());
    }
    Ok((zone, vec![zone_id]))
}

/// The window is not empty and not longer than a query may ask.
fn check_span(query: &WindowQuery) -> Result<(), PrivacyError> {
    if query.to <= query.from {
        return Err(ApiError::bad_input("to", "to must be after from").into());
    }
    if query.to - query.from > Duration::days(MAX_WINDOW_DAYS) {
        return Err(ApiError::bad_input(
            "to",
            format!("a window spans at most {MAX_WINDOW_DAYS} days"),
        )
        .into());
    }
    Ok(())
}

/// The query snapped to the grid, after the checks that bound its cost.
fn checked_window(query: &WindowQuery, zones: usize) -> Result<AggregateQuery, PrivacyError> {
    check_span(query)?;
    let size = query.bucket;
    let (from, to) = (size.floor(unix(query.from)), size.ceil(unix(query.to)));
    let cells = usize::try_from((to - from) / size.seconds())
        .unwrap_or(usize::MAX)
        .saturating_mul(zones.max(1));
    if cells > MAX_ANSWER_CELLS {
        return Err(ApiError::bad_input(
            "bucket",
            format!("the answer would hold {cells} cells, more than {MAX_ANSWER_CELLS}: ask for coarser buckets or a shorter window"),
        )
        .into());
    }
    Ok(AggregateQuery {
        zones: Vec::new(),
        from: instant(from),
        to: instant(to),
        bucket: size,
    })
}

/// Releases every data set for its viewer and adds the answers cell by cell; with no
/// data set, an empty one gives the answer's shape (every cell without data).
fn release_all(
    datasets: &[Dataset],
    viewer_of: impl Fn(&Dataset) -> Option<OrgId>,
    window: &AggregateQuery,
    zones: Vec<i64>,
) -> Result<Release, PrivacyError> {
    let query = AggregateQuery {
        zones: zones.iter().map(i64::to_string).collect(),
        ..window.clone()
    };
    let empty = Dataset {
        owner: OrgId(0),
        k: SourceRules::DEFAULT_K,
        base: BucketSize::Quarter,
        settled_until: None,
        cells: Vec::new(),
    };
    let mut merged = release(&empty, None, &query).map_err(release_error)?;
    merged.controlled = false;
    for set in datasets {
        let part = release(set, viewer_of(set), &query).map_err(release_error)?;
        merged.controlled |= part.controlled;
        for (cell, other) in merged.cells.iter_mut().zip(part.cells) {
            cell.value = add(cell.value, other.value);
        }
        for (total, other) in merged.zone_totals.iter_mut().zip(part.zone_totals) {
            total.value = add(total.value, other.value);
        }
        for (total, other) in merged.bucket_totals.iter_mut().zip(part.bucket_totals) {
            total.value = add(total.value, other.value);
        }
        merged.grand_total = add(merged.grand_total, part.grand_total);
    }
    Ok(merged)
}

/// Adds two released numbers: a withheld part withholds the sum (suppressed wins,
/// since it will never be shown), a part without data adds nothing.
fn add(a: Cell, b: Cell) -> Cell {
    match (a, b) {
        (Cell::Suppressed, _) | (_, Cell::Suppressed) => Cell::Suppressed,
        (Cell::Pending, _) | (_, Cell::Pending) => Cell::Pending,
        (Cell::NoData, other) | (other, Cell::NoData) => other,
        (Cell::Value(x), Cell::Value(y)) => Cell::Value(x.saturating_add(y)),
    }
}

fn release_error(err: ReleaseError) -> PrivacyError {
    let field = match err {
        ReleaseError::BucketTooFine { .. } | ReleaseError::TooLarge(_) => "bucket",
        ReleaseError::EmptyWindow => "to",
        ReleaseError::NoZone => "zoneId",
        // Base cells come from a table with one row per cell: a duplicate is a bug.
        ReleaseError::InvalidBaseCell { .. } => return ApiError::internal(err).into(),
    };
    ApiError::bad_input(field, err.to_string()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_withheld_part_withholds_the_sum_and_no_data_adds_nothing() {
        assert_eq!(add(Cell::Value(3), Cell::Value(4)), Cell::Value(7));
        assert_eq!(add(Cell::NoData, Cell::Value(4)), Cell::Value(4));
        assert_eq!(add(Cell::Value(3), Cell::Suppressed), Cell::Suppressed);
        assert_eq!(add(Cell::Pending, Cell::Suppressed), Cell::Suppressed);
        assert_eq!(add(Cell::Pending, Cell::Value(1)), Cell::Pending);
        assert_eq!(add(Cell::NoData, Cell::NoData), Cell::NoData);
    }

    #[test]
    fn settlement_boundaries_sit_on_the_quarter_hour() {
        let now = DateTime::parse_from_rfc3339("2026-07-14T12:07:30Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(
            observations_settled_until(now).to_rfc3339(),
            "2026-07-14T10:00:00+00:00"
        );
        assert_eq!(
            incidents_settled_until(now).to_rfc3339(),
            "2026-07-07T12:00:00+00:00"
        );
    }
}
