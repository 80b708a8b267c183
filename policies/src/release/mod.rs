//! Release-side disclosure control (DESIGN §6): answering an aggregate query over
//! base cells (zone x aligned base bucket, with a value and a contributor count).
//! The owner of the data sees its cells as they are; anyone else sees numbers
//! that an attacker who knows these rules, and combines every answer with sums,
//! differences, inequalities and statuses, cannot narrow below the protection
//! level: **for every cell that counts 1 to k - 1 people, he cannot rule out any
//! value from 0 to k - 1** (he learns "below k", nothing more).
//!
//! # The tables
//!
//! Publication is decided per *table*, never per query: one data set, one UTC day,
//! one group of nested zones (a zone stored with zones inside it, such as an
//! arrondissement and its sites, forms one group; the zone minus its parts is a
//! hidden *rest* that an attacker could aim at). A table's nodes are its zones
//! crossed with the day's buckets (base size -> hour -> day, aligned on the epoch);
//! its atoms are the leaf zones (rests included) crossed with the base buckets.
//! Queries cannot choose boundaries (`from`/`to` are snapped outward), and an answer
//! only shows published nodes and sums of published nodes ([`answer::View::cover`]),
//! so everything a non-owner can ever collect, over any number of queries, is the
//! fixed set of published nodes of each table and their sums. Tables do not share
//! atoms, so each is audited alone.
//!
//! # The rule ([`audit::decide`])
//!
//! 1. Primary: a node is published only if its value and its contributors are
//!    both at least k (empty nodes included: 0 < k).
//! 2. Audit: the attacker's knowledge is modelled as a linear system over the
//!    atoms: every published node's sum, every atom >= 0, and, as if he knew which
//!    withheld cells are small, `<= k - 1` on every shown node whose value is under
//!    k. For each sensitive cell (1 to k - 1 people, or fewer than k contributors)
//!    a linear program gives its bounds; each must reach 0 and k - 1.
//! 3. Secondary: while a bound is tighter, one more published node is withheld,
//!    the one that widens it best among the cheapest that touch it. Withholding
//!    only removes equations, so bounds only widen; with nothing published every
//!    bound is [0, k - 1] or wider, so the loop ends safe.
//!
//! The answer shows one status, `Suppressed`, for every withheld node, empty or
//! small or secondary, so a status carries no more than the model gives the
//! attacker. The randomized attack in `tests/release_differencing.rs` replays the
//! attacker with integer programs over thousands of answers.
//!
//! # Assumptions the server must keep
//!
//! - A node's contributors are the sum of its atoms' contributors: a source whose
//!   people repeat across buckets must send coarser base cells.
//! - One base bucket length per data set (ingestion refuses a second one).
//! - A table is decided once: data arriving later would change decisions, and two
//!   answers from before and after could be combined. A day is withheld as
//!   [`Cell::Pending`] until all of it is settled (`settled_until`), and the server
//!   refuses late data for settled buckets.
//! - The model bounds cells with linear programs (the classic audit of
//!   suppression patterns); it does not model an attacker who replays the
//!   secondary choices themselves to learn which withheld cells are large.

mod answer;
mod audit;
mod table;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::grid::{BucketSize, instant, unix};
use crate::permissions::OrgId;
use answer::{Cells, Covered, Gap, Node, View, canonical_nodes};
use table::Amount;

/// The largest answer, in cells, so a query cannot make the server walk ten years of
/// 15-minute buckets for every zone.
pub const MAX_ANSWER_CELLS: usize = 20_000;

/// One base cell of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseCell {
    /// The zone (at the source's finest accepted level).
    pub zone: String,
    /// The start of its bucket, aligned on the dataset's base size.
    pub start: DateTime<Utc>,
    /// The measured value (a count, see [`released_count`]).
    pub value: i64,
    /// How many people contributed.
    pub contributors: u32,
}

/// The base cells of one source and metric, with their disclosure parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// The organization that owns the data: it sees it unsuppressed.
    pub owner: OrgId,
    /// The source's minimum contributors.
    pub k: u32,
    /// The size of the base cells (the source's finest bucket).
    pub base: BucketSize,
    /// Buckets ending after this instant may still receive data and are withheld
    /// from non-owners; `None` when the data set is closed.
    pub settled_until: Option<DateTime<Utc>>,
    /// Each zone's parent in the zone hierarchy (site -> quartier -> arrondissement
    /// -> city), for the zones of the cells and of the queries: a zone sent with
    /// zones inside it is released with them, as one table.
    pub zone_parents: HashMap<String, String>,
    /// The zones the source reports on, whatever the window (`None`: every zone).
    /// Elsewhere its cells are [`Cell::NoData`] for everyone: that a source never
    /// sent anything for a zone is a fact about the source, not about people, and
    /// it keeps sources that do not cover a zone from withholding its answers.
    pub coverage: Option<HashSet<String>>,
    /// The cells.
    pub cells: Vec<BaseCell>,
}

/// An aggregate query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateQuery {
    /// The zones asked for (one or more).
    pub zones: Vec<String>,
    /// Start of the window (snapped down to the bucket grid).
    pub from: DateTime<Utc>,
    /// End of the window, exclusive (snapped up to the bucket grid).
    pub to: DateTime<Utc>,
    /// The bucket size of the answer's cells.
    pub bucket: BucketSize,
}

/// A released number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The value (a sum of base cells).
    Value(i64),
    /// Withheld: to a non-owner, every cell that is not published, whether small,
    /// empty, or withheld to protect another, shows this one status.
    Suppressed,
    /// Withheld because data may still arrive for it.
    Pending,
    /// No data lies under it (owners only: to anyone else an empty cell is
    /// withheld like a small one, or "withheld" would mean "at least one").
    NoData,
}

/// One cell of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasedCell {
    /// Its zone.
    pub zone: String,
    /// Its bucket's start (its size is the answer's `bucket`).
    pub start: DateTime<Utc>,
    /// Its value or why it is withheld.
    pub value: Cell,
}

/// The total of one zone over the answer's window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneTotal {
    /// The zone.
    pub zone: String,
    /// Its total over the window.
    pub value: Cell,
}

/// The total of one bucket over the answer's zones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketTotal {
    /// The bucket's start.
    pub start: DateTime<Utc>,
    /// Its total over the zones.
    pub value: Cell,
}

/// The answer to an aggregate query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The window actually answered (snapped outward to the grid).
    pub from: DateTime<Utc>,
    /// Its end, exclusive.
    pub to: DateTime<Utc>,
    /// The cells' bucket size.
    pub bucket: BucketSize,
    /// Whether disclosure control applied (false for the owner).
    pub controlled: bool,
    /// The cells, zone by zone in the query's order, then in time order.
    pub cells: Vec<ReleasedCell>,
    /// One total per zone over the window.
    pub zone_totals: Vec<ZoneTotal>,
    /// One total per bucket over the zones.
    pub bucket_totals: Vec<BucketTotal>,
    /// The total over all zones and the whole window.
    pub grand_total: Cell,
}

/// Why a query or a dataset cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    /// The query asks for buckets finer than the data's base.
    #[error("{asked} buckets are finer than this source's {base} base")]
    BucketTooFine {
        /// The size asked.
        asked: BucketSize,
        /// The data's base size.
        base: BucketSize,
    },
    /// The window is empty or reversed.
    #[error("the window is empty: `to` must be after `from`")]
    EmptyWindow,
    /// The query names no zone.
    #[error("the query names no zone")]
    NoZone,
    /// The answer would exceed [`MAX_ANSWER_CELLS`].
    #[error(
        "the answer would hold {0} cells, more than {MAX_ANSWER_CELLS}: ask for coarser buckets"
    )]
    TooLarge(usize),
    /// A base cell is not on the base grid, or appears twice (a caller bug).
    #[error("base cell {zone} at {start} is duplicated or not aligned on the base grid")]
    InvalidBaseCell {
        /// Its zone.
        zone: String,
        /// Its start.
        start: DateTime<Utc>,
    },
}

impl ReleaseError {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BucketTooFine { .. } => "BUCKET_TOO_FINE",
            Self::EmptyWindow => "EMPTY_WINDOW",
            Self::NoZone => "NO_ZONE",
            Self::TooLarge(_) => "ANSWER_TOO_LARGE",
            Self::InvalidBaseCell { .. } => "INVALID_BASE_CELL",
        }
    }
}

/// The count released for a measured value: the nearest whole number, but never
/// 0 for a value above 0 (a cell where someone was counted is not shown empty).
pub fn released_count(value: f64) -> i64 {
    if !value.is_finite() || value <= 0.0 {
        return 0;
    }
    // Counts of people stay far below 2^53, where f64 holds whole numbers exactly.
    (value.round() as i64).max(1)
}

/// Answers `query` over `dataset` for a viewer of organization `viewer` (`None` for
/// a viewer without organization): the owner gets raw sums, anyone else gets the
/// disclosure-controlled answer described in the module doc.
pub fn release(
    dataset: &Dataset,
    viewer: Option<OrgId>,
    query: &AggregateQuery,
) -> Result<Release, ReleaseError> {
    if query.bucket < dataset.base {
        return Err(ReleaseError::BucketTooFine {
            asked: query.bucket,
            base: dataset.base,
        });
    }
    if query.to <= query.from {
        return Err(ReleaseError::EmptyWindow);
    }
    let mut zones: Vec<&str> = Vec::new();
    for zone in &query.zones {
        if !zones.contains(&zone.as_str()) {
            zones.push(zone);
        }
    }
    if zones.is_empty() {
        return Err(ReleaseError::NoZone);
    }
    let (from, to) = (
        query.bucket.floor(unix(query.from)),
        query.bucket.ceil(unix(query.to)),
    );
    let buckets = usize::try_from((to - from) / query.bucket.seconds()).unwrap_or(usize::MAX);
    let size = buckets.saturating_mul(zones.len());
    if size > MAX_ANSWER_CELLS {
        return Err(ReleaseError::TooLarge(size));
    }
    let cells = index_cells(dataset)?;
    let controlled = viewer != Some(dataset.owner);
    let mut days: HashMap<String, HashSet<i64>> = HashMap::new();
    for (zone, by_start) in &cells {
        days.insert(
            zone.clone(),
            by_start.keys().map(|&t| BucketSize::Day.floor(t)).collect(),
        );
    }
    let mut view = View {
        cells: &cells,
        parents: &dataset.zone_parents,
        coverage: dataset.coverage.as_ref(),
        base: dataset.base,
        k: controlled.then_some(u64::from(dataset.k)),
        settled_until: match (controlled, dataset.settled_until) {
            (true, Some(t)) => unix(t),
            _ => i64::MAX,
        },
        days,
        decided: HashMap::new(),
    };
    let starts: Vec<i64> = (0..buckets as i64)
        .map(|i| from + i * query.bucket.seconds())
        .collect();
    let node = |start| Node {
        size: query.bucket,
        start,
    };
    let mut released = Vec::with_capacity(size);
    for zone in &zones {
        for &start in &starts {
            released.push(ReleasedCell {
                zone: (*zone).to_owned(),
                start: instant(start),
                value: view.shown(zone, node(start)),
            });
        }
    }
    let window = canonical_nodes(from, to, query.bucket);
    let mut zone_totals = Vec::with_capacity(zones.len());
    for zone in &zones {
        let parts: Vec<_> = window.iter().map(|n| view.cover(zone, *n)).collect();
        zone_totals.push(ZoneTotal {
            zone: (*zone).to_owned(),
            value: total(parts),
        });
    }
    let mut bucket_totals = Vec::with_capacity(starts.len());
    for &start in &starts {
        let parts: Vec<_> = zones.iter().map(|z| view.cover(z, node(start))).collect();
        bucket_totals.push(BucketTotal {
            start: instant(start),
            value: total(parts),
        });
    }
    let mut everything = Vec::new();
    for zone in &zones {
        everything.extend(window.iter().map(|n| view.cover(zone, *n)));
    }
    Ok(Release {
        from: instant(from),
        to: instant(to),
        bucket: query.bucket,
        controlled,
        cells: released,
        zone_totals,
        bucket_totals,
        grand_total: total(everything),
    })
}

/// Base cells by zone and start, refusing duplicates and misaligned cells.
fn index_cells(dataset: &Dataset) -> Result<Cells, ReleaseError> {
    let mut index: Cells = HashMap::new();
    for cell in &dataset.cells {
        let start = unix(cell.start);
        let amount = Amount {
            value: cell.value.max(0),
            contributors: u64::from(cell.contributors),
        };
        let fresh = dataset.base.is_aligned(start)
            && cell.start.timestamp_subsec_nanos() == 0
            && index
                .entry(cell.zone.clone())
                .or_default()
                .insert(start, amount)
                .is_none();
        if !fresh {
            return Err(ReleaseError::InvalidBaseCell {
                zone: cell.zone.clone(),
                start: cell.start,
            });
        }
    }
    Ok(index)
}

/// Adds covered parts; any gap withholds the total (suppressed wins over pending,
/// since it will never become available).
fn total(parts: Vec<Result<Covered, Gap>>) -> Cell {
    let mut sum = Covered::default();
    let mut gap = None;
    for part in parts {
        match part {
            Ok(covered) => {
                sum.value = sum.value.saturating_add(covered.value);
                sum.has_data |= covered.has_data;
            }
            Err(Gap::Suppressed) => gap = Some(Gap::Suppressed),
            Err(Gap::Pending) => gap = gap.or(Some(Gap::Pending)),
        }
    }
    match gap {
        Some(Gap::Suppressed) => Cell::Suppressed,
        Some(Gap::Pending) => Cell::Pending,
        None if sum.has_data => Cell::Value(sum.value),
        None => Cell::NoData,
    }
}

#[cfg(test)]
mod tests;
