//! The CNIL PIA tool's file format: one JSON object `{pia, answers, measures,
//! evaluations, comments}` (DESIGN §8). Export writes it from a DPIA version; import
//! reads one back into DPIA content, checked like any other input.
//!
//! The tool's own files spell two fields `rejected_reason` and
//! `applied_adjustements` in some versions; import accepts both spellings.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use entity::register::dpia;
use entity::register::dpia_evaluation::EvaluationStatus;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::services::register::content::{
    Answer, DpiaContent, DpoOpinion, Evaluation, Measure, PeopleOpinion,
};
use crate::services::register::workflow;

/// The whole file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PiaFile {
    /// The assessment's header.
    pub pia: PiaHeader,
    /// One entry per answered question.
    #[serde(default)]
    pub answers: Vec<PiaAnswer>,
    /// Planned or existing measures.
    #[serde(default)]
    pub measures: Vec<PiaMeasure>,
    /// Evaluations and their action plans.
    #[serde(default)]
    pub evaluations: Vec<PiaEvaluation>,
    /// Reviewers' comments; the platform keeps none, so export writes `[]`.
    #[serde(default)]
    pub comments: Vec<serde_json::Value>,
}

/// `pia`: the header.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PiaHeader {
    /// Title.
    pub name: String,
    /// The tool's category; the platform leaves it empty.
    #[serde(default, deserialize_with = "text")]
    pub category: String,
    /// 0 in progress, 1 rejected, 2 simple validation, 3 signed validation, 4 archived.
    #[serde(default)]
    pub status: i32,
    /// Author.
    #[serde(default, deserialize_with = "text")]
    pub author_name: String,
    /// Evaluator.
    #[serde(default, deserialize_with = "text")]
    pub evaluator_name: String,
    /// Validator.
    #[serde(default, deserialize_with = "text")]
    pub validator_name: String,
    /// DPO's conclusion (0 should not be implemented, 1 may be).
    #[serde(default)]
    pub dpo_status: Option<i32>,
    /// DPO's opinion.
    #[serde(default, deserialize_with = "text")]
    pub dpo_opinion: String,
    /// DPO's names.
    #[serde(default, deserialize_with = "text")]
    pub dpos_names: String,
    /// Data subjects consulted.
    #[serde(default, deserialize_with = "text")]
    pub people_names: String,
    /// Data subjects' conclusion (0 or 1).
    #[serde(default)]
    pub concerned_people_status: Option<i32>,
    /// Data subjects' opinion.
    #[serde(default, deserialize_with = "text")]
    pub concerned_people_opinion: String,
    /// Whether their opinion was sought.
    #[serde(default)]
    pub concerned_people_searched_opinion: Option<bool>,
    /// Why it was not sought.
    #[serde(default, deserialize_with = "text")]
    pub concerned_people_searched_content: String,
    /// Why the assessment was rejected.
    #[serde(default, alias = "rejected_reason", deserialize_with = "text")]
    pub rejection_reason: String,
    /// What was changed after a rejection.
    #[serde(default, alias = "applied_adjustements", deserialize_with = "text")]
    pub applied_adjustments: String,
    /// Creation time (RFC 3339, milliseconds, `Z`).
    #[serde(default, deserialize_with = "text")]
    pub created_at: String,
    /// Last change (RFC 3339, milliseconds, `Z`).
    #[serde(default, deserialize_with = "text")]
    pub updated_at: String,
}

/// `answers[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PiaAnswer {
    /// The question's integer id.
    pub reference_to: i32,
    /// The answer.
    pub data: PiaAnswerData,
    /// Creation time.
    #[serde(default, deserialize_with = "text")]
    pub created_at: String,
}

/// `answers[].data`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PiaAnswerData {
    /// Free text or a gauge's justification.
    #[serde(default)]
    pub text: Option<String>,
    /// Gauge 1 to 4 (0 or null: not set).
    #[serde(default)]
    pub gauge: Option<i32>,
    /// List items.
    #[serde(default, deserialize_with = "list")]
    pub list: Vec<String>,
}

/// `measures[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PiaMeasure {
    /// Number; evaluations name the measure `3.1.<id>`.
    pub id: i32,
    /// Title.
    #[serde(default, deserialize_with = "text")]
    pub title: String,
    /// Description.
    #[serde(default, deserialize_with = "text")]
    pub content: String,
    /// The tool's placeholder; empty.
    #[serde(default, deserialize_with = "text")]
    pub placeholder: String,
    /// Creation time.
    #[serde(default, deserialize_with = "text")]
    pub created_at: String,
}

/// `evaluations[]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PiaEvaluation {
    /// The part evaluated.
    pub reference_to: String,
    /// 0 pending, 1 to correct, 2 improvable, 3 acceptable.
    pub status: i32,
    /// 2 once evaluated, 0 before; derived, ignored on import.
    #[serde(default)]
    pub global_status: i32,
    /// Evaluator's comment.
    #[serde(default, deserialize_with = "text")]
    pub evaluation_comment: String,
    /// Corrective action.
    #[serde(default, deserialize_with = "text")]
    pub action_plan_comment: String,
    /// Re-evaluated severity (x) and likelihood (y).
    #[serde(default)]
    pub gauges: PiaGauges,
    /// Who carries out the action.
    #[serde(default, deserialize_with = "text")]
    pub person_in_charge: String,
    /// When the action should be done.
    #[serde(default)]
    pub estimated_implementation_date: Option<String>,
    /// When the evaluation was made; the platform does not track it.
    #[serde(default)]
    pub evaluation_date: Option<String>,
    /// Creation time.
    #[serde(default, deserialize_with = "text")]
    pub created_at: String,
}

/// `evaluations[].gauges`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct PiaGauges {
    /// Severity, 0 to 4.
    #[serde(default)]
    pub x: i32,
    /// Likelihood, 0 to 4.
    #[serde(default)]
    pub y: i32,
}

/// The tool writes `null` where it means empty text.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// The tool's timestamp shape: `2026-01-10T09:00:00.000Z`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// CNIL code of an evaluation verdict.
pub fn evaluation_code(status: EvaluationStatus) -> i32 {
    match status {
        EvaluationStatus::Pending => 0,
        EvaluationStatus::ToCorrect => 1,
        EvaluationStatus::Improvable => 2,
        EvaluationStatus::Acceptable => 3,
    }
}

fn evaluation_status(code: i32) -> Option<EvaluationStatus> {
    Some(match code {
        0 => EvaluationStatus::Pending,
        1 => EvaluationStatus::ToCorrect,
        2 => EvaluationStatus::Improvable,
        3 => EvaluationStatus::Acceptable,
        _ => return None,
    })
}

/// The file of one DPIA version.
pub fn export(model: &dpia::Model, content: &DpiaContent) -> PiaFile {
    let created = timestamp(model.created_at);
    PiaFile {
        pia: PiaHeader {
            name: content.name.clone(),
            category: String::new(),
            status: workflow::cnil_status(model.status, model.signed),
            author_name: content.author_name.clone(),
            evaluator_name: content.evaluator_name.clone(),
            validator_name: content.validator_name.clone(),
            dpo_status: content.dpo.status,
            dpo_opinion: content.dpo.opinion.clone(),
            dpos_names: content.dpo.names.clone(),
            people_names: content.people.names.clone(),
            concerned_people_status: content.people.status,
            concerned_people_opinion: content.people.opinion.clone(),
            concerned_people_searched_opinion: content.people.searched,
            concerned_people_searched_content: content.people.not_searched_reason.clone(),
            rejection_reason: content.rejection_reason.clone(),
            applied_adjustments: content.applied_adjustments.clone(),
            created_at: created.clone(),
            updated_at: timestamp(model.updated_at),
        },
        answers: content
            .answers
            .iter()
            .map(|(id, answer)| PiaAnswer {
                reference_to: *id,
                data: PiaAnswerData {
                    text: answer.text.clone(),
                    gauge: answer.gauge,
                    list: answer.list.clone(),
                },
                created_at: created.clone(),
            })
            .collect(),
        measures: content
            .measures
            .iter()
            .map(|m| PiaMeasure {
                id: m.number,
                title: m.title.clone(),
                content: m.content.clone(),
                placeholder: String::new(),
                created_at: created.clone(),
            })
            .collect(),
        evaluations: content
            .evaluations
            .iter()
            .map(|e| PiaEvaluation {
                reference_to: e.reference_to.clone(),
                status: evaluation_code(e.status),
                global_status: if e.status == EvaluationStatus::Pending {
                    0
                } else {
                    2
                },
                evaluation_comment: e.evaluation_comment.clone(),
                action_plan_comment: e.action_plan_comment.clone(),
                gauges: PiaGauges {
                    x: e.gauge_x,
                    y: e.gauge_y,
                },
                person_in_charge: e.person_in_charge.clone(),
                estimated_implementation_date: e.estimated_implementation_date.map(timestamp),
                evaluation_date: None,
                created_at: created.clone(),
            })
            .collect(),
        comments: Vec::new(),
    }
}

/// The JSON text of one DPIA version's file.
pub fn export_json(model: &dpia::Model, content: &DpiaContent) -> ApiResult<String> {
    serde_json::to_string_pretty(&export(model, content)).map_err(ApiError::internal)
}

/// Reads a CNIL PIA file into DPIA content, checked as the `file` argument.
/// The file's status, timestamps and comments are not taken: an import is a draft.
pub fn import(file: &str) -> ApiResult<DpiaContent> {
    let parsed: PiaFile = serde_json::from_str(file)
        .map_err(|e| ApiError::bad_input("file", format!("not a CNIL PIA file: {e}")))?;
    let mut answers = BTreeMap::new();
    for answer in parsed.answers {
        let data = answer.data;
        let value = Answer {
            text: data.text,
            // The tool writes 0 for a gauge not set yet.
            gauge: data.gauge.filter(|g| *g != 0),
            list: data.list,
        };
        if answers.insert(answer.reference_to, value).is_some() {
            return Err(ApiError::bad_input(
                format!("file.answers.{}", answer.reference_to),
                "a question is answered once",
            ));
        }
    }
    let measures = parsed
        .measures
        .into_iter()
        .map(|m| Measure {
            number: m.id,
            title: m.title,
            content: m.content,
        })
        .collect();
    let mut evaluations = Vec::with_capacity(parsed.evaluations.len());
    for e in parsed.evaluations {
        let at = format!("file.evaluations.{}", e.reference_to);
        let status = evaluation_status(e.status).ok_or_else(|| {
            ApiError::bad_input(format!("{at}.status"), "status goes from 0 to 3")
        })?;
        let estimated_implementation_date = match e.estimated_implementation_date.as_deref() {
            None | Some("") => None,
            Some(date) => Some(
                DateTime::parse_from_rfc3339(date)
                    .map_err(|_| {
                        ApiError::bad_input(
                            format!("{at}.estimated_implementation_date"),
                            "expected an RFC 3339 date-time",
                        )
                    })?
                    .with_timezone(&Utc),
            ),
        };
        evaluations.push(Evaluation {
            reference_to: e.reference_to,
            status,
            gauge_x: e.gauges.x,
            gauge_y: e.gauges.y,
            action_plan_comment: e.action_plan_comment,
            evaluation_comment: e.evaluation_comment,
            person_in_charge: e.person_in_charge,
            estimated_implementation_date,
        });
    }
    let pia = parsed.pia;
    let content = DpiaContent {
        name: pia.name,
        author_name: pia.author_name,
        evaluator_name: pia.evaluator_name,
        validator_name: pia.validator_name,
        dpo: DpoOpinion {
            status: pia.dpo_status,
            opinion: pia.dpo_opinion,
            names: pia.dpos_names,
        },
        people: PeopleOpinion {
            searched: pia.concerned_people_searched_opinion,
            not_searched_reason: pia.concerned_people_searched_content,
            names: pia.people_names,
            status: pia.concerned_people_status,
            opinion: pia.concerned_people_opinion,
        },
        rejection_reason: pia.rejection_reason,
        applied_adjustments: pia.applied_adjustments,
        answers,
        measures,
        evaluations,
    };
    let content = content.normalized();
    content.check("file")?;
    Ok(content)
}

#[cfg(test)]
#[path = "cnil_tests.rs"]
mod tests;
