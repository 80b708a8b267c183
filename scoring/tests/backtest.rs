//! The backtest on ten years of synthetic history (2015-2024) drawn by a process that is
//! not the model's design: train on 2015-2022, score 2023-2024, print the figures and
//! hold the model to the publication floors (Spearman >= 0.6 per field, observed /
//! predicted within 20 % in every decile of prediction, lower deviance than person-hours
//! alone) and to a gain in Spearman over person-hours. Wrong models are held to the
//! same floors and must fail them, which shows the floors can fail.

use std::sync::OnceLock;

use chrono::NaiveDate;
use scoring::backtest::{self, BacktestReport, PUBLICATION_FLOORS};
use scoring::history::{self, CalendarInputs, GeneratorConfig, SyntheticHistory};
use scoring::model::{RiskModel, TrainOptions};

struct Run {
    history: SyntheticHistory,
    model: RiskModel,
    report: BacktestReport,
    holdout_from: NaiveDate,
}

/// Ten years generated and backtested once for every test of this file (test-only
/// code: `cfg(test)` lets it unwrap like the tests themselves).
#[cfg(test)]
fn ten_years() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let history =
            history::generate(&GeneratorConfig::default(), &CalendarInputs::default()).unwrap();
        let holdout_from = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let (model, report) = backtest::backtest(
            &history.rows,
            holdout_from,
            &TrainOptions::default(),
            Some(&history.truth),
        )
        .unwrap();
        Run {
            history,
            model,
            report,
            holdout_from,
        }
    })
}

#[cfg(test)]
fn held_out(run: &Run) -> Vec<scoring::features::HistoryRow> {
    run.history
        .rows
        .iter()
        .filter(|r| r.features.date >= run.holdout_from)
        .cloned()
        .collect()
}

#[test]
fn the_model_trained_on_eight_years_meets_every_floor_on_the_next_two() {
    let run = ten_years();
    println!("{}", run.report.table());
    assert!(
        (39_900..=40_000).contains(&run.report.train_window.events),
        "eight years of about 5,000 events"
    );
    assert!((9_900..=10_000).contains(&run.report.test_window.events));
    let failures = run.report.floor_failures(&PUBLICATION_FLOORS);
    assert!(failures.is_empty(), "floors missed: {failures:#?}");
    for field in &run.report.fields {
        assert!(
            field.spearman > field.spearman_baseline + 0.05,
            "{:?}: {} vs person-hours {}",
            field.field,
            field.spearman,
            field.spearman_baseline
        );
    }
}

#[test]
fn the_person_hours_baseline_used_as_the_model_fails_the_floors() {
    let run = ten_years();
    let train: Vec<_> = run
        .history
        .rows
        .iter()
        .filter(|r| r.features.date < run.holdout_from)
        .cloned()
        .collect();
    let baseline = backtest::train_baseline(&train, &TrainOptions::default().glm).unwrap();
    // The full model with every effect but person-hours removed: exp(a) x ph^b reads
    // exp(a + b ln 5) x (attendance/1000)^(b - 1) x (duration/5)^b with the model's
    // offset of ln(attendance/1000).
    let mut naive = run.model.clone();
    for (field, [a, b]) in naive.fields.iter_mut().zip(&baseline.coefficients) {
        for coefficient in field.coefficients.iter_mut() {
            coefficient.estimate = match coefficient.name.as_str() {
                "intercept" => a + b * 5f64.ln(),
                "log_attendance" => b - 1.0,
                "log_duration" => *b,
                _ => 0.0,
            };
        }
    }
    let report =
        backtest::evaluate(&naive, &baseline, &held_out(run), Some(&run.history.truth)).unwrap();
    let failures = report.floor_failures(&PUBLICATION_FLOORS);
    println!("person-hours only: {failures:#?}");
    assert!(
        failures
            .iter()
            .any(|f| f.contains("not below person-hours baseline")),
        "{failures:#?}"
    );
}

#[test]
fn a_model_with_category_effects_reversed_fails_calibration() {
    let run = ten_years();
    let mut wrong = run.model.clone();
    for field in &mut wrong.fields {
        for coefficient in field
            .coefficients
            .iter_mut()
            .filter(|c| c.name.starts_with("category_"))
        {
            coefficient.estimate = -coefficient.estimate;
        }
    }
    let train: Vec<_> = run
        .history
        .rows
        .iter()
        .filter(|r| r.features.date < run.holdout_from)
        .cloned()
        .collect();
    let baseline = backtest::train_baseline(&train, &TrainOptions::default().glm).unwrap();
    let report =
        backtest::evaluate(&wrong, &baseline, &held_out(run), Some(&run.history.truth)).unwrap();
    let failures = report.floor_failures(&PUBLICATION_FLOORS);
    println!("categories reversed: {failures:#?}");
    assert!(
        failures.iter().any(|f| f.contains("decile")),
        "{failures:#?}"
    );
}

#[test]
fn the_summary_stored_with_the_model_repeats_the_report() {
    let run = ten_years();
    let summary = run.report.summary();
    assert_eq!(summary.fields.len(), 3);
    for (field, figures) in summary.fields.iter().zip(&run.report.fields) {
        assert_eq!(field.spearman, figures.spearman);
        assert!(field.deviance_reduction_percent > 0.0, "{:?}", field.field);
    }
    assert_eq!(
        summary.coverage, None,
        "the process has no coefficients to recover"
    );
}
