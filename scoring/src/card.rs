//! The model card: what a stored model does, from what data, with which features,
//! effects, rules and measured performance, in words a Data Protection Officer can read
//! without the code. Plain structs (for the API to publish) plus a text rendering.

use serde::{Deserialize, Serialize};

use crate::adequacy::{RULES_VERSION, ResourceKind};
use crate::design;
use crate::model::{RiskModel, TrainingWindow};

/// One input of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureCard {
    /// Design column name.
    pub name: String,
    /// What it measures.
    pub meaning: String,
}

/// One learned effect, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectCard {
    /// Design column name.
    pub feature: String,
    /// Multiplicative effect of one unit of the feature on expected incidents.
    pub factor: f64,
    /// Lower end of its 95 % interval.
    pub factor_low: f64,
    /// Upper end of its 95 % interval.
    pub factor_high: f64,
    /// The sentence shown to readers.
    pub words: String,
}

/// The model of one field, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldCard {
    /// Field name.
    pub field: String,
    /// Family and dispersion, in words.
    pub model: String,
    /// Learned effects, largest first (intercept excluded).
    pub effects: Vec<EffectCard>,
}

/// A rule that is not learned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleCard {
    /// Resource kind or topic.
    pub topic: String,
    /// The rule in words.
    pub rule: String,
}

/// The whole card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// Model version.
    pub version: String,
    /// What the model is for and what it is not.
    pub purpose: String,
    /// What data it learned from, and the absence of personal data.
    pub data: String,
    /// Period learned from.
    pub training_window: TrainingWindow,
    /// Inputs.
    pub features: Vec<FeatureCard>,
    /// Learned effects per field.
    pub fields: Vec<FieldCard>,
    /// Rules set by hand (DPS grid, adequacy rules), with their version.
    pub rules: Vec<RuleCard>,
    /// Measured performance, in sentences (empty when no backtest was run).
    pub performance: Vec<String>,
    /// Known limits.
    pub limitations: Vec<String>,
}

const PURPOSE: &str = "Advises the supervision team on the expected load of public events in real units, each with an 80 % interval: police-relevant incidents (tranquillity), patients and hospital transfers (security), and the overload ratio of the site's exits (mobility: people leaving in the busiest half hour over what the metro and roads serving the site carry). Each load is read on a fixed 0-10 scale, requirements are derived from it with written ratios, and the planned deployment is measured against them. It is advice: a person decides, every decision is recorded with its rationale, and scoring can be paused.";
const DATA: &str = "The history the demo model learned from is SYNTHETIC: no real incident record is in it. Its events follow Marseille's agenda (OM's real 2022-23 home fixtures and attendances at the Orange Vélodrome, carried to every season), its days the real weather of Marignane and the real public and school holidays where the platform has imported them; its incidents are drawn by a process of its own, not by this model's formula. That process is calibrated on published figures: 0.992 patients and 0.027 hospital transfers per 1,000 attendees at events over 25,000 (Arbon 2001), outdoor venues x3.0 and heat x1.21 per 10 units (Intern Emerg Med 2016), a yearly volume of police-relevant incidents of about a third of the city's recorded offences (SSMSI departmental statistics, nuisance included) and of patients under a tenth of the Marins-pompiers' rescues of persons (about 330 interventions a day). Only counts and aggregates: no name, no image, no individual record about a person enters the model or this card.";
const LIMITATIONS: [&str; 7] = [
    "The history is synthetic: the figures below measure how well the model recovers a plausible world, not the real one. Real incident records per event are needed before the loads can be trusted beyond their orders of magnitude.",
    "The model cannot know what is not in its inputs: the identity of a venue or of an opponent (a derby draws more incidents than its attendance says unless past editions are known), the mood of a crowd, a single violent group, a last-minute change of plan.",
    "Effects are associations learned from history; they describe what usually happened, not what causes incidents.",
    "Events unlike any past event (a new kind of venue, an unheard-of crowd) are extrapolated and less reliable; the size effects are kept so that a larger crowd never lowers the load.",
    "Mobility capacity is computed, not learned: metro lines within 900 m (RTM GTFS), an evening timetable assumed at a train every 5 minutes with 350 free places, and a road, bus and walking figure by kind of venue.",
    "Hospital transfers are a fixed share of patients (0.027 / 0.992); the model does not learn them.",
    "Requirements other than the DPS grid are the platform's planning defaults with their written sources, not legal obligations.",
];

fn effect_words(field: &str, feature: &str, factor: f64, low: f64, high: f64) -> String {
    let change = if factor >= 1.0 {
        format!("+{:.0} %", 100.0 * (factor - 1.0))
    } else {
        format!("-{:.0} %", 100.0 * (1.0 - factor))
    };
    let certainty = if low <= 1.0 && high >= 1.0 {
        "; the data cannot tell it from no effect"
    } else {
        ""
    };
    format!(
        "one unit of {feature} multiplies expected {field} incidents by {factor:.2} ({change}; 95 % interval {low:.2} to {high:.2}){certainty}"
    )
}

/// Builds the card of a model.
pub fn model_card(model: &RiskModel) -> ModelCard {
    let features = design::columns()
        .into_iter()
        .skip(1)
        .map(|(name, meaning)| FeatureCard {
            name: name.to_string(),
            meaning: meaning.to_string(),
        })
        .collect();
    let fields = model
        .fields
        .iter()
        .map(|field| {
            let name = field.field.as_str();
            let mut effects: Vec<EffectCard> = field
                .coefficients
                .iter()
                .skip(1)
                .map(|c| {
                    let (low, high) = c.interval_95();
                    let (factor, factor_low, factor_high) = (c.estimate.exp(), low.exp(), high.exp());
                    EffectCard {
                        feature: c.name.clone(),
                        factor,
                        factor_low,
                        factor_high,
                        words: effect_words(name, &c.name, factor, factor_low, factor_high),
                    }
                })
                .collect();
            effects.sort_by(|a, b| b.factor.ln().abs().total_cmp(&a.factor.ln().abs()));
            let model_words = match field.theta {
                Some(theta) => format!(
                    "negative-binomial count model, log link, rate per 1,000 attendees; extra variation theta = {theta:.2} (events alike on paper still differ by about {:.0} %)",
                    100.0 / theta.sqrt()
                ),
                None => "Poisson count model, log link, rate per 1,000 attendees".to_string(),
            };
            FieldCard { field: name.to_string(), model: model_words, effects }
        })
        .collect();
    let mut rules = vec![RuleCard {
        topic: "adequacy rules version".into(),
        rule: format!(
            "{RULES_VERSION}; adequacy = planned / required; overall = the least covered required kind, and separately all planned over all required people"
        ),
    }];
    rules.extend(ResourceKind::ALL.iter().map(|kind| RuleCard {
        topic: format!("{kind:?}"),
        rule: kind.rule().to_string(),
    }));
    rules.extend(crate::calibration::scales().into_iter().map(|scale| {
        let points: Vec<String> = scale
            .points
            .iter()
            .map(|(load, risk)| format!("{risk} at {load}"))
            .collect();
        RuleCard {
            topic: format!(
                "{} scale ({})",
                scale.field.as_str(),
                crate::calibration::SCALE_VERSION
            ),
            rule: format!(
                "fixed reference points on the expected {}: {}; log-linear in between",
                match scale.field {
                    crate::features::Field::Tranquillity => "police-relevant incidents",
                    crate::features::Field::Security => "patients",
                    crate::features::Field::Mobility => "overload ratio",
                },
                points.join(", ")
            ),
        }
    }));
    let performance = model.backtest.as_ref().map_or_else(Vec::new, |summary| {
        let mut lines = vec![format!(
            "Trained on {} events ({} to {}), tested on {} later events ({} to {}).",
            summary.train_window.events,
            summary.train_window.first,
            summary.train_window.last,
            summary.test_window.events,
            summary.test_window.first,
            summary.test_window.last
        )];
        lines.extend(summary.fields.iter().map(|f| {
            format!(
                "{}: rank agreement with observed incidents {:.2} (1 = perfect order), against {:.2} for person-hours alone; in every tenth of events by prediction the incidents observed were within {:.0} % of those predicted; {:.0} % less unexplained variation than person-hours alone.",
                f.field.as_str(),
                f.spearman,
                f.spearman_baseline,
                100.0 * f.worst_decile_error,
                f.deviance_reduction_percent
            )
        }));
        if let Some(coverage) = summary.coverage {
            lines.push(format!(
                "On synthetic history with known effects, {:.0} % of the true effects lay inside the model's 95 % intervals.",
                100.0 * coverage
            ));
        }
        lines
    });
    ModelCard {
        version: model.version.clone(),
        purpose: PURPOSE.into(),
        data: DATA.into(),
        training_window: model.training_window,
        features,
        fields,
        rules,
        performance,
        limitations: LIMITATIONS.iter().map(|s| (*s).to_string()).collect(),
    }
}

impl ModelCard {
    /// The card as plain text.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Model card: risk model {}\n\nPurpose\n  {}\n\nData\n  {}\n  Period: {} to {} ({} events).\n\nInputs\n",
            self.version,
            self.purpose,
            self.data,
            self.training_window.first,
            self.training_window.last,
            self.training_window.events
        );
        for feature in &self.features {
            out.push_str(&format!("  - {}: {}\n", feature.name, feature.meaning));
        }
        for field in &self.fields {
            out.push_str(&format!("\nField {}: {}\n", field.field, field.model));
            for effect in &field.effects {
                out.push_str(&format!("  - {}\n", effect.words));
            }
        }
        out.push_str("\nRules set by hand\n  - first aid: national DPS grid (arrêté of 7 November 2006), computed exactly\n");
        for rule in &self.rules {
            out.push_str(&format!("  - {}: {}\n", rule.topic, rule.rule));
        }
        out.push_str("\nMeasured performance\n");
        if self.performance.is_empty() {
            out.push_str("  No backtest recorded with this model.\n");
        }
        for line in &self.performance {
            out.push_str(&format!("  {line}\n"));
        }
        out.push_str("\nLimits\n");
        for line in &self.limitations {
            out.push_str(&format!("  - {line}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Field;
    use crate::history::{self, CalendarInputs, GeneratorConfig};
    use crate::model::{TrainOptions, train};

    #[test]
    fn the_card_names_every_feature_effect_rule_and_limit_in_words() {
        let config = GeneratorConfig {
            first_year: 2023,
            years: 1,
            ..GeneratorConfig::default()
        };
        let history = history::generate(&config, &CalendarInputs::default()).unwrap();
        let model = train(
            &history.rows,
            &TrainOptions {
                version: Some("card-test".into()),
                ..TrainOptions::default()
            },
        )
        .unwrap();
        let card = model_card(&model);
        assert_eq!(
            card.features.len(),
            design::COLUMN_COUNT - 1,
            "every column but the intercept"
        );
        assert_eq!(card.fields.len(), 3);
        assert!(
            card.fields
                .iter()
                .all(|f| f.effects.len() == design::COLUMN_COUNT - 1)
        );
        assert_eq!(
            card.rules.len(),
            ResourceKind::ALL.len() + 1 + Field::ALL.len(),
            "the rules version, one rule per kind, one scale per field"
        );
        assert!(card.performance.is_empty(), "no backtest attached");
        let text = card.to_text();
        for expected in [
            "card-test",
            "category_football_match",
            "multiplies expected security incidents",
            "DPS grid",
            RULES_VERSION,
            "SYNTHETIC",
            "cannot know",
            "security scale",
        ] {
            assert!(
                text.contains(expected),
                "the text should mention {expected}"
            );
        }
    }
}
