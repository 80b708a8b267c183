//! A DPIA version as the schema shows it: its workflow state, the CNIL
//! questionnaire's answers, measures, evaluations and opinions.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::{DpiaStatus, EvaluationStatus, ProcessingActivity};
use crate::services::register::content::{Answer, Evaluation, Measure};
use crate::services::register::questions::{self, QuestionKind};
use crate::services::register::store::Document;
use crate::services::register::{activities, workflow};

/// How a question of the CNIL questionnaire is answered.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DpiaQuestionKind {
    /// Free text.
    Text,
    /// A list of short items (impacts, threats, sources, measures).
    List,
    /// A gauge from 1 (negligible) to 4 (maximum) with a justifying text.
    Gauge,
}

/// A DPIA version.
pub struct Dpia(pub Arc<Document>);

impl Dpia {
    /// Wraps a loaded version.
    pub fn new(document: Document) -> Self {
        Dpia(Arc::new(document))
    }
}

/// A DPIA version.
#[Object]
impl Dpia {
    /// Identifier of this version.
    async fn id(&self) -> ID {
        ID(self.0.model.id.to_string())
    }
    /// Version number within its processing activity, from 1.
    async fn version(&self) -> i32 {
        self.0.model.version
    }
    /// The version this one was made from.
    async fn previous_version_id(&self) -> Option<ID> {
        self.0
            .model
            .previous_version_id
            .map(|id| ID(id.to_string()))
    }
    /// Identifier of the processing activity assessed.
    async fn processing_activity_id(&self) -> ID {
        ID(self.0.model.processing_activity_id.to_string())
    }
    /// The processing activity assessed.
    async fn processing_activity(&self, ctx: &Context<'_>) -> Result<ProcessingActivity> {
        let db = ctx.data::<DatabaseConnection>()?;
        let view = activities::get(db, self.0.model.processing_activity_id).await?;
        Ok(ProcessingActivity(Arc::new(view)))
    }
    /// Workflow status.
    async fn status(&self) -> DpiaStatus {
        self.0.model.status.into()
    }
    /// Status code in the CNIL PIA tool: 0 in progress, 1 rejected, 2 simple validation, 3 signed validation, 4 archived.
    async fn cnil_status(&self) -> i32 {
        workflow::cnil_status(self.0.model.status, self.0.model.signed)
    }
    /// Whether the content is frozen; changing a frozen version makes a new one.
    async fn frozen(&self) -> bool {
        workflow::is_frozen(self.0.model.status)
    }
    /// Title.
    async fn name(&self) -> &str {
        &self.0.content.name
    }
    /// Author's name.
    async fn author_name(&self) -> &str {
        &self.0.content.author_name
    }
    /// Evaluator's name (the DPO's names once the opinion is recorded).
    async fn evaluator_name(&self) -> &str {
        &self.0.content.evaluator_name
    }
    /// Name of the admin who validated or rejected it.
    async fn validator_name(&self) -> &str {
        &self.0.content.validator_name
    }
    /// Answers to the CNIL questionnaire, by question id.
    async fn answers(&self) -> Vec<DpiaAnswer> {
        let answers = self.0.content.answers.iter();
        answers
            .map(|(id, a)| DpiaAnswer::new(*id, a.clone()))
            .collect()
    }
    /// Planned or existing measures (CNIL section 3.1).
    async fn measures(&self) -> Vec<DpiaMeasure> {
        self.0
            .content
            .measures
            .iter()
            .cloned()
            .map(DpiaMeasure)
            .collect()
    }
    /// The DPO's evaluations of each part.
    async fn evaluations(&self) -> Vec<DpiaEvaluation> {
        self.0
            .content
            .evaluations
            .iter()
            .cloned()
            .map(DpiaEvaluation)
            .collect()
    }
    /// The action plan: evaluations that call for a corrective action.
    async fn action_plan(&self) -> Vec<DpiaEvaluation> {
        let evaluations = self.0.content.evaluations.iter();
        evaluations
            .filter(|e| !e.action_plan_comment.trim().is_empty())
            .cloned()
            .map(DpiaEvaluation)
            .collect()
    }
    /// The DPO's opinion, once recorded.
    async fn dpo_opinion(&self) -> Option<DpoOpinion> {
        let dpo = &self.0.content.dpo;
        dpo.status.map(|status| DpoOpinion {
            favourable: status == 1,
            opinion: dpo.opinion.clone(),
            names: dpo.names.clone(),
        })
    }
    /// The data subjects' opinion, once the author says whether it was sought.
    async fn data_subjects_opinion(&self) -> Option<DataSubjectsOpinion> {
        let people = &self.0.content.people;
        people.searched.map(|sought| DataSubjectsOpinion {
            sought,
            names: people.names.clone(),
            favourable: people.status.map(|s| s == 1),
            opinion: people.opinion.clone(),
            not_sought_reason: people.not_searched_reason.clone(),
        })
    }
    /// Why an admin rejected it.
    async fn rejection_reason(&self) -> &str {
        &self.0.content.rejection_reason
    }
    /// What the author changed after a rejection or since the previous version.
    async fn applied_adjustments(&self) -> &str {
        &self.0.content.applied_adjustments
    }
    /// Whether the validation was signed (CNIL status 3) rather than simple (2).
    async fn signed(&self) -> bool {
        self.0.model.signed
    }
    /// When it was validated.
    async fn validated_at(&self) -> Option<DateTime<Utc>> {
        self.0.model.validated_at
    }
    /// The CNIL's reference of the submission.
    async fn cnil_reference(&self) -> Option<&str> {
        self.0.model.cnil_reference.as_deref()
    }
    /// When it was sent to the CNIL.
    async fn cnil_submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model.cnil_submitted_at
    }
    /// The CNIL's answer.
    async fn cnil_answer(&self) -> Option<&str> {
        self.0.model.cnil_answer.as_deref()
    }
    /// Whether the CNIL's answer allows the processing.
    async fn cnil_favourable(&self) -> Option<bool> {
        self.0.model.cnil_favourable
    }
    /// When the CNIL answered.
    async fn cnil_answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.model.cnil_answered_at
    }
    /// When this version was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model.created_at
    }
    /// When this version last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model.updated_at
    }
}

/// The answer to one question of the CNIL questionnaire.
pub struct DpiaAnswer {
    question_id: i32,
    answer: Answer,
}

impl DpiaAnswer {
    pub(super) fn new(question_id: i32, answer: Answer) -> Self {
        DpiaAnswer {
            question_id,
            answer,
        }
    }
}

/// The answer to one question of the CNIL questionnaire.
#[Object]
impl DpiaAnswer {
    /// The question's integer id in the CNIL PIA tool (111 to 346).
    async fn question_id(&self) -> i32 {
        self.question_id
    }
    /// The questionnaire's item it belongs to, e.g. "1.1" or "3.2".
    async fn item(&self) -> Option<&'static str> {
        questions::item_of(self.question_id).map(|item| item.reference)
    }
    /// The question in English.
    async fn question(&self) -> Option<&'static str> {
        questions::find(self.question_id).map(|q| q.title_en)
    }
    /// The question in French, as the CNIL tool shows it.
    async fn question_fr(&self) -> Option<&'static str> {
        questions::find(self.question_id).map(|q| q.title_fr)
    }
    /// How the question is answered.
    async fn kind(&self) -> Option<DpiaQuestionKind> {
        questions::find(self.question_id).map(|q| match q.kind {
            QuestionKind::Text => DpiaQuestionKind::Text,
            QuestionKind::List => DpiaQuestionKind::List,
            QuestionKind::Gauge => DpiaQuestionKind::Gauge,
        })
    }
    /// Free text, or the justification of a gauge.
    async fn text(&self) -> Option<&str> {
        self.answer.text.as_deref()
    }
    /// Gauge from 1 (negligible) to 4 (maximum), for severity and likelihood questions.
    async fn gauge(&self) -> Option<i32> {
        self.answer.gauge
    }
    /// List items, for the risks' impacts, threats, sources and measures.
    async fn list(&self) -> &[String] {
        &self.answer.list
    }
}

/// A planned or existing measure.
pub struct DpiaMeasure(pub Measure);

/// A planned or existing measure.
#[Object]
impl DpiaMeasure {
    /// Number within the DPIA; evaluations name the measure "3.1.<number>".
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Description.
    async fn content(&self) -> &str {
        &self.0.content
    }
}

/// The DPO's evaluation of one part of a DPIA, with its action plan.
pub struct DpiaEvaluation(pub Evaluation);

/// The DPO's evaluation of one part of a DPIA, with its action plan.
#[Object]
impl DpiaEvaluation {
    /// The part evaluated, as the CNIL tool names it: "1.1", "2.1.211", "3.1.<measure number>", "3.2".
    async fn reference_to(&self) -> &str {
        &self.0.reference_to
    }
    /// Verdict.
    async fn status(&self) -> EvaluationStatus {
        self.0.status.into()
    }
    /// Re-evaluated severity after the action plan (0 undefined, 1 to 4; risks 3.2 to 3.4 only).
    async fn severity(&self) -> i32 {
        self.0.gauge_x
    }
    /// Re-evaluated likelihood after the action plan (0 undefined, 1 to 4; risks 3.2 to 3.4 only).
    async fn likelihood(&self) -> i32 {
        self.0.gauge_y
    }
    /// Corrective action to carry out.
    async fn action_plan_comment(&self) -> &str {
        &self.0.action_plan_comment
    }
    /// The evaluator's comment.
    async fn evaluation_comment(&self) -> &str {
        &self.0.evaluation_comment
    }
    /// Who carries out the action (a function, not a private person).
    async fn person_in_charge(&self) -> &str {
        &self.0.person_in_charge
    }
    /// When the action should be done.
    async fn estimated_implementation_date(&self) -> Option<DateTime<Utc>> {
        self.0.estimated_implementation_date
    }
}

/// The DPO's opinion on a DPIA.
#[derive(SimpleObject)]
pub struct DpoOpinion {
    /// Whether the processing may be implemented.
    pub favourable: bool,
    /// The opinion and its reasons.
    pub opinion: String,
    /// The DPO's names.
    pub names: String,
}

/// Whether and how the data subjects or their representatives were consulted.
#[derive(SimpleObject)]
pub struct DataSubjectsOpinion {
    /// Whether their opinion was sought.
    pub sought: bool,
    /// Who was consulted.
    pub names: String,
    /// Their conclusion, when sought.
    pub favourable: Option<bool>,
    /// Their opinion, when sought.
    pub opinion: String,
    /// Why it was not sought.
    pub not_sought_reason: String,
}
