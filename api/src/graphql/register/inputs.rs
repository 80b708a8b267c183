//! Inputs of the register's and DPIA's mutations, and their conversion to the
//! services' values (identifiers parsed, defaults filled).

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

use crate::error::ApiResult;
use crate::graphql::scalars::parse_id;
use crate::graphql::types::register::{EvaluationStatus, LegalBasis};
use crate::services::register::activities::ActivityInput;
use crate::services::register::content::{Answer, Evaluation, Measure, PeopleOpinion};
use crate::services::register::dpias::{DpiaDraft, DpoReview};

/// A processing activity of the register; `code` finds the entry to replace.
#[derive(InputObject)]
pub struct ProcessingActivityInput {
    /// Stable code: 1 to 64 lowercase letters, digits or '-'. An entry with this code is replaced.
    pub code: String,
    /// Name of the processing, 1 to 200 characters.
    pub name: String,
    /// What the processing does.
    #[graphql(default)]
    pub description: String,
    /// Functional contact of the controller (a service's address, never a private person's).
    pub controller_contact: String,
    /// Functional contact of the data protection officer.
    pub dpo_contact: String,
    /// Purposes; at least one.
    pub purposes: Vec<String>,
    /// Lawful basis.
    pub legal_basis: LegalBasis,
    /// The text grounding the lawful basis (law, deliberation).
    pub legal_basis_details: String,
    /// Categories of data subjects; at least one.
    pub data_subject_categories: Vec<String>,
    /// Categories of data; at least one.
    pub data_categories: Vec<String>,
    /// Recipients.
    #[graphql(default)]
    pub recipients: Vec<String>,
    /// Transfers outside the European Union; empty when none.
    #[graphql(default)]
    pub transfers: Vec<String>,
    /// How long data is kept, in days (1 to 36,500); data past it is purged.
    pub retention_days: i32,
    /// How the retention period was chosen.
    #[graphql(default)]
    pub retention_details: String,
    /// Security measures; at least one.
    pub security_measures: Vec<String>,
    /// The complete set of its sources, when given: listed sources join it, others leave it. An active source may only leave after being suspended, and only join an activity whose DPIA is validated.
    pub source_ids: Option<Vec<ID>>,
}

impl ProcessingActivityInput {
    /// The service's value.
    pub fn into_service(self) -> ApiResult<ActivityInput> {
        let source_ids = match self.source_ids {
            Some(ids) => Some(
                ids.iter()
                    .map(|id| parse_id(id, "input.sourceIds"))
                    .collect::<ApiResult<Vec<i64>>>()?,
            ),
            None => None,
        };
        Ok(ActivityInput {
            code: self.code,
            name: self.name,
            description: self.description,
            controller_contact: self.controller_contact,
            dpo_contact: self.dpo_contact,
            purposes: self.purposes,
            legal_basis: self.legal_basis.into(),
            legal_basis_details: self.legal_basis_details,
            data_subject_categories: self.data_subject_categories,
            data_categories: self.data_categories,
            recipients: self.recipients,
            transfers: self.transfers,
            retention_days: self.retention_days,
            retention_details: self.retention_details,
            security_measures: self.security_measures,
            source_ids,
        })
    }
}

/// The answer to one question of the CNIL questionnaire; it replaces any earlier answer to it.
#[derive(InputObject)]
pub struct DpiaAnswerInput {
    /// The question's integer id: 111-113, 121-123, 211-215, 221-227, 321-326, 331-336, 341-346.
    pub question_id: i32,
    /// Free text, or the justification of a gauge.
    pub text: Option<String>,
    /// Gauge from 1 to 4, for severity (x25) and likelihood (x26) questions only.
    pub gauge: Option<i32>,
    /// Items, for the risks' impacts, threats, sources and measures (x21 to x24) only.
    #[graphql(default)]
    pub list: Vec<String>,
}

/// A planned or existing measure.
#[derive(InputObject)]
pub struct DpiaMeasureInput {
    /// Number within the DPIA, unique; numbered after the highest given when omitted.
    pub number: Option<i32>,
    /// Title, 1 to 200 characters.
    pub title: String,
    /// Description.
    #[graphql(default)]
    pub content: String,
}

/// Whether and how the data subjects or their representatives were consulted.
#[derive(InputObject)]
pub struct DataSubjectsOpinionInput {
    /// Whether their opinion was sought.
    pub sought: bool,
    /// Who was consulted (bodies or panels, not private persons' contacts).
    #[graphql(default)]
    pub names: String,
    /// Their conclusion, when sought.
    pub favourable: Option<bool>,
    /// Their opinion, when sought.
    #[graphql(default)]
    pub opinion: String,
    /// Why it was not sought.
    #[graphql(default)]
    pub not_sought_reason: String,
}

fn answers(inputs: Vec<DpiaAnswerInput>) -> Vec<(i32, Answer)> {
    inputs
        .into_iter()
        .map(|a| {
            let answer = Answer {
                text: a.text,
                gauge: a.gauge,
                list: a.list,
            };
            (a.question_id, answer)
        })
        .collect()
}

fn measures(inputs: Vec<DpiaMeasureInput>) -> Vec<Measure> {
    let mut next = inputs.iter().filter_map(|m| m.number).max().unwrap_or(0);
    inputs
        .into_iter()
        .map(|m| Measure {
            number: m.number.unwrap_or_else(|| {
                next += 1;
                next
            }),
            title: m.title,
            content: m.content,
        })
        .collect()
}

fn people(input: DataSubjectsOpinionInput) -> PeopleOpinion {
    PeopleOpinion {
        searched: Some(input.sought),
        not_searched_reason: input.not_sought_reason,
        names: input.names,
        status: input.favourable.map(i32::from),
        opinion: input.opinion,
    }
}

/// A new DPIA, the first version for its processing activity.
#[derive(InputObject)]
pub struct CreateDpiaInput {
    /// The processing activity assessed; it must have no DPIA yet.
    pub processing_activity_id: ID,
    /// Title; "AIPD — <activity name>" when omitted.
    pub name: Option<String>,
    /// Author's name; the caller's when omitted.
    pub author_name: Option<String>,
    /// Answers to the CNIL questionnaire.
    #[graphql(default)]
    pub answers: Vec<DpiaAnswerInput>,
    /// Planned or existing measures.
    #[graphql(default)]
    pub measures: Vec<DpiaMeasureInput>,
    /// The data subjects' opinion.
    pub data_subjects_opinion: Option<DataSubjectsOpinionInput>,
}

impl CreateDpiaInput {
    /// The activity's id and the draft.
    pub fn into_service(self) -> ApiResult<(i64, DpiaDraft)> {
        let activity = parse_id(&self.processing_activity_id, "input.processingActivityId")?;
        let draft = DpiaDraft {
            name: self.name,
            author_name: self.author_name,
            answers: answers(self.answers),
            measures: Some(measures(self.measures)),
            people: self.data_subjects_opinion.map(people),
            applied_adjustments: None,
        };
        Ok((activity, draft))
    }
}

/// Changes to a DPIA; omitted parts keep their value.
#[derive(InputObject)]
pub struct UpdateDpiaInput {
    /// New title.
    pub name: Option<String>,
    /// New author's name.
    pub author_name: Option<String>,
    /// Answers to set; answers to other questions keep their value.
    #[graphql(default)]
    pub answers: Vec<DpiaAnswerInput>,
    /// The complete new list of measures.
    pub measures: Option<Vec<DpiaMeasureInput>>,
    /// The data subjects' opinion.
    pub data_subjects_opinion: Option<DataSubjectsOpinionInput>,
    /// What changed since a rejection or the previous version.
    pub applied_adjustments: Option<String>,
}

impl From<UpdateDpiaInput> for DpiaDraft {
    fn from(input: UpdateDpiaInput) -> Self {
        DpiaDraft {
            name: input.name,
            author_name: input.author_name,
            answers: answers(input.answers),
            measures: input.measures.map(measures),
            people: input.data_subjects_opinion.map(people),
            applied_adjustments: input.applied_adjustments,
        }
    }
}

/// The DPO's evaluation of one part of the DPIA.
#[derive(InputObject)]
pub struct DpiaEvaluationInput {
    /// The part: "1.1", "1.2", "2.1.211" to "2.1.215", "2.2.221" to "2.2.227", "3.1.<measure number>", "3.2", "3.3" or "3.4".
    pub reference_to: String,
    /// Verdict.
    pub status: EvaluationStatus,
    /// Re-evaluated severity, 0 (undefined) to 4; for the risks 3.2 to 3.4 only.
    #[graphql(default)]
    pub severity: i32,
    /// Re-evaluated likelihood, 0 (undefined) to 4; for the risks 3.2 to 3.4 only.
    #[graphql(default)]
    pub likelihood: i32,
    /// Corrective action to carry out (the action plan).
    #[graphql(default)]
    pub action_plan_comment: String,
    /// The evaluator's comment.
    #[graphql(default)]
    pub evaluation_comment: String,
    /// Who carries out the action (a function, not a private person).
    #[graphql(default)]
    pub person_in_charge: String,
    /// When the action should be done.
    pub estimated_implementation_date: Option<DateTime<Utc>>,
}

/// The DPO's opinion on a submitted DPIA.
#[derive(InputObject)]
pub struct RecordDpoOpinionInput {
    /// Whether the processing may be implemented.
    pub favourable: bool,
    /// The opinion and its reasons; required.
    pub opinion: String,
    /// The DPO's names; the caller's when omitted.
    pub dpo_names: Option<String>,
    /// The evaluation of each part; replaces earlier evaluations.
    #[graphql(default)]
    pub evaluations: Vec<DpiaEvaluationInput>,
}

impl From<RecordDpoOpinionInput> for DpoReview {
    fn from(input: RecordDpoOpinionInput) -> Self {
        DpoReview {
            favourable: input.favourable,
            opinion: input.opinion,
            names: input.dpo_names,
            evaluations: input
                .evaluations
                .into_iter()
                .map(|e| Evaluation {
                    reference_to: e.reference_to,
                    status: e.status.into(),
                    gauge_x: e.severity,
                    gauge_y: e.likelihood,
                    action_plan_comment: e.action_plan_comment,
                    evaluation_comment: e.evaluation_comment,
                    person_in_charge: e.person_in_charge,
                    estimated_implementation_date: e.estimated_implementation_date,
                })
                .collect(),
        }
    }
}
