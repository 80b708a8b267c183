//! Every (role, operation) and every (scope, operation) pair against an expected
//! matrix written here independently of `permissions::table`, from DESIGN §5:
//! a change to who may do what must change both, on purpose.

// Test code, as clippy.toml intends: a panic in a helper is a failed assertion too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use policies::permissions::table::OPERATIONS;
use policies::permissions::{OrgId, ResourceRef, Subject, authorize};
use policies::roles::{AggregateField, Purpose, Role, Scope, SourceId};

/// Operation -> roles that may call it: a = admin, s = supervisor, n = analyst,
/// p = partner, d = dpo; `*` = public (anyone, even anonymous); empty = the
/// platform itself only.
const ROLE_MATRIX: &[(&str, &str)] = &[
    ("agenda", "snp"),
    ("event", "snp"),
    ("events", "snp"),
    ("assessmentUpdated", "snp"),
    ("agendaUpdated", "snp"),
    ("alerts", "snp"),
    ("densityAlerts", "snp"),
    ("venues", "asnpd"),
    ("zones", "asnpd"),
    ("organizations", "asnpd"),
    ("sources", "asnpd"),
    ("presence", "snp"),
    ("incidentStats", "snp"),
    ("incidents", "s"),
    ("scoringMethod", "asnpd"),
    ("trainedModels", "asnpd"),
    ("me", "asnpd"),
    ("users", "a"),
    ("partnerTokens", "a"),
    ("auditEntries", "d"),
    ("auditStats", "d"),
    ("auditVerify", "d"),
    ("processingActivities", "asd"),
    ("processingActivity", "asd"),
    ("dpias", "asd"),
    ("dpia", "asd"),
    ("dpiaExport", "asd"),
    ("dpiaCompare", "asd"),
    ("createEvent", "s"),
    ("updateEvent", "s"),
    ("setEventStatus", "s"),
    ("upsertDeployment", "s"),
    ("ingestObservations", "sp"),
    ("recordIncident", "s"),
    ("recordDecision", "s"),
    ("pauseScoring", "as"),
    ("resumeScoring", "as"),
    ("createUser", "a"),
    ("issuePartnerToken", "a"),
    ("revokePartnerToken", "a"),
    ("setSourceStatus", "a"),
    ("upsertProcessingActivity", "ad"),
    ("createDpia", "as"),
    ("updateDpia", "as"),
    ("submitDpia", "as"),
    ("recordDpoOpinion", "d"),
    ("validateDpia", "a"),
    ("rejectDpia", "a"),
    ("submitDpiaToCnil", "ad"),
    ("recordCnilAnswer", "ad"),
    ("importDpia", "as"),
    ("runRetention", "a"),
    ("createVenue", "a"),
    ("updateVenue", "a"),
    ("publishModel", "a"),
    ("importWeather", "a"),
    ("importHolidays", "a"),
    ("importZones", "a"),
    ("importTransit", "a"),
    ("importEvents", "a"),
    ("seedDemoData", ""),
    ("seedHistory", ""),
    ("trainModel", ""),
    ("rescoreAgenda", ""),
    ("login", "*"),
    ("refreshToken", "*"),
    ("logout", "*"),
];

/// Scope -> the operations a token holding only that scope may call (public ones
/// aside).
const TOKEN_MATRIX: &[(&str, &[&str])] = &[
    (
        "read:agenda",
        &[
            "agenda",
            "event",
            "events",
            "venues",
            "zones",
            "assessmentUpdated",
            "agendaUpdated",
            "alerts",
            "densityAlerts",
            "me",
        ],
    ),
    (
        "read:events",
        &["event", "events", "assessmentUpdated", "me"],
    ),
    ("read:aggregates:tranquillity", &["incidentStats", "me"]),
    ("read:aggregates:security", &["incidentStats", "me"]),
    ("read:aggregates:mobility", &["incidentStats", "me"]),
    ("read:aggregates:presence", &["presence", "me"]),
    ("ingest:rtm-load", &["ingestObservations", "sources", "me"]),
];

/// Operations on protected data, where a purpose is always recorded.
const PURPOSE_ALWAYS_RECORDED: &[&str] = &[
    "presence",
    "incidentStats",
    "incidents",
    "auditEntries",
    "auditStats",
    "auditVerify",
    "recordIncident",
    "ingestObservations",
];

const HOME: OrgId = OrgId(3);

fn letter(role: Role) -> char {
    match role {
        Role::Admin => 'a',
        Role::Supervisor => 's',
        Role::Analyst => 'n',
        Role::Partner => 'p',
        Role::Dpo => 'd',
    }
}

/// Every resource a caller could present: none, each field, its own source.
fn resources() -> Vec<Option<ResourceRef>> {
    let mut all = vec![None];
    all.extend(
        AggregateField::ALL
            .iter()
            .map(|f| Some(ResourceRef::Field(*f))),
    );
    all.push(Some(ResourceRef::Source {
        id: SourceId::parse("rtm-load").unwrap(),
        organization: HOME,
    }));
    all
}

fn purposes() -> Vec<Option<Purpose>> {
    std::iter::once(None)
        .chain(Purpose::ALL.iter().map(|p| Some(*p)))
        .collect()
}

/// Whether some purpose and resource let `subject` call `operation`.
fn can(subject: &Subject, operation: &str) -> bool {
    resources().iter().any(|resource| {
        purposes()
            .iter()
            .any(|purpose| authorize(subject, operation, *purpose, resource.as_ref()).is_ok())
    })
}

#[test]
fn the_expected_matrix_covers_exactly_the_operations_of_the_table() {
    let expected: BTreeSet<&str> = ROLE_MATRIX.iter().map(|(op, _)| *op).collect();
    let actual: BTreeSet<&str> = OPERATIONS.iter().map(|rule| rule.name).collect();
    assert_eq!(
        expected.len(),
        ROLE_MATRIX.len(),
        "duplicate rows in the expected matrix"
    );
    assert_eq!(
        expected, actual,
        "operations differ between the test and the table"
    );
}

#[test]
fn every_role_operation_pair_matches_the_expected_matrix() {
    let mut mismatches = Vec::new();
    for (operation, roles) in ROLE_MATRIX {
        for role in Role::ALL {
            let expected = *roles == "*" || roles.contains(letter(*role));
            let user = Subject::User {
                role: *role,
                organization: HOME,
            };
            if can(&user, operation) != expected {
                mismatches.push(format!("{role} {operation}: expected {expected}"));
            }
        }
        let anonymous = can(&Subject::Anonymous, operation);
        if anonymous != (*roles == "*") {
            mismatches.push(format!("anonymous {operation}: got {anonymous}"));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[test]
fn every_scope_operation_pair_matches_the_expected_matrix() {
    let mut mismatches = Vec::new();
    for (scope, granted) in TOKEN_MATRIX {
        let token = Subject::PartnerToken {
            organization: HOME,
            scopes: vec![Scope::parse(scope).unwrap()],
            purposes: Purpose::ALL.to_vec(),
        };
        for (operation, roles) in ROLE_MATRIX {
            let expected = *roles == "*" || granted.contains(operation);
            if can(&token, operation) != expected {
                mismatches.push(format!("{scope} {operation}: expected {expected}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[test]
fn a_token_without_scopes_reaches_only_public_operations() {
    let token = Subject::PartnerToken {
        organization: HOME,
        scopes: Vec::new(),
        purposes: Purpose::ALL.to_vec(),
    };
    for (operation, roles) in ROLE_MATRIX {
        assert_eq!(can(&token, operation), *roles == "*", "{operation}");
    }
}

#[test]
fn protected_operations_always_record_a_purpose() {
    for (operation, roles) in ROLE_MATRIX {
        for role in Role::ALL.iter().filter(|r| roles.contains(letter(**r))) {
            let user = Subject::User {
                role: *role,
                organization: HOME,
            };
            for resource in resources() {
                if let Ok(grant) = authorize(&user, operation, None, resource.as_ref()) {
                    let recorded = grant.purpose.is_some();
                    let expected = PURPOSE_ALWAYS_RECORDED.contains(operation);
                    assert_eq!(
                        recorded, expected,
                        "{role} {operation} without a declared purpose"
                    );
                }
            }
        }
    }
}

#[test]
fn a_token_may_only_declare_its_own_purposes() {
    let token = Subject::PartnerToken {
        organization: HOME,
        scopes: vec![Scope::ReadAgenda],
        purposes: vec![Purpose::EventPlanning],
    };
    assert!(authorize(&token, "agenda", Some(Purpose::EventPlanning), None).is_ok());
    let denial = authorize(&token, "agenda", Some(Purpose::Statistics), None).unwrap_err();
    assert!(!denial.needs_authentication(), "a token is authenticated");
    assert_eq!(denial.reason.code(), "PURPOSE_NOT_ALLOWED");
}
