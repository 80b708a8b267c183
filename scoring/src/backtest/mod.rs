//! The backtest: train on past years, score held-out years, and report per field the
//! rank correlation between predicted and observed incidents (the model's and that of
//! a baseline that knows person-hours alone), the calibration by decile of prediction
//! (observed / predicted), and the held-out deviance of both. The synthetic history is
//! drawn by a process of its own (`history::truth`), not from the model's design, so
//! there are no "true coefficients" to recover: what is measured is how well the model
//! predicts a world it does not describe exactly. `floor_failures` says which of the agreed floors a report
//! misses, so tests and the bench judge models the same way.

mod report;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::ScoringError;
use crate::features::{Field, HistoryRow};
use crate::glm::{self, DesignMatrix, GlmOptions};
use crate::history::truth::TrueEffects;
use crate::model::{self, RiskModel, TrainOptions, TrainingWindow};
use crate::stats;

/// The minimums a model must reach before it is published.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Floors {
    /// Lowest Spearman correlation accepted for each field.
    pub min_spearman: f64,
    /// Largest |observed / predicted - 1| accepted in any risk decile.
    pub max_decile_error: f64,
    /// Lowest share of true effects inside the 95 % intervals, when a truth with
    /// coefficients is known.
    pub min_coverage: f64,
}

/// The floors of issue 7. A model must also beat the attendance-only baseline.
pub const PUBLICATION_FLOORS: Floors = Floors {
    min_spearman: 0.6,
    max_decile_error: 0.2,
    min_coverage: 0.9,
};

/// Observed against predicted incidents in one decile of prediction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DecileCalibration {
    /// Decile d holds the tenth d of held-out events sorted by prediction (0 = lowest).
    pub decile: u8,
    /// Held-out events in the decile.
    pub events: usize,
    /// Incidents observed.
    pub observed: f64,
    /// Incidents predicted.
    pub predicted: f64,
}

impl DecileCalibration {
    /// observed / predicted (`None` when nothing was predicted).
    pub fn ratio(&self) -> Option<f64> {
        (self.predicted > 0.0).then(|| self.observed / self.predicted)
    }
}

/// How many true effects the fitted 95 % intervals contain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Intervals containing the true value.
    pub inside: usize,
    /// Coefficients checked.
    pub total: usize,
    /// Coefficients whose interval missed, as "field/column".
    pub misses: Vec<String>,
}

impl Coverage {
    /// inside / total.
    pub fn share(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.inside as f64 / self.total as f64
        }
    }
}

/// Backtest figures of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldBacktest {
    /// The field.
    pub field: Field,
    /// Spearman correlation between predicted and observed incidents per event.
    pub spearman: f64,
    /// Spearman correlation of the person-hours baseline.
    #[serde(default)]
    pub spearman_baseline: f64,
    /// Calibration by risk decile, deciles 0 to 9.
    pub deciles: Vec<DecileCalibration>,
    /// Held-out Poisson deviance of the model.
    pub deviance_model: f64,
    /// Held-out Poisson deviance of the person-hours baseline.
    pub deviance_baseline: f64,
    /// True effects recovered (synthetic history only).
    pub coverage: Option<Coverage>,
}

impl FieldBacktest {
    /// Largest |observed / predicted - 1| over non-empty deciles.
    pub fn worst_decile_error(&self) -> f64 {
        self.deciles
            .iter()
            .filter_map(DecileCalibration::ratio)
            .map(|r| (r - 1.0).abs())
            .fold(0.0, f64::max)
    }
}

/// A full backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    /// Events trained on.
    pub train_window: TrainingWindow,
    /// Events scored.
    pub test_window: TrainingWindow,
    /// One entry per field.
    pub fields: Vec<FieldBacktest>,
}

/// The figures kept with a published model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestSummary {
    /// Events trained on.
    pub train_window: TrainingWindow,
    /// Events scored.
    pub test_window: TrainingWindow,
    /// (field, Spearman, worst decile error, deviance reduction vs baseline in %).
    pub fields: Vec<FieldSummary>,
    /// Share of true effects recovered, when known.
    pub coverage: Option<f64>,
}

/// One field's summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FieldSummary {
    /// The field.
    pub field: Field,
    /// Spearman correlation.
    pub spearman: f64,
    /// Largest |observed / predicted - 1| over deciles.
    pub worst_decile_error: f64,
    /// Spearman correlation of the person-hours baseline.
    #[serde(default)]
    pub spearman_baseline: f64,
    /// 100 x (1 - model deviance / baseline deviance).
    pub deviance_reduction_percent: f64,
}

/// Person-hours alone: expected count = exp(a) x (thousand person-hours)^b.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineModel {
    /// (intercept, log person-hours coefficient) per field, in `Field::ALL` order.
    pub coefficients: Vec<[f64; 2]>,
}

fn baseline_row(row: &HistoryRow) -> [f64; 2] {
    [
        1.0,
        (f64::from(row.features.attendance) * row.features.duration_hours / 1000.0).ln(),
    ]
}

/// Fits the person-hours baseline.
pub fn train_baseline(
    rows: &[HistoryRow],
    options: &GlmOptions,
) -> Result<BaselineModel, ScoringError> {
    let design = DesignMatrix {
        names: vec!["intercept".into(), "log_attendance".into()],
        columns: 2,
        data: rows.iter().flat_map(baseline_row).collect(),
    };
    let offsets: Vec<f64> = vec![0.0; rows.len()];
    let mut coefficients = Vec::with_capacity(3);
    for field in Field::ALL {
        let y: Vec<f64> = rows
            .iter()
            .map(|r| f64::from(r.incidents.get(field)))
            .collect();
        let fit = glm::fit(&design, &y, &offsets, options)?;
        coefficients.push([fit.coefficients[0], fit.coefficients[1]]);
    }
    Ok(BaselineModel { coefficients })
}

fn window(rows: &[HistoryRow]) -> Result<TrainingWindow, ScoringError> {
    let dates = rows.iter().map(|r| r.features.date);
    match (dates.clone().min(), dates.max()) {
        (Some(first), Some(last)) => Ok(TrainingWindow {
            first,
            last,
            events: rows.len(),
        }),
        _ => Err(ScoringError::NotEnoughData {
            rows: 0,
            columns: crate::design::COLUMN_COUNT,
        }),
    }
}

/// Trains on events before `holdout_from` and evaluates on the others.
pub fn backtest(
    rows: &[HistoryRow],
    holdout_from: NaiveDate,
    options: &TrainOptions,
    truth: Option<&TrueEffects>,
) -> Result<(RiskModel, BacktestReport), ScoringError> {
    let (train, test): (Vec<HistoryRow>, Vec<HistoryRow>) = rows
        .iter()
        .cloned()
        .partition(|r| r.features.date < holdout_from);
    let model = model::train(&train, options)?;
    let baseline = train_baseline(&train, &options.glm)?;
    let report = evaluate(&model, &baseline, &test, truth)?;
    Ok((model, report))
}

/// Scores held-out events with a model and a baseline, and compares with what happened.
pub fn evaluate(
    model: &RiskModel,
    baseline: &BaselineModel,
    test: &[HistoryRow],
    truth: Option<&TrueEffects>,
) -> Result<BacktestReport, ScoringError> {
    let test_window = window(test)?;
    let predictions: Vec<[f64; 3]> = test
        .iter()
        .map(|r| model.expected_incidents(&r.features))
        .collect::<Result<_, _>>()?;
    let mut fields = Vec::with_capacity(3);
    for field in Field::ALL {
        let index = field.index();
        let Some(field_model) = model.field(field) else {
            continue;
        };
        let observed: Vec<f64> = test
            .iter()
            .map(|r| f64::from(r.incidents.get(field)))
            .collect();
        let predicted: Vec<f64> = predictions.iter().map(|p| p[index]).collect();
        let base = baseline
            .coefficients
            .get(index)
            .copied()
            .unwrap_or([0.0, 0.0]);
        let baseline_predicted: Vec<f64> = test
            .iter()
            .map(|r| model::linear_prediction(&base, &baseline_row(r), 0.0))
            .collect();
        let mut deciles: Vec<DecileCalibration> = (0..10)
            .map(|decile| DecileCalibration {
                decile,
                events: 0,
                observed: 0.0,
                predicted: 0.0,
            })
            .collect();
        let mut order: Vec<usize> = (0..predicted.len()).collect();
        order.sort_by(|a, b| predicted[*a].total_cmp(&predicted[*b]));
        for (rank, i) in order.iter().enumerate() {
            let decile = (rank * 10 / predicted.len().max(1)).min(9);
            deciles[decile].events += 1;
            deciles[decile].observed += observed[*i];
            deciles[decile].predicted += predicted[*i];
        }
        let coverage = truth.map(|truth| {
            let true_values = truth.coefficients(field);
            let mut coverage = Coverage {
                inside: 0,
                total: 0,
                misses: Vec::new(),
            };
            for (coefficient, true_value) in field_model.coefficients.iter().zip(true_values) {
                let (low, high) = coefficient.interval_95();
                coverage.total += 1;
                if (low..=high).contains(&true_value) {
                    coverage.inside += 1;
                } else {
                    coverage
                        .misses
                        .push(format!("{}/{}", field.as_str(), coefficient.name));
                }
            }
            coverage
        });
        fields.push(FieldBacktest {
            field,
            spearman: stats::spearman(&predicted, &observed),
            spearman_baseline: stats::spearman(&baseline_predicted, &observed),
            deciles,
            deviance_model: glm::poisson_deviance(&observed, &predicted),
            deviance_baseline: glm::poisson_deviance(&observed, &baseline_predicted),
            coverage,
        });
    }
    Ok(BacktestReport {
        train_window: model.training_window,
        test_window,
        fields,
    })
}
