//! Why a score is what it is: the contribution of each feature to the expected
//! incidents of one field, on the log scale (coefficient x value, which add up) and as a
//! multiplicative factor (which multiply up), with the model version and the data
//! window it learned from. The expected incidents are exactly
//! `exposure x exp(intercept) x product of factors`, so a reader can redo the sum.

use serde::{Deserialize, Serialize};

use crate::features::Field;
use crate::model::TrainingWindow;

/// One feature's part in a prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Design column name (see `design::columns`).
    pub feature: String,
    /// The event's value in that column.
    pub value: f64,
    /// The fitted coefficient.
    pub coefficient: f64,
    /// coefficient x value: what the feature adds to the log of expected incidents.
    pub log_contribution: f64,
    /// exp(log_contribution): how many times the feature multiplies expected incidents.
    pub factor: f64,
}

/// The explanation of one field's prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldExplanation {
    /// The field explained.
    pub field: Field,
    /// Expected count per thousand attendees for the reference event.
    pub baseline_rate: f64,
    /// The event's exposure in thousand attendees.
    pub exposure: f64,
    /// Non-zero contributions, largest effect (in either direction) first.
    pub contributions: Vec<Contribution>,
    /// The prediction explained.
    pub expected_incidents: f64,
}

/// The explanation of a whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Version of the model that scored.
    pub model_version: String,
    /// The history the model learned from.
    pub training_window: TrainingWindow,
    /// One explanation per field.
    pub fields: Vec<FieldExplanation>,
}

/// Explains one field's prediction. `names`, `coefficients` and `row` are aligned; the
/// first column is the intercept.
pub fn explain_field(
    field: Field,
    names: &[String],
    coefficients: &[f64],
    row: &[f64],
    exposure: f64,
) -> FieldExplanation {
    let intercept = coefficients.first().copied().unwrap_or(0.0);
    let mut contributions: Vec<Contribution> = names
        .iter()
        .zip(coefficients)
        .zip(row)
        .skip(1)
        .filter(|(_, value)| **value != 0.0)
        .map(|((name, coefficient), value)| {
            let log_contribution = coefficient * value;
            Contribution {
                feature: name.clone(),
                value: *value,
                coefficient: *coefficient,
                log_contribution,
                factor: log_contribution.exp(),
            }
        })
        .collect();
    contributions.sort_by(|a, b| {
        b.log_contribution
            .abs()
            .total_cmp(&a.log_contribution.abs())
    });
    let linear: f64 = contributions.iter().map(|c| c.log_contribution).sum();
    FieldExplanation {
        field,
        baseline_rate: intercept.exp(),
        exposure,
        expected_incidents: exposure * (intercept + linear).exp(),
        contributions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contributions_multiply_up_to_the_prediction_largest_first() {
        let names: Vec<String> = ["intercept", "heat", "indoor", "rain"]
            .map(String::from)
            .to_vec();
        let coefficients = [-1.0, 0.1, -0.5, 0.3];
        let row = [1.0, 4.0, 1.0, 0.0];
        let explanation = explain_field(Field::Security, &names, &coefficients, &row, 10.0);
        let features: Vec<&str> = explanation
            .contributions
            .iter()
            .map(|c| c.feature.as_str())
            .collect();
        assert_eq!(
            features,
            ["indoor", "heat"],
            "rain is 0 and left out; |-0.5| > |0.4|"
        );
        let product: f64 = explanation.contributions.iter().map(|c| c.factor).product();
        let rebuilt = explanation.exposure * explanation.baseline_rate * product;
        assert!((rebuilt - explanation.expected_incidents).abs() < 1e-12);
        assert!(
            (explanation.expected_incidents - 10.0 * (-1.0f64 + 0.4 - 0.5).exp()).abs() < 1e-12
        );
    }
}
