//! Benchmark of the scoring crate, run with
//! `cargo run --release -p scoring --example bench`: time to generate ten years of
//! synthetic history, to train on them, to score a 30-day agenda of 200 events, and the
//! backtest table (train 2015-2022, test 2023-2024). It prints figures; it asserts
//! nothing about time, since machines differ.

use std::time::Instant;

use chrono::NaiveDate;
use scoring::adequacy::ResourceCounts;
use scoring::backtest::{self, PUBLICATION_FLOORS};
use scoring::history::{self, CalendarInputs, GeneratorConfig};
use scoring::model::{self, TrainOptions};

/// Events in the benchmark agenda (the DESIGN's 30-day agenda).
const AGENDA_EVENTS: usize = 200;

fn main() -> Result<(), scoring::error::ScoringError> {
    let config = GeneratorConfig::default();
    let started = Instant::now();
    let history = history::generate(&config, &CalendarInputs::default())?;
    let generated = started.elapsed();
    println!(
        "generate {} years ({} events): {:.1} ms",
        config.years,
        history.rows.len(),
        generated.as_secs_f64() * 1e3
    );

    let started = Instant::now();
    let model = model::train(&history.rows, &TrainOptions::default())?;
    let trained = started.elapsed();
    let iterations: Vec<usize> = model.fields.iter().map(|f| f.iterations).collect();
    println!(
        "train on {} events (3 fields, negative binomial, IRLS iterations {iterations:?}): {:.1} ms (target < 60 s)",
        model.training_window.events,
        trained.as_secs_f64() * 1e3
    );

    // A 30-day agenda: the first 200 events from 1 June of the last year.
    let from = NaiveDate::from_ymd_opt(config.first_year + config.years as i32 - 1, 6, 1)
        .unwrap_or_default();
    let agenda: Vec<_> = history
        .rows
        .iter()
        .filter(|r| r.features.date >= from)
        .take(AGENDA_EVENTS)
        .collect();
    let planned = ResourceCounts {
        first_aid: 4,
        stewards: 10,
        municipal_police: 2,
        ..ResourceCounts::default()
    };
    let started = Instant::now();
    let mut highest = 0.0_f64;
    for row in &agenda {
        let assessment = model::score_event(&model, &row.features, &planned)?;
        highest = highest.max(assessment.overall_risk);
    }
    let scored = started.elapsed();
    println!(
        "score a 30-day agenda of {} events (with explanation and adequacy): {:.2} ms (target < 100 ms); highest risk {highest}",
        agenda.len(),
        scored.as_secs_f64() * 1e3
    );
    let json = serde_json_len(&model);
    println!("stored model: {json} bytes of JSON");

    let holdout_from = NaiveDate::from_ymd_opt(config.first_year + config.years as i32 - 2, 1, 1)
        .unwrap_or_default();
    let started = Instant::now();
    let (_, report) = backtest::backtest(
        &history.rows,
        holdout_from,
        &TrainOptions::default(),
        Some(&history.truth),
    )?;
    println!(
        "\nbacktest ({:.1} ms)",
        started.elapsed().as_secs_f64() * 1e3
    );
    print!("{}", report.table());
    let failures = report.floor_failures(&PUBLICATION_FLOORS);
    if failures.is_empty() {
        println!("all publication floors met");
    } else {
        println!("floors missed: {failures:?}");
    }
    Ok(())
}

/// Size of the model as the server would store it.
fn serde_json_len(model: &scoring::model::RiskModel) -> usize {
    serde_json::to_string(model).map_or(0, |json| json.len())
}
