//! Answering nodes and windows from the tables' decisions: what a viewer is shown
//! for one zone and bucket, and the total of a window made of published nodes only.

use std::collections::{HashMap, HashSet};

use crate::grid::BucketSize;

use super::Cell;
use super::audit::{Decision, decide};
use super::table::{Amount, Table};

/// A bucket of the fixed grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Node {
    /// Its size.
    pub size: BucketSize,
    /// Its start, Unix seconds, aligned on `size`.
    pub start: i64,
}

/// Why a window could not be covered by published nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gap {
    /// A part of it is withheld.
    Suppressed,
    /// Part of it is not settled yet.
    Pending,
}

/// A covered sum: the total and whether any base cell contributed.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Covered {
    /// The total of the published nodes used.
    pub value: i64,
    /// Whether any data lies under the window.
    pub has_data: bool,
}

/// The base cells of a data set by zone and start.
pub(super) type Cells = HashMap<String, HashMap<i64, Amount>>;

/// How one viewer sees one data set.
pub(super) struct View<'a> {
    /// The cells.
    pub cells: &'a Cells,
    /// Each zone's parent in the zone hierarchy.
    pub parents: &'a HashMap<String, String>,
    /// The zones the data set covers (`None`: all).
    pub coverage: Option<&'a HashSet<String>>,
    /// The base size.
    pub base: BucketSize,
    /// The threshold; `None` for the owner, who sees its cells as they are.
    pub k: Option<u64>,
    /// Days ending after this (Unix seconds) are withheld as pending.
    pub settled_until: i64,
    /// The days on which each zone holds a stored cell.
    pub days: HashMap<String, HashSet<i64>>,
    /// Tables decided so far, by (day, root zone).
    pub decided: HashMap<(i64, String), (Table, Decision)>,
}

impl View<'_> {
    /// How `zone`'s bucket `node` is shown.
    pub fn shown(&mut self, zone: &str, node: Node) -> Cell {
        if self.coverage.is_some_and(|zones| !zones.contains(zone)) {
            return Cell::NoData;
        }
        let Some(k) = self.k else {
            return self.raw(zone, node);
        };
        let day = BucketSize::Day.floor(node.start);
        if day + BucketSize::Day.seconds() > self.settled_until {
            return Cell::Pending;
        }
        let Some(root) = self.root(zone, day) else {
            // Nothing stored in its zones that day: withheld like any small cell,
            // so that an empty bucket cannot be told from a small one.
            return Cell::Suppressed;
        };
        let key = (day, root);
        if !self.decided.contains_key(&key) {
            let table = self.table(day, &key.1);
            let decision = decide(&table, k);
            self.decided.insert(key.clone(), (table, decision));
        }
        let Some((table, decision)) = self.decided.get(&key) else {
            return Cell::Suppressed;
        };
        match table.node(zone, node.start, node.size) {
            Some(n) if decision.published[n] => Cell::Value(table.nodes[n].amount.value),
            _ => Cell::Suppressed,
        }
    }

    /// The owner's view: the sum of the stored cells.
    fn raw(&self, zone: &str, node: Node) -> Cell {
        let Some(cells) = self.cells.get(zone) else {
            return Cell::NoData;
        };
        let mut sum: Option<i64> = None;
        let mut t = node.start;
        while t < node.start + node.size.seconds() {
            if let Some(cell) = cells.get(&t) {
                sum = Some(sum.unwrap_or(0).saturating_add(cell.value));
            }
            t += self.base.seconds();
        }
        sum.map_or(Cell::NoData, Cell::Value)
    }

    /// The zones holding a stored cell on `day`.
    fn stored_on(&self, day: i64) -> HashSet<&str> {
        self.days
            .iter()
            .filter(|(_, days)| days.contains(&day))
            .map(|(zone, _)| zone.as_str())
            .collect()
    }

    /// The nearest ancestor of `zone` among `stored`.
    fn stored_parent<'z>(&self, zone: &str, stored: &HashSet<&'z str>) -> Option<&'z str> {
        let mut current = self.parents.get(zone);
        // The hierarchy is shallow (site, quartier, arrondissement, city); the
        // bound only guards against a cycle in bad input.
        for _ in 0..16 {
            let parent = current?;
            if let Some(found) = stored.get(parent.as_str()) {
                return Some(found);
            }
            current = self.parents.get(parent);
        }
        None
    }

    /// The root of `zone`'s group of nested zones on `day`, if it holds data.
    fn root(&self, zone: &str, day: i64) -> Option<String> {
        let stored = self.stored_on(day);
        let mut current = *stored.get(zone)?;
        while let Some(parent) = self.stored_parent(current, &stored) {
            current = parent;
        }
        Some(current.to_owned())
    }

    /// The table of the group rooted at `root` on `day`.
    fn table(&self, day: i64, root: &str) -> Table {
        let stored = self.stored_on(day);
        let mut names: Vec<String> = Vec::new();
        let mut parents: HashMap<String, String> = HashMap::new();
        let mut sorted: Vec<&str> = stored.iter().copied().collect();
        sorted.sort_unstable();
        for zone in sorted {
            let mut top = zone;
            while let Some(parent) = self.stored_parent(top, &stored) {
                top = parent;
            }
            if top == root {
                names.push(zone.to_owned());
                if let Some(parent) = self.stored_parent(zone, &stored) {
                    parents.insert(zone.to_owned(), parent.to_owned());
                }
            }
        }
        let end = day + BucketSize::Day.seconds();
        let cells: Cells = names
            .iter()
            .map(|zone| {
                let day_cells = self.cells.get(zone).map_or_else(HashMap::new, |cells| {
                    cells
                        .iter()
                        .filter(|(t, _)| day <= **t && **t < end)
                        .map(|(t, a)| (*t, *a))
                        .collect()
                });
                (zone.clone(), day_cells)
            })
            .collect();
        Table::build(day, self.base, &names, &parents, &cells)
    }

    /// The total of `zone` over `node` from published nodes only, descending where
    /// a node is withheld; fails when a withheld base cell would be needed.
    pub fn cover(&mut self, zone: &str, node: Node) -> Result<Covered, Gap> {
        match self.shown(zone, node) {
            Cell::Value(value) => {
                return Ok(Covered {
                    value,
                    has_data: true,
                });
            }
            Cell::NoData => return Ok(Covered::default()),
            // A pending day is pending all through.
            Cell::Pending => return Err(Gap::Pending),
            Cell::Suppressed => {}
        }
        let Some(size) = node.size.finer().filter(|_| node.size > self.base) else {
            return Err(Gap::Suppressed);
        };
        let mut total = Covered::default();
        let count = node.size.seconds() / size.seconds();
        for i in 0..count {
            let child = Node {
                size,
                start: node.start + i * size.seconds(),
            };
            let part = self.cover(zone, child)?;
            total.value = total.value.saturating_add(part.value);
            total.has_data |= part.has_data;
        }
        Ok(total)
    }
}

/// Splits `[from, to)` (aligned on `size`) into the fewest aligned nodes no finer than
/// `size`, coarsest first where alignment allows: the canonical cover of a window.
pub(super) fn canonical_nodes(from: i64, to: i64, size: BucketSize) -> Vec<Node> {
    let mut nodes = Vec::new();
    let mut t = from;
    while t < to {
        let fitting = BucketSize::ALL
            .into_iter()
            .rev()
            .filter(|s| *s >= size)
            .find(|s| s.is_aligned(t) && t + s.seconds() <= to)
            .unwrap_or(size);
        nodes.push(Node {
            size: fitting,
            start: t,
        });
        t += fitting.seconds();
    }
    nodes
}
