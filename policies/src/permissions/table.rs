//! The permission matrix as data: one row per GraphQL root field, saying which roles
//! may call it (and for which purposes), which partner-token scopes grant it, and
//! whether a purpose must be declared. `authorize` only interprets this table, so a
//! review of who may do what is a review of this file (DESIGN §5).
//!
//! Choices worth knowing:
//! - admin and dpo never reach operational record data (agenda, events, incidents,
//!   aggregates): their work is the platform and its compliance, not the operations;
//! - only the supervisor reads record-level municipal data (`incidents`);
//! - a purpose is *required* where protected data is read or written (aggregates,
//!   incidents, ingestion, audit log); where only one purpose fits it is implied;
//! - supervisors may pause scoring as well as admins: human oversight belongs to the
//!   people who act on the advice (DESIGN §9).

use crate::roles::{AggregateField, Purpose, Role};

/// Whether a root field is a query, a mutation, or open to anyone (authentication).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// A root field of `Query`.
    Query,
    /// A root field of `Mutation`.
    Mutation,
    /// Callable without authentication (login and token refresh).
    Public,
    /// A change the platform makes on its own (first-start seeding, training, the
    /// scheduled re-scoring): no role or token may call it, only the system, and it
    /// is audited like any other change.
    Task,
}

/// Which organizations' rows a grant reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every row the operation returns.
    All,
    /// Only rows of the caller's own organization (a partner's own sources).
    OwnOrganization,
}

/// One role's access to one operation.
#[derive(Debug, Clone, Copy)]
pub struct RoleAccess {
    /// The role granted.
    pub role: Role,
    /// The purposes this role may declare for this operation.
    pub purposes: &'static [Purpose],
    /// Whose rows the role reaches.
    pub reach: Reach,
}

/// How a partner-token scope grants an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRule {
    /// Granted by `read:agenda`.
    ReadAgenda,
    /// Granted by `read:events`.
    ReadEvents,
    /// Granted by `read:aggregates:<field>` for this fixed field.
    ReadAggregates(AggregateField),
    /// Granted by `read:aggregates:<field>` where the field is the incident field
    /// (tranquillity, security, mobility) named by the request's `ResourceRef::Field`.
    ReadAggregatesOfRequestedField,
    /// Granted by `ingest:<source>` where the source is the request's resource.
    IngestRequestedSource,
    /// Granted by any `ingest:` scope, reaching only the token's own organization.
    AnyIngest,
    /// Granted by any scope at all: what a token may learn about itself.
    AnyScope,
}

/// One scope's access to one operation.
#[derive(Debug, Clone, Copy)]
pub struct TokenAccess {
    /// The scope that grants it.
    pub scope: ScopeRule,
    /// The purposes a token may declare for it (further narrowed by the token's own).
    pub purposes: &'static [Purpose],
}

/// One row of the matrix.
#[derive(Debug, Clone, Copy)]
pub struct OperationRule {
    /// The GraphQL root field name, exactly as in the schema.
    pub name: &'static str,
    /// Query, mutation or public.
    pub kind: OperationKind,
    /// Whether the caller must declare (or be implied) a purpose.
    pub purpose_required: bool,
    /// The roles that may call it.
    pub roles: &'static [RoleAccess],
    /// The token scopes that grant it.
    pub tokens: &'static [TokenAccess],
}

use Purpose::{
    Administration, Audit, CrisisResponse, DpiaReview, EventPlanning, Ingestion, Statistics,
};

/// Operational planning and crisis work.
const PLAN: &[Purpose] = &[EventPlanning, CrisisResponse];
/// Reading operational data: planning, crisis, statistics.
const READ: &[Purpose] = &[EventPlanning, CrisisResponse, Statistics];
/// An analyst studies and helps plan; it does not run crises.
const ANALYSE: &[Purpose] = &[Statistics, EventPlanning];
/// Running the platform.
const ADMINISTER: &[Purpose] = &[Administration];
/// Controlling accesses.
const AUDIT: &[Purpose] = &[Audit];
/// The register and DPIA, from the controller's side.
const REGISTER_ADMIN: &[Purpose] = &[Administration, DpiaReview];
/// The register and DPIA, from the DPO's side.
const REGISTER_DPO: &[Purpose] = &[Audit, DpiaReview];
/// Sending data.
const INGEST: &[Purpose] = &[Ingestion];
/// Reference data and one's own account: any declared purpose is fine, because a
/// request-wide `X-Purpose` header must not make `me` or `zones` fail.
const ANY: &[Purpose] = Purpose::ALL;

const fn role(role: Role, purposes: &'static [Purpose]) -> RoleAccess {
    RoleAccess {
        role,
        purposes,
        reach: Reach::All,
    }
}

const fn own(role: Role, purposes: &'static [Purpose]) -> RoleAccess {
    RoleAccess {
        role,
        purposes,
        reach: Reach::OwnOrganization,
    }
}

const fn token(scope: ScopeRule, purposes: &'static [Purpose]) -> TokenAccess {
    TokenAccess { scope, purposes }
}

const fn op(
    name: &'static str,
    kind: OperationKind,
    purpose_required: bool,
    roles: &'static [RoleAccess],
    tokens: &'static [TokenAccess],
) -> OperationRule {
    OperationRule {
        name,
        kind,
        purpose_required,
        roles,
        tokens,
    }
}

use OperationKind::{Mutation, Public, Query, Task};
use Role::{Admin, Analyst, Dpo, Partner, Supervisor};
use ScopeRule::{
    AnyIngest, AnyScope, IngestRequestedSource, ReadAgenda, ReadAggregates,
    ReadAggregatesOfRequestedField, ReadEvents,
};

/// Who reads the agenda and events.
const AGENDA_READERS: &[RoleAccess] = &[
    role(Supervisor, READ),
    role(Analyst, ANALYSE),
    role(Partner, READ),
];
/// Everyone, for reference data.
const EVERYONE: &[RoleAccess] = &[
    role(Admin, ANY),
    role(Supervisor, ANY),
    role(Analyst, ANY),
    role(Partner, ANY),
    role(Dpo, ANY),
];
/// Who reads disclosure-controlled aggregates.
const AGGREGATE_READERS: &[RoleAccess] = &[
    role(Supervisor, READ),
    role(Analyst, ANALYSE),
    role(Partner, READ),
];
/// The supervision team's operational writes.
const SUPERVISION: &[RoleAccess] = &[role(Supervisor, PLAN)];
/// Platform administration only.
const ADMIN_ONLY: &[RoleAccess] = &[role(Admin, ADMINISTER)];
/// The register and DPIA, kept by the DPO with the controller.
const REGISTER: &[RoleAccess] = &[role(Admin, REGISTER_ADMIN), role(Dpo, REGISTER_DPO)];
/// Who reads the register and DPIAs: its keepers and the supervisors who author DPIAs.
const REGISTER_READERS: &[RoleAccess] = &[
    role(Admin, REGISTER_ADMIN),
    role(Supervisor, REGISTER_ADMIN),
    role(Dpo, REGISTER_DPO),
];
/// Who drafts a DPIA: the controller's side (an administrator or a supervisor); the
/// DPO gives an opinion on it and never writes it.
const DPIA_AUTHORS: &[RoleAccess] = &[
    role(Admin, REGISTER_ADMIN),
    role(Supervisor, REGISTER_ADMIN),
];
/// The audit log: the DPO only.
const AUDITOR: &[RoleAccess] = &[role(Dpo, AUDIT)];
/// Public operations need no role.
const NOBODY: &[RoleAccess] = &[];
/// No token scope grants it.
const NO_TOKEN: &[TokenAccess] = &[];
/// `read:agenda` opens the agenda and its reference data.
const AGENDA_TOKEN: &[TokenAccess] = &[token(ReadAgenda, READ)];
/// Events are opened by `read:agenda` or `read:events`.
const EVENTS_TOKEN: &[TokenAccess] = &[token(ReadAgenda, READ), token(ReadEvents, READ)];

/// The matrix. Every GraphQL root field must appear here: `authorize` denies any
/// name it does not find (default deny).
pub static OPERATIONS: &[OperationRule] = &[
    // Queries: the agenda and its reference data.
    op("agenda", Query, false, AGENDA_READERS, AGENDA_TOKEN),
    op("event", Query, false, AGENDA_READERS, EVENTS_TOKEN),
    op("events", Query, false, AGENDA_READERS, EVENTS_TOKEN),
    // Subscriptions and live alerts: the same readers as the agenda and its events.
    op(
        "assessmentUpdated",
        Query,
        false,
        AGENDA_READERS,
        EVENTS_TOKEN,
    ),
    op("agendaUpdated", Query, false, AGENDA_READERS, AGENDA_TOKEN),
    op("alerts", Query, false, AGENDA_READERS, AGENDA_TOKEN),
    op("densityAlerts", Query, false, AGENDA_READERS, AGENDA_TOKEN),
    op("venues", Query, false, EVERYONE, &[token(ReadAgenda, ANY)]),
    op("zones", Query, false, EVERYONE, &[token(ReadAgenda, ANY)]),
    op("organizations", Query, false, EVERYONE, NO_TOKEN),
    op(
        "sources",
        Query,
        false,
        &[
            role(Admin, ANY),
            role(Supervisor, ANY),
            role(Analyst, ANY),
            own(Partner, ANY),
            role(Dpo, ANY),
        ],
        &[token(AnyIngest, ANY)],
    ),
    // Queries: protected data.
    op(
        "presence",
        Query,
        true,
        AGGREGATE_READERS,
        &[token(ReadAggregates(AggregateField::Presence), READ)],
    ),
    op(
        "incidentStats",
        Query,
        true,
        AGGREGATE_READERS,
        &[token(ReadAggregatesOfRequestedField, READ)],
    ),
    op(
        "incidents",
        Query,
        true,
        &[role(Supervisor, PLAN)],
        NO_TOKEN,
    ),
    op("scoringMethod", Query, false, EVERYONE, NO_TOKEN),
    op("trainedModels", Query, false, EVERYONE, NO_TOKEN),
    // Queries: accounts, audit, register.
    // A token may ask what it is (its label, organization and scopes) once it holds
    // any scope; a client such as the agenda page needs it to know what to show.
    op("me", Query, false, EVERYONE, &[token(AnyScope, ANY)]),
    op("users", Query, false, ADMIN_ONLY, NO_TOKEN),
    op("partnerTokens", Query, false, ADMIN_ONLY, NO_TOKEN),
    op("auditEntries", Query, true, AUDITOR, NO_TOKEN),
    op("auditStats", Query, true, AUDITOR, NO_TOKEN),
    op("auditVerify", Query, true, AUDITOR, NO_TOKEN),
    op(
        "processingActivities",
        Query,
        false,
        REGISTER_READERS,
        NO_TOKEN,
    ),
    op(
        "processingActivity",
        Query,
        false,
        REGISTER_READERS,
        NO_TOKEN,
    ),
    op("dpias", Query, false, REGISTER_READERS, NO_TOKEN),
    op("dpia", Query, false, REGISTER_READERS, NO_TOKEN),
    op("dpiaExport", Query, false, REGISTER_READERS, NO_TOKEN),
    op("dpiaCompare", Query, false, REGISTER_READERS, NO_TOKEN),
    // Mutations: operations.
    op("createEvent", Mutation, false, SUPERVISION, NO_TOKEN),
    op("updateEvent", Mutation, false, SUPERVISION, NO_TOKEN),
    op("setEventStatus", Mutation, false, SUPERVISION, NO_TOKEN),
    op("upsertDeployment", Mutation, false, SUPERVISION, NO_TOKEN),
    op("recordDecision", Mutation, false, SUPERVISION, NO_TOKEN),
    op("recordIncident", Mutation, true, SUPERVISION, NO_TOKEN),
    op(
        "ingestObservations",
        Mutation,
        true,
        &[own(Supervisor, INGEST), own(Partner, INGEST)],
        &[token(IngestRequestedSource, INGEST)],
    ),
    op(
        "pauseScoring",
        Mutation,
        false,
        &[role(Admin, ADMINISTER), role(Supervisor, PLAN)],
        NO_TOKEN,
    ),
    op(
        "resumeScoring",
        Mutation,
        false,
        &[role(Admin, ADMINISTER), role(Supervisor, PLAN)],
        NO_TOKEN,
    ),
    // Mutations: administration.
    op("createUser", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    op("issuePartnerToken", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    op("revokePartnerToken", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    op("setSourceStatus", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    op("runRetention", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    // Venues are reference data, kept by the administration like organizations and
    // sources; the supervision team adapts one event's site factors through its
    // overrides (`createEvent`, `updateEvent`).
    op("createVenue", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    op("updateVenue", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    // Overruling the publication gate of risk models: an administrator, with a
    // written reason (DESIGN §9).
    op("publishModel", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    // Mutations: imports of published data (also `api import ...`).
    op("importWeather", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    op("importHolidays", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    op("importZones", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    op("importTransit", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    op("importEvents", Mutation, false, ADMIN_ONLY, NO_TOKEN),
    // Mutations: register and DPIA workflow.
    op(
        "upsertProcessingActivity",
        Mutation,
        false,
        REGISTER,
        NO_TOKEN,
    ),
    op("createDpia", Mutation, false, DPIA_AUTHORS, NO_TOKEN),
    op("updateDpia", Mutation, false, DPIA_AUTHORS, NO_TOKEN),
    op("submitDpia", Mutation, false, DPIA_AUTHORS, NO_TOKEN),
    op(
        "recordDpoOpinion",
        Mutation,
        false,
        &[role(Dpo, REGISTER_DPO)],
        NO_TOKEN,
    ),
    op(
        "validateDpia",
        Mutation,
        false,
        &[role(Admin, REGISTER_ADMIN)],
        NO_TOKEN,
    ),
    op(
        "rejectDpia",
        Mutation,
        false,
        &[role(Admin, REGISTER_ADMIN)],
        NO_TOKEN,
    ),
    op("submitDpiaToCnil", Mutation, false, REGISTER, NO_TOKEN),
    op("recordCnilAnswer", Mutation, false, REGISTER, NO_TOKEN),
    op("importDpia", Mutation, false, DPIA_AUTHORS, NO_TOKEN),
    // The platform's own changes, made by the system only.
    op("seedDemoData", Task, false, NOBODY, NO_TOKEN),
    op("seedHistory", Task, false, NOBODY, NO_TOKEN),
    op("trainModel", Task, false, NOBODY, NO_TOKEN),
    op("rescoreAgenda", Task, false, NOBODY, NO_TOKEN),
    // Public: authentication itself.
    op("login", Public, false, NOBODY, NO_TOKEN),
    op("refreshToken", Public, false, NOBODY, NO_TOKEN),
    op("logout", Public, false, NOBODY, NO_TOKEN),
];

/// The rule of an operation, if the matrix knows it.
pub fn operation_rule(name: &str) -> Option<&'static OperationRule> {
    OPERATIONS.iter().find(|rule| rule.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn operation_names_are_unique() {
        let mut seen = HashSet::new();
        for rule in OPERATIONS {
            assert!(seen.insert(rule.name), "{} appears twice", rule.name);
        }
    }

    #[test]
    fn every_role_access_lists_at_least_one_purpose() {
        for rule in OPERATIONS {
            for access in rule.roles {
                assert!(
                    !access.purposes.is_empty(),
                    "{} / {}",
                    rule.name,
                    access.role
                );
            }
            for access in rule.tokens {
                assert!(
                    !access.purposes.is_empty(),
                    "{} / {:?}",
                    rule.name,
                    access.scope
                );
            }
        }
    }

    #[test]
    fn public_and_platform_operations_grant_no_role_and_protected_ones_grant_some() {
        for rule in OPERATIONS {
            match rule.kind {
                OperationKind::Public | OperationKind::Task => {
                    assert!(rule.roles.is_empty(), "{}", rule.name)
                }
                _ => assert!(!rule.roles.is_empty(), "{}", rule.name),
            }
        }
    }
}
