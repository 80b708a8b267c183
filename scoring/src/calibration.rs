//! From expected incidents to a 0-10 risk: the position of a prediction in the
//! distribution of the predictions for past events (the reference period). A risk of 7
//! means "more expected incidents than 70 % of past events". The reference keeps
//! quantiles, not every past prediction, so a stored model stays small.

use serde::{Deserialize, Serialize};

use crate::error::ScoringError;

/// Quantiles kept: every 0.1 % (1001 points, 0 to 100 %). Enough that interpolation
/// error is far below the risk's one decimal.
const QUANTILE_POINTS: usize = 1001;

/// The reference distribution of predicted expected incidents for one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceDistribution {
    /// Predicted expected incidents at evenly spaced probabilities from 0 to 1,
    /// non-decreasing.
    pub quantiles: Vec<f64>,
    /// Number of past events the quantiles summarise.
    pub events: usize,
}

impl ReferenceDistribution {
    /// Summarises the predictions for past events.
    pub fn from_predictions(predictions: &[f64]) -> Result<Self, ScoringError> {
        let mut sorted: Vec<f64> = predictions.to_vec();
        if sorted.is_empty() {
            return Err(ScoringError::NotEnoughData {
                rows: 0,
                columns: 1,
            });
        }
        if let Some(bad) = sorted.iter().find(|p| !p.is_finite()) {
            return Err(ScoringError::InvalidFeature {
                feature: "prediction",
                reason: format!("{bad}"),
            });
        }
        sorted.sort_by(f64::total_cmp);
        let last = (sorted.len() - 1) as f64;
        let quantiles = (0..QUANTILE_POINTS)
            .map(|k| {
                // Linear interpolation between order statistics (R's type 7).
                let position = last * k as f64 / (QUANTILE_POINTS - 1) as f64;
                let below = position.floor() as usize;
                let above = (below + 1).min(sorted.len() - 1);
                let weight = position - below as f64;
                sorted[below] * (1.0 - weight) + sorted[above] * weight
            })
            .collect();
        Ok(Self {
            quantiles,
            events: predictions.len(),
        })
    }

    /// Share of past events with a lower prediction, from 0 to 1 (mid-rank on ties).
    pub fn share_below(&self, prediction: f64) -> f64 {
        let q = &self.quantiles;
        let Some(last) = q.len().checked_sub(1).filter(|last| *last > 0) else {
            return 0.5;
        };
        let strictly_below = q.partition_point(|x| *x < prediction);
        let at_or_below = q.partition_point(|x| *x <= prediction);
        if at_or_below > strictly_below {
            // The prediction equals one or more quantiles: take the middle of the run.
            let middle = (strictly_below + at_or_below - 1) as f64 / 2.0;
            return middle / last as f64;
        }
        if strictly_below == 0 {
            return 0.0;
        }
        if strictly_below > last {
            return 1.0;
        }
        let (low, high) = (q[strictly_below - 1], q[strictly_below]);
        let fraction = (prediction - low) / (high - low);
        ((strictly_below - 1) as f64 + fraction) / last as f64
    }

    /// The 0-10 risk of a prediction, with one decimal.
    pub fn risk(&self, prediction: f64) -> f64 {
        round_one_decimal(10.0 * self.share_below(prediction))
    }
}

/// Rounds to one decimal, as risks are shown.
pub fn round_one_decimal(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// The overall risk: the highest field risk (one bad field is enough to worry).
pub fn overall_risk(field_risks: &[f64]) -> f64 {
    field_risks.iter().copied().fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uniform_reference() -> ReferenceDistribution {
        // Past predictions 0, 1, ..., 1000: quantile k is exactly k.
        let predictions: Vec<f64> = (0..=1000).map(f64::from).collect();
        ReferenceDistribution::from_predictions(&predictions).unwrap()
    }

    #[test]
    fn risk_is_the_share_of_past_events_below_in_tenths() {
        let reference = uniform_reference();
        let cases = [
            (-5.0, 0.0),
            (0.0, 0.0),
            (100.0, 1.0),
            (700.0, 7.0),
            (703.0, 7.0),
            (756.0, 7.6),
            (1000.0, 10.0),
            (5000.0, 10.0),
        ];
        for (prediction, risk) in cases {
            assert_eq!(reference.risk(prediction), risk, "prediction {prediction}");
        }
    }

    #[test]
    fn risk_grows_with_the_prediction() {
        let predictions: Vec<f64> = (0..5000)
            .map(|i| (f64::from(i) * 0.37).sin().abs() * 40.0)
            .collect();
        let reference = ReferenceDistribution::from_predictions(&predictions).unwrap();
        let mut previous = -1.0;
        for step in 0..500 {
            let share = reference.share_below(f64::from(step) * 0.1);
            assert!(share >= previous, "share must not decrease at {step}");
            previous = share;
        }
    }

    #[test]
    fn identical_past_predictions_put_an_equal_one_in_the_middle() {
        let reference = ReferenceDistribution::from_predictions(&[2.0; 50]).unwrap();
        assert_eq!(reference.risk(2.0), 5.0);
        assert_eq!(reference.risk(1.0), 0.0);
        assert_eq!(reference.risk(3.0), 10.0);
    }

    #[test]
    fn an_empty_reference_is_refused() {
        assert!(ReferenceDistribution::from_predictions(&[]).is_err());
        assert!(ReferenceDistribution::from_predictions(&[1.0, f64::NAN]).is_err());
    }

    #[test]
    fn overall_risk_is_the_highest_field_risk() {
        assert_eq!(overall_risk(&[3.2, 7.9, 5.0]), 7.9);
        assert_eq!(overall_risk(&[]), 0.0);
    }
}
