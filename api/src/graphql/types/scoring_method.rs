//! The scoring method as a Data Protection Officer reads it: the current model's card
//! (inputs, learned effects with their coefficients, hand-set rules, backtest
//! figures, limits), the rule that flags overrides, and whether scoring runs.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use scoring::card::ModelCard as Card;

use crate::graphql::types::assessment::{RiskField, TrainingWindow};
use crate::graphql::types::decision::ScoringStatus;
use crate::services::scoring::PublishedModel;

/// The decision rules, in words (kept next to `oversight::override_reason`).
pub const DECISION_RULES: [&str; 5] = [
    "Scores are advice: a person decides, and every decision is recorded with its rationale and the assessment it answered.",
    "When a required kind of resource is planned below 100 % or not at all, the advice is to reinforce: deciding to MAINTAIN or REDUCE is flagged as an override.",
    "When the overall risk is high (7 or more out of 10), deciding to REDUCE is flagged as an override.",
    "When every required kind is planned at 150 % or more (or the risk requires nothing) and the risk is below 7, the deployment is oversized: deciding to REINFORCE is flagged as an override.",
    "POSTPONE, MOVE and CANCEL lower the exposure itself and are never overrides; without an assessment (scoring paused, no model) nothing is an override.",
];

/// How the platform scores events, and whether it currently does.
#[derive(SimpleObject)]
pub struct ScoringMethod {
    /// Whether scoring runs (it can be paused platform-wide).
    pub status: ScoringStatus,
    /// The current model's card; null until a model has been trained.
    pub model: Option<ModelCard>,
    /// When a decision is flagged as going against the advice, in words.
    pub decision_rules: Vec<String>,
}

/// One input of the model.
#[derive(SimpleObject)]
pub struct FeatureCard {
    /// Input name (a design column).
    pub name: String,
    /// What it measures.
    pub meaning: String,
}

/// One learned effect.
#[derive(SimpleObject)]
pub struct EffectCard {
    /// Input name.
    pub feature: String,
    /// The learned coefficient on the log scale.
    pub coefficient: f64,
    /// Its standard error.
    pub std_error: f64,
    /// How many times one unit of the input multiplies expected incidents.
    pub factor: f64,
    /// Lower end of the factor's 95 % interval.
    pub factor_low: f64,
    /// Upper end of the factor's 95 % interval.
    pub factor_high: f64,
    /// The effect in a sentence.
    pub words: String,
}

/// The model of one field.
#[derive(SimpleObject)]
pub struct FieldCard {
    /// The field.
    pub field: RiskField,
    /// The kind of count model, in words.
    pub model: String,
    /// Learned effects, largest first.
    pub effects: Vec<EffectCard>,
}

/// A rule set by hand (not learned).
#[derive(SimpleObject)]
pub struct RuleCard {
    /// What the rule is about (a resource kind, the rules version).
    pub topic: String,
    /// The rule in words.
    pub rule: String,
}

/// Backtest figures of one field, measured on held-out years.
#[derive(SimpleObject)]
pub struct BacktestFigures {
    /// The field.
    pub field: RiskField,
    /// Spearman rank correlation between predicted and observed incidents (1 = perfect order).
    pub spearman: f64,
    /// The same correlation for a baseline knowing person-hours alone: the model's gain is the difference.
    pub spearman_baseline: f64,
    /// Largest gap between observed and predicted incidents over the tenths of events by prediction, as a share.
    pub worst_decile_error: f64,
    /// How much less unexplained variation than the person-hours baseline, in %.
    pub deviance_reduction_percent: f64,
}

/// The card of the model that scores.
#[derive(SimpleObject)]
pub struct ModelCard {
    /// Model version, shown with every assessment.
    pub version: String,
    /// When it was trained (UTC).
    pub trained_at: DateTime<Utc>,
    /// Who trained it (a command, or the first start).
    pub trained_by: String,
    /// What the model is for and what it is not.
    pub purpose: String,
    /// What it learned from, and the absence of personal data.
    pub data: String,
    /// The history it learned from.
    pub training_window: TrainingWindow,
    /// Its inputs.
    pub features: Vec<FeatureCard>,
    /// Learned effects per field.
    pub fields: Vec<FieldCard>,
    /// Rules set by hand: DPS grid and adequacy rules, with their version.
    pub rules: Vec<RuleCard>,
    /// Backtest figures per field; empty when no backtest was run before publishing.
    pub backtest: Vec<BacktestFigures>,
    /// Share of known true effects inside the model's 95 % intervals; null when the history's process has no coefficients to compare (the synthetic history is not drawn from the model's formula).
    pub backtest_coverage: Option<f64>,
    /// Measured performance, in sentences.
    pub performance: Vec<String>,
    /// Known limits.
    pub limitations: Vec<String>,
    /// The whole card as plain text.
    pub text: String,
}

impl ModelCard {
    /// The card of a published model.
    pub fn new(published: &PublishedModel) -> Self {
        let model = &published.model;
        let card: Card = scoring::model_card(model);
        let text = card.to_text();
        let fields = card
            .fields
            .into_iter()
            .zip(&model.fields)
            .map(|(field, fitted)| FieldCard {
                field: fitted.field.into(),
                model: field.model,
                effects: field
                    .effects
                    .into_iter()
                    .map(|e| {
                        let coefficient = fitted.coefficients.iter().find(|c| c.name == e.feature);
                        EffectCard {
                            coefficient: coefficient.map_or(e.factor.ln(), |c| c.estimate),
                            std_error: coefficient.map_or(0.0, |c| c.std_error),
                            feature: e.feature,
                            factor: e.factor,
                            factor_low: e.factor_low,
                            factor_high: e.factor_high,
                            words: e.words,
                        }
                    })
                    .collect(),
            })
            .collect();
        let (backtest, backtest_coverage) = match &model.backtest {
            Some(summary) => (
                summary
                    .fields
                    .iter()
                    .map(|f| BacktestFigures {
                        field: f.field.into(),
                        spearman: f.spearman,
                        spearman_baseline: f.spearman_baseline,
                        worst_decile_error: f.worst_decile_error,
                        deviance_reduction_percent: f.deviance_reduction_percent,
                    })
                    .collect(),
                summary.coverage,
            ),
            None => (Vec::new(), None),
        };
        ModelCard {
            version: card.version,
            trained_at: published.row.trained_at,
            trained_by: published.row.trained_by.clone(),
            purpose: card.purpose,
            data: card.data,
            training_window: TrainingWindow::new(
                card.training_window.first,
                card.training_window.last,
                card.training_window.events,
            ),
            features: card
                .features
                .into_iter()
                .map(|f| FeatureCard {
                    name: f.name,
                    meaning: f.meaning,
                })
                .collect(),
            fields,
            rules: card
                .rules
                .into_iter()
                .map(|r| RuleCard {
                    topic: r.topic,
                    rule: r.rule,
                })
                .collect(),
            backtest,
            backtest_coverage,
            performance: card.performance,
            limitations: card.limitations,
            text,
        }
    }
}
