//! Tests of the count models on data simulated from known coefficients.

use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson};

const TRUE_BETA: [f64; 4] = [-0.5, 0.8, -0.4, 0.25];

/// Rows: intercept, a binary, a continuous, a sparse binary; log exposure in [0, 3].
fn simulate(n: usize, theta: Option<f64>, seed: u64) -> (DesignMatrix, Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut data = Vec::with_capacity(n * 4);
    let mut y = Vec::with_capacity(n);
    let mut offset = Vec::with_capacity(n);
    for _ in 0..n {
        let row = [
            1.0,
            if rng.random_bool(0.4) { 1.0 } else { 0.0 },
            rng.random_range(-1.0..2.0),
            if rng.random_bool(0.1) { 1.0 } else { 0.0 },
        ];
        let log_exposure: f64 = rng.random_range(0.0..3.0);
        let eta = log_exposure + row.iter().zip(TRUE_BETA).map(|(x, b)| x * b).sum::<f64>();
        let mut mu = eta.exp();
        if let Some(theta) = theta {
            mu *= Gamma::new(theta, 1.0 / theta).unwrap().sample(&mut rng);
        }
        let count = if mu > 0.0 {
            Poisson::new(mu).unwrap().sample(&mut rng)
        } else {
            0.0
        };
        data.extend(row);
        y.push(count);
        offset.push(log_exposure);
    }
    (
        DesignMatrix {
            names: vec![],
            columns: 4,
            data,
        },
        y,
        offset,
    )
}

fn options(family: Family) -> GlmOptions {
    GlmOptions {
        family,
        ..GlmOptions::default()
    }
}

#[test]
fn poisson_recovers_known_coefficients_within_three_standard_errors() {
    let (design, y, offset) = simulate(20_000, None, 1);
    let fit = fit(&design, &y, &offset, &options(Family::Poisson)).unwrap();
    for (j, truth) in TRUE_BETA.iter().enumerate() {
        let z = (fit.coefficients[j] - truth) / fit.std_errors[j];
        assert!(
            z.abs() < 3.0,
            "coefficient {j}: {} vs {truth} (se {})",
            fit.coefficients[j],
            fit.std_errors[j]
        );
    }
    assert!(
        (fit.pearson_dispersion - 1.0).abs() < 0.05,
        "Poisson data: dispersion {}",
        fit.pearson_dispersion
    );
    assert_eq!(fit.theta, None);
}

#[test]
fn negative_binomial_recovers_coefficients_and_theta_from_gamma_mixed_counts() {
    let (design, y, offset) = simulate(20_000, Some(3.0), 2);
    let fit = fit(&design, &y, &offset, &options(Family::NegativeBinomial)).unwrap();
    for (j, truth) in TRUE_BETA.iter().enumerate() {
        let z = (fit.coefficients[j] - truth) / fit.std_errors[j];
        assert!(
            z.abs() < 3.0,
            "coefficient {j}: {} vs {truth} (se {})",
            fit.coefficients[j],
            fit.std_errors[j]
        );
    }
    let theta = fit.theta.unwrap();
    assert!((theta - 3.0).abs() < 0.5, "theta {theta} should be near 3");
    assert!(
        (fit.pearson_dispersion - 1.0).abs() < 0.05,
        "{}",
        fit.pearson_dispersion
    );
}

#[test]
fn negative_binomial_intervals_cover_the_truth_about_95_percent_of_the_time() {
    // 40 small replications x 4 coefficients: coverage of honest 95 % intervals lies in
    // [0.85, 1] with overwhelming probability; Poisson intervals on these data would not.
    let mut inside = 0;
    let mut poisson_inside = 0;
    let replications = 40;
    for seed in 0..replications {
        let (design, y, offset) = simulate(1_500, Some(2.0), 100 + seed);
        let nb = fit(&design, &y, &offset, &options(Family::NegativeBinomial)).unwrap();
        let poisson = fit(&design, &y, &offset, &options(Family::Poisson)).unwrap();
        for (j, truth) in TRUE_BETA.iter().enumerate() {
            inside += usize::from((nb.coefficients[j] - truth).abs() <= 1.96 * nb.std_errors[j]);
            poisson_inside += usize::from(
                (poisson.coefficients[j] - truth).abs() <= 1.96 * poisson.std_errors[j],
            );
        }
    }
    let total = (replications * 4) as f64;
    let coverage = inside as f64 / total;
    let poisson_coverage = poisson_inside as f64 / total;
    assert!(coverage >= 0.88, "negative-binomial coverage {coverage}");
    assert!(
        poisson_coverage < 0.8,
        "plain Poisson should under-cover overdispersed data: {poisson_coverage}"
    );
}

#[test]
fn quasi_poisson_scales_standard_errors_by_the_dispersion() {
    let (design, y, offset) = simulate(5_000, Some(2.0), 3);
    let poisson = fit(&design, &y, &offset, &options(Family::Poisson)).unwrap();
    let quasi = fit(&design, &y, &offset, &options(Family::QuasiPoisson)).unwrap();
    assert!(
        quasi.pearson_dispersion > 1.5,
        "data are overdispersed: {}",
        quasi.pearson_dispersion
    );
    for j in 0..4 {
        assert!(
            (quasi.coefficients[j] - poisson.coefficients[j]).abs() < 1e-9,
            "same estimates"
        );
        let ratio = quasi.std_errors[j] / poisson.std_errors[j];
        assert!(
            (ratio - quasi.pearson_dispersion.sqrt()).abs() < 1e-9,
            "column {j}: ratio {ratio}"
        );
    }
}

#[test]
fn a_column_that_is_always_zero_is_named_in_the_error() {
    let (mut design, y, offset) = simulate(500, None, 4);
    design.names = ["intercept", "a", "b", "never_seen"]
        .map(String::from)
        .to_vec();
    for i in 0..design.rows() {
        design.data[i * 4 + 3] = 0.0;
    }
    let error = fit(&design, &y, &offset, &options(Family::Poisson)).unwrap_err();
    assert_eq!(
        error,
        ScoringError::SingularMatrix {
            column: "never_seen".into()
        }
    );
}

#[test]
fn no_data_and_misaligned_inputs_are_clear_errors() {
    let empty = DesignMatrix {
        names: vec![],
        columns: 4,
        data: vec![],
    };
    assert_eq!(
        fit(&empty, &[], &[], &options(Family::Poisson)).unwrap_err(),
        ScoringError::NotEnoughData {
            rows: 0,
            columns: 4
        }
    );
    let (design, y, offset) = simulate(50, None, 5);
    assert!(matches!(
        fit(&design, &y[..10], &offset, &options(Family::Poisson)),
        Err(ScoringError::DimensionMismatch { .. })
    ));
    let mut negative = y.clone();
    negative[3] = -1.0;
    assert!(matches!(
        fit(&design, &negative, &offset, &options(Family::Poisson)),
        Err(ScoringError::InvalidFeature {
            feature: "incidents",
            ..
        })
    ));
}

#[test]
fn deviances_are_zero_for_a_perfect_fit_and_positive_otherwise() {
    let y = [0.0, 1.0, 4.0];
    assert!(poisson_deviance(&y, &[1e-300, 1.0, 4.0]).abs() < 1e-9);
    assert!(poisson_deviance(&y, &[0.5, 0.5, 0.5]) > 0.0);
    assert!(negative_binomial_deviance(&y, &[1e-300, 1.0, 4.0], 2.0).abs() < 1e-9);
    assert!(negative_binomial_deviance(&y, &[0.5, 0.5, 0.5], 2.0) > 0.0);
}
