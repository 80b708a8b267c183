//! What changed between two DPIA versions: answers, measures and the header's
//! texts, each listed with its value before and after.

use std::collections::BTreeSet;

use crate::services::register::content::{Answer, DpiaContent, Measure};

/// An answer that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerChange {
    /// The question's id.
    pub question_id: i32,
    /// The answer in the first version, if any.
    pub before: Option<Answer>,
    /// The answer in the second version, if any.
    pub after: Option<Answer>,
}

/// A measure that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureChange {
    /// The measure's number.
    pub number: i32,
    /// The measure in the first version, if any.
    pub before: Option<Measure>,
    /// The measure in the second version, if any.
    pub after: Option<Measure>,
}

/// A header text that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's name in the CNIL file (e.g. `name`, `concerned_people_opinion`).
    pub field: &'static str,
    /// Its value in the first version.
    pub before: String,
    /// Its value in the second version.
    pub after: String,
}

/// Every difference from `a` to `b`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Changed, added or removed answers, by question id.
    pub answers: Vec<AnswerChange>,
    /// Changed, added or removed measures, by number.
    pub measures: Vec<MeasureChange>,
    /// Changed header texts.
    pub fields: Vec<FieldChange>,
}

/// An answer without content counts as no answer, so that clearing one is not
/// reported apart from never giving it.
fn meaningful(answer: Option<&Answer>) -> Option<&Answer> {
    answer.filter(|a| {
        a.text.as_deref().is_some_and(|t| !t.is_empty()) || a.gauge.is_some() || !a.list.is_empty()
    })
}

/// The differences from `a` to `b`.
pub fn compare(a: &DpiaContent, b: &DpiaContent) -> Comparison {
    let ids: BTreeSet<i32> = a.answers.keys().chain(b.answers.keys()).copied().collect();
    let answers = ids
        .into_iter()
        .filter_map(|id| {
            let (before, after) = (
                meaningful(a.answers.get(&id)),
                meaningful(b.answers.get(&id)),
            );
            (before != after).then(|| AnswerChange {
                question_id: id,
                before: before.cloned(),
                after: after.cloned(),
            })
        })
        .collect();
    let numbers: BTreeSet<i32> = a
        .measures
        .iter()
        .chain(&b.measures)
        .map(|m| m.number)
        .collect();
    let measures = numbers
        .into_iter()
        .filter_map(|number| {
            let before = a.measures.iter().find(|m| m.number == number);
            let after = b.measures.iter().find(|m| m.number == number);
            (before != after).then(|| MeasureChange {
                number,
                before: before.cloned(),
                after: after.cloned(),
            })
        })
        .collect();
    let texts = |c: &DpiaContent| -> [(&'static str, String); 6] {
        [
            ("name", c.name.clone()),
            ("author_name", c.author_name.clone()),
            ("people_names", c.people.names.clone()),
            ("concerned_people_opinion", c.people.opinion.clone()),
            (
                "concerned_people_searched_content",
                c.people.not_searched_reason.clone(),
            ),
            ("applied_adjustments", c.applied_adjustments.clone()),
        ]
    };
    let fields = texts(a)
        .into_iter()
        .zip(texts(b))
        .filter(|((_, before), (_, after))| before != after)
        .map(|((field, before), (_, after))| FieldChange {
            field,
            before,
            after,
        })
        .collect();
    Comparison {
        answers,
        measures,
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::register::content::tests::complete;

    #[test]
    fn identical_versions_have_no_change() {
        assert_eq!(compare(&complete(), &complete()), Comparison::default());
    }

    #[test]
    fn changed_added_and_removed_answers_are_listed_in_question_order() {
        let a = complete();
        let mut b = complete();
        b.answers.insert(
            325,
            Answer {
                text: Some("Revu".into()),
                gauge: Some(3),
                list: vec![],
            },
        );
        b.answers.remove(&111);
        b.measures.push(Measure {
            number: 2,
            title: "Chiffrement".into(),
            content: String::new(),
        });
        b.name = "Nouveau nom".into();
        let diff = compare(&a, &b);
        let ids: Vec<i32> = diff.answers.iter().map(|c| c.question_id).collect();
        assert_eq!(ids, [111, 325]);
        assert!(diff.answers[0].after.is_none(), "111 was removed");
        assert_eq!(
            diff.answers[1].after.as_ref().and_then(|a| a.gauge),
            Some(3)
        );
        assert_eq!(diff.measures.len(), 1);
        assert!(diff.measures[0].before.is_none(), "measure 2 was added");
        assert_eq!(diff.fields.len(), 1);
        assert_eq!(diff.fields[0].field, "name");
    }

    #[test]
    fn an_emptied_answer_counts_as_no_answer() {
        let a = DpiaContent::default();
        let mut b = DpiaContent::default();
        b.answers.insert(111, Answer::default());
        assert!(compare(&a, &b).answers.is_empty());
    }
}
