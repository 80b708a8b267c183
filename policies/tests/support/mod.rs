//! An exact linear-algebra checker for differencing attacks: the row space of the
//! equations an attacker collected ("this published value is the sum of these base
//! cells"), kept in fully reduced echelon form over the integers.
//!
//! Rows are integer vectors divided by their gcd after each step (fraction-free
//! elimination), and every operation is checked: an overflow fails the test instead of
//! silently giving a wrong answer, so a pass is an exact result, not a floating-point
//! or modular guess.

/// The row space of the collected equations.
pub struct RowSpace {
    /// Number of unknowns (base cells).
    columns: usize,
    /// Basis rows, fully reduced: each pivot column is zero in every other row.
    rows: Vec<Vec<i128>>,
    /// The pivot column of each row.
    pivots: Vec<usize>,
}

impl RowSpace {
    /// An empty space over `columns` unknowns.
    pub fn new(columns: usize) -> Self {
        Self {
            columns,
            rows: Vec::new(),
            pivots: Vec::new(),
        }
    }

    /// The rank of the collected equations.
    pub fn rank(&self) -> usize {
        self.rows.len()
    }

    /// Adds the equation "sum of the cells in `support`"; returns whether it told the
    /// attacker something new (the rank grew).
    pub fn add_sum(&mut self, support: &[usize]) -> bool {
        let mut row = vec![0_i128; self.columns];
        for &column in support {
            row[column] = 1;
        }
        self.add(row)
    }

    /// Adds an arbitrary integer equation.
    pub fn add(&mut self, mut row: Vec<i128>) -> bool {
        assert_eq!(row.len(), self.columns, "row width");
        for (basis, &pivot) in self.rows.iter().zip(&self.pivots) {
            if row[pivot] != 0 {
                row = combine(basis[pivot], &row, row[pivot], basis);
            }
        }
        let Some(pivot) = row.iter().position(|&x| x != 0) else {
            return false;
        };
        if row[pivot] < 0 {
            row.iter_mut().for_each(|x| *x = -*x);
        }
        for basis in &mut self.rows {
            if basis[pivot] != 0 {
                *basis = combine(row[pivot], basis, basis[pivot], &row);
            }
        }
        self.rows.push(row);
        self.pivots.push(pivot);
        true
    }

    /// Whether the unit vector of `column` lies in the row space, i.e. whether the
    /// attacker can compute that cell exactly. In a fully reduced basis this holds iff
    /// some row is nonzero at `column` only (the combination's coefficient on each row
    /// is read at that row's pivot).
    pub fn determined(&self, column: usize) -> bool {
        self.rows.iter().any(|row| {
            row[column] != 0 && row.iter().enumerate().all(|(j, &x)| j == column || x == 0)
        })
    }
}

/// `a * x - b * y`, divided by the gcd of its entries, with overflow checks.
fn combine(a: i128, x: &[i128], b: i128, y: &[i128]) -> Vec<i128> {
    let mut out: Vec<i128> = x
        .iter()
        .zip(y)
        .map(|(&xi, &yi)| {
            let left = a.checked_mul(xi).expect("exact elimination overflowed");
            let right = b.checked_mul(yi).expect("exact elimination overflowed");
            left.checked_sub(right)
                .expect("exact elimination overflowed")
        })
        .collect();
    let g = out.iter().fold(0_i128, |g, &v| gcd(g, v.abs()));
    if g > 1 {
        out.iter_mut().for_each(|v| *v /= g);
    }
    out
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[test]
fn a_total_minus_visible_parts_determines_the_hidden_part() {
    let mut space = RowSpace::new(4);
    space.add_sum(&[0, 1, 2, 3]);
    space.add_sum(&[1]);
    space.add_sum(&[2]);
    assert!(!space.determined(0), "two unknowns remain");
    space.add_sum(&[3]);
    assert!(space.determined(0), "hour - three quarters");
}

#[test]
fn overlapping_windows_are_caught_too() {
    // [a b c] and [b c d] and [b c] reveal a and d.
    let mut space = RowSpace::new(4);
    space.add_sum(&[0, 1, 2]);
    space.add_sum(&[1, 2, 3]);
    assert!(!space.determined(0) && !space.determined(3));
    space.add_sum(&[1, 2]);
    assert!(space.determined(0) && space.determined(3));
    assert!(!space.determined(1), "b and c are only known together");
}

#[test]
fn redundant_equations_do_not_raise_the_rank() {
    let mut space = RowSpace::new(3);
    assert!(space.add_sum(&[0, 1]));
    assert!(space.add_sum(&[1, 2]));
    assert!(!space.add_sum(&[0, 1]));
    assert!(!space.add(vec![1, 0, -1]), "difference of the two");
    assert_eq!(space.rank(), 2);
}
