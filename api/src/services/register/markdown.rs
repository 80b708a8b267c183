//! A DPIA version as a readable report, in French, for the file sent to the CNIL:
//! the register's entry, the questionnaire's answers, the risk map, the action plan,
//! the opinions and the decision.

use std::fmt::Write;

use entity::register::dpia::{self, DpiaStatus};
use entity::register::processing_activity;

use crate::services::register::cnil::{evaluation_code, timestamp};
use crate::services::register::content::DpiaContent;
use crate::services::register::questions::{self, QuestionKind};

const GAUGES: [&str; 5] = [
    "Indéfinie",
    "Négligeable",
    "Limitée",
    "Importante",
    "Maximale",
];
const VERDICTS: [&str; 4] = ["En attente", "À corriger", "Améliorable", "Acceptable"];

fn status_fr(status: DpiaStatus) -> &'static str {
    match status {
        DpiaStatus::Draft => "Brouillon",
        DpiaStatus::Submitted => "Soumise au DPD",
        DpiaStatus::DpoReviewed => "Avis du DPD rendu",
        DpiaStatus::Validated => "Validée",
        DpiaStatus::Rejected => "Refusée",
        DpiaStatus::SubmittedToCnil => "Transmise à la CNIL",
        DpiaStatus::CnilAnswered => "Réponse de la CNIL reçue",
        DpiaStatus::Superseded => "Remplacée par une version ultérieure",
    }
}

/// Keeps a value on one table row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() { "—" } else { text }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "—".to_owned();
    }
    items.join(" ; ")
}

fn gauge(value: Option<i32>) -> &'static str {
    value
        .and_then(|g| usize::try_from(g).ok())
        .and_then(|g| GAUGES.get(g))
        .copied()
        .unwrap_or(GAUGES[0])
}

/// The report of one DPIA version of `activity`.
pub fn report(
    activity: &processing_activity::Model,
    model: &dpia::Model,
    content: &DpiaContent,
) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(
        out,
        "# Analyse d'impact relative à la protection des données\n"
    );
    let _ = writeln!(out, "## {}\n", content.name);
    let _ = writeln!(out, "| | |\n|---|---|");
    for (label, value) in [
        ("Traitement", activity.name.as_str()),
        (
            "Responsable de traitement",
            activity.controller_contact.as_str(),
        ),
        (
            "Délégué à la protection des données",
            activity.dpo_contact.as_str(),
        ),
        ("Statut", status_fr(model.status)),
        ("Auteur", content.author_name.as_str()),
        ("Évaluateur", content.evaluator_name.as_str()),
        ("Validateur", content.validator_name.as_str()),
    ] {
        let _ = writeln!(out, "| {label} | {} |", cell(or_dash(value)));
    }
    let _ = writeln!(out, "| Version | {} |", model.version);
    let _ = writeln!(
        out,
        "| Durée de conservation | {} jours |",
        activity.retention_days
    );
    let _ = writeln!(out, "| Mise à jour | {} |\n", timestamp(model.updated_at));

    for item in questions::ITEMS {
        if item.reference == "3.2" {
            let _ = writeln!(out, "## 3.1 Mesures existantes ou prévues\n");
            for measure in &content.measures {
                let _ = writeln!(
                    out,
                    "- **{}. {}** — {}",
                    measure.number,
                    measure.title,
                    or_dash(&measure.content)
                );
            }
            if content.measures.is_empty() {
                let _ = writeln!(out, "Aucune mesure.");
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "## {} {}\n", item.reference, item.title_fr);
        for question in item.questions {
            let answer = content.answers.get(&question.id);
            let _ = writeln!(out, "**{}**\n", question.title_fr);
            let text = answer.and_then(|a| a.text.as_deref()).unwrap_or("");
            match question.kind {
                QuestionKind::Text => {
                    let _ = writeln!(out, "{}\n", or_dash(text));
                }
                QuestionKind::List => {
                    let items = answer.map(|a| a.list.as_slice()).unwrap_or(&[]);
                    let _ = writeln!(out, "{}\n", list(items));
                }
                QuestionKind::Gauge => {
                    let _ = writeln!(
                        out,
                        "{} — {}\n",
                        gauge(answer.and_then(|a| a.gauge)),
                        or_dash(text)
                    );
                }
            }
        }
    }

    let _ = writeln!(out, "## 4.1 Cartographie des risques\n");
    let _ = writeln!(out, "| Risque | Gravité | Vraisemblance |\n|---|---|---|");
    for item in questions::ITEMS
        .iter()
        .filter(|i| questions::is_risk_reference(i.reference))
    {
        let base: i32 = item.questions.first().map(|q| q.id - 1).unwrap_or_default();
        let severity = content.answers.get(&(base + 5)).and_then(|a| a.gauge);
        let likelihood = content.answers.get(&(base + 6)).and_then(|a| a.gauge);
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            item.title_fr,
            gauge(severity),
            gauge(likelihood)
        );
    }

    let _ = writeln!(out, "\n## 4.2 Plan d'action\n");
    let plan: Vec<_> = content
        .evaluations
        .iter()
        .filter(|e| !e.action_plan_comment.trim().is_empty())
        .collect();
    if plan.is_empty() {
        let _ = writeln!(out, "Aucun plan d'action.");
    } else {
        let _ = writeln!(
            out,
            "| Partie | Évaluation | Action | Responsable | Échéance |\n|---|---|---|---|---|"
        );
        for e in plan {
            let verdict = usize::try_from(evaluation_code(e.status))
                .ok()
                .and_then(|i| VERDICTS.get(i))
                .copied()
                .unwrap_or("");
            let due = e
                .estimated_implementation_date
                .map(timestamp)
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                e.reference_to,
                verdict,
                cell(&e.action_plan_comment),
                cell(or_dash(&e.person_in_charge)),
                or_dash(&due)
            );
        }
    }

    let _ = writeln!(out, "\n## 4.3 Avis du DPD et des personnes concernées\n");
    let dpo = match content.dpo.status {
        Some(1) => "Le traitement peut être mis en œuvre.",
        Some(_) => "Le traitement ne devrait pas être mis en œuvre.",
        None => "Avis non rendu.",
    };
    let _ = writeln!(
        out,
        "**Avis du DPD** ({}) : {dpo}\n\n{}\n",
        or_dash(&content.dpo.names),
        or_dash(&content.dpo.opinion)
    );
    let people = &content.people;
    match people.searched {
        Some(true) => {
            let verdict = if people.status == Some(1) {
                "favorable"
            } else {
                "défavorable"
            };
            let _ = writeln!(
                out,
                "**Avis des personnes concernées** ({}) : {verdict}\n\n{}\n",
                or_dash(&people.names),
                or_dash(&people.opinion)
            );
        }
        Some(false) => {
            let _ = writeln!(
                out,
                "**Avis des personnes concernées** : non recherché. {}\n",
                or_dash(&people.not_searched_reason)
            );
        }
        None => {
            let _ = writeln!(out, "**Avis des personnes concernées** : non renseigné.\n");
        }
    }

    let _ = writeln!(out, "## 4.4 Validation\n");
    if let Some(at) = model.validated_at {
        let kind = if model.signed { "signée" } else { "simple" };
        let _ = writeln!(
            out,
            "Validation {kind} par {} le {}.\n",
            or_dash(&content.validator_name),
            timestamp(at)
        );
    }
    if !content.rejection_reason.trim().is_empty() {
        let _ = writeln!(out, "**Motif du refus** : {}\n", content.rejection_reason);
    }
    if !content.applied_adjustments.trim().is_empty() {
        let _ = writeln!(
            out,
            "**Modifications apportées** : {}\n",
            content.applied_adjustments
        );
    }
    if let Some(at) = model.cnil_submitted_at {
        let reference = model.cnil_reference.as_deref().unwrap_or("");
        let _ = writeln!(
            out,
            "Transmise à la CNIL le {} (référence {}).\n",
            timestamp(at),
            or_dash(reference)
        );
    }
    if let (Some(answer), Some(at)) = (&model.cnil_answer, model.cnil_answered_at) {
        let verdict = if model.cnil_favourable == Some(false) {
            "défavorable"
        } else {
            "favorable"
        };
        let _ = writeln!(
            out,
            "Réponse de la CNIL ({verdict}) reçue le {} : {answer}\n",
            timestamp(at)
        );
    }
    out
}
