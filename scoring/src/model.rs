//! The risk model the server stores and scores with: one count model per field learned
//! from history rows, and `score_event`, the one entry point that assesses an event
//! with its planned deployment (expected load in real units with its interval, 0-10
//! risks on the absolute scale of `calibration`, explanation, first aid, requirements,
//! adequacy). A `RiskModel` serializes to JSON as is.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::adequacy::{self, Adequacy, Requirement, RequirementInput, ResourceCounts};
use crate::backtest::BacktestSummary;
use crate::calibration;
use crate::design::{self, ENCODER_VERSION};
use crate::dps::{self, DpsType};
use crate::error::ScoringError;
use crate::explain::{self, Explanation};
use crate::features::{EventFeatures, Field, HistoryRow};
use crate::glm::{self, DesignMatrix, Family, GlmOptions};
use crate::load::{self, EventLoad, ExpectedLoad, LoadUnit};

/// The span of history a model learned from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingWindow {
    /// Date of the earliest event.
    pub first: NaiveDate,
    /// Date of the latest event.
    pub last: NaiveDate,
    /// Number of events.
    pub events: usize,
}

/// One fitted coefficient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    /// Design column name.
    pub name: String,
    /// Estimate on the log scale.
    pub estimate: f64,
    /// Standard error of the estimate.
    pub std_error: f64,
}

impl Coefficient {
    /// The 95 % confidence interval on the log scale.
    pub fn interval_95(&self) -> (f64, f64) {
        (
            self.estimate - 1.96 * self.std_error,
            self.estimate + 1.96 * self.std_error,
        )
    }
}

/// The model of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldModel {
    /// The field.
    pub field: Field,
    /// Family fitted.
    pub family: Family,
    /// Coefficients in design order (the first is the intercept).
    pub coefficients: Vec<Coefficient>,
    /// Negative-binomial shape (`None`: Poisson).
    pub theta: Option<f64>,
    /// Training deviance.
    pub deviance: f64,
    /// Pearson dispersion on the training data (about 1 when the variance is right).
    pub pearson_dispersion: f64,
    /// IRLS iterations spent.
    pub iterations: usize,
}

/// A trained, storable risk model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskModel {
    /// Version label, shown with every score.
    pub version: String,
    /// Feature encoding the coefficients belong to.
    pub encoder_version: String,
    /// Adequacy rules used when scoring.
    pub rules_version: String,
    /// The history learned from.
    pub training_window: TrainingWindow,
    /// One model per field, in `Field::ALL` order.
    pub fields: Vec<FieldModel>,
    /// Backtest figures, when a backtest was run before publishing the model.
    pub backtest: Option<BacktestSummary>,
}

/// How to train.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Version label; defaults to one built from the training window.
    pub version: Option<String>,
    /// Count-model settings.
    pub glm: GlmOptions,
}

/// Rows encoded once, shared by the three fields' fits.
pub(crate) struct EncodedRows {
    pub(crate) design: DesignMatrix,
    pub(crate) offsets: Vec<f64>,
}

pub(crate) fn encode_rows(rows: &[HistoryRow]) -> Result<EncodedRows, ScoringError> {
    let names: Vec<String> = design::column_names()
        .into_iter()
        .map(String::from)
        .collect();
    let mut data = Vec::with_capacity(rows.len() * names.len());
    let mut offsets = Vec::with_capacity(rows.len());
    for row in rows {
        data.extend(design::encode(&row.features)?);
        offsets.push(design::offset(&row.features));
    }
    Ok(EncodedRows {
        design: DesignMatrix {
            columns: names.len(),
            names,
            data,
        },
        offsets,
    })
}

/// Learns a model from past events.
pub fn train(rows: &[HistoryRow], options: &TrainOptions) -> Result<RiskModel, ScoringError> {
    let (Some(first), Some(last)) = (
        rows.iter().map(|r| r.features.date).min(),
        rows.iter().map(|r| r.features.date).max(),
    ) else {
        return Err(ScoringError::NotEnoughData {
            rows: 0,
            columns: design::COLUMN_COUNT,
        });
    };
    let encoded = encode_rows(rows)?;
    let mut fields = Vec::with_capacity(Field::ALL.len());
    for field in Field::ALL {
        let y: Vec<f64> = rows
            .iter()
            .map(|r| f64::from(r.incidents.get(field)))
            .collect();
        let fit =
            glm::fit(&encoded.design, &y, &encoded.offsets, &options.glm).map_err(|error| {
                match error {
                    ScoringError::DidNotConverge { iterations, .. } => {
                        ScoringError::DidNotConverge {
                            field: field.as_str().to_string(),
                            iterations,
                        }
                    }
                    other => other,
                }
            })?;
        let mut estimates = fit.coefficients.clone();
        keep_monotone(&encoded.design.names, &mut estimates);
        let coefficients = encoded
            .design
            .names
            .iter()
            .zip(estimates.iter().zip(&fit.std_errors))
            .map(|(name, (estimate, std_error))| Coefficient {
                name: name.clone(),
                estimate: *estimate,
                std_error: *std_error,
            })
            .collect();
        fields.push(FieldModel {
            field,
            family: fit.family,
            coefficients,
            theta: fit.theta,
            deviance: fit.deviance,
            pearson_dispersion: fit.pearson_dispersion,
            iterations: fit.iterations,
        });
    }
    Ok(RiskModel {
        version: options
            .version
            .clone()
            .unwrap_or_else(|| format!("risk-{first}-{last}")),
        encoder_version: ENCODER_VERSION.to_string(),
        rules_version: adequacy::RULES_VERSION.to_string(),
        training_window: TrainingWindow {
            first,
            last,
            events: rows.len(),
        },
        fields,
        backtest: None,
    })
}

/// Per-head rates may fall as crowds grow, totals may not: a larger attendance at the
/// same venue never lowers the expected load. The fitted slopes of the three
/// attendance segments (below 1,000, 1,000-20,000, above 20,000; the offset adds 1)
/// are raised to 0 where the data left them negative, and the crowding and overload
/// effects, which only grow with attendance, to 0 where negative.
fn keep_monotone(names: &[String], estimates: &mut [f64]) {
    let index = |name: &str| names.iter().position(|n| n == name);
    let (Some(log), Some(small), Some(large)) = (
        index("log_attendance"),
        index("small_crowd"),
        index("large_crowd"),
    ) else {
        return;
    };
    // Elasticity of the total in the middle segment: 1 + log.
    if 1.0 + estimates[log] < 0.0 {
        estimates[log] = -1.0;
    }
    // Below 1,000: 1 + log - small >= 0.
    estimates[small] = estimates[small].min(1.0 + estimates[log]);
    // Above 20,000: 1 + log + large >= 0.
    estimates[large] = estimates[large].max(-(1.0 + estimates[log]));
    for name in ["crowding", "overload", "presence_ratio"] {
        if let Some(i) = index(name) {
            estimates[i] = estimates[i].max(0.0);
        }
    }
}

/// exp(offset + x . beta), with the exponent capped so a wild input cannot overflow.
pub(crate) fn linear_prediction(coefficients: &[f64], row: &[f64], offset: f64) -> f64 {
    let eta = offset
        + coefficients
            .iter()
            .zip(row)
            .map(|(b, x)| b * x)
            .sum::<f64>();
    eta.min(30.0).exp()
}

impl RiskModel {
    /// The model of one field.
    pub fn field(&self, field: Field) -> Option<&FieldModel> {
        self.fields.iter().find(|model| model.field == field)
    }

    /// Expected incidents per field (`Field::ALL` order) for one event.
    pub fn expected_incidents(&self, features: &EventFeatures) -> Result<[f64; 3], ScoringError> {
        self.check_encoder()?;
        let row = design::encode(features)?;
        let offset = design::offset(features);
        let mut expected = [0.0; 3];
        for model in &self.fields {
            let coefficients: Vec<f64> = model.coefficients.iter().map(|c| c.estimate).collect();
            expected[model.field.index()] = linear_prediction(&coefficients, &row, offset);
        }
        Ok(expected)
    }

    fn check_encoder(&self) -> Result<(), ScoringError> {
        if self.encoder_version != ENCODER_VERSION || self.fields.len() != Field::ALL.len() {
            return Err(ScoringError::IncompatibleModel {
                expected: ENCODER_VERSION,
                found: self.encoder_version.clone(),
            });
        }
        if let Some(model) = self
            .fields
            .iter()
            .find(|m| m.coefficients.len() != design::COLUMN_COUNT)
        {
            return Err(ScoringError::DimensionMismatch {
                what: format!(
                    "{} model has {} coefficients, the encoder {}",
                    model.field.as_str(),
                    model.coefficients.len(),
                    design::COLUMN_COUNT
                ),
            });
        }
        Ok(())
    }
}

/// One field's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FieldScore {
    /// The field.
    pub field: Field,
    /// The learned model's expected count during the event: police-relevant incidents
    /// (tranquillity), patients (security), traffic and transit incidents (mobility).
    pub expected_incidents: f64,
    /// The load the risk is read from, in its unit, with its 80 % interval.
    pub load: ExpectedLoad,
    /// Risk, 0-10, one decimal, on the absolute scale of `calibration`.
    pub risk: f64,
}

/// The first-aid requirement from the DPS grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FirstAid {
    /// RIS, for display.
    pub ris: f64,
    /// RIS in millionths, exact.
    pub ris_millionths: u64,
    /// Workers required.
    pub workers: u32,
    /// Level of coverage.
    pub dps_type: DpsType,
}

/// One scoring of one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Version of the model that scored.
    pub model_version: String,
    /// Version of the adequacy rules.
    pub rules_version: String,
    /// Scores per field, in `Field::ALL` order.
    pub fields: Vec<FieldScore>,
    /// Highest field risk.
    pub overall_risk: f64,
    /// Why: per-feature contributions per field, model version, data window.
    pub explanation: Explanation,
    /// First aid by the DPS grid.
    pub first_aid: FirstAid,
    /// Expected load of every field, with the mobility figures behind the overload.
    pub load: EventLoad,
    /// Required resources by kind.
    pub required: ResourceCounts,
    /// Each requirement with the load and the ratio it comes from.
    pub requirements: Vec<Requirement>,
    /// Planned against required.
    pub adequacy: Adequacy,
}

impl RiskModel {
    /// The expected load of an event, all fields, with intervals.
    pub fn expected_load(&self, features: &EventFeatures) -> Result<EventLoad, ScoringError> {
        let counts = self.expected_incidents(features)?;
        Ok(self.load_from_counts(features, &counts))
    }

    fn load_from_counts(&self, features: &EventFeatures, counts: &[f64; 3]) -> EventLoad {
        let theta = |field: Field| self.field(field).and_then(|m| m.theta);
        let patients = counts[Field::Security.index()];
        let (overload, peak_outflow, egress_capacity) = load::overload(features);
        EventLoad {
            incidents: load::count_load(
                LoadUnit::PoliceIncidents,
                counts[Field::Tranquillity.index()],
                theta(Field::Tranquillity),
            ),
            patients: load::count_load(LoadUnit::Patients, patients, theta(Field::Security)),
            transfers: load::count_load(
                LoadUnit::HospitalTransfers,
                patients * load::TRANSFER_SHARE,
                theta(Field::Security),
            ),
            overload,
            peak_outflow,
            egress_capacity,
        }
    }
}

/// Assesses one event and its planned deployment.
pub fn score_event(
    model: &RiskModel,
    features: &EventFeatures,
    deployment: &ResourceCounts,
) -> Result<Assessment, ScoringError> {
    model.check_encoder()?;
    let row = design::encode(features)?;
    let exposure = design::exposure(features);
    let mut counts = [0.0; 3];
    let mut explanations = Vec::with_capacity(model.fields.len());
    for field_model in &model.fields {
        let names: Vec<String> = field_model
            .coefficients
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let estimates: Vec<f64> = field_model
            .coefficients
            .iter()
            .map(|c| c.estimate)
            .collect();
        let explanation =
            explain::explain_field(field_model.field, &names, &estimates, &row, exposure);
        counts[field_model.field.index()] = explanation.expected_incidents;
        explanations.push(explanation);
    }
    let event_load = model.load_from_counts(features, &counts);
    let fields: Vec<FieldScore> = Field::ALL
        .iter()
        .map(|field| {
            let field_load = event_load.of(*field);
            FieldScore {
                field: *field,
                expected_incidents: counts[field.index()],
                load: field_load,
                risk: calibration::risk(*field, field_load.value),
            }
        })
        .collect();
    let grid = dps::compute(&features.dps_input());
    let requirements = adequacy::requirements(&RequirementInput {
        category: features.category,
        attendance: features.attendance,
        duration_hours: features.duration_hours,
        profile: features.public_profile,
        bounded: features.venue_capacity.is_some(),
        load: event_load,
        first_aid: grid,
    });
    let required = adequacy::counts(&requirements);
    let risks: Vec<f64> = fields.iter().map(|s| s.risk).collect();
    Ok(Assessment {
        model_version: model.version.clone(),
        rules_version: model.rules_version.clone(),
        overall_risk: calibration::overall_risk(&risks),
        fields,
        explanation: Explanation {
            model_version: model.version.clone(),
            training_window: model.training_window,
            fields: explanations,
        },
        first_aid: FirstAid {
            ris: grid.ris(),
            ris_millionths: grid.ris_millionths,
            workers: grid.workers,
            dps_type: grid.dps_type,
        },
        load: event_load,
        adequacy: adequacy::assess(&required, deployment),
        required,
        requirements,
    })
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
