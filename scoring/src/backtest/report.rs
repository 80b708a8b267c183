//! Reading a backtest: the summary kept with a published model, the floors it misses,
//! and a plain-text table for people.

use super::{BacktestReport, BacktestSummary, Coverage, FieldSummary, Floors};

impl BacktestReport {
    /// Share of true effects inside the intervals, over all fields (when known).
    pub fn coverage_share(&self) -> Option<f64> {
        let coverages: Vec<&Coverage> = self
            .fields
            .iter()
            .filter_map(|f| f.coverage.as_ref())
            .collect();
        let total: usize = coverages.iter().map(|c| c.total).sum();
        (total > 0).then(|| coverages.iter().map(|c| c.inside).sum::<usize>() as f64 / total as f64)
    }

    /// The figures to keep with a published model.
    pub fn summary(&self) -> BacktestSummary {
        BacktestSummary {
            train_window: self.train_window,
            test_window: self.test_window,
            fields: self
                .fields
                .iter()
                .map(|f| FieldSummary {
                    field: f.field,
                    spearman: f.spearman,
                    spearman_baseline: f.spearman_baseline,
                    worst_decile_error: f.worst_decile_error(),
                    deviance_reduction_percent: 100.0
                        * (1.0 - f.deviance_model / f.deviance_baseline),
                })
                .collect(),
            coverage: self.coverage_share(),
        }
    }

    /// Every floor the report misses, in words; empty when the model may be published.
    pub fn floor_failures(&self, floors: &Floors) -> Vec<String> {
        let mut failures = Vec::new();
        for f in &self.fields {
            let name = f.field.as_str();
            if f.spearman.is_nan() || f.spearman < floors.min_spearman {
                failures.push(format!(
                    "{name}: Spearman {:.3} < {}",
                    f.spearman, floors.min_spearman
                ));
            }
            for d in &f.deciles {
                match d.ratio() {
                    Some(ratio) if (ratio - 1.0).abs() <= floors.max_decile_error => {}
                    Some(ratio) => failures.push(format!(
                        "{name}: decile {} observed/predicted {ratio:.3}",
                        d.decile
                    )),
                    None if d.events > 0 => {
                        failures.push(format!("{name}: decile {} predicts nothing", d.decile))
                    }
                    None => {}
                }
            }
            if f.deviance_model.is_nan() || f.deviance_model >= f.deviance_baseline {
                failures.push(format!(
                    "{name}: deviance {:.0} not below person-hours baseline {:.0}",
                    f.deviance_model, f.deviance_baseline
                ));
            }
        }
        if let Some(share) = self.coverage_share()
            && share < floors.min_coverage
        {
            failures.push(format!(
                "true effects inside 95 % intervals: {:.1} % < {:.0} %",
                100.0 * share,
                100.0 * floors.min_coverage
            ));
        }
        failures
    }

    /// A plain-text table of the report.
    pub fn table(&self) -> String {
        let mut out = format!(
            "train {} .. {} ({} events), test {} .. {} ({} events)\n",
            self.train_window.first,
            self.train_window.last,
            self.train_window.events,
            self.test_window.first,
            self.test_window.last,
            self.test_window.events
        );
        out.push_str(
            "field         spearman  baseline spearman  gain    deviance  baseline  reduction  worst decile\n",
        );
        for f in &self.fields {
            out.push_str(&format!(
                "{:<12}  {:>8.3}  {:>17.3}  {:>+6.3}  {:>8.0}  {:>8.0}  {:>7.1} %  {:>10.1} %\n",
                f.field.as_str(),
                f.spearman,
                f.spearman_baseline,
                f.spearman - f.spearman_baseline,
                f.deviance_model,
                f.deviance_baseline,
                100.0 * (1.0 - f.deviance_model / f.deviance_baseline),
                100.0 * f.worst_decile_error()
            ));
        }
        out.push_str("observed/predicted by decile of prediction (0 = lowest):\n");
        for f in &self.fields {
            out.push_str(&format!("{:<12} ", f.field.as_str()));
            for d in &f.deciles {
                out.push_str(
                    &d.ratio()
                        .map_or("   -  ".to_string(), |r| format!(" {r:.2} ")),
                );
            }
            out.push('\n');
        }
        if let Some(share) = self.coverage_share() {
            out.push_str(&format!(
                "true effects inside fitted 95 % intervals: {:.1} %\n",
                100.0 * share
            ));
            let misses: Vec<&str> = self
                .fields
                .iter()
                .filter_map(|f| f.coverage.as_ref())
                .flat_map(|c| c.misses.iter().map(String::as_str))
                .collect();
            if !misses.is_empty() {
                out.push_str(&format!("missed: {}\n", misses.join(", ")));
            }
        }
        out
    }
}
