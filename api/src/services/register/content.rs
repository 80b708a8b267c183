//! The content of a DPIA version as one value: its CNIL fields, answers, measures
//! and evaluations. Export, import, comparison and the report all work on it, and
//! its checks run before anything is written.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use entity::register::dpia_evaluation::EvaluationStatus;

use crate::error::{ApiError, ApiResult};
use crate::services::register::questions::{self, QuestionKind};

/// Longest name or short field (names, titles, persons in charge).
pub const MAX_SHORT: usize = 200;
/// Longest free text: an answer, an opinion, a measure's description.
pub const MAX_TEXT: usize = 20_000;
/// Most items in one list answer.
pub const MAX_LIST_ITEMS: usize = 50;
/// Longest list item.
pub const MAX_LIST_ITEM: usize = 500;
/// Most measures in one DPIA.
pub const MAX_MEASURES: usize = 100;

/// The answer to one question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// Free text, or the justification of a gauge.
    pub text: Option<String>,
    /// Gauge from 1 to 4 (severity or likelihood questions only).
    pub gauge: Option<i32>,
    /// List items (risk questions x21 to x24 only).
    pub list: Vec<String>,
}

/// A planned or existing measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    /// Number within the DPIA, from 1; evaluations name it `3.1.<number>`.
    pub number: i32,
    /// Title.
    pub title: String,
    /// Description.
    pub content: String,
}

/// The evaluation of one part, with its action plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The part evaluated ("1.1", "2.1.211", "3.1.2", "3.2").
    pub reference_to: String,
    /// Verdict.
    pub status: EvaluationStatus,
    /// Re-evaluated severity (0 undefined, 1 to 4; risks only).
    pub gauge_x: i32,
    /// Re-evaluated likelihood (0 undefined, 1 to 4; risks only).
    pub gauge_y: i32,
    /// Corrective action.
    pub action_plan_comment: String,
    /// Evaluator's comment.
    pub evaluation_comment: String,
    /// Who carries out the action.
    pub person_in_charge: String,
    /// When the action should be done.
    pub estimated_implementation_date: Option<DateTime<Utc>>,
}

/// Whether and how the data subjects (or their representatives) were consulted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleOpinion {
    /// Whether their opinion was sought; `None` until the author says.
    pub searched: Option<bool>,
    /// Why it was not sought.
    pub not_searched_reason: String,
    /// Who was consulted.
    pub names: String,
    /// Their conclusion: 1 favourable, 0 not.
    pub status: Option<i32>,
    /// Their opinion.
    pub opinion: String,
}

/// The DPO's opinion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DpoOpinion {
    /// 1: the processing may be implemented; 0: it should not.
    pub status: Option<i32>,
    /// The opinion, with its reasons.
    pub opinion: String,
    /// The DPO's names.
    pub names: String,
}

/// Everything a DPIA version says, without its workflow state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DpiaContent {
    /// Title.
    pub name: String,
    /// Author.
    pub author_name: String,
    /// Evaluator.
    pub evaluator_name: String,
    /// Validator.
    pub validator_name: String,
    /// DPO's opinion.
    pub dpo: DpoOpinion,
    /// Data subjects' opinion.
    pub people: PeopleOpinion,
    /// Why the controller rejected it.
    pub rejection_reason: String,
    /// What was changed after a rejection.
    pub applied_adjustments: String,
    /// Answers by question id.
    pub answers: BTreeMap<i32, Answer>,
    /// Measures by number.
    pub measures: Vec<Measure>,
    /// Evaluations, in questionnaire order.
    pub evaluations: Vec<Evaluation>,
}

impl DpiaContent {
    /// The content with personal data redacted from every free text (answers,
    /// measures, opinions, comments, reasons): the register is read by other roles
    /// than its authors. Names of the people who signed (author, evaluator,
    /// validator, DPO) are the CNIL format's and stay.
    pub fn redacted(&self) -> DpiaContent {
        use crate::services::text::redact;
        let mut out = self.clone();
        for answer in out.answers.values_mut() {
            answer.text = answer.text.as_deref().map(redact);
            for item in &mut answer.list {
                *item = redact(item);
            }
        }
        for measure in &mut out.measures {
            measure.title = redact(&measure.title);
            measure.content = redact(&measure.content);
        }
        for evaluation in &mut out.evaluations {
            evaluation.action_plan_comment = redact(&evaluation.action_plan_comment);
            evaluation.evaluation_comment = redact(&evaluation.evaluation_comment);
        }
        out.dpo.opinion = redact(&out.dpo.opinion);
        out.people.opinion = redact(&out.people.opinion);
        out.people.not_searched_reason = redact(&out.people.not_searched_reason);
        out.rejection_reason = redact(&out.rejection_reason);
        out.applied_adjustments = redact(&out.applied_adjustments);
        out
    }
}

fn check_len(path: &str, value: &str, max: usize) -> ApiResult<()> {
    if value.chars().count() > max {
        return Err(ApiError::bad_input(
            path,
            format!("at most {max} characters"),
        ));
    }
    Ok(())
}

fn check_status(path: &str, value: Option<i32>) -> ApiResult<()> {
    if value.is_some_and(|v| !(0..=1).contains(&v)) {
        return Err(ApiError::bad_input(
            path,
            "must be 0 (unfavourable) or 1 (favourable)",
        ));
    }
    Ok(())
}

/// Checks one answer against its question's kind; `path` names it in errors.
pub fn check_answer(path: &str, question_id: i32, answer: &Answer) -> ApiResult<()> {
    let question = questions::find(question_id).ok_or_else(|| {
        ApiError::bad_input(
            path,
            format!("{question_id} is not a question of the CNIL questionnaire"),
        )
    })?;
    if let Some(text) = &answer.text {
        check_len(&format!("{path}.text"), text, MAX_TEXT)?;
    }
    let gauge_ok = match question.kind {
        QuestionKind::Gauge => answer.gauge.is_none_or(|g| (1..=4).contains(&g)),
        QuestionKind::Text | QuestionKind::List => answer.gauge.is_none(),
    };
    if !gauge_ok {
        let rule = if question.kind == QuestionKind::Gauge {
            "takes a gauge from 1 to 4"
        } else {
            "takes no gauge"
        };
        return Err(ApiError::bad_input(
            format!("{path}.gauge"),
            format!("question {question_id} {rule}"),
        ));
    }
    if question.kind != QuestionKind::List && !answer.list.is_empty() {
        return Err(ApiError::bad_input(
            format!("{path}.list"),
            format!("question {question_id} takes no list"),
        ));
    }
    if answer.list.len() > MAX_LIST_ITEMS {
        return Err(ApiError::bad_input(
            format!("{path}.list"),
            format!("at most {MAX_LIST_ITEMS} items"),
        ));
    }
    for item in &answer.list {
        if item.trim().is_empty() || item.chars().count() > MAX_LIST_ITEM {
            return Err(ApiError::bad_input(
                format!("{path}.list"),
                format!("each item has 1 to {MAX_LIST_ITEM} characters"),
            ));
        }
    }
    Ok(())
}

impl DpiaContent {
    /// The same content in canonical order: measures by number, evaluations in
    /// questionnaire order. Stored, exported and compared content is normalized.
    pub fn normalized(mut self) -> Self {
        self.measures.sort_by_key(|m| m.number);
        self.evaluations
            .sort_by_key(|e| questions::reference_order(&e.reference_to));
        self
    }

    /// Checks every rule a stored DPIA obeys, whatever its status. `prefix` is the
    /// path of the content in the operation's input.
    pub fn check(&self, prefix: &str) -> ApiResult<()> {
        let path = |field: &str| format!("{prefix}.{field}");
        if self.name.trim().is_empty() {
            return Err(ApiError::bad_input(path("name"), "a DPIA needs a name"));
        }
        for (field, value) in [
            ("name", &self.name),
            ("authorName", &self.author_name),
            ("evaluatorName", &self.evaluator_name),
            ("validatorName", &self.validator_name),
            ("dpoNames", &self.dpo.names),
            ("peopleOpinion.names", &self.people.names),
        ] {
            check_len(&path(field), value, MAX_SHORT)?;
        }
        for (field, value) in [
            ("dpoOpinion", &self.dpo.opinion),
            ("peopleOpinion.opinion", &self.people.opinion),
            (
                "peopleOpinion.notSearchedReason",
                &self.people.not_searched_reason,
            ),
            ("rejectionReason", &self.rejection_reason),
            ("appliedAdjustments", &self.applied_adjustments),
        ] {
            check_len(&path(field), value, MAX_TEXT)?;
        }
        check_status(&path("dpoStatus"), self.dpo.status)?;
        check_status(&path("peopleOpinion.favourable"), self.people.status)?;
        for (id, answer) in &self.answers {
            check_answer(&path(&format!("answers.{id}")), *id, answer)?;
        }
        if self.measures.len() > MAX_MEASURES {
            return Err(ApiError::bad_input(
                path("measures"),
                format!("at most {MAX_MEASURES} measures"),
            ));
        }
        let mut numbers = HashSet::new();
        for measure in &self.measures {
            let at = path(&format!("measures.{}", measure.number));
            if measure.number < 1 || !numbers.insert(measure.number) {
                return Err(ApiError::bad_input(
                    at,
                    "measure numbers are positive and unique",
                ));
            }
            if measure.title.trim().is_empty() {
                return Err(ApiError::bad_input(
                    format!("{at}.title"),
                    "a measure needs a title",
                ));
            }
            check_len(&format!("{at}.title"), &measure.title, MAX_SHORT)?;
            check_len(&format!("{at}.content"), &measure.content, MAX_TEXT)?;
        }
        let numbers: Vec<i32> = self.measures.iter().map(|m| m.number).collect();
        let mut references = HashSet::new();
        for evaluation in &self.evaluations {
            let at = path(&format!("evaluations.{}", evaluation.reference_to));
            if !questions::is_evaluation_reference(&evaluation.reference_to, &numbers) {
                return Err(ApiError::bad_input(
                    at,
                    format!(
                        "\"{}\" names no part of this DPIA that can be evaluated",
                        evaluation.reference_to
                    ),
                ));
            }
            if !references.insert(evaluation.reference_to.as_str()) {
                return Err(ApiError::bad_input(at, "a part is evaluated once"));
            }
            let gauges_ok = if questions::is_risk_reference(&evaluation.reference_to) {
                (0..=4).contains(&evaluation.gauge_x) && (0..=4).contains(&evaluation.gauge_y)
            } else {
                evaluation.gauge_x == 0 && evaluation.gauge_y == 0
            };
            if !gauges_ok {
                return Err(ApiError::bad_input(
                    format!("{at}.gauges"),
                    "gauges go from 0 to 4 and only re-evaluate the risks 3.2 to 3.4",
                ));
            }
            check_len(
                &format!("{at}.personInCharge"),
                &evaluation.person_in_charge,
                MAX_SHORT,
            )?;
            check_len(
                &format!("{at}.actionPlanComment"),
                &evaluation.action_plan_comment,
                MAX_TEXT,
            )?;
            check_len(
                &format!("{at}.evaluationComment"),
                &evaluation.evaluation_comment,
                MAX_TEXT,
            )?;
        }
        Ok(())
    }

    /// What is still missing before the DPIA can go to the DPO, as the error that
    /// names the first gap; `Ok` when complete.
    pub fn check_complete(&self, path: &str) -> ApiResult<()> {
        for question in questions::all() {
            let answer = self.answers.get(&question.id);
            let answered = match question.kind {
                QuestionKind::Text => answer
                    .and_then(|a| a.text.as_deref())
                    .is_some_and(|t| !t.trim().is_empty()),
                QuestionKind::List => answer.is_some_and(|a| !a.list.is_empty()),
                QuestionKind::Gauge => answer.is_some_and(|a| a.gauge.is_some()),
            };
            if !answered {
                return Err(ApiError::bad_input(
                    path,
                    format!(
                        "the DPIA is incomplete: question {} (\"{}\") has no answer",
                        question.id, question.title_en
                    ),
                ));
            }
        }
        if self.measures.is_empty() {
            return Err(ApiError::bad_input(
                path,
                "the DPIA is incomplete: it lists no measure",
            ));
        }
        let people = &self.people;
        let consulted = match people.searched {
            Some(true) => {
                !people.names.trim().is_empty()
                    && people.status.is_some()
                    && !people.opinion.trim().is_empty()
            }
            Some(false) => !people.not_searched_reason.trim().is_empty(),
            None => false,
        };
        if !consulted {
            return Err(ApiError::bad_input(
                path,
                "the DPIA is incomplete: say whether the data subjects' opinion was sought, \
                 with their names, conclusion and opinion, or why it was not",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "content_tests.rs"]
pub(crate) mod tests;
