//! The publication decision on one zone's fixed time tree (base bucket -> ... -> day),
//! and the covering of a window by published nodes. See the module doc of `release`
//! for why these two functions are enough to make every answer safe.

use std::collections::HashMap;

use crate::grid::BucketSize;

/// A node of the time tree: an aligned bucket of a given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Node {
    /// Its size.
    pub size: BucketSize,
    /// Its start, Unix seconds, aligned on `size`.
    pub start: i64,
}

impl Node {
    /// Its end, Unix seconds (exclusive).
    pub fn end(self) -> i64 {
        self.start + self.size.seconds()
    }
}

/// One base cell's numbers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Base {
    /// The measured value.
    pub value: i64,
    /// Its contributors.
    pub contributors: u64,
}

/// What the rule decided for a node, ignoring whether it is settled.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Decision {
    /// Whether any base cell lies under it.
    pub has_data: bool,
    /// The sum of its base cells.
    pub value: i64,
    /// Whether it may be shown to a non-owner.
    pub published: bool,
    /// Whether some base cell under it is covered by no published node of its subtree
    /// (the node's residual), when the node itself is not published.
    pub residual: bool,
    /// The contributors of that residual.
    pub residual_contributors: u64,
}

/// One zone's base cells, keyed by start, with the parameters of the decision.
pub(super) struct ZoneTree<'a> {
    /// The zone's base cells.
    pub cells: Option<&'a HashMap<i64, Base>>,
    /// The base bucket size.
    pub base: BucketSize,
    /// The threshold.
    pub k: u64,
    /// Instants at or after this are not settled; `i64::MAX` for the owner.
    pub settled_until: i64,
}

/// Why a window could not be covered by published nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gap {
    /// A base cell under it is suppressed.
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

impl ZoneTree<'_> {
    /// The rule, bottom-up: a base cell is published when it has at least k
    /// contributors; a coarser node is published when its residual (its base cells not
    /// covered by a published descendant) is empty or has at least k contributors.
    pub fn decide(&self, node: Node) -> Decision {
        if node.size == self.base {
            let Some(cell) = self.cells.and_then(|cells| cells.get(&node.start)) else {
                return Decision {
                    published: true,
                    ..Decision::default()
                };
            };
            let published = cell.contributors >= self.k;
            return Decision {
                has_data: true,
                value: cell.value,
                published,
                residual: !published,
                residual_contributors: if published { 0 } else { cell.contributors },
            };
        }
        let mut decision = Decision::default();
        for child in self.children(node) {
            let child = self.decide(child);
            decision.has_data |= child.has_data;
            decision.value = decision.value.saturating_add(child.value);
            if !child.published {
                decision.residual |= child.residual;
                decision.residual_contributors = decision
                    .residual_contributors
                    .saturating_add(child.residual_contributors);
            }
        }
        decision.published = !decision.residual || decision.residual_contributors >= self.k;
        if decision.published {
            decision.residual = false;
            decision.residual_contributors = 0;
        }
        decision
    }

    /// Whether every base cell under `node` is settled.
    pub fn settled(&self, node: Node) -> bool {
        node.end() <= self.settled_until
    }

    /// The node's children on the next finer size, or none at the base.
    pub fn children(&self, node: Node) -> Vec<Node> {
        match node.size.finer() {
            Some(size) if node.size != self.base => {
                let count = node.size.seconds() / size.seconds();
                (0..count)
                    .map(|i| Node {
                        size,
                        start: node.start + i * size.seconds(),
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The total of `node` from published, settled nodes only, descending where a
    /// node is not publishable; fails when a base cell would be needed.
    pub fn cover(&self, node: Node) -> Result<Covered, Gap> {
        if self.settled(node) {
            let decision = self.decide(node);
            if !decision.has_data {
                return Ok(Covered::default());
            }
            if decision.published {
                return Ok(Covered {
                    value: decision.value,
                    has_data: true,
                });
            }
        }
        if node.size == self.base {
            return Err(if self.settled(node) {
                Gap::Suppressed
            } else {
                Gap::Pending
            });
        }
        let mut total = Covered::default();
        let mut gap = None;
        for child in self.children(node) {
            match self.cover(child) {
                Ok(covered) => {
                    total.value = total.value.saturating_add(covered.value);
                    total.has_data |= covered.has_data;
                }
                // A suppressed part will never be shown; a pending one may be later.
                Err(Gap::Suppressed) => gap = Some(Gap::Suppressed),
                Err(Gap::Pending) => gap = gap.or(Some(Gap::Pending)),
            }
        }
        gap.map_or(Ok(total), Err)
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
