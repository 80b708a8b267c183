//! The publication decision of one table, audited against an attacker who reasons:
//! primary suppression by the rule of k, then the classic audit of the suppression
//! pattern, in which every published number is an equation over the atoms, every
//! atom is at least 0 and every cell withheld for being small is at most k - 1, and
//! a linear program bounds each sensitive cell. Where a bound is too tight, one more
//! cell is withheld (secondary suppression) and the audit goes on.
//!
//! Withholding a cell only removes an equation, so bounds only widen: a cell that
//! passed stays passed, and the loop ends (at worst with every cell withheld, where
//! no equation is left and every bound is the widest).

use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};

use super::table::Table;

/// Slack for the solver's floating-point answers (values are whole counts).
const EPSILON: f64 = 1e-6;
/// Candidates tried, cheapest first, before settling for the most helpful one.
const TRIALS: usize = 6;

/// What the audit decided for a table: which nodes are published.
#[derive(Debug, Clone)]
pub(super) struct Decision {
    /// Per node of the table: shown as a value to non-owners.
    pub published: Vec<bool>,
}

/// Which bound of a sensitive region the audit checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The attacker must not rule out that the region is empty.
    Low,
    /// The attacker must not rule out that the region holds k - 1.
    High,
}

/// Decides the table: a node is published when it counts at least k (value and
/// contributors), and when no sensitive cell of the table can then be bounded
/// tighter than [0, k - 1].
pub(super) fn decide(table: &Table, k: u64) -> Decision {
    let k = k.max(1);
    let small: Vec<bool> = table
        .nodes
        .iter()
        .map(|n| n.amount.value < k as i64 || n.amount.contributors < k)
        .collect();
    let mut containing = vec![Vec::new(); table.atoms.len()];
    for (n, node) in table.nodes.iter().enumerate() {
        for &a in &node.atoms {
            containing[a].push(n);
        }
    }
    let mut audit = Audit {
        table,
        k,
        containing,
        published: table
            .nodes
            .iter()
            .zip(&small)
            .map(|(n, s)| n.shown && !s)
            .collect(),
        // The attacker knows a withheld cell may be small: as if told which are,
        // he gets `<= k - 1` on every shown cell whose value is under k.
        capped: table
            .nodes
            .iter()
            .map(|n| n.shown && n.amount.value < k as i64)
            .collect(),
    };
    // Sensitive: someone is counted, and fewer than k (in value or contributors).
    let sensitive: Vec<usize> = (0..table.nodes.len())
        .filter(|&n| small[n] && table.nodes[n].amount.value >= 1)
        .collect();
    // Every sensitive region holds a sensitive atom; an atom that can reach k - 1
    // lets every region around it reach k - 1 too.
    for &node in sensitive
        .iter()
        .filter(|&&n| table.nodes[n].atoms.len() == 1)
    {
        audit.protect(node, Side::High);
    }
    // A region that can be empty lets every region inside it be empty too: check
    // the largest first.
    let mut by_size = sensitive.clone();
    by_size.sort_by_key(|&n| std::cmp::Reverse(table.nodes[n].atoms.len()));
    let mut may_be_empty: Vec<usize> = Vec::new();
    for node in by_size {
        if may_be_empty.iter().any(|&outer| table.covers(outer, node)) {
            continue;
        }
        audit.protect(node, Side::Low);
        may_be_empty.push(node);
    }
    Decision {
        published: audit.published,
    }
}

struct Audit<'t> {
    table: &'t Table,
    k: u64,
    /// The nodes holding each atom.
    containing: Vec<Vec<usize>>,
    published: Vec<bool>,
    capped: Vec<bool>,
}

impl Audit<'_> {
    /// Withholds more cells until `node`'s bound on `side` is safe.
    fn protect(&mut self, node: usize, side: Side) {
        while !self.safe(node, side) {
            let candidates = self.candidates(node);
            let Some(&cheapest) = candidates.first() else {
                // No equation touches it any more: then the bound is the widest,
                // and `safe` said so; this is only reached on a solver failure.
                self.published.iter_mut().for_each(|p| *p = false);
                return;
            };
            let mut chosen = cheapest;
            let mut best = f64::NEG_INFINITY;
            for &candidate in candidates.iter().take(TRIALS) {
                self.published[candidate] = false;
                let gain = self.slack(node, side);
                self.published[candidate] = true;
                if gain.is_none_or(|g| g >= 0.0) {
                    chosen = candidate;
                    break;
                }
                if let Some(gain) = gain.filter(|g| *g > best) {
                    best = gain;
                    chosen = candidate;
                }
            }
            self.published[chosen] = false;
        }
    }

    fn safe(&self, node: usize, side: Side) -> bool {
        self.slack(node, side).is_none_or(|s| s >= 0.0)
    }

    /// How far the attacker's bound is from the required one (negative: too
    /// tight); `None` when the region is in no equation at all (the widest bound).
    fn slack(&self, node: usize, side: Side) -> Option<f64> {
        let (atoms, constraints) = self.component(node);
        if !constraints.iter().any(|&c| self.published[c]) {
            return None;
        }
        let direction = match side {
            Side::Low => OptimizationDirection::Minimize,
            Side::High => OptimizationDirection::Maximize,
        };
        let mut in_region = vec![false; self.table.atoms.len()];
        for &a in &self.table.nodes[node].atoms {
            in_region[a] = true;
        }
        let mut problem = Problem::new(direction);
        let mut vars: Vec<Option<Variable>> = vec![None; self.table.atoms.len()];
        for &a in &atoms {
            let cost = if in_region[a] { 1.0 } else { 0.0 };
            vars[a] = Some(problem.add_var(cost, (0.0, f64::INFINITY)));
        }
        for &c in &constraints {
            let terms: Vec<(Variable, f64)> = self.table.nodes[c]
                .atoms
                .iter()
                .filter_map(|&a| vars[a].map(|v| (v, 1.0)))
                .collect();
            if self.published[c] {
                let value = self.table.nodes[c].amount.value as f64;
                problem.add_constraint(&terms, ComparisonOp::Eq, value);
            } else {
                problem.add_constraint(&terms, ComparisonOp::Le, (self.k - 1) as f64);
            }
        }
        let bound = match problem.solve().map(|outcome| outcome.into_solution()) {
            Ok(Ok(solution)) => solution.objective(),
            Err(microlp::Error::Unbounded) => f64::INFINITY,
            // A failed solve proves nothing: treat the bound as too tight, so
            // that more is withheld (the safe direction).
            _ => return Some(f64::NEG_INFINITY),
        };
        Some(match side {
            Side::Low => EPSILON - bound,
            Side::High => bound - (self.k - 1) as f64 + EPSILON,
        })
    }

    /// The atoms and the constraints (published or capped nodes) linked to `node`
    /// through shared atoms: the only part of the table its bounds depend on.
    fn component(&self, node: usize) -> (Vec<usize>, Vec<usize>) {
        let table = self.table;
        let mut atom_seen = vec![false; table.atoms.len()];
        let mut node_seen = vec![false; table.nodes.len()];
        let mut queue: Vec<usize> = table.nodes[node].atoms.clone();
        for &a in &queue {
            atom_seen[a] = true;
        }
        let mut constraints = Vec::new();
        while let Some(atom) = queue.pop() {
            for &c in &self.containing[atom] {
                if node_seen[c] || !(self.published[c] || self.capped[c]) {
                    continue;
                }
                node_seen[c] = true;
                constraints.push(c);
                for &other in &table.nodes[c].atoms {
                    if !atom_seen[other] {
                        atom_seen[other] = true;
                        queue.push(other);
                    }
                }
            }
        }
        let atoms = (0..table.atoms.len()).filter(|&a| atom_seen[a]).collect();
        (atoms, constraints)
    }

    /// Published cells whose withholding may widen `node`'s bounds, cheapest first:
    /// those that overlap it, and the cells directly under those (its siblings in
    /// every equation that holds it); then any other published cell of its
    /// component.
    fn candidates(&self, node: usize) -> Vec<usize> {
        let table = self.table;
        let mut overlapping: Vec<usize> = table.nodes[node]
            .atoms
            .iter()
            .flat_map(|&a| self.containing[a].iter().copied())
            .filter(|&c| self.published[c])
            .collect();
        overlapping.sort_unstable();
        overlapping.dedup();
        let mut near: Vec<usize> = overlapping.clone();
        for &c in &overlapping {
            near.extend(table.children(c).into_iter().filter(|&n| self.published[n]));
        }
        near.sort_unstable();
        near.dedup();
        if near.is_empty() {
            let (_, constraints) = self.component(node);
            near = constraints
                .into_iter()
                .filter(|&c| self.published[c])
                .collect();
        }
        near.sort_by_key(|&c| (table.nodes[c].amount.value, table.nodes[c].atoms.len(), c));
        near
    }
}
