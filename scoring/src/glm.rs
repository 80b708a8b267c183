//! Count regression: Poisson, quasi-Poisson and negative-binomial (NB2) models with a log
//! link and an exposure offset, fitted by iteratively reweighted least squares (IRLS),
//! with standard errors from the Fisher information.
//!
//! - Poisson: variance = mean; standard errors from the information as is.
//! - Quasi-Poisson: variance = phi x mean; the same estimates, covariance scaled by the
//!   Pearson dispersion phi = X2 / (n - p).
//! - Negative binomial: variance = mean + mean^2 / theta. Theta is estimated by the
//!   Pearson moment equation sum (y - mu)^2 / V(mu) = n - p, alternating with IRLS for
//!   the coefficients until theta settles; the IRLS weights then carry the extra
//!   variance, so the information gives honest standard errors without rescaling.
//!
//! The design is stored sparse (`sparse`): one-hot columns are mostly zero.

use serde::{Deserialize, Serialize};

use crate::error::ScoringError;
use crate::linalg::Cholesky;
use crate::sparse::SparseRows;

/// The count distribution assumed for the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Variance equals the mean.
    Poisson,
    /// Variance proportional to the mean (Pearson dispersion).
    QuasiPoisson,
    /// Variance = mean + mean^2 / theta (gamma-mixed Poisson).
    NegativeBinomial,
}

/// How to fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GlmOptions {
    /// Distribution family.
    pub family: Family,
    /// IRLS iterations allowed per fit of the coefficients.
    pub max_iterations: usize,
    /// Convergence when the relative change of deviance falls below this.
    pub tolerance: f64,
    /// Alternations of theta and coefficients allowed (negative binomial only).
    pub max_theta_rounds: usize,
}

impl Default for GlmOptions {
    fn default() -> Self {
        Self {
            family: Family::NegativeBinomial,
            max_iterations: 50,
            // As R's glm.control: tight enough that the answer no longer moves.
            tolerance: 1e-8,
            max_theta_rounds: 30,
        }
    }
}

/// Rows x columns of numbers, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignMatrix {
    /// Column names, used in error messages (may be empty: columns are then numbered).
    pub names: Vec<String>,
    /// Number of columns.
    pub columns: usize,
    /// Entries, row after row.
    pub data: Vec<f64>,
}

impl DesignMatrix {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.data.len().checked_div(self.columns).unwrap_or(0)
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.columns..(i + 1) * self.columns]
    }
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlmFit {
    /// Family fitted.
    pub family: Family,
    /// Coefficients, one per design column (log scale).
    pub coefficients: Vec<f64>,
    /// Standard errors of the coefficients.
    pub std_errors: Vec<f64>,
    /// Deviance of the fit under its family (Poisson deviance for quasi-Poisson).
    pub deviance: f64,
    /// Pearson chi-square divided by residual degrees of freedom (about 1 when the
    /// variance function is right).
    pub pearson_dispersion: f64,
    /// Negative-binomial shape; `None` for Poisson families, or when the data show no
    /// overdispersion (the fit is then Poisson).
    pub theta: Option<f64>,
    /// IRLS iterations spent, over all theta rounds.
    pub iterations: usize,
    /// Rows fitted.
    pub rows: usize,
}

fn singular(sparse: &SparseRows, column: usize) -> ScoringError {
    let column = sparse
        .names
        .get(column)
        .cloned()
        .unwrap_or_else(|| format!("#{column}"));
    ScoringError::SingularMatrix { column }
}

/// Keeps exp() finite: a linear predictor of 30 already means 10^13 incidents.
const ETA_LIMIT: f64 = 30.0;
/// Step-halvings tried when a step increases the deviance.
const MAX_HALVINGS: usize = 30;
/// Theta bounds for the moment equation (1e8 is Poisson for any practical count).
const THETA_MIN: f64 = 1e-4;
const THETA_MAX: f64 = 1e8;

/// Fits a count model. `offset` is the log exposure of each row.
pub fn fit(
    design: &DesignMatrix,
    y: &[f64],
    offset: &[f64],
    options: &GlmOptions,
) -> Result<GlmFit, ScoringError> {
    let n = design.rows();
    let p = design.columns;
    if y.len() != n || offset.len() != n || design.data.len() != n * p {
        return Err(ScoringError::DimensionMismatch {
            what: format!(
                "{n} design rows, {} outcomes, {} offsets",
                y.len(),
                offset.len()
            ),
        });
    }
    if n <= p || p == 0 {
        return Err(ScoringError::NotEnoughData {
            rows: n,
            columns: p,
        });
    }
    if let Some(bad) = y.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(ScoringError::InvalidFeature {
            feature: "incidents",
            reason: format!("row {bad}: {}", y[bad]),
        });
    }
    if let Some(bad) = offset.iter().position(|v| !v.is_finite()) {
        return Err(ScoringError::InvalidFeature {
            feature: "exposure",
            reason: format!("row {bad}: log {}", offset[bad]),
        });
    }
    let sparse = SparseRows::new(design);
    let poisson = irls(&sparse, y, offset, None, None, options)?;
    let mut state = poisson;
    let mut theta = None;
    if options.family == Family::NegativeBinomial {
        for _ in 0..options.max_theta_rounds {
            let new_theta = moment_theta(y, &state.mu, n - p);
            let Some(value) = new_theta else { break };
            let settled = theta.is_some_and(|old: f64| (value.ln() - old.ln()).abs() < 1e-6);
            theta = Some(value);
            let iterations_so_far = state.iterations;
            state = irls(&sparse, y, offset, Some(value), Some(&state.beta), options)?;
            state.iterations += iterations_so_far;
            if settled {
                break;
            }
        }
    }
    let pearson = pearson_chi2(y, &state.mu, theta) / (n - p) as f64;
    let scale = if options.family == Family::QuasiPoisson {
        pearson
    } else {
        1.0
    };
    let covariance = state.information.inverse();
    let std_errors = (0..p)
        .map(|j| (scale * covariance.get(j, j)).max(0.0).sqrt())
        .collect();
    Ok(GlmFit {
        family: options.family,
        coefficients: state.beta,
        std_errors,
        deviance: match theta {
            Some(theta) => negative_binomial_deviance(y, &state.mu, theta),
            None => poisson_deviance(y, &state.mu),
        },
        pearson_dispersion: pearson,
        theta,
        iterations: state.iterations,
        rows: n,
    })
}

/// Where IRLS ended.
struct IrlsState {
    beta: Vec<f64>,
    mu: Vec<f64>,
    information: Cholesky,
    iterations: usize,
}

fn irls(
    sparse: &SparseRows,
    y: &[f64],
    offset: &[f64],
    theta: Option<f64>,
    start: Option<&[f64]>,
    options: &GlmOptions,
) -> Result<IrlsState, ScoringError> {
    let deviance = |mu: &[f64]| match theta {
        Some(theta) => negative_binomial_deviance(y, mu, theta),
        None => poisson_deviance(y, mu),
    };
    // Start from the data themselves (mu = y + 0.1, as R does) unless warm-started.
    let mut eta: Vec<f64> = match start {
        Some(beta) => sparse.linear_predictor(beta, offset),
        None => y.iter().map(|v| (v + 0.1).ln()).collect(),
    };
    let mut mu: Vec<f64> = eta
        .iter()
        .map(|e| e.clamp(-ETA_LIMIT, ETA_LIMIT).exp())
        .collect();
    let mut beta = start.map(<[f64]>::to_vec);
    let mut old_deviance = deviance(&mu);
    for iteration in 1..=options.max_iterations {
        let weights: Vec<f64> = mu
            .iter()
            .map(|m| theta.map_or(*m, |t| m / (1.0 + m / t)))
            .collect();
        let working: Vec<f64> = (0..y.len())
            .map(|i| eta[i] - offset[i] + (y[i] - mu[i]) / mu[i])
            .collect();
        let (information, score) = sparse.weighted_normal_equations(&weights, &working);
        let cholesky =
            Cholesky::new(&information).map_err(|failure| singular(sparse, failure.column))?;
        let mut candidate = cholesky.solve(&score);
        let mut new_eta = sparse.linear_predictor(&candidate, offset);
        let mut new_mu: Vec<f64> = new_eta
            .iter()
            .map(|e| e.clamp(-ETA_LIMIT, ETA_LIMIT).exp())
            .collect();
        let mut new_deviance = deviance(&new_mu);
        // Step-halving towards the previous coefficients when the step overshoots.
        if let Some(previous) = &beta {
            let mut halvings = 0;
            while !(new_deviance.is_finite()
                && new_deviance <= old_deviance * (1.0 + 1e-10) + 1e-10)
                && halvings < MAX_HALVINGS
            {
                candidate = candidate
                    .iter()
                    .zip(previous)
                    .map(|(c, b)| 0.5 * (c + b))
                    .collect();
                new_eta = sparse.linear_predictor(&candidate, offset);
                new_mu = new_eta
                    .iter()
                    .map(|e| e.clamp(-ETA_LIMIT, ETA_LIMIT).exp())
                    .collect();
                new_deviance = deviance(&new_mu);
                halvings += 1;
            }
        }
        let change = (new_deviance - old_deviance).abs() / (new_deviance.abs() + 0.1);
        eta = new_eta;
        mu = new_mu;
        beta = Some(candidate);
        old_deviance = new_deviance;
        if change < options.tolerance
            && let Some(beta) = beta
        {
            // As R does, the covariance comes from the information of the last step.
            return Ok(IrlsState {
                beta,
                mu,
                information: cholesky,
                iterations: iteration,
            });
        }
    }
    Err(ScoringError::DidNotConverge {
        field: theta.map_or("Poisson", |_| "negative binomial").to_string(),
        iterations: options.max_iterations,
    })
}

/// Solves sum (y - mu)^2 / (mu + mu^2 / theta) = dof for theta; `None` when even
/// theta = infinity (Poisson) leaves less dispersion than expected: no overdispersion.
fn moment_theta(y: &[f64], mu: &[f64], dof: usize) -> Option<f64> {
    let target = dof as f64;
    let excess = |theta: f64| pearson_chi2(y, mu, Some(theta)) - target;
    if excess(THETA_MAX) <= 0.0 {
        return None;
    }
    if excess(THETA_MIN) >= 0.0 {
        return Some(THETA_MIN);
    }
    // The Pearson sum grows with theta: bisect on log theta.
    let (mut low, mut high) = (THETA_MIN.ln(), THETA_MAX.ln());
    for _ in 0..80 {
        let middle = 0.5 * (low + high);
        if excess(middle.exp()) > 0.0 {
            high = middle;
        } else {
            low = middle;
        }
    }
    Some((0.5 * (low + high)).exp())
}

fn pearson_chi2(y: &[f64], mu: &[f64], theta: Option<f64>) -> f64 {
    y.iter()
        .zip(mu)
        .map(|(y, m)| {
            let variance = theta.map_or(*m, |t| m + m * m / t);
            (y - m).powi(2) / variance
        })
        .sum()
}

/// `y ln(y / mu)`, 0 when y = 0.
fn y_log_y_over(y: f64, mu: f64) -> f64 {
    if y > 0.0 { y * (y / mu).ln() } else { 0.0 }
}

/// Poisson deviance: 2 sum [y ln(y/mu) - (y - mu)].
pub fn poisson_deviance(y: &[f64], mu: &[f64]) -> f64 {
    2.0 * y
        .iter()
        .zip(mu)
        .map(|(y, m)| y_log_y_over(*y, *m) - (y - m))
        .sum::<f64>()
}

/// Negative-binomial deviance: 2 sum [y ln(y/mu) - (y + theta) ln((y + theta)/(mu + theta))].
pub fn negative_binomial_deviance(y: &[f64], mu: &[f64], theta: f64) -> f64 {
    2.0 * y
        .iter()
        .zip(mu)
        .map(|(y, m)| y_log_y_over(*y, *m) - (y + theta) * ((y + theta) / (m + theta)).ln())
        .sum::<f64>()
}

#[cfg(test)]
#[path = "glm_tests.rs"]
mod tests;
