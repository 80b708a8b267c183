//! An attacker who reasons: everything he learned from released answers as integer
//! linear constraints over the atoms (leaf zone x base bucket), and integer programs
//! that bound any region. Written apart from the release module's own audit (which
//! uses the linear relaxation), so a mistake in one is not repeated in the other.

use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};

/// What the attacker knows.
#[derive(Default)]
pub struct Knowledge {
    atoms: usize,
    /// "the sum of these atoms is this value".
    equalities: Vec<(Vec<usize>, i64)>,
    /// "the sum of these atoms is at most this value".
    caps: Vec<(Vec<usize>, i64)>,
}

/// The attacker's bounds on a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// The least value he cannot rule out.
    pub low: i64,
    /// The largest (`i64::MAX` when unbounded).
    pub high: i64,
}

impl Knowledge {
    /// Knowledge over `atoms` unknowns, each a whole number at least 0.
    pub fn new(atoms: usize) -> Self {
        Self {
            atoms,
            ..Self::default()
        }
    }

    /// Learns a published sum.
    pub fn equal(&mut self, region: Vec<usize>, value: i64) {
        if !self.equalities.iter().any(|(r, _)| *r == region) {
            self.equalities.push((region, value));
        }
    }

    /// Learns an upper bound.
    pub fn at_most(&mut self, region: Vec<usize>, value: i64) {
        if !self.caps.iter().any(|(r, _)| *r == region) {
            self.caps.push((region, value));
        }
    }

    /// Published sums learned.
    pub fn equalities(&self) -> usize {
        self.equalities.len()
    }

    /// Upper bounds learned.
    pub fn caps(&self) -> usize {
        self.caps.len()
    }

    /// The integer bounds of the sum over `region`.
    pub fn bounds(&self, region: &[usize]) -> Bounds {
        let low = self.optimum(region, OptimizationDirection::Minimize);
        let high = self.optimum(region, OptimizationDirection::Maximize);
        Bounds {
            low: low.map_or(0, |v| v.round() as i64),
            high: high.map_or(i64::MAX, |v| v.round() as i64),
        }
    }

    fn optimum(&self, region: &[usize], direction: OptimizationDirection) -> Option<f64> {
        // Only the atoms linked to the region through some constraint matter.
        let mut linked = vec![false; self.atoms];
        region.iter().for_each(|&a| linked[a] = true);
        let constraints: Vec<&(Vec<usize>, i64)> =
            self.equalities.iter().chain(self.caps.iter()).collect();
        let mut used = vec![false; constraints.len()];
        loop {
            let mut grew = false;
            for (i, (atoms, _)) in constraints.iter().enumerate() {
                if !used[i] && atoms.iter().any(|&a| linked[a]) {
                    used[i] = true;
                    grew = true;
                    atoms.iter().for_each(|&a| linked[a] = true);
                }
            }
            if !grew {
                break;
            }
        }
        let mut problem = Problem::new(direction);
        let mut vars: Vec<Option<Variable>> = vec![None; self.atoms];
        for atom in (0..self.atoms).filter(|&a| linked[a]) {
            let cost = if region.contains(&atom) { 1.0 } else { 0.0 };
            vars[atom] = Some(problem.add_integer_var(cost, (0, 1_000_000)));
        }
        let terms = |atoms: &[usize]| -> Vec<(Variable, f64)> {
            atoms
                .iter()
                .filter_map(|&a| vars[a].map(|v| (v, 1.0)))
                .collect()
        };
        for (atoms, value) in &self.equalities {
            if atoms.iter().any(|&a| linked[a]) {
                problem.add_constraint(terms(atoms), ComparisonOp::Eq, *value as f64);
            }
        }
        for (atoms, value) in &self.caps {
            if atoms.iter().any(|&a| linked[a]) {
                problem.add_constraint(terms(atoms), ComparisonOp::Le, *value as f64);
            }
        }
        match problem.solve() {
            Ok(outcome) => Some(
                outcome
                    .into_solution()
                    .map_err(|_| "interrupted")
                    .expect("a solution")
                    .objective(),
            ),
            Err(microlp::Error::Unbounded) => None,
            Err(err) => panic!("the attacker's program failed: {err}"),
        }
    }
}
