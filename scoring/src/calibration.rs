//! From expected load to a 0-10 risk: an absolute scale per field, defined by fixed
//! reference points on the load in its own unit. Between two points the risk grows
//! linearly with the logarithm of the load (doubling the load always adds about the same
//! amount), below the first point it is 0, above the last 10. The scale does not depend
//! on any past event: a risk moves only when the estimate of the load moves.
//!
//! | risk | tranquillity (police-relevant incidents) | security (patients) | mobility (overload ratio) |
//! |---|---|---|---|
//! | 0 | 0.3 | 0.3 | 0.1 |
//! | 2 | 1.5 | 1 | 0.3 |
//! | 5 | 6 | 5 | 0.7 |
//! | 8 | 25 | 20 | 1.2 |
//! | 10 | 200 | 150 | 4 |
//!
//! In words: a 2 is an event with about one incident or one patient, what a patrol
//! and the organiser's first-aid post handle in passing; a 5 one with about five, which
//! keeps officers and a first-aid post busy; an 8 one with twenty to twenty-five, a
//! dedicated public-order and medical set-up with a hospital transfer likely; a 10 a
//! load of hundreds, a sold-out stadium on a bad day. For mobility, a 5 is a site
//! whose busiest half hour runs at 70 % of what its metro and roads carry, an 8 one
//! where it exceeds it by 20 % (queues at the stations), a 10 one where it is four
//! times over (the exit takes two hours).

use serde::{Deserialize, Serialize};

use crate::features::Field;

/// Version of the scale below; recorded in every model.
pub const SCALE_VERSION: &str = "absolute-scale-v1";

/// Tranquillity's reference points (police-relevant incidents).
const TRANQUILLITY_POINTS: [(f64, f64); 5] = [
    (0.3, 0.0),
    (1.5, 2.0),
    (6.0, 5.0),
    (25.0, 8.0),
    (200.0, 10.0),
];
/// Security's reference points (patients).
const SECURITY_POINTS: [(f64, f64); 5] = [
    (0.3, 0.0),
    (1.0, 2.0),
    (5.0, 5.0),
    (20.0, 8.0),
    (150.0, 10.0),
];
/// Mobility's reference points (overload ratio).
const MOBILITY_POINTS: [(f64, f64); 5] =
    [(0.1, 0.0), (0.3, 2.0), (0.7, 5.0), (1.2, 8.0), (4.0, 10.0)];

/// Reference points (load, risk) of one field, load increasing.
pub const fn reference_points(field: Field) -> [(f64, f64); 5] {
    match field {
        Field::Tranquillity => TRANQUILLITY_POINTS,
        Field::Security => SECURITY_POINTS,
        Field::Mobility => MOBILITY_POINTS,
    }
}

/// One field's scale, as published in the model card and the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldScale {
    /// The field.
    pub field: Field,
    /// (load, risk) reference points.
    pub points: Vec<(f64, f64)>,
}

/// Every field's scale.
pub fn scales() -> Vec<FieldScale> {
    Field::ALL
        .iter()
        .map(|field| FieldScale {
            field: *field,
            points: reference_points(*field).to_vec(),
        })
        .collect()
}

/// The 0-10 risk of a load, with one decimal.
pub fn risk(field: Field, load: f64) -> f64 {
    let points = reference_points(field);
    if !(load.is_finite() && load > points[0].0) {
        return 0.0;
    }
    for pair in points.windows(2) {
        let ((l0, r0), (l1, r1)) = (pair[0], pair[1]);
        if load <= l1 {
            let t = (load / l0).ln() / (l1 / l0).ln();
            return round_one_decimal(r0 + t * (r1 - r0));
        }
    }
    10.0
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

    #[test]
    fn the_reference_points_give_their_risk() {
        for field in Field::ALL {
            for (load, expected) in reference_points(field) {
                assert_eq!(risk(field, load), expected, "{field:?} at {load}");
            }
        }
        assert_eq!(risk(Field::Security, 0.0), 0.0);
        assert_eq!(risk(Field::Security, 1_000.0), 10.0);
        assert_eq!(risk(Field::Mobility, f64::NAN), 0.0);
    }

    #[test]
    fn risk_grows_with_the_load_and_is_log_linear_between_points() {
        let mut previous = 0.0;
        for step in 1..2_000 {
            let load = f64::from(step) * 0.05;
            let r = risk(Field::Tranquillity, load);
            assert!(r >= previous, "risk fell at {load}");
            previous = r;
        }
        // Half way between 5 and 20 on the log scale is 10.
        assert_eq!(risk(Field::Security, 10.0), 6.5);
    }

    #[test]
    fn overall_risk_is_the_highest_field_risk() {
        assert_eq!(overall_risk(&[3.2, 7.9, 5.0]), 7.9);
        assert_eq!(overall_risk(&[]), 0.0);
    }
}
