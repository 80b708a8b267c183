//! The known true effects of the synthetic history: for each field, the coefficient of
//! every design column, on the log scale of expected incidents per thousand
//! person-hours. The generator draws incidents from exactly these, so a backtest can
//! check that a fitted model recovers them.
//!
//! Orders of magnitude follow the mass-gathering literature where it exists: about one
//! patient per 1,000 attendees at large events, fewer per head as crowds grow (Arbon
//! 2001), outdoor and unbounded venues about 3 times riskier, heat about +2 % per degree
//! (Intern Emerg Med 2016). The rest are plausible choices, written down so the
//! backtest can be checked against them.

use serde::{Deserialize, Serialize};

use crate::design;
use crate::features::Field;

/// (column, tranquillity, security, mobility).
const TRUE_EFFECTS: [(&str, f64, f64, f64); design::COLUMN_COUNT] = [
    // Reference market, per thousand person-hours: 0.8 / 0.5 / 0.6 incidents (minor
    // reports included: a noise complaint, a lost child, a blocked delivery lane).
    ("intercept", -0.22, -0.69, -0.51),
    // Per-head rates fall as crowds grow (Arbon 2001): bigger events are better staffed
    // and seated; traffic falls least, as every extra car adds to the jam.
    ("log_attendance", -0.20, -0.30, -0.10),
    ("category_football_match", 0.80, 1.00, 0.90),
    ("category_concert", 0.50, 0.60, 0.50),
    ("category_festival", 0.60, 0.50, 0.30),
    ("category_demonstration", 1.00, 0.90, 1.20),
    ("category_official_visit", 0.20, 0.30, 1.00),
    ("category_cultural", -0.30, -0.40, -0.40),
    ("category_sports", -0.20, -0.10, 0.20),
    ("category_nautical", -0.20, 0.00, -0.30),
    ("category_other", 0.00, 0.00, 0.00),
    ("venue_stadium", -0.20, -0.30, 0.20),
    ("venue_beach", 0.30, 0.40, -0.20),
    ("venue_square", 0.20, 0.10, -0.10),
    ("venue_park", 0.10, 0.00, -0.40),
    ("venue_hall", -0.60, -0.50, -0.30),
    ("venue_port", 0.10, 0.20, 0.10),
    ("venue_other", 0.00, 0.00, 0.00),
    ("crowding", 0.50, 0.80, 0.30),
    ("indoor", -0.30, -0.40, 0.00),
    ("alcohol", 0.40, 0.35, 0.05),
    ("weekday_tuesday", 0.00, 0.00, 0.00),
    ("weekday_wednesday", 0.00, 0.00, 0.05),
    ("weekday_thursday", 0.05, 0.05, 0.05),
    ("weekday_friday", 0.20, 0.15, 0.20),
    ("weekday_saturday", 0.30, 0.25, 0.10),
    ("weekday_sunday", 0.10, 0.15, -0.20),
    ("hour_afternoon", 0.10, 0.10, 0.20),
    ("hour_evening", 0.40, 0.30, 0.40),
    ("hour_night", 0.80, 0.60, -0.30),
    ("public_holiday", 0.10, 0.10, -0.20),
    ("school_holiday", 0.10, 0.05, -0.10),
    ("heat", 0.03, 0.06, 0.02),
    ("rain", -0.15, 0.05, 0.20),
    ("wind", 0.00, 0.04, 0.03),
    ("concurrent_events", 0.15, 0.10, 0.35),
    ("transit_disruption", 0.15, 0.05, 0.70),
    // A crowd twice as large as expected brings nearly twice the incidents.
    ("presence_ratio", 0.80, 0.90, 0.90),
    ("past_incidents", 0.50, 0.50, 0.40),
];

/// The gamma mixing shape of the synthetic counts: variance = mu + mu^2 / 5, i.e. events
/// alike on paper still differ (crowd mood, a single fight) by about 45 % (1/sqrt(5)).
pub const DEFAULT_OVERDISPERSION_SHAPE: f64 = 5.0;

/// The true coefficients of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrueFieldEffects {
    /// The field.
    pub field: Field,
    /// (design column, true coefficient), in design order.
    pub coefficients: Vec<(String, f64)>,
}

/// The generator's truth, to compare fitted models with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrueEffects {
    /// One entry per field, in `Field::ALL` order.
    pub fields: Vec<TrueFieldEffects>,
    /// Gamma mixing shape of the counts (`None`: pure Poisson).
    pub overdispersion_shape: Option<f64>,
}

impl TrueEffects {
    /// The built-in truth with the given overdispersion.
    pub fn standard(overdispersion_shape: Option<f64>) -> Self {
        let fields = Field::ALL
            .iter()
            .map(|field| TrueFieldEffects {
                field: *field,
                coefficients: TRUE_EFFECTS
                    .iter()
                    .map(|(name, tranquillity, security, mobility)| {
                        let value = match field {
                            Field::Tranquillity => *tranquillity,
                            Field::Security => *security,
                            Field::Mobility => *mobility,
                        };
                        ((*name).to_string(), value)
                    })
                    .collect(),
            })
            .collect();
        Self {
            fields,
            overdispersion_shape,
        }
    }

    /// The true coefficients of one field, in design order.
    pub fn coefficients(&self, field: Field) -> Vec<f64> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.coefficients.iter().map(|(_, value)| *value).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_truth_names_every_design_column_in_order() {
        let names = design::column_names();
        for (index, (name, ..)) in TRUE_EFFECTS.iter().enumerate() {
            assert_eq!(*name, names[index], "column {index}");
        }
    }
}
