//! The personal-data detectors against a corpus of operational texts of the kind the
//! platform receives (parks staff reports, supervision-centre logs, partner labels):
//! texts that hold personal data must be caught, ordinary texts full of dates, times,
//! counts, prices and codes must pass untouched. Precision and recall are printed and
//! must both reach 95 %.

use policies::pii::{PiiKind, contains_personal_data, kinds_in, redact};

/// Texts holding personal data, with the kind expected.
const PERSONAL: &[(&str, PiiKind)] = &[
    ("06 12 34 56 78", PiiKind::Phone),
    ("+33 6 12 34 56 78", PiiKind::Phone),
    ("AB-123-CD", PiiKind::Plate),
    ("FR76 3000 6000 0112 3456 7890 189", PiiKind::Iban),
    ("1 85 05 78 006 084 91", PiiKind::Nir),
    (
        "Rappeler M. Durand au 06 12 34 56 78 pour le stand",
        PiiKind::Phone,
    ),
    ("Contact exposant : 06.12.34.56.78", PiiKind::Phone),
    ("Signalement par riverain, tél 0612345678", PiiKind::Phone),
    ("Témoin joignable au +33 6 12 34 56 78", PiiKind::Phone),
    ("Numéro laissé : +33612345678", PiiKind::Phone),
    ("Appel de 0033 6 12 34 56 78 à 23h10", PiiKind::Phone),
    (
        "Gardien du parc (06-98-76-54-32) a ouvert la grille",
        PiiKind::Phone,
    ),
    (
        "Joindre la responsable au 07 81 23 45 67 avant 18h",
        PiiKind::Phone,
    ),
    ("Témoin : Mme B., 06 45 12 78 90", PiiKind::Phone),
    ("Portable du chef de poste 0698765432", PiiKind::Phone),
    ("Riverain excédé, rappel au 04.91.90.12.34", PiiKind::Phone),
    ("appelant +33 (0)6 11 22 33 44", PiiKind::Phone),
    (
        "Le conducteur, 06 33 44 55 66, a été verbalisé",
        PiiKind::Phone,
    ),
    (
        "Message vocal laissé depuis le 09 72 10 20 30",
        PiiKind::Phone,
    ),
    (
        "Touriste britannique, tél. +44 20 7946 0958",
        PiiKind::Phone,
    ),
    (
        "Famille américaine joignable au +1 415 555 2671",
        PiiKind::Phone,
    ),
    ("Contact de la famille au +1-415-555-2671", PiiKind::Phone),
    ("Contact du groupe allemand +49 30 901820", PiiKind::Phone),
    (
        "Responsable sécurité belge : +32 2 555 12 12",
        PiiKind::Phone,
    ),
    (
        "Supporter espagnol +34 612 34 56 78 signalé perdu",
        PiiKind::Phone,
    ),
    ("Contact italien +39 06 6988 4567", PiiKind::Phone),
    ("Numéro marocain +212 6 61 23 45 67", PiiKind::Phone),
    ("Témoin étranger : 0044 20 7946 0958", PiiKind::Phone),
    (
        "mail de l'organisateur : jean.dupont@gmail.com",
        PiiKind::Email,
    ),
    (
        "Réclamation reçue de m.martin+asso@orange.fr",
        PiiKind::Email,
    ),
    (
        "Écrire à sophie_l (at) laposte.net pour la restitution",
        PiiKind::Email,
    ),
    ("Email du plaignant: karim.benz@hotmail.fr", PiiKind::Email),
    (
        "Envoyer la facture à compta@traiteur-du-vieux-port.fr",
        PiiKind::Email,
    ),
    (
        "Adresse fournie: lea.moreau@yahoo.com, à recontacter",
        PiiKind::Email,
    ),
    ("Contact: P.NGUYEN@ORANGE.FR", PiiKind::Email),
    ("Demande d'accès de paul.girard@free.fr", PiiKind::Email),
    ("Écrire à nadia.h arobase gmail.com", PiiKind::Email),
    ("Mail pro : direction@om-association.org", PiiKind::Email),
    (
        "Véhicule AB-123-CD stationné sur la piste cyclable",
        PiiKind::Plate,
    ),
    (
        "Voiture immatriculée AB 123 CD en double file",
        PiiKind::Plate,
    ),
    (
        "Scooter GH123JK abandonné quai de Rive-Neuve",
        PiiKind::Plate,
    ),
    ("Plaque relevée : EF-456-GH", PiiKind::Plate),
    ("Deux-roues FR-587-TZ sur le trottoir", PiiKind::Plate),
    ("Véhicule suspect bx-902-lm signalé à 02h15", PiiKind::Plate),
    (
        "Véhicule KL 789 MN stationné devant l'entrée",
        PiiKind::Plate,
    ),
    (
        "Camion 1234 AB 13 bloquant l'accès pompiers",
        PiiKind::Plate,
    ),
    ("Ancienne plaque 123 ABC 75 relevée", PiiKind::Plate),
    (
        "Véhicule corse 45 BC 2A sur le parking du stade",
        PiiKind::Plate,
    ),
    ("Fourrière : 4512 XY 13", PiiKind::Plate),
    ("Ancien véhicule 678 XY 2B", PiiKind::Plate),
    ("Taxi 2345-AB-13 en stationnement gênant", PiiKind::Plate),
    (
        "Remboursement sur FR76 3000 6000 0112 3456 7890 189",
        PiiKind::Iban,
    ),
    (
        "IBAN de l'association : FR7630006000011234567890189",
        PiiKind::Iban,
    ),
    ("Virement depuis DE89 3704 0044 0532 0130 00", PiiKind::Iban),
    (
        "Compte GB29 NWBK 6016 1331 9268 19 du traiteur",
        PiiKind::Iban,
    ),
    (
        "Chèque caution, RIB FR14 2004 1010 0505 0001 3M02 606",
        PiiKind::Iban,
    ),
    ("IBAN BE68 5390 0754 7034", PiiKind::Iban),
    ("Prestataire : ES91 2100 0418 4502 0005 1332", PiiKind::Iban),
    ("Coordonnées bancaires NL91ABNA0417164300", PiiKind::Iban),
    ("IBAN CH93 0076 2011 6238 5295 7", PiiKind::Iban),
    (
        "Fournisseur IT60 X054 2811 1010 0000 0123 456",
        PiiKind::Iban,
    ),
    (
        "Numéro de sécu du blessé : 1 85 05 78 006 084 91",
        PiiKind::Nir,
    ),
    ("NIR 185057800608491 transmis par erreur", PiiKind::Nir),
    ("sécurité sociale 2 69 05 49 588 157 80", PiiKind::Nir),
    ("Agent vacataire 1 92 12 13 055 123 09", PiiKind::Nir),
    ("NIR du salarié 2 90 05 2A 123 456 29", PiiKind::Nir),
    ("Carte vitale 2 85 03 2B 045 027 31 retrouvée", PiiKind::Nir),
    // Outside the first corpus: spellings and kinds an attacker on the platform used.
    ("Rappeler au 06/12/34/56/78 après 18h", PiiKind::Phone),
    ("Témoin joignable au 06 123 456 78", PiiKind::Phone),
    ("Numéro 061 234 5678 laissé au poste", PiiKind::Phone),
    ("tel 0\u{200b}6\u{200b}12345678", PiiKind::Phone),
    ("Contact ０６ １２ ３４ ５６ ７８", PiiKind::Phone),
    ("Écrire à jean.dupont＠gmail.com", PiiKind::Email),
    ("Contact : jean.dupont at gmail dot com", PiiKind::Email),
    ("écrire à sophie [at] laposte [dot] net", PiiKind::Email),
    ("Véhicule ab 123 cd garé sur le trottoir", PiiKind::Plate),
    (
        "Passeport n° 12AB34567 présenté au poste",
        PiiKind::Passport,
    ),
    (
        "CNI n° 880692310285 remise au propriétaire",
        PiiKind::IdCard,
    ),
    (
        "carte d'identité X4RTBPFW4 retrouvée sur la plage",
        PiiKind::IdCard,
    ),
    ("Connexion au wifi depuis 192.168.1.24", PiiKind::IpAddress),
    (
        "Adresse IP 2001:db8::8a2e:370:7334 signalée",
        PiiKind::IpAddress,
    ),
    ("Coordonnées GPS 43.2695, 5.3950", PiiKind::Coordinates),
    ("Position de la victime 43°17'47.4\"N", PiiKind::Coordinates),
    (
        "Jean Dupont, né le 12/03/1985, pris en charge",
        PiiKind::BirthDate,
    ),
    (
        "M. Martin (03/11/1972) conduit aux urgences",
        PiiKind::BirthDate,
    ),
    ("Date de naissance : 4 mai 1990", PiiKind::BirthDate),
];

/// Ordinary operational texts: no personal data, many numbers.
const ORDINARY: &[&str] = &[
    "Rassemblement de 40 personnes place Castellane à 22h30",
    "Banc cassé allée 3, signalé le 12/07",
    "Match OM-PSG : 65 894 spectateurs, 12 interpellations",
    "Fermeture de la plage du Prado à 20h, affluence estimée à 3 500 personnes",
    "Marché de la Plaine : 180 forains, installation de 6h à 13h30",
    "Feu de poubelle rue de la République, 13002, intervention BMPM à 01:45",
    "Code INSEE 13208, quartier Périer",
    "Concert au Dôme : jauge 8 500 places, fin prévue 23h15",
    "Coût de la réparation : 1 250,00 € TTC",
    "Hausse de +3,5 % de la fréquentation par rapport à 2023",
    "Arrêté municipal n° 2024-1187 du 03/07/2024",
    "Commande n° 458712 livrée au PC sécurité",
    "Ligne 83 déviée entre Vieux-Port et Prado de 14h à 19h",
    "Tramway T3 interrompu, 25 minutes de retard",
    "Métro M1 : fermeture station Castellane de 21h à 23h",
    "Déploiement : 2 CRS 13 en renfort, 12 ASVP",
    "Température relevée 34,5 °C à 15h, vent 45 km/h",
    "Mistral : rafales à 90 km/h prévues le 14/07",
    "Secteur 7, poste 12, 3 agents présents",
    "Ronde de 22:00 à 02:00, RAS",
    "Véhicule de service n° 27 en panne au dépôt",
    "Parc Borély : 14 bancs, 3 fontaines, 2 aires de jeux à vérifier",
    "Vélodrome porte 5, file d'attente de 600 mètres",
    "Incident 2024/07/14-0032 clos à 03h10",
    "Hauteur de vague 1,8 m, drapeau rouge de 11h à 18h",
    "Fête de la musique : 42 scènes déclarées, 120 000 participants",
    "Total des dépenses 2023 : 1 234 567 €",
    "Capacité du parking Prado Sud : 1 450 places, taux d'occupation 87 %",
    "RN 568 fermée entre le PK 12 et le PK 15",
    "A7 : bouchon de 8 km à hauteur de la sortie 36",
    "Marseille 13008, avenue du Prado, 120 m de barrières",
    "Réunion de coordination le 15/07/2025 à 09h30 en salle 204",
    "Facture 2025-000123 réglée le 02/06",
    "Ticket GLPI #48213 : caméra 112 hors service",
    "Secours : 3 évacuations, 17 soins sur place",
    "Périmètre de 300 m autour du stade, 45 points de contrôle",
    "Horaires: 08:00-12:00 / 14:00-18:00",
    "Entre 18h et 20h, 2 350 entrées comptées au portique 4",
    "Lot n° 12 B attribué au traiteur",
    "Bâtiment B, étage 3, salle 12",
    "Zone de 43,3 à 43,4 degrés de latitude nord",
    "Fin de service à 03/07/2025 14 30, relève assurée",
    "Version 10.2.1.4 du firmware, test de 21:15:00 à 22:00:00",
    "Et 120 km de bouchons sur l'A7",
    "Passage de 2 CRS et 120 km parcourus",
    "Ticket 2025AB12345 du stade",
    "Concert de M. Pokora le 14/07/2025 au Vélodrome",
    "Carte identité visuelle du festival mise à jour",
    "Interventions du 06 07 2025 14 30 à 16h",
    "Prix du ticket : 2,10 €, carte 10 trajets 15,00 €",
    "Le 1er mai, 8 000 manifestants selon la préfecture, 15 000 selon les organisateurs",
    "Pression sonore 102 dB(A) relevée à 23h40",
    "Relevé compteur 004512 kWh",
    "Dossier DPIA v3, version 2025-06-30",
    "Rapport 2024 : 1 523 incidents, dont 312 en juillet",
    "Zone 13201 : 4 rassemblements, zone 13216 : 1",
    "SIRET de l'organisateur 123 456 789 00012",
    "Référence marché public 2025-MP-0042",
    "Poste de secours n° 3 : 12 secouristes de 10h à 19h",
    "Fréquentation annuelle 2 450 000 visiteurs",
    "Vitesse moyenne 32 km/h sur la Corniche",
    "Niveau Vigipirate urgence attentat, 4 patrouilles",
    "Contrôle de 150 sacs à l'entrée nord, 3 objets confisqués",
    "Le 14 juillet 2025, feu d'artifice à 22h45 depuis la digue",
    "Bus 19, 21 et 22 renforcés à partir de 17h",
    "Plan canicule niveau 3 du 10 au 14/08",
    "Intervention n° 25-014587 du bataillon",
    "Numéro vert de la mairie communiqué sur les affiches",
    "Chantier 2025-07 : 35 m² de voirie refaits",
    "Score de risque 7,4 / 10, adéquation 112 %",
    "Horaires de la plage : 08 h 30 - 19 h 30",
    "Version 1.2.3 du logiciel de comptage installée",
    "Les 06 et 07/07, nettoyage du parc",
    "Compte rendu : 21 H 30 fin de l'évacuation, 15 KM 20 de bouchons",
    "Effectif total 1 200 agents le 31/12/2024 à 23:59",
    "Budget 2025 : 3,2 M€, +12 % par rapport à 2024",
    "Fréquence radio 156,800 MHz canal 16",
    "Livraison de 2 400 bouteilles d'eau, bon n° 0045 1234",
    "Appel au 17 à 22h05, patrouille dépêchée",
    "Permanence du 06 12 2024 au 10 01 2025",
    "Montant HT 12 345,67 EUR, TVA 20 %",
    "Séance du conseil : 101 votants, 97 pour, 4 contre",
    "Horodatage 2025-07-14T21:15:00Z, capteur 0012",
    "Bilan 2019-2024 : 10 234 interventions",
    "Évacuation du bâtiment A2, 250 personnes, 14 minutes",
    // A known ambiguity: exactly the shape of an old FNI plate. Kept in the corpus so
    // the printed precision is honest about it.
    "Référence dossier 2024 AB 13 classée",
    "Tour de garde 1 à 4, relève à 06h00 et 18h00",
    "Stock : 3 000 gobelets, 1 500 bracelets, 20 barrières Vauban",
];

#[test]
fn precision_and_recall_on_the_corpus_reach_95_percent() {
    assert!(
        PERSONAL.len() >= 60 && ORDINARY.len() >= 60,
        "corpus too small"
    );
    let missed: Vec<&str> = PERSONAL
        .iter()
        .filter(|(text, _)| !contains_personal_data(text))
        .map(|(t, _)| *t)
        .collect();
    let false_alarms: Vec<(&str, Vec<PiiKind>)> = ORDINARY
        .iter()
        .filter(|text| contains_personal_data(text))
        .map(|text| (*text, kinds_in(text)))
        .collect();
    let true_positives = (PERSONAL.len() - missed.len()) as f64;
    let recall = true_positives / PERSONAL.len() as f64;
    let precision = true_positives / (true_positives + false_alarms.len() as f64);
    println!(
        "pii corpus: {} personal, {} ordinary; precision {:.1} %, recall {:.1} %",
        PERSONAL.len(),
        ORDINARY.len(),
        precision * 100.0,
        recall * 100.0
    );
    println!("missed: {missed:?}");
    println!("false alarms: {false_alarms:?}");
    assert!(recall >= 0.95, "recall {recall:.3}; missed {missed:?}");
    assert!(
        precision >= 0.95,
        "precision {precision:.3}; false alarms {false_alarms:?}"
    );
}

#[test]
fn each_personal_text_is_recognised_as_its_kind() {
    let wrong: Vec<(&str, PiiKind, Vec<PiiKind>)> = PERSONAL
        .iter()
        .map(|(text, kind)| (*text, *kind, kinds_in(text)))
        .filter(|(_, kind, found)| found != &vec![*kind])
        .collect();
    assert!(wrong.is_empty(), "wrong kinds: {wrong:#?}");
}

#[test]
fn redaction_leaves_no_personal_data_behind() {
    for (text, kind) in PERSONAL {
        let redacted = redact(text);
        assert_eq!(redacted.count, 1, "{text}");
        assert_eq!(redacted.kinds, vec![*kind], "{text}");
        assert!(
            redacted.text.contains(kind.placeholder()),
            "{text} -> {}",
            redacted.text
        );
        assert!(
            !contains_personal_data(&redacted.text),
            "{text} -> {}",
            redacted.text
        );
    }
}

#[test]
fn redaction_keeps_the_words_around_the_personal_data() {
    let redacted = redact("Rappeler M. Durand au 06 12 34 56 78 pour le stand");
    assert_eq!(redacted.text, "Rappeler M. Durand au [PHONE] pour le stand");
}
