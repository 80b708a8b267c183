//! Small statistics the backtest reports: ranks with ties and Spearman's rank
//! correlation.

/// Ranks from 1 to n, ties sharing the mean of their ranks.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) hold ranks start+1..=end: their mean.
        let shared = (start + end + 1) as f64 / 2.0;
        for index in &order[start..end] {
            ranks[*index] = shared;
        }
        start = end;
    }
    ranks
}

/// Pearson correlation; 0 when either side is constant or the lengths differ.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    if x.len() != y.len() || x.is_empty() {
        return 0.0;
    }
    let n = x.len() as f64;
    let (mean_x, mean_y) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut xy, mut xx, mut yy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        xy += (a - mean_x) * (b - mean_y);
        xx += (a - mean_x).powi(2);
        yy += (b - mean_y).powi(2);
    }
    if xx == 0.0 || yy == 0.0 {
        0.0
    } else {
        xy / (xx * yy).sqrt()
    }
}

/// Spearman's rank correlation (Pearson correlation of tie-averaged ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_their_mean_rank() {
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 5.0]), vec![2.5, 4.0, 2.5, 1.0]);
    }

    #[test]
    fn spearman_is_one_for_any_increasing_relation_and_minus_one_for_decreasing() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let cubes: Vec<f64> = x.iter().map(|v| v * v * v).collect();
        let negatives: Vec<f64> = x.iter().map(|v| -v).collect();
        assert!((spearman(&x, &cubes) - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &negatives) + 1.0).abs() < 1e-12);
    }

    #[test]
    fn spearman_matches_a_hand_computed_value() {
        // Ranks x: 1..5; ranks y: 2,1,4,3,5 => d^2 = 1+1+1+1+0 = 4; rho = 1 - 6*4/(5*24) = 0.8.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]);
        assert!((rho - 0.8).abs() < 1e-12, "{rho}");
    }

    #[test]
    fn a_constant_side_has_no_correlation() {
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[7.0, 7.0, 7.0]), 0.0);
    }
}
