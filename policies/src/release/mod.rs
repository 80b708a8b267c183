//! Release-side disclosure control (DESIGN §6): answering an aggregate query over
//! base cells (zone x aligned base bucket, with a value and a contributor count).
//! The owner of the data sees its cells as they are; anyone else gets cells under k
//! suppressed (an explicit [`Cell::Suppressed`], never a 0) and totals that cannot be
//! used to recover a suppressed cell, whatever queries they combine.
//!
//! # The rule
//!
//! Every base cell belongs to exactly one fixed tree per zone: base bucket -> hour ->
//! UTC day (sizes from [`BucketSize`], each dividing the next, aligned on the epoch).
//! Queries cannot choose their own boundaries: `from`/`to` are snapped outward to the
//! grid of the requested size. Publication is decided once per tree node, bottom-up,
//! from the node's own subtree only (never from the query):
//!
//! - a base cell is published iff it has at least k contributors;
//! - a coarser node is published iff its *residual* (the base cells under it that no
//!   published descendant covers) is empty or has at least k contributors.
//!
//! An answer only ever shows (a) published, settled nodes and (b) totals computed as
//! sums of published, settled nodes ([`tree::ZoneTree::cover`]); a total that would
//! need an unpublished base cell is itself suppressed. So the set of all equations any
//! non-owner can ever collect, across any number of queries, windows and bucket sizes,
//! is contained in the span of the fixed family P of published nodes.
//!
//! # Why no suppressed cell can be derived
//!
//! P is laminar (two aligned buckets of one zone are nested or disjoint; zones are
//! disjoint). For a laminar family, each set S is the disjoint union of its maximal
//! members below it and of its residual R(S), so span{1_S : S in P} = span{1_R(S)}.
//! The nonempty residuals are pairwise disjoint (a base cell lies in the residual of
//! the smallest member containing it, only), hence linearly independent, and a vector
//! combining them is constant on each residual. A base cell c is therefore determined
//! iff {c} is itself a residual. By the rule, every nonempty residual has at least k
//! contributors; a cell under k is never a residual alone, so it is never determined,
//! nor is any group of cells with fewer than k contributors in all (each determined
//! quantity is a sum over whole residuals). Totals add nothing: they are sums of
//! members of P. The randomized test `tests/release_differencing.rs` checks this with
//! exact Gaussian elimination over thousands of queries.
//!
//! # Assumptions the server must keep
//!
//! - Contributors of a coarser node are the sum of its base cells' contributors: a
//!   source whose people repeat across buckets must send coarser base cells.
//! - The guarantee is for a fixed set of base cells. New data under a node changes
//!   its decision, and two answers from before and after could be subtracted, so
//!   nodes that may still receive data are withheld ([`Cell::Pending`]) until
//!   `settled_until`, and the server must refuse late data for settled buckets.

mod tree;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::grid::{BucketSize, instant, unix};
use crate::permissions::OrgId;
use tree::{Base, Covered, Gap, Node, ZoneTree, canonical_nodes};

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
    /// The measured value (a count).
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
    /// Withheld by disclosure control.
    Suppressed,
    /// Withheld because data may still arrive for it.
    Pending,
    /// No data lies under it.
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
    let index = index_cells(dataset)?;
    let controlled = viewer != Some(dataset.owner);
    let trees: Vec<(&str, ZoneTree)> = zones
        .iter()
        .map(|zone| {
            let tree = ZoneTree {
                cells: index.get(zone),
                base: dataset.base,
                k: if controlled { u64::from(dataset.k) } else { 0 },
                settled_until: match (controlled, dataset.settled_until) {
                    (true, Some(t)) => unix(t),
                    _ => i64::MAX,
                },
            };
            (*zone, tree)
        })
        .collect();
    let starts: Vec<i64> = (0..buckets as i64)
        .map(|i| from + i * query.bucket.seconds())
        .collect();
    let node = |start| Node {
        size: query.bucket,
        start,
    };

    let cells = trees
        .iter()
        .flat_map(|(zone, tree)| {
            starts.iter().map(move |&start| ReleasedCell {
                zone: (*zone).to_owned(),
                start: instant(start),
                value: shown(tree, node(start)),
            })
        })
        .collect();
    let window = canonical_nodes(from, to, query.bucket);
    let zone_totals = trees
        .iter()
        .map(|(zone, tree)| ZoneTotal {
            zone: (*zone).to_owned(),
            value: total(window.iter().map(|n| tree.cover(*n))),
        })
        .collect();
    let bucket_totals = starts
        .iter()
        .map(|&start| BucketTotal {
            start: instant(start),
            value: total(trees.iter().map(|(_, tree)| tree.cover(node(start)))),
        })
        .collect();
    let grand_total = total(
        trees
            .iter()
            .flat_map(|(_, tree)| window.iter().map(|n| tree.cover(*n))),
    );
    Ok(Release {
        from: instant(from),
        to: instant(to),
        bucket: query.bucket,
        controlled,
        cells,
        zone_totals,
        bucket_totals,
        grand_total,
    })
}

/// Base cells by zone and start, refusing duplicates and misaligned cells.
fn index_cells(dataset: &Dataset) -> Result<HashMap<&str, HashMap<i64, Base>>, ReleaseError> {
    let mut index: HashMap<&str, HashMap<i64, Base>> = HashMap::new();
    for cell in &dataset.cells {
        let start = unix(cell.start);
        let base = Base {
            value: cell.value,
            contributors: u64::from(cell.contributors),
        };
        let fresh = dataset.base.is_aligned(start)
            && cell.start.timestamp_subsec_nanos() == 0
            && index
                .entry(&cell.zone)
                .or_default()
                .insert(start, base)
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

/// How one node is shown.
fn shown(tree: &ZoneTree, node: Node) -> Cell {
    let decision = tree.decide(node);
    if !tree.settled(node) {
        Cell::Pending
    } else if !decision.has_data {
        Cell::NoData
    } else if decision.published {
        Cell::Value(decision.value)
    } else {
        Cell::Suppressed
    }
}

/// Adds covered parts; any gap withholds the total (suppressed wins over pending,
/// since it will never become available).
fn total(parts: impl Iterator<Item = Result<Covered, Gap>>) -> Cell {
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
