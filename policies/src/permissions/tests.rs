//! Unit tests of `authorize`'s reasoning: purposes, resources, reasons and codes.
//! The exhaustive (role, operation) and (scope, operation) matrix lives in
//! `tests/permissions_matrix.rs`.

use super::*;

const CITY: OrgId = OrgId(1);
const RTM: OrgId = OrgId(7);

fn user(role: Role) -> Subject {
    Subject::User {
        role,
        organization: CITY,
    }
}

fn token(scopes: &[&str], purposes: &[Purpose]) -> Subject {
    Subject::PartnerToken {
        organization: RTM,
        scopes: scopes.iter().map(|s| Scope::parse(s).unwrap()).collect(),
        purposes: purposes.to_vec(),
    }
}

fn source(id: &str, organization: OrgId) -> ResourceRef {
    ResourceRef::Source {
        id: SourceId::parse(id).unwrap(),
        organization,
    }
}

#[test]
fn unknown_operations_are_denied_for_everyone() {
    let denial = authorize(&user(Role::Admin), "dropDatabase", None, None).unwrap_err();
    assert!(!denial.needs_authentication());
    assert_eq!(denial.reason, DenialReason::UnknownOperation);
}

#[test]
fn anonymous_callers_reach_only_public_operations() {
    assert!(authorize(&Subject::Anonymous, "login", None, None).is_ok());
    let denial = authorize(&Subject::Anonymous, "agenda", None, None).unwrap_err();
    assert!(denial.needs_authentication());
}

#[test]
fn a_required_purpose_must_be_declared_when_several_fit() {
    let denial = authorize(&user(Role::Supervisor), "incidents", None, None).unwrap_err();
    assert_eq!(denial.reason.code(), "PURPOSE_REQUIRED");
    assert!(denial.to_string().contains("event_planning"), "{denial}");
}

#[test]
fn the_only_possible_purpose_is_implied_and_flagged() {
    let grant = authorize(&user(Role::Dpo), "auditEntries", None, None).unwrap();
    assert_eq!(grant.purpose, Some(Purpose::Audit));
    assert!(grant.purpose_implied);
}

#[test]
fn a_purpose_outside_the_roles_list_is_refused_and_named() {
    let denial = authorize(
        &user(Role::Analyst),
        "incidentStats",
        Some(Purpose::CrisisResponse),
        None,
    )
    .unwrap_err();
    assert_eq!(
        denial.reason,
        DenialReason::PurposeNotAllowed {
            declared: Purpose::CrisisResponse,
            allowed: vec![Purpose::Statistics, Purpose::EventPlanning],
        }
    );
}

#[test]
fn the_admin_cannot_read_audit_content_nor_incidents() {
    for operation in ["auditEntries", "incidents", "agenda", "presence"] {
        let denial = authorize(&user(Role::Admin), operation, None, None).unwrap_err();
        assert_eq!(
            denial.reason,
            DenialReason::RoleNotAllowed(Role::Admin),
            "{operation}"
        );
    }
}

#[test]
fn a_partner_user_ingests_only_into_its_own_sources() {
    let partner = Subject::User {
        role: Role::Partner,
        organization: RTM,
    };
    let own = authorize(
        &partner,
        "ingestObservations",
        None,
        Some(&source("rtm-load", RTM)),
    );
    assert_eq!(own.unwrap().rows, RowFilter::OwnOrganization(RTM));
    let other = authorize(
        &partner,
        "ingestObservations",
        None,
        Some(&source("pm", CITY)),
    );
    assert_eq!(other.unwrap_err().reason, DenialReason::NotOwnResource);
    let blind = authorize(&partner, "ingestObservations", None, None);
    assert_eq!(blind.unwrap_err().reason.code(), "RESOURCE_REQUIRED");
}

#[test]
fn a_partner_user_lists_only_its_own_sources() {
    let partner = Subject::User {
        role: Role::Partner,
        organization: RTM,
    };
    let grant = authorize(&partner, "sources", None, None).unwrap();
    assert_eq!(grant.rows, RowFilter::OwnOrganization(RTM));
}

#[test]
fn a_token_ingests_only_into_the_source_its_scope_names() {
    let rtm = token(&["ingest:rtm-load"], &[Purpose::Ingestion]);
    let grant = authorize(
        &rtm,
        "ingestObservations",
        None,
        Some(&source("rtm-load", RTM)),
    )
    .unwrap();
    assert_eq!(grant.purpose, Some(Purpose::Ingestion));
    assert_eq!(
        grant.basis,
        GrantBasis::Scope(Scope::parse("ingest:rtm-load").unwrap())
    );
    let other = authorize(
        &rtm,
        "ingestObservations",
        None,
        Some(&source("rtm-other", RTM)),
    );
    assert_eq!(other.unwrap_err().reason.code(), "SCOPE_MISSING");
    let foreign = authorize(
        &rtm,
        "ingestObservations",
        None,
        Some(&source("rtm-load", CITY)),
    );
    assert_eq!(foreign.unwrap_err().reason, DenialReason::NotOwnResource);
}

#[test]
fn a_token_reads_aggregates_only_of_its_fields_and_purposes() {
    let rtm = token(&["read:aggregates:mobility"], &[Purpose::Statistics]);
    let field = |f| ResourceRef::Field(f);
    let ok = authorize(
        &rtm,
        "incidentStats",
        Some(Purpose::Statistics),
        Some(&field(AggregateField::Mobility)),
    );
    assert!(ok.is_ok());
    let implied = authorize(
        &rtm,
        "incidentStats",
        None,
        Some(&field(AggregateField::Mobility)),
    );
    assert_eq!(implied.unwrap().purpose, Some(Purpose::Statistics));
    let wrong_field = authorize(
        &rtm,
        "incidentStats",
        Some(Purpose::Statistics),
        Some(&field(AggregateField::Security)),
    );
    assert_eq!(
        wrong_field.unwrap_err().reason,
        DenialReason::ScopeMissing(vec!["read:aggregates:security".to_owned()])
    );
    let wrong_purpose = authorize(
        &rtm,
        "incidentStats",
        Some(Purpose::CrisisResponse),
        Some(&field(AggregateField::Mobility)),
    );
    assert_eq!(
        wrong_purpose.unwrap_err().reason.code(),
        "PURPOSE_NOT_ALLOWED"
    );
    let no_field = authorize(&rtm, "incidentStats", Some(Purpose::Statistics), None);
    assert_eq!(no_field.unwrap_err().reason.code(), "RESOURCE_REQUIRED");
}

#[test]
fn a_token_is_never_authorized_by_a_role() {
    let rtm = token(&["read:agenda"], &[Purpose::EventPlanning]);
    let denial = authorize(&rtm, "users", None, None).unwrap_err();
    assert_eq!(denial.reason.code(), "SCOPE_MISSING");
    assert!(!denial.needs_authentication());
}

#[test]
fn a_token_with_any_scope_may_ask_what_it_is() {
    let rtm = token(&["read:aggregates:presence"], &[Purpose::Statistics]);
    let grant = authorize(&rtm, "me", None, None).expect("me");
    assert!(matches!(grant.basis, GrantBasis::Scope(_)), "{grant:?}");
    let bare = token(&[], &[Purpose::Statistics]);
    let denial = authorize(&bare, "me", None, None).unwrap_err();
    assert_eq!(denial.reason.code(), "SCOPE_MISSING");
}

#[test]
fn the_system_runs_any_known_operation_and_nothing_unknown() {
    let grant = authorize(&Subject::System, "createUser", None, None).expect("known operation");
    assert_eq!(grant.basis, GrantBasis::System);
    let unknown = authorize(&Subject::System, "dropEverything", None, None);
    assert_eq!(
        unknown.unwrap_err().reason,
        DenialReason::UnknownOperation,
        "the system is bound by the matrix's list of operations too"
    );
}

#[test]
fn only_the_dpo_records_the_opinion_and_only_an_admin_decides_on_a_dpia() {
    let allowed = |role: Role, operation: &str| {
        authorize(&user(role), operation, None, None).is_ok()
            || authorize(&user(role), operation, Some(Purpose::DpiaReview), None).is_ok()
    };
    for &role in Role::ALL {
        assert_eq!(
            allowed(role, "recordDpoOpinion"),
            role == Role::Dpo,
            "{role:?} recordDpoOpinion"
        );
        for decision in ["validateDpia", "rejectDpia"] {
            assert_eq!(
                allowed(role, decision),
                role == Role::Admin,
                "{role:?} {decision}"
            );
        }
        for step in ["createDpia", "updateDpia", "submitDpia", "importDpia"] {
            assert_eq!(
                allowed(role, step),
                matches!(role, Role::Admin | Role::Supervisor),
                "{role:?} {step}: the DPO must not write what it reviews"
            );
        }
    }
}
