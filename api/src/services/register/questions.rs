//! The CNIL PIA questionnaire as data: its question ids, kinds and titles, and the
//! parts an evaluation may refer to. Ids and titles are those of the CNIL PIA tool
//! (`pia_architecture.json`, `fr.json`, `en.json`), so an export opens in that tool.

/// How a question is answered in the CNIL tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionKind {
    /// Free text.
    Text,
    /// A list of short items (impacts, threats, sources, measures).
    List,
    /// A gauge from 1 to 4 with a justifying text (severity, likelihood).
    Gauge,
}

/// One question of the questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// Integer id, e.g. 111; its digits are section, item and rank.
    pub id: i32,
    /// How it is answered.
    pub kind: QuestionKind,
    /// Title in English.
    pub title_en: &'static str,
    /// Title in French, as the CNIL tool shows it.
    pub title_fr: &'static str,
}

const fn q(
    id: i32,
    kind: QuestionKind,
    title_en: &'static str,
    title_fr: &'static str,
) -> Question {
    Question {
        id,
        kind,
        title_en,
        title_fr,
    }
}

use QuestionKind::{Gauge, List, Text};

/// The three risks of section 3 share their six questions; only the item differs.
const RISK_EN: [&str; 6] = [
    "What could be the main impacts on the data subjects if the risk were to occur?",
    "What are the main threats that could lead to the risk?",
    "What are the risk sources?",
    "Which of the identified controls contribute to addressing the risk?",
    "How do you estimate the risk severity, especially according to potential impacts and planned controls?",
    "How do you estimate the likelihood of the risk, especially in respect of threats, sources of risk and planned controls?",
];
const RISK_FR: [&str; 6] = [
    "Quels pourraient être les principaux impacts sur les personnes concernées si le risque se produisait ?",
    "Quelles sont les principales menaces qui pourraient permettre la réalisation du risque ?",
    "Quelles sources de risques pourraient-elles en être à l'origine ?",
    "Quelles sont les mesures, parmi celles identifiées, qui contribuent à traiter le risque ?",
    "Comment estimez-vous la gravité du risque, notamment en fonction des impacts potentiels et des mesures prévues ?",
    "Comment estimez-vous la vraisemblance du risque, notamment au regard des menaces, des sources de risques et des mesures prévues ?",
];

macro_rules! risk {
    ($base:literal) => {
        [
            q($base + 1, List, RISK_EN[0], RISK_FR[0]),
            q($base + 2, List, RISK_EN[1], RISK_FR[1]),
            q($base + 3, List, RISK_EN[2], RISK_FR[2]),
            q($base + 4, List, RISK_EN[3], RISK_FR[3]),
            q($base + 5, Gauge, RISK_EN[4], RISK_FR[4]),
            q($base + 6, Gauge, RISK_EN[5], RISK_FR[5]),
        ]
    };
}

const OVERVIEW: [Question; 3] = [
    q(
        111,
        Text,
        "What is the processing under consideration?",
        "Quel est le traitement qui fait l'objet de l'étude ?",
    ),
    q(
        112,
        Text,
        "What are the responsibilities linked to the processing?",
        "Quelles sont les responsabilités liées au traitement ?",
    ),
    q(
        113,
        Text,
        "Are there standards applicable to the processing?",
        "Quels sont les référentiels applicables ?",
    ),
];

const DATA: [Question; 3] = [
    q(
        121,
        Text,
        "What are the data processed?",
        "Quelles sont les données traitées ?",
    ),
    q(
        122,
        Text,
        "How does the life cycle of data and processes work?",
        "Comment le cycle de vie des données se déroule-t-il (description fonctionnelle) ?",
    ),
    q(
        123,
        Text,
        "What are the data supporting assets?",
        "Quels sont les supports des données ?",
    ),
];

const PROPORTIONALITY: [Question; 5] = [
    q(
        211,
        Text,
        "Are the processing purposes specified, explicit and legitimate?",
        "Les finalités du traitement sont-elles déterminées, explicites et légitimes ?",
    ),
    q(
        212,
        Text,
        "What are the legal basis making the processing lawful?",
        "Quel(s) est(sont) les fondement(s) qui rend(ent) votre traitement licite ?",
    ),
    q(
        213,
        Text,
        "Are the data collected adequate, relevant and limited to what is necessary (data minimisation)?",
        "Les données collectées sont-elles adéquates, pertinentes et limitées à ce qui est nécessaire au regard des finalités pour lesquelles elles sont traitées (minimisation des données) ?",
    ),
    q(
        214,
        Text,
        "Are the data accurate and kept up to date?",
        "Les données sont-elles exactes et tenues à jour ?",
    ),
    q(
        215,
        Text,
        "What are the storage duration of the data?",
        "Quelle est la durée de conservation des données ?",
    ),
];

const RIGHTS: [Question; 7] = [
    q(
        221,
        Text,
        "How are the data subjects informed on the processing?",
        "Comment les personnes concernées sont-elles informées à propos du traitement ?",
    ),
    q(
        222,
        Text,
        "If applicable, how is the consent of data subjects obtained?",
        "Si applicable, comment le consentement des personnes concernées est-il obtenu ?",
    ),
    q(
        223,
        Text,
        "How can data subjects exercise their rights of access and to data portability?",
        "Comment les personnes concernées peuvent-elles exercer leurs droit d'accès et droit à la portabilité ?",
    ),
    q(
        224,
        Text,
        "How can data subjects exercise their rights to rectification and erasure?",
        "Comment les personnes concernées peuvent-elles exercer leurs droit de rectification et droit à l'effacement (droit à l'oubli) ?",
    ),
    q(
        225,
        Text,
        "How can data subjects exercise their rights to restriction and to object?",
        "Comment les personnes concernées peuvent-elles exercer leurs droit de limitation et droit d'opposition ?",
    ),
    q(
        226,
        Text,
        "Are the obligations of the processors clearly identified and governed by a contract?",
        "Les obligations des sous-traitants sont-elles clairement définies et contractualisées ?",
    ),
    q(
        227,
        Text,
        "In the case of data transfer outside the European Union, are the data adequately protected?",
        "En cas de transfert de données en dehors de l'Union européenne, les données sont-elles protégées de manière équivalente ?",
    ),
];

const ILLEGITIMATE_ACCESS: [Question; 6] = risk!(320);
const UNWANTED_MODIFICATION: [Question; 6] = risk!(330);
const DISAPPEARANCE: [Question; 6] = risk!(340);

/// A titled part of the questionnaire: one item of a section.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Reference of the item, e.g. "1.1" or "3.2".
    pub reference: &'static str,
    /// Title in English.
    pub title_en: &'static str,
    /// Title in French.
    pub title_fr: &'static str,
    /// Its questions.
    pub questions: &'static [Question],
    /// Whether the CNIL tool evaluates it as a whole (else question by question).
    pub evaluated_as_item: bool,
}

/// Every item that holds questions, in the questionnaire's order.
pub const ITEMS: &[Item] = &[
    Item {
        reference: "1.1",
        title_en: "Overview",
        title_fr: "Vue d'ensemble",
        questions: &OVERVIEW,
        evaluated_as_item: true,
    },
    Item {
        reference: "1.2",
        title_en: "Data, processes and supporting assets",
        title_fr: "Données, processus et supports",
        questions: &DATA,
        evaluated_as_item: true,
    },
    Item {
        reference: "2.1",
        title_en: "Proportionality and necessity",
        title_fr: "Proportionnalité et nécessité",
        questions: &PROPORTIONALITY,
        evaluated_as_item: false,
    },
    Item {
        reference: "2.2",
        title_en: "Controls to protect the personal rights of data subjects",
        title_fr: "Mesures protectrices des droits",
        questions: &RIGHTS,
        evaluated_as_item: false,
    },
    Item {
        reference: "3.2",
        title_en: "Illegitimate access to data",
        title_fr: "Accès illégitime à des données",
        questions: &ILLEGITIMATE_ACCESS,
        evaluated_as_item: true,
    },
    Item {
        reference: "3.3",
        title_en: "Unwanted modification of data",
        title_fr: "Modification non désirée de données",
        questions: &UNWANTED_MODIFICATION,
        evaluated_as_item: true,
    },
    Item {
        reference: "3.4",
        title_en: "Data disappearance",
        title_fr: "Disparition de données",
        questions: &DISAPPEARANCE,
        evaluated_as_item: true,
    },
];

/// Every question, in order.
pub fn all() -> impl Iterator<Item = &'static Question> {
    ITEMS.iter().flat_map(|item| item.questions.iter())
}

/// The question with this id.
pub fn find(id: i32) -> Option<&'static Question> {
    all().find(|question| question.id == id)
}

/// The item a question belongs to.
pub fn item_of(id: i32) -> Option<&'static Item> {
    ITEMS
        .iter()
        .find(|item| item.questions.iter().any(|question| question.id == id))
}

/// Whether `reference` names a part an evaluation may grade: an item evaluated as a
/// whole ("1.1", "3.2"), a question of an item evaluated question by question
/// ("2.1.211"), or one of `measures` ("3.1.<number>").
pub fn is_evaluation_reference(reference: &str, measures: &[i32]) -> bool {
    if let Some(number) = reference.strip_prefix("3.1.") {
        return number
            .parse::<i32>()
            .is_ok_and(|n| measures.contains(&n) && n.to_string() == number);
    }
    ITEMS.iter().any(|item| {
        if item.evaluated_as_item {
            item.reference == reference
        } else {
            item.questions
                .iter()
                .any(|question| format!("{}.{}", item.reference, question.id) == reference)
        }
    })
}

/// Whether an evaluation of `reference` re-evaluates a risk with gauges (3.2 to 3.4).
pub fn is_risk_reference(reference: &str) -> bool {
    matches!(reference, "3.2" | "3.3" | "3.4")
}

/// A stable ordering key of evaluation references, following the questionnaire.
pub fn reference_order(reference: &str) -> (Vec<i64>, String) {
    let parts = reference
        .split('.')
        .map(|part| part.parse::<i64>().unwrap_or(i64::MAX))
        .collect();
    (parts, reference.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_questionnaire_has_the_cnil_tools_thirty_six_question_ids() {
        let ids: Vec<i32> = all().map(|question| question.id).collect();
        let expected: Vec<i32> = [111, 112, 113, 121, 122, 123]
            .into_iter()
            .chain(211..=215)
            .chain(221..=227)
            .chain(321..=326)
            .chain(331..=336)
            .chain(341..=346)
            .collect();
        assert_eq!(ids, expected, "question ids must match the CNIL PIA tool");
    }

    #[test]
    fn risk_questions_are_lists_then_two_gauges() {
        for base in [320, 330, 340] {
            for rank in 1..=4 {
                assert_eq!(
                    find(base + rank).map(|q| q.kind),
                    Some(List),
                    "{}",
                    base + rank
                );
            }
            for rank in 5..=6 {
                assert_eq!(
                    find(base + rank).map(|q| q.kind),
                    Some(Gauge),
                    "{}",
                    base + rank
                );
            }
        }
    }

    #[test]
    fn evaluation_references_follow_the_tools_evaluation_modes() {
        let measures = [1, 2];
        let cases = [
            ("1.1", true),
            ("1.2", true),
            ("2.1.211", true),
            ("2.2.227", true),
            ("3.1.2", true),
            ("3.2", true),
            ("3.4", true),
            ("2.1", false),
            ("1.1.111", false),
            ("2.1.221", false),
            ("3.1.3", false),
            ("3.1.01", false),
            ("3.5", false),
            ("", false),
        ];
        for (reference, valid) in cases {
            assert_eq!(
                is_evaluation_reference(reference, &measures),
                valid,
                "reference {reference:?}"
            );
        }
    }
}
