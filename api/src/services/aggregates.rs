//! Aggregates answered to viewers (DESIGN §6): presence counts from the presence
//! sources' observations, and incident statistics from the city's incident records,
//! both through `policies::release`.
//!
//! Each source is its own data set (its owner, its k, its one base bucket), whether
//! or not it holds data in the window, so that which data sets answer never
//! depends on the data. Who sees a data set as recorded is the owner's rule
//! (`policies::ownership`): the owning organization, and for the city's records the
//! city's supervision team; anyone else gets the disclosure-controlled answer, and
//! the answers of several sources are added cell by cell. Adding is safe: every
//! shown number is a sum of published nodes of the sources' tables, which share no
//! atoms, so the release module's audit holds for the union.
//!
//! A zone's cells are what was stored at that zone, and a source that sends a site
//! and the arrondissement around it has both released as one table (the zone
//! hierarchy goes with the data set), so the rest of the arrondissement is
//! protected too. The city is answered as its arrondissements, with totals.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use entity::enums::OrganizationKind;
use entity::enums::{SourceKind, ZoneLevel};
use entity::incident::{self, IncidentField};
use entity::organization;
use entity::{observation, source, zone};
use policies::disclosure::SourceRules;
use policies::grid::{BucketSize, instant, unix};
use policies::ownership::{self, Access, Holder};
use policies::permissions::{OrgId, ResourceRef, authorize};
use policies::release::{
    AggregateQuery, BaseCell, Cell, Dataset, MAX_ANSWER_CELLS, Release, ReleaseError, release,
    released_count,
};
use policies::roles::{AggregateField, Purpose};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::services::catalog::ZoneTree;
use crate::services::ingest::rules_of;

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
) -> ApiResult<AggregateAnswer> {
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
        .filter(observation::Column::ZoneId.is_in(related_zones(&tree, &zones)))
        .filter(observation::Column::BucketStart.gte(window.from))
        .filter(observation::Column::BucketStart.lt(window.to))
        .all(db)
        .await?;
    let settled_until = observations_settled_until(Utc::now());
    let parents = zone_parents(db).await?;
    // One data set per source, on its one base bucket (ingestion refuses a second
    // length; rows of another length, from before that rule, are left out).
    let mut datasets: BTreeMap<i64, Dataset> = sources
        .iter()
        .map(|source| {
            let set = Dataset {
                owner: OrgId(source.organization_id),
                k: rules_of(source).k,
                base: rules_of(source).min_bucket,
                settled_until: Some(settled_until),
                zone_parents: parents.clone(),
                coverage: Some(HashSet::new()),
                cells: Vec::new(),
            };
            (source.id, set)
        })
        .collect();
    for (source_id, zone_id) in covered_zones(db, sources.iter().map(|s| s.id)).await? {
        if let Some(coverage) = datasets
            .get_mut(&source_id)
            .and_then(|s| s.coverage.as_mut())
        {
            coverage.insert(zone_id.to_string());
        }
    }
    for row in rows {
        let Some(set) = datasets.get_mut(&row.source_id) else {
            continue;
        };
        if i64::from(row.bucket_minutes) != set.base.minutes() {
            tracing::warn!(
                source = row.source_id,
                minutes = row.bucket_minutes,
                "observation off its source's bucket length left out"
            );
            continue;
        }
        set.cells.push(BaseCell {
            zone: row.zone_id.to_string(),
            start: row.bucket_start,
            value: released_count(row.value),
            contributors: row
                .contributors
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
        });
    }
    let datasets: Vec<Dataset> = datasets.into_values().collect();
    let holders = holders(db).await?;
    let release = release_all(
        &datasets,
        |set| viewer_of(viewer, &holders, set),
        &window,
        zones,
    )?;
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
    note_purpose: PurposeNote<'_>,
) -> ApiResult<AggregateAnswer> {
    // The window's own checks come first, as for any malformed argument; the
    // answer then depends on who asks for which field.
    check_span(query)?;
    let resource = ResourceRef::Field(aggregate_field(field));
    let grant = authorize(
        &viewer.subject,
        "incidentStats",
        viewer.purpose,
        Some(&resource),
    )
    .map_err(ApiError::Denied)?;
    note_purpose(grant.purpose);
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
    // Every record source informing the field is a data set, with data in the
    // window or not.
    let sources: Vec<source::Model> = source::Entity::find()
        .filter(source::Column::Granularity.eq(entity::enums::Granularity::Record))
        .all(db)
        .await?
        .into_iter()
        .filter(|s| {
            s.fields
                .split(',')
                .any(|f| f.trim() == crate::services::incidents::field_str(field))
        })
        .collect();
    let settled_until = incidents_settled_until(Utc::now());
    let parents = zone_parents(db).await?;
    let mut datasets: BTreeMap<i64, Dataset> = sources
        .iter()
        .map(|source| {
            let set = Dataset {
                owner: OrgId(source.organization_id),
                // Record sources take k = 1 at ingestion (k does not apply to
                // records); a count of incidents is a count over people, so its
                // release takes at least the platform's k.
                k: rules_of(source).k.max(SourceRules::DEFAULT_K),
                base: BucketSize::Quarter,
                settled_until: Some(settled_until),
                zone_parents: parents.clone(),
                coverage: Some(HashSet::new()),
                cells: Vec::new(),
            };
            (source.id, set)
        })
        .collect();
    for (source_id, zone_id) in incident_zones(db, field).await? {
        if let Some(coverage) = datasets
            .get_mut(&source_id)
            .and_then(|s| s.coverage.as_mut())
        {
            coverage.insert(tree.area_of(zone_id).to_string());
        }
    }
    for ((source_id, area, start), count) in counts {
        if let Some(set) = datasets.get_mut(&source_id) {
            set.cells.push(BaseCell {
                zone: area.to_string(),
                start: instant(start),
                value: i64::from(count),
                contributors: count,
            });
        }
    }
    let datasets: Vec<Dataset> = datasets.into_values().collect();
    let holders = holders(db).await?;
    let release = release_all(
        &datasets,
        |set| viewer_of(viewer, &holders, set),
        &window,
        zones,
    )?;
    Ok(AggregateAnswer {
        zone: asked,
        release,
        settled_until,
    })
}

/// The organizations as the register describes them: a city service or a partner.
pub async fn holders<C: sea_orm::ConnectionTrait>(
    db: &C,
) -> Result<HashMap<i64, Holder>, sea_orm::DbErr> {
    Ok(organization::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| {
            let holder = match o.kind {
                OrganizationKind::Municipal => Holder::Municipal(OrgId(o.id)),
                OrganizationKind::Partner => Holder::Partner(OrgId(o.id)),
            };
            (o.id, holder)
        })
        .collect())
}

/// The organization a release treats as the viewer of `set`: its owner when the
/// ownership rule grants raw access, nobody otherwise (controlled).
fn viewer_of(viewer: &Viewer, holders: &HashMap<i64, Holder>, set: &Dataset) -> Option<OrgId> {
    let mine = viewer
        .organization_id
        .and_then(|id| holders.get(&id).copied());
    let owner = holders
        .get(&set.owner.0)
        .copied()
        .unwrap_or(Holder::Partner(set.owner));
    match ownership::access(viewer.role(), mine, owner) {
        Access::Raw => Some(set.owner),
        Access::Controlled => None,
    }
}

/// The zones whose cells may share a table with `zones`: every zone of their
/// arrondissements (sites and quartiers inside) and the zones above them. A table
/// is decided on all of its zones whatever the query asks, so the answer for a
/// site and for its arrondissement come from the same decision.
fn related_zones(tree: &ZoneTree, zones: &[i64]) -> HashSet<i64> {
    let mut related = HashSet::new();
    for &zone in zones {
        related.extend(tree.with_descendants(tree.area_of(zone)));
        // The hierarchy is four levels deep; the bound guards against a cycle.
        let mut current = Some(zone);
        for _ in 0..16 {
            let Some(id) = current else { break };
            related.insert(id);
            current = tree.get(id).and_then(|z| z.parent_id);
        }
    }
    related
}

/// The zones each presence source ever sent a cell for (its coverage).
async fn covered_zones(
    db: &DatabaseConnection,
    sources: impl Iterator<Item = i64>,
) -> ApiResult<Vec<(i64, i64)>> {
    Ok(observation::Entity::find()
        .select_only()
        .column(observation::Column::SourceId)
        .column(observation::Column::ZoneId)
        .distinct()
        .filter(observation::Column::SourceId.is_in(sources))
        .filter(observation::Column::Metric.eq(PRESENCE_METRIC))
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?)
}

/// The zones where each record source ever recorded an incident of `field`.
async fn incident_zones(
    db: &DatabaseConnection,
    field: IncidentField,
) -> ApiResult<Vec<(i64, i64)>> {
    Ok(incident::Entity::find()
        .select_only()
        .column(incident::Column::SourceId)
        .column(incident::Column::ZoneId)
        .distinct()
        .filter(incident::Column::Field.eq(field))
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?)
}

/// Each zone's parent, by id as text (the release module's zone names).
async fn zone_parents(db: &DatabaseConnection) -> ApiResult<HashMap<String, String>> {
    Ok(crate::services::catalog::zones_without_outline()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|z| z.parent_id.map(|p| (z.id.to_string(), p.to_string())))
        .collect())
}

/// Where a service reports the purpose its grant settled (declared, or implied
/// when only one is possible), so that the audit entry carries the purpose used.
pub type PurposeNote<'a> = &'a (dyn Fn(Option<Purpose>) + Send + Sync);

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
) -> ApiResult<(zone::Model, Vec<i64>)> {
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
        ));
    }
    Ok((zone, vec![zone_id]))
}

/// The window is not empty and not longer than a query may ask.
fn check_span(query: &WindowQuery) -> ApiResult<()> {
    if query.to <= query.from {
        return Err(ApiError::bad_input("to", "to must be after from"));
    }
    if query.to - query.from > Duration::days(MAX_WINDOW_DAYS) {
        return Err(ApiError::bad_input(
            "to",
            format!("a window spans at most {MAX_WINDOW_DAYS} days"),
        ));
    }
    Ok(())
}

/// The query snapped to the grid, after the checks that bound its cost.
fn checked_window(query: &WindowQuery, zones: usize) -> ApiResult<AggregateQuery> {
    check_span(query)?;
    let size = query.bucket;
    let (from, to) = (size.floor(unix(query.from)), size.ceil(unix(query.to)));
    let cells = usize::try_from((to - from) / size.seconds())
        .unwrap_or(usize::MAX)
        .saturating_mul(zones.max(1));
    if cells > MAX_ANSWER_CELLS {
        return Err(ApiError::bad_input(
            "bucket",
            format!(
                "the answer would hold {cells} cells, more than {MAX_ANSWER_CELLS}: ask for coarser buckets or a shorter window"
            ),
        ));
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
) -> ApiResult<Release> {
    let query = AggregateQuery {
        zones: zones.iter().map(i64::to_string).collect(),
        ..window.clone()
    };
    let empty = Dataset {
        owner: OrgId(0),
        k: SourceRules::DEFAULT_K,
        base: BucketSize::Quarter,
        settled_until: None,
        zone_parents: HashMap::new(),
        coverage: Some(HashSet::new()),
        cells: Vec::new(),
    };
    let mut merged = release(&empty, None, &query).map_err(release_error)?;
    merged.controlled = false;
    for set in datasets {
        // A source that reports on none of the zones adds nothing (and its base
        // bucket does not restrict the answer).
        let reports = set
            .coverage
            .as_ref()
            .is_none_or(|covered| query.zones.iter().any(|z| covered.contains(z)));
        if !reports {
            continue;
        }
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

fn release_error(err: ReleaseError) -> ApiError {
    let field = match err {
        ReleaseError::BucketTooFine { .. } | ReleaseError::TooLarge(_) => "bucket",
        ReleaseError::EmptyWindow => "to",
        ReleaseError::NoZone => "zoneId",
        // Base cells come from a table with one row per cell: a duplicate is a bug.
        ReleaseError::InvalidBaseCell { .. } => return ApiError::internal(err),
    };
    ApiError::bad_input(field, err.to_string())
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
