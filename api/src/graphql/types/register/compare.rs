//! Two DPIA versions side by side, and a DPIA version as an exported file.

use async_graphql::{Object, SimpleObject};

use super::DpiaExportFormat;
use super::dpia::{Dpia, DpiaAnswer, DpiaMeasure};
use crate::services::register::compare::{AnswerChange, Comparison, MeasureChange};
use crate::services::register::questions;

/// An answer that differs between two versions.
pub struct DpiaAnswerChange(pub AnswerChange);

/// An answer that differs between two versions.
#[Object]
impl DpiaAnswerChange {
    /// The question's integer id.
    async fn question_id(&self) -> i32 {
        self.0.question_id
    }
    /// The question in English.
    async fn question(&self) -> Option<&'static str> {
        questions::find(self.0.question_id).map(|q| q.title_en)
    }
    /// The answer in the first version; null when it had none.
    async fn before(&self) -> Option<DpiaAnswer> {
        let before = self.0.before.clone();
        before.map(|a| DpiaAnswer::new(self.0.question_id, a))
    }
    /// The answer in the second version; null when it has none.
    async fn after(&self) -> Option<DpiaAnswer> {
        let after = self.0.after.clone();
        after.map(|a| DpiaAnswer::new(self.0.question_id, a))
    }
}

/// A measure that differs between two versions.
pub struct DpiaMeasureChange(pub MeasureChange);

/// A measure that differs between two versions.
#[Object]
impl DpiaMeasureChange {
    /// The measure's number.
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// The measure in the first version; null when added.
    async fn before(&self) -> Option<DpiaMeasure> {
        self.0.before.clone().map(DpiaMeasure)
    }
    /// The measure in the second version; null when removed.
    async fn after(&self) -> Option<DpiaMeasure> {
        self.0.after.clone().map(DpiaMeasure)
    }
}

/// A header text that differs between two versions.
#[derive(SimpleObject)]
pub struct DpiaFieldChange {
    /// The field's name in the CNIL file, e.g. `name` or `concerned_people_opinion`.
    pub field: String,
    /// Its value in the first version.
    pub before: String,
    /// Its value in the second version.
    pub after: String,
}

/// What changed from one DPIA version to another.
pub struct DpiaComparison {
    /// The first version.
    pub a: Dpia,
    /// The second version.
    pub b: Dpia,
    /// The differences.
    pub changes: Comparison,
}

/// What changed from one DPIA version to another.
#[Object]
impl DpiaComparison {
    /// The first version.
    async fn a(&self) -> &Dpia {
        &self.a
    }
    /// The second version.
    async fn b(&self) -> &Dpia {
        &self.b
    }
    /// Answers changed, added or removed from `a` to `b`, by question id.
    async fn changed_answers(&self) -> Vec<DpiaAnswerChange> {
        self.changes
            .answers
            .iter()
            .cloned()
            .map(DpiaAnswerChange)
            .collect()
    }
    /// Measures changed, added or removed, by number.
    async fn changed_measures(&self) -> Vec<DpiaMeasureChange> {
        self.changes
            .measures
            .iter()
            .cloned()
            .map(DpiaMeasureChange)
            .collect()
    }
    /// Header texts changed (title, author, data subjects' opinion, adjustments).
    async fn changed_fields(&self) -> Vec<DpiaFieldChange> {
        let fields = self.changes.fields.iter();
        fields
            .map(|f| DpiaFieldChange {
                field: f.field.to_owned(),
                before: f.before.clone(),
                after: f.after.clone(),
            })
            .collect()
    }
}

/// An exported DPIA file. Its content is text: the JSON of the CNIL PIA tool's file (parse it to get the object), or Markdown.
#[derive(SimpleObject)]
pub struct DpiaExportFile {
    /// The format asked for.
    pub format: DpiaExportFormat,
    /// Suggested file name, e.g. `aipd-comptages-presence-v1.json`.
    pub file_name: String,
    /// Media type: `application/json` or `text/markdown`.
    pub media_type: String,
    /// The file's text.
    pub content: String,
}
