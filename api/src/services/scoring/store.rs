//! How an assessment is stored and read back: the inputs fingerprint, the row built
//! from `scoring::model::Assessment`, and the JSON parts (requirements, adequacy,
//! explanation) decoded for the API.

use chrono::{DateTime, Utc};
use entity::assessment;
use scoring::adequacy::{Adequacy, Requirement, ResourceCounts};
use scoring::explain::Explanation;
use scoring::features::{EventFeatures, Field};
use scoring::load::EventLoad;
use scoring::model::Assessment;
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

/// SHA-256 (hex) of what a score depends on: the model version, the features and the
/// planned deployment. Serde's field order is the struct's, so the text is canonical.
pub fn fingerprint(
    model_version: &str,
    features: &EventFeatures,
    planned: &ResourceCounts,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(model_version.as_bytes());
    hasher.update(b"\n");
    hasher.update(serde_json::to_vec(features).unwrap_or_default());
    hasher.update(b"\n");
    hasher.update(serde_json::to_vec(planned).unwrap_or_default());
    hex::encode(hasher.finalize())
}

/// `required_json`: the counts by kind, and each requirement with its basis (absent
/// from assessments stored before requirements were explained).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredRequired {
    #[serde(flatten)]
    counts: ResourceCounts,
    #[serde(default)]
    requirements: Vec<Requirement>,
}

/// `explanation_json`: the explanation, and the expected load (absent from
/// assessments stored before loads were computed).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredExplanation {
    #[serde(flatten)]
    explanation: Explanation,
    #[serde(default)]
    load: Option<EventLoad>,
}

fn json<T: serde::Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

/// Longest stored trigger text.
const TRIGGER_MAX_CHARS: usize = 500;

/// The row of a new assessment; `trigger` says what caused it.
pub fn to_row(
    event_id: i64,
    scored: &Assessment,
    features: &EventFeatures,
    fingerprint: String,
    now: DateTime<Utc>,
    trigger: &str,
) -> ApiResult<assessment::ActiveModel> {
    let field = |f: Field| scored.fields.iter().find(|s| s.field == f).copied();
    let risk = |f: Field| field(f).map_or(0.0, |s| s.risk);
    let expected = |f: Field| field(f).map_or(0.0, |s| s.expected_incidents);
    Ok(assessment::ActiveModel {
        event_id: Set(event_id),
        model_version: Set(scored.model_version.clone()),
        rules_version: Set(scored.rules_version.clone()),
        inputs_fingerprint: Set(fingerprint),
        risk_overall: Set(scored.overall_risk),
        risk_tranquillity: Set(risk(Field::Tranquillity)),
        risk_security: Set(risk(Field::Security)),
        risk_mobility: Set(risk(Field::Mobility)),
        expected_tranquillity: Set(expected(Field::Tranquillity)),
        expected_security: Set(expected(Field::Security)),
        expected_mobility: Set(expected(Field::Mobility)),
        required_json: Set(json(&StoredRequired {
            counts: scored.required,
            requirements: scored.requirements.clone(),
        })?),
        adequacy_json: Set(json(&scored.adequacy)?),
        adequacy_overall: Set(scored.adequacy.overall_percent),
        adequacy_weighted: Set(scored.adequacy.weighted_percent),
        first_aid_ris: Set(scored.first_aid.ris),
        first_aid_workers: Set(i32::try_from(scored.first_aid.workers).unwrap_or(i32::MAX)),
        dps_type: Set(serde_json::to_value(scored.first_aid.dps_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()),
        explanation_json: Set(json(&StoredExplanation {
            explanation: scored.explanation.clone(),
            load: Some(scored.load),
        })?),
        features_json: Set(json(features)?),
        computed_at: Set(now),
        triggered_by: Set(Some(trigger.chars().take(TRIGGER_MAX_CHARS).collect())),
        ..Default::default()
    })
}

/// The JSON parts of a stored assessment.
#[derive(Debug, Clone)]
pub struct StoredDetails {
    /// Required resources by kind.
    pub required: ResourceCounts,
    /// Each requirement with the load and ratio it comes from.
    pub requirements: Vec<Requirement>,
    /// Planned against required, by kind.
    pub adequacy: Adequacy,
    /// Contributions of each feature, per field.
    pub explanation: Explanation,
    /// Expected load in real units with intervals; `None` for older assessments.
    pub load: Option<EventLoad>,
}

/// Decodes the JSON parts; a row that does not decode is an internal error (it was
/// written by this code).
pub fn details(row: &assessment::Model) -> ApiResult<StoredDetails> {
    let required: StoredRequired =
        serde_json::from_str(&row.required_json).map_err(ApiError::internal)?;
    let explanation: StoredExplanation =
        serde_json::from_str(&row.explanation_json).map_err(ApiError::internal)?;
    Ok(StoredDetails {
        required: required.counts,
        requirements: required.requirements,
        adequacy: serde_json::from_str(&row.adequacy_json).map_err(ApiError::internal)?,
        explanation: explanation.explanation,
        load: explanation.load,
    })
}

/// The stored DPS level, read back.
pub fn dps_type(row: &assessment::Model) -> scoring::dps::DpsType {
    serde_json::from_value(serde_json::Value::String(row.dps_type.clone()))
        .unwrap_or(scoring::dps::DpsType::None)
}
