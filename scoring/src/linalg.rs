//! The little dense linear algebra the count models need: a Cholesky factorisation of a
//! symmetric positive-definite matrix (the Fisher information, at most a few dozen
//! columns), solving with it, and inverting it for standard errors. Written here rather
//! than pulled from a linear-algebra crate because this is all we need and it keeps the
//! pure crate small and fast to build; the tests check it against known answers.

/// A square matrix stored row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct SquareMatrix {
    /// Number of rows (and columns).
    pub size: usize,
    /// Entries, row after row (`size * size`).
    pub data: Vec<f64>,
}

impl SquareMatrix {
    /// The zero matrix.
    pub fn zeros(size: usize) -> Self {
        Self {
            size,
            data: vec![0.0; size * size],
        }
    }

    /// Entry at row `i`, column `j`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.size + j]
    }

    /// Mutable entry at row `i`, column `j`.
    pub fn get_mut(&mut self, i: usize, j: usize) -> &mut f64 {
        &mut self.data[i * self.size + j]
    }
}

/// The lower-triangular factor `L` of `A = L L^T`.
#[derive(Debug, Clone)]
pub struct Cholesky {
    factor: SquareMatrix,
}

/// The factorisation failed at this column: the matrix is not positive definite there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotPositiveDefinite {
    /// Index of the column whose pivot vanished.
    pub column: usize,
}

/// A pivot below this share of its diagonal entry counts as zero: the column is, to
/// working precision, a combination of the previous ones.
const RELATIVE_PIVOT_TOLERANCE: f64 = 1e-10;

impl Cholesky {
    /// Factorises a symmetric positive-definite matrix (only the lower triangle is read).
    pub fn new(matrix: &SquareMatrix) -> Result<Self, NotPositiveDefinite> {
        let n = matrix.size;
        let mut factor = SquareMatrix::zeros(n);
        for j in 0..n {
            let diagonal = matrix.get(j, j);
            let mut pivot = diagonal;
            for k in 0..j {
                pivot -= factor.get(j, k) * factor.get(j, k);
            }
            if !(pivot.is_finite()
                && pivot > RELATIVE_PIVOT_TOLERANCE * diagonal.abs().max(f64::MIN_POSITIVE))
            {
                return Err(NotPositiveDefinite { column: j });
            }
            let root = pivot.sqrt();
            *factor.get_mut(j, j) = root;
            for i in (j + 1)..n {
                let mut sum = matrix.get(i, j);
                for k in 0..j {
                    sum -= factor.get(i, k) * factor.get(j, k);
                }
                *factor.get_mut(i, j) = sum / root;
            }
        }
        Ok(Self { factor })
    }

    /// Solves `A x = b`.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.factor.size;
        let l = &self.factor;
        // Forward: L y = b.
        let mut y = b.to_vec();
        for i in 0..n {
            let dot: f64 = y[..i]
                .iter()
                .enumerate()
                .map(|(k, yk)| l.get(i, k) * yk)
                .sum();
            y[i] = (y[i] - dot) / l.get(i, i);
        }
        // Backward: L^T x = y.
        for i in (0..n).rev() {
            let dot: f64 = y
                .iter()
                .enumerate()
                .skip(i + 1)
                .map(|(k, yk)| l.get(k, i) * yk)
                .sum();
            y[i] = (y[i] - dot) / l.get(i, i);
        }
        y
    }

    /// The inverse `A^-1` (the covariance of the estimates, up to dispersion).
    pub fn inverse(&self) -> SquareMatrix {
        let n = self.factor.size;
        let mut inverse = SquareMatrix::zeros(n);
        let mut unit = vec![0.0; n];
        for j in 0..n {
            unit.iter_mut().for_each(|x| *x = 0.0);
            unit[j] = 1.0;
            let column = self.solve(&unit);
            for (i, value) in column.into_iter().enumerate() {
                *inverse.get_mut(i, j) = value;
            }
        }
        inverse
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: &[&[f64]]) -> SquareMatrix {
        SquareMatrix {
            size: rows.len(),
            data: rows.iter().flat_map(|row| row.iter().copied()).collect(),
        }
    }

    #[test]
    fn solves_a_known_system() {
        // A = [[4,2,0],[2,5,3],[0,3,6]], x = [1,-1,2] => b = [2,3,9].
        let a = matrix(&[&[4.0, 2.0, 0.0], &[2.0, 5.0, 3.0], &[0.0, 3.0, 6.0]]);
        let x = Cholesky::new(&a).unwrap().solve(&[2.0, 3.0, 9.0]);
        for (got, want) in x.iter().zip([1.0, -1.0, 2.0]) {
            assert!((got - want).abs() < 1e-12, "{x:?}");
        }
    }

    #[test]
    fn the_inverse_times_the_matrix_is_the_identity() {
        let a = matrix(&[&[4.0, 2.0, 0.6], &[2.0, 5.0, 3.0], &[0.6, 3.0, 6.0]]);
        let inverse = Cholesky::new(&a).unwrap().inverse();
        for i in 0..3 {
            for j in 0..3 {
                let product: f64 = (0..3).map(|k| a.get(i, k) * inverse.get(k, j)).sum();
                let identity = if i == j { 1.0 } else { 0.0 };
                assert!((product - identity).abs() < 1e-12, "({i},{j}) = {product}");
            }
        }
    }

    #[test]
    fn a_collinear_column_is_reported_by_index() {
        // Third column = first + second.
        let a = matrix(&[&[1.0, 0.0, 1.0], &[0.0, 1.0, 1.0], &[1.0, 1.0, 2.0]]);
        assert_eq!(
            Cholesky::new(&a).unwrap_err(),
            NotPositiveDefinite { column: 2 }
        );
    }

    #[test]
    fn an_empty_column_is_reported() {
        let a = matrix(&[&[2.0, 0.0], &[0.0, 0.0]]);
        assert_eq!(
            Cholesky::new(&a).unwrap_err(),
            NotPositiveDefinite { column: 1 }
        );
    }
}
