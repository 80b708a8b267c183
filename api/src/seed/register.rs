//! The demo register: the platform's processing activities, their sources, and a
//! DPIA for each one that runs a source: validated where the sources are active, a
//! draft for the `presence-quartiers` project, whose source stays inactive.
//!
//! Idempotent like the rest of the seed: activities are inserted when their code is
//! missing, sources are linked only while they belong to no activity, and a DPIA is
//! written only for an activity that has none.

use std::collections::BTreeMap;

use chrono::Utc;
use entity::register::dpia::{self, DpiaStatus};
use entity::register::dpia_evaluation::EvaluationStatus;
use entity::register::processing_activity::{self, LegalBasis};
use entity::source;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

use crate::services::register::content::{
    Answer, DpiaContent, DpoOpinion, Evaluation, Measure, PeopleOpinion,
};
use crate::services::register::questions::{self, QuestionKind};
use crate::services::register::store::{self, Placement};

/// Functional mailbox of the controller (the city's direction in charge).
const CONTROLLER: &str = "Ville de Marseille — Direction de la tranquillité publique, tranquillite-publique@marseille.fr";
/// Functional mailbox of the city's DPO.
const DPO: &str = "Délégué à la protection des données de la Ville de Marseille, dpd@marseille.fr";

/// One activity of the demo register.
struct ActivitySeed {
    code: &'static str,
    name: &'static str,
    description: &'static str,
    purposes: &'static [&'static str],
    legal_basis: LegalBasis,
    legal_basis_details: &'static str,
    subjects: &'static [&'static str],
    data: &'static [&'static str],
    recipients: &'static [&'static str],
    retention_days: i32,
    retention_details: &'static str,
    sources: &'static [&'static str],
    /// The DPIA to seed: validated, draft, or none.
    dpia: Option<DpiaStatus>,
}

const SECURITY: &[&str] = &[
    "Authentification des agents, jetons à portée limitée pour les partenaires",
    "Journal d'audit chaîné de tous les accès",
    "Agrégation et seuils de diffusion (k) appliqués à l'entrée et à la sortie",
    "Chiffrement des échanges (TLS) et des sauvegardes",
];

const ACTIVITIES: &[ActivitySeed] = &[
    ActivitySeed {
        code: "planification-evenements",
        name: "Planification des événements et évaluation des risques",
        description: "Agenda à 30 jours des événements sur l'espace public, score de risque (0 à 10) et adéquation des moyens prévus.",
        purposes: &[
            "Planifier les opérations sur l'espace public",
            "Dimensionner les moyens de sécurité et de secours",
        ],
        legal_basis: LegalBasis::PublicTask,
        legal_basis_details: "Pouvoirs de police du maire (art. L2212-2 du code général des collectivités territoriales).",
        subjects: &[
            "Organisateurs d'événements (personnes morales)",
            "Public des événements (aucune donnée individuelle)",
        ],
        data: &[
            "Caractéristiques des événements : lieu, dates, jauge, profil du public",
            "Moyens prévus",
            "Scores de risque et leurs explications",
        ],
        recipients: &[
            "Équipe de supervision de la Ville",
            "Partenaires habilités selon leurs portées",
        ],
        retention_days: 3650,
        retention_details: "Dix ans d'historique pour apprendre et vérifier le modèle de risque.",
        sources: &["agenda-culturel", "prefecture-declarations", "marches"],
        dpia: Some(DpiaStatus::Validated),
    },
    ActivitySeed {
        code: "comptages-presence",
        name: "Comptages de présence agrégés des opérateurs",
        description: "Nombre de personnes présentes par site et par quart d'heure, fourni agrégé par les opérateurs de téléphonie.",
        purposes: &["Suivre la fréquentation des sites sensibles (plages, stades)"],
        legal_basis: LegalBasis::PublicTask,
        legal_basis_details: "Pouvoirs de police du maire ; convention avec les opérateurs (données anonymisées à la source).",
        subjects: &["Personnes présentes sur les sites (comptées, jamais identifiées)"],
        data: &[
            "Effectifs agrégés par site et créneau de 15 minutes, au moins 20 contributeurs par cellule",
        ],
        recipients: &[
            "Équipe de supervision",
            "Analystes (agrégats au-dessus des seuils)",
        ],
        retention_days: 3650,
        retention_details: "Agrégats conservés dix ans pour l'historique de fréquentation.",
        sources: &["presence-operateurs"],
        dpia: Some(DpiaStatus::Validated),
    },
    ActivitySeed {
        code: "presence-quartiers",
        name: "Comptages de présence par quartier (projet)",
        description: "Projet d'extension des comptages de présence à l'échelle des quartiers, par créneau d'une heure.",
        purposes: &["Mesurer la fréquentation des quartiers lors des grands événements"],
        legal_basis: LegalBasis::PublicTask,
        legal_basis_details: "Pouvoirs de police du maire ; convention à conclure avec les opérateurs.",
        subjects: &["Personnes présentes dans les quartiers (comptées, jamais identifiées)"],
        data: &[
            "Effectifs agrégés par quartier et créneau d'une heure, au moins 20 contributeurs par cellule",
        ],
        recipients: &["Équipe de supervision"],
        retention_days: 730,
        retention_details: "Deux ans pendant la phase de projet.",
        sources: &["presence-quartiers"],
        dpia: Some(DpiaStatus::Draft),
    },
    ActivitySeed {
        code: "mains-courantes-municipales",
        name: "Mains courantes et signalements municipaux",
        description: "Activité de la police municipale, journal du centre de supervision urbaine (événements, jamais d'images) et signalements des agents des parcs.",
        purposes: &["Connaître les incidents sur l'espace public pour planifier les moyens"],
        legal_basis: LegalBasis::PublicTask,
        legal_basis_details: "Missions de police municipale (code de la sécurité intérieure, livre V).",
        subjects: &[
            "Agents municipaux (auteurs des signalements)",
            "Personnes citées dans les textes libres (expurgés à l'entrée)",
        ],
        data: &[
            "Date, zone, catégorie et gravité des incidents",
            "Textes libres expurgés des données personnelles",
        ],
        recipients: &["Équipe de supervision"],
        retention_days: 1825,
        retention_details: "Cinq ans, durée utile à l'analyse des séries d'événements.",
        sources: &["pm-activite", "csu-journal", "parcs-signalements"],
        dpia: Some(DpiaStatus::Validated),
    },
    ActivitySeed {
        code: "statistiques-partenaires",
        name: "Statistiques des partenaires",
        description: "Fréquentation du réseau RTM, interventions des marins-pompiers, faits constatés par la police nationale et météo, tous agrégés.",
        purposes: &["Évaluer les risques de mobilité et de sécurité des événements"],
        legal_basis: LegalBasis::PublicTask,
        legal_basis_details: "Conventions de partage de données avec chaque partenaire.",
        subjects: &["Usagers et victimes (comptés par zone et créneau, jamais identifiés)"],
        data: &[
            "Comptages agrégés par arrondissement et créneau, au moins 11 contributeurs par cellule",
            "Observations météorologiques",
        ],
        recipients: &[
            "Équipe de supervision",
            "Analystes",
            "Partenaires pour leurs propres données",
        ],
        retention_days: 3650,
        retention_details: "Dix ans d'historique pour le modèle de risque.",
        sources: &[
            "rtm-frequentation",
            "bmpm-interventions",
            "ddsp-faits",
            "meteo-observations",
        ],
        dpia: Some(DpiaStatus::Validated),
    },
    ActivitySeed {
        code: "journal-audit",
        name: "Journal d'audit des accès",
        description: "Trace de chaque opération de la plateforme, chaînée par empreintes, consultée par le DPD.",
        purposes: &[
            "Contrôler les accès et démontrer la conformité (responsabilité, art. 5.2 RGPD)",
        ],
        legal_basis: LegalBasis::LegalObligation,
        legal_basis_details: "Obligation de sécurité du traitement (art. 32 RGPD).",
        subjects: &["Agents et partenaires utilisateurs de la plateforme"],
        data: &[
            "Identifiant de l'acteur, rôle, opération, finalité déclarée, résultat, horodatage",
        ],
        recipients: &["Délégué à la protection des données"],
        retention_days: 365,
        retention_details: "Un an, au-delà des six mois exigés pour les systèmes automatisés à haut risque.",
        sources: &[],
        dpia: None,
    },
];

fn strings(items: &[&str]) -> serde_json::Value {
    serde_json::Value::from(items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
}

/// The seeded DPIA of an activity: every question answered from the register's entry.
fn dpia_content(seed: &ActivitySeed, validated: bool) -> DpiaContent {
    let measures = vec![
        Measure {
            number: 1,
            title: "Agrégation et seuils de diffusion".into(),
            content: "Seuil k par cellule, contrôlé à l'entrée et à la sortie.".into(),
        },
        Measure {
            number: 2,
            title: "Contrôle des accès".into(),
            content: "Rôles, jetons à portée limitée, finalité déclarée.".into(),
        },
        Measure {
            number: 3,
            title: "Journal d'audit chaîné".into(),
            content: "Chaque accès est tracé et vérifiable par le DPD.".into(),
        },
        Measure {
            number: 4,
            title: "Sauvegardes chiffrées".into(),
            content: "Sauvegarde quotidienne chiffrée, restauration testée.".into(),
        },
    ];
    let text = |id: i32| -> String {
        match id {
            111 => format!("{} — {}", seed.name, seed.description),
            112 => "Responsable : la Ville de Marseille. Les partenaires restent responsables de leurs propres données.".into(),
            113 => "RGPD, loi Informatique et Libertés, référentiels de la CNIL sur l'anonymisation.".into(),
            121 => seed.data.join(" ; "),
            122 => "Collecte par lots agrégés, contrôle des seuils, calcul des scores, purge au-delà de la durée de conservation.".into(),
            123 => "Serveurs de la Ville (base PostgreSQL), sauvegardes chiffrées.".into(),
            211 => seed.purposes.join(" ; "),
            212 => seed.legal_basis_details.into(),
            213 => "Seules des données agrégées ou expurgées entrent : aucune donnée personnelle n'est nécessaire.".into(),
            214 => "Les partenaires corrigent leurs lots ; les données sont horodatées à la source.".into(),
            215 => format!("{} jours. {}", seed.retention_days, seed.retention_details),
            226 => "Les conventions de partage fixent les obligations de chaque partenaire.".into(),
            227 => "Aucun transfert hors de l'Union européenne.".into(),
            _ => "Sans objet pour des données agrégées : aucune personne n'est identifiable. Information générale sur le site de la Ville.".into(),
        }
    };
    let mut answers = BTreeMap::new();
    for question in questions::all() {
        let answer = match question.kind {
            QuestionKind::Text => Answer {
                text: Some(text(question.id)),
                ..Answer::default()
            },
            QuestionKind::List => Answer {
                list: match question.id % 10 {
                    1 => vec!["Ré-identification d'une personne dans un petit groupe".into()],
                    2 => vec![
                        "Requêtes croisées pour isoler une cellule".into(),
                        "Vol d'un jeton partenaire".into(),
                    ],
                    3 => vec![
                        "Utilisateur malveillant interne".into(),
                        "Attaquant externe".into(),
                    ],
                    _ => measures.iter().map(|m| m.title.clone()).collect(),
                },
                ..Answer::default()
            },
            QuestionKind::Gauge => Answer {
                text: Some("Données agrégées au-dessus des seuils : impact faible.".into()),
                gauge: Some(if question.id % 10 == 5 { 2 } else { 1 }),
                list: vec![],
            },
        };
        answers.insert(question.id, answer);
    }
    let mut content = DpiaContent {
        name: format!("AIPD — {}", seed.name),
        author_name: "Direction de la tranquillité publique".into(),
        answers,
        measures,
        people: PeopleOpinion {
            searched: Some(false),
            not_searched_reason: "Aucune donnée personnelle : le projet a été présenté en commission consultative des services publics locaux.".into(),
            ..PeopleOpinion::default()
        },
        ..DpiaContent::default()
    };
    if validated {
        content.evaluator_name = "DPD de la Ville".into();
        content.validator_name = "Direction générale des services".into();
        content.dpo = DpoOpinion {
            status: Some(1),
            opinion: "Les mesures d'agrégation rendent le risque résiduel négligeable.".into(),
            names: "DPD de la Ville".into(),
        };
        content.evaluations = ["1.1", "1.2", "3.2", "3.3", "3.4"]
            .into_iter()
            .map(|reference| {
                let risk = questions::is_risk_reference(reference);
                Evaluation {
                    reference_to: reference.into(),
                    status: EvaluationStatus::Acceptable,
                    gauge_x: if risk { 2 } else { 0 },
                    gauge_y: if risk { 1 } else { 0 },
                    action_plan_comment: String::new(),
                    evaluation_comment: String::new(),
                    person_in_charge: String::new(),
                    estimated_implementation_date: None,
                }
            })
            .collect();
    }
    content
}

/// Seeds what is missing of the demo register; returns the rows inserted.
pub async fn seed<C: ConnectionTrait>(db: &C) -> Result<usize, DbErr> {
    let mut inserted = 0;
    let now = Utc::now();
    for seed in ACTIVITIES {
        let existing = processing_activity::Entity::find()
            .filter(processing_activity::Column::Code.eq(seed.code))
            .one(db)
            .await?;
        let activity = match existing {
            Some(activity) => activity,
            None => {
                inserted += 1;
                processing_activity::ActiveModel {
                    code: Set(seed.code.to_owned()),
                    name: Set(seed.name.to_owned()),
                    description: Set(seed.description.to_owned()),
                    controller_contact: Set(CONTROLLER.to_owned()),
                    dpo_contact: Set(DPO.to_owned()),
                    purposes: Set(strings(seed.purposes)),
                    legal_basis: Set(seed.legal_basis),
                    legal_basis_details: Set(seed.legal_basis_details.to_owned()),
                    data_subject_categories: Set(strings(seed.subjects)),
                    data_categories: Set(strings(seed.data)),
                    recipients: Set(strings(seed.recipients)),
                    transfers: Set(serde_json::Value::Array(Vec::new())),
                    retention_days: Set(seed.retention_days),
                    retention_details: Set(seed.retention_details.to_owned()),
                    security_measures: Set(strings(SECURITY)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(db)
                .await?
            }
        };
        let unlinked = source::Entity::find()
            .filter(source::Column::Code.is_in(seed.sources.iter().copied()))
            .filter(source::Column::ProcessingActivityId.is_null())
            .all(db)
            .await?;
        for row in unlinked {
            let mut row: source::ActiveModel = row.into();
            row.processing_activity_id = Set(Some(activity.id));
            row.update(db).await?;
        }
        let Some(status) = seed.dpia else { continue };
        if !store::versions(db, activity.id).await?.is_empty() {
            continue;
        }
        let validated = status == DpiaStatus::Validated;
        let placement = Placement {
            processing_activity_id: activity.id,
            version: 1,
            previous_version_id: None,
            status,
            author_user_id: None,
        };
        let model = store::insert(db, placement, &dpia_content(seed, validated), now).await?;
        if validated {
            let mut row: dpia::ActiveModel = model.into();
            row.validated_at = Set(Some(now));
            row.update(db).await?;
        }
        inserted += 1;
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seeded_dpia_is_complete_and_valid() {
        for seed in ACTIVITIES.iter().filter(|s| s.dpia.is_some()) {
            let content = dpia_content(seed, seed.dpia == Some(DpiaStatus::Validated));
            assert!(
                content.check("seed").is_ok(),
                "{}: {:?}",
                seed.code,
                content.check("seed")
            );
            assert!(
                content.check_complete("seed").is_ok(),
                "{} is incomplete",
                seed.code
            );
        }
    }

    #[test]
    fn the_project_source_has_only_a_draft() {
        let project = ACTIVITIES
            .iter()
            .find(|s| s.sources.contains(&"presence-quartiers"));
        assert_eq!(project.and_then(|s| s.dpia), Some(DpiaStatus::Draft));
    }
}
