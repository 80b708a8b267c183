//! The permission matrix below the root: who may read each field of each object type
//! reachable by nesting. The root fields' rows ([`super::table`]) decide who enters
//! the graph; this table decides how far in they may go, so that a field reached
//! through a parent never shows what its own root would refuse (decisions under an
//! event, an organization under a deployment).
//!
//! Default closed: a type missing from [`TYPES`] has no readable field, so a new type
//! stays closed until someone adds its row on purpose (a test lists the schema's
//! types that lack one). Most types are values of their parent (payloads, edges,
//! explanations) and are read by whoever could read the parent: [`Readers::Parent`].

use crate::roles::{Role, Scope};

use super::Subject;
use super::decision::DenialReason;

/// Who may read a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// Whoever could read the parent object: the field adds nothing its parent's
    /// rule did not already allow.
    Parent,
    /// These roles, and tokens holding one of these scopes (anyone else is refused).
    Only {
        /// The roles allowed.
        roles: &'static [Role],
        /// The token scopes allowed.
        scopes: &'static [FieldScope],
    },
}

/// A token scope that opens a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldScope {
    /// `read:agenda`.
    ReadAgenda,
    /// `read:events`.
    ReadEvents,
}

impl FieldScope {
    fn granted_by(self, scope: &Scope) -> bool {
        matches!(
            (self, scope),
            (FieldScope::ReadAgenda, Scope::ReadAgenda)
                | (FieldScope::ReadEvents, Scope::ReadEvents)
        )
    }
}

/// The rule of one object type: its fields' default readers and the exceptions.
#[derive(Debug, Clone, Copy)]
pub struct TypeAccess {
    /// The GraphQL type name, exactly as in the schema.
    pub name: &'static str,
    /// Who reads its fields, unless [`TypeAccess::fields`] says otherwise.
    pub readers: Readers,
    /// Fields with readers of their own.
    pub fields: &'static [(&'static str, Readers)],
}

const fn parent(name: &'static str) -> TypeAccess {
    TypeAccess {
        name,
        readers: Readers::Parent,
        fields: &[],
    }
}

use Role::{Admin, Analyst, Dpo, Partner, Supervisor};

/// Decisions are the supervision team's own records: who decided and why. Analysts
/// study them; no partner, administrator or token reads them.
const DECISION_READERS: Readers = Readers::Only {
    roles: &[Supervisor, Analyst],
    scopes: &[],
};
/// Organizations are the platform's reference data for people; tokens reach none
/// (their root field, `organizations`, is closed to them too).
const ORGANIZATION_READERS: Readers = Readers::Only {
    roles: &[Admin, Supervisor, Analyst, Partner, Dpo],
    scopes: &[],
};

/// Every object type of the schema, except the roots (see [`super::table`]).
pub static TYPES: &[TypeAccess] = &[
    parent("AgendaDay"),
    parent("AgendaUpdate"),
    parent("AggregateBucketTotal"),
    parent("AggregateCell"),
    parent("AggregateRelease"),
    parent("AggregateTotal"),
    parent("AggregateZoneTotal"),
    parent("Assessment"),
    parent("AssessmentInputs"),
    parent("AuditCount"),
    parent("AuditEntry"),
    parent("AuditEntryConnection"),
    parent("AuditEntryEdge"),
    parent("AuditStats"),
    parent("AuditVerification"),
    parent("AuthPayload"),
    parent("BacktestFigures"),
    parent("Conflict"),
    parent("Contribution"),
    parent("CreateDpiaPayload"),
    parent("CreateEventPayload"),
    parent("CreateVenuePayload"),
    parent("DataSubjectsOpinion"),
    parent("DensityAlert"),
    TypeAccess {
        name: "Decision",
        readers: DECISION_READERS,
        fields: &[],
    },
    TypeAccess {
        name: "Deployment",
        readers: Readers::Parent,
        fields: &[("organization", ORGANIZATION_READERS)],
    },
    parent("Dpia"),
    parent("DpiaAnswer"),
    parent("DpiaAnswerChange"),
    parent("DpiaComparison"),
    parent("DpiaEvaluation"),
    parent("DpiaExportFile"),
    parent("DpiaFieldChange"),
    parent("DpiaMeasure"),
    parent("DpiaMeasureChange"),
    parent("DpoOpinion"),
    parent("EffectCard"),
    parent("EgressLoad"),
    TypeAccess {
        name: "Event",
        readers: Readers::Parent,
        fields: &[("decisions", DECISION_READERS)],
    },
    parent("EventConnection"),
    parent("EventEdge"),
    parent("ExpectedIncidents"),
    parent("ExpectedLoad"),
    parent("Explanation"),
    parent("FeatureCard"),
    parent("FieldCard"),
    parent("FieldExplanation"),
    parent("FieldRisk"),
    parent("FirstAid"),
    parent("ImportDpiaPayload"),
    parent("Incident"),
    parent("IncidentConnection"),
    parent("IncidentEdge"),
    parent("IngestObservationsPayload"),
    parent("IssuePartnerTokenPayload"),
    parent("KindAdequacy"),
    parent("ModelCard"),
    TypeAccess {
        name: "Organization",
        readers: ORGANIZATION_READERS,
        fields: &[],
    },
    parent("ImportSummary"),
    parent("PageInfo"),
    TypeAccess {
        name: "PartnerToken",
        readers: Readers::Parent,
        fields: &[("organization", ORGANIZATION_READERS)],
    },
    parent("ProcessingActivity"),
    parent("PublishModelPayload"),
    parent("RecordCnilAnswerPayload"),
    parent("RecordDpoOpinionPayload"),
    parent("RecordIncidentPayload"),
    parent("RegisteredSource"),
    parent("RejectDpiaPayload"),
    parent("Requirement"),
    parent("RetentionRun"),
    parent("RuleCard"),
    parent("ScoringMethod"),
    parent("ScoringStatus"),
    parent("SetEventStatusPayload"),
    parent("SetSourceStatusPayload"),
    parent("SourceRetention"),
    parent("SubmitDpiaPayload"),
    parent("SubmitDpiaToCnilPayload"),
    parent("TrainedModel"),
    parent("TrainingWindow"),
    parent("UpdateDpiaPayload"),
    parent("UpdateEventPayload"),
    parent("UpdateVenuePayload"),
    parent("UpsertDeploymentPayload"),
    parent("UpsertProcessingActivityPayload"),
    TypeAccess {
        name: "User",
        readers: Readers::Parent,
        fields: &[("organization", ORGANIZATION_READERS)],
    },
    parent("ValidateDpiaPayload"),
    parent("Venue"),
    parent("Viewer"),
    parent("Zone"),
];

/// The rule of `type_name`, if the table has one.
pub fn type_access(type_name: &str) -> Option<&'static TypeAccess> {
    TYPES.iter().find(|t| t.name == type_name)
}

/// The readers of `field` of `type_name`; `None` when the type has no row (closed).
pub fn readers(type_name: &str, field: &str) -> Option<Readers> {
    let access = type_access(type_name)?;
    Some(
        access
            .fields
            .iter()
            .find(|(name, _)| *name == field)
            .map_or(access.readers, |(_, readers)| *readers),
    )
}

/// Decides whether `subject` may read `field` of `type_name`, once it could read an
/// object of that type. The denial names what is missing, as root denials do.
pub fn may_read(subject: &Subject, type_name: &str, field: &str) -> Result<(), DenialReason> {
    let Some(readers) = readers(type_name, field) else {
        return Err(DenialReason::UnknownOperation);
    };
    let Readers::Only { roles, scopes } = readers else {
        return Ok(());
    };
    match subject {
        Subject::System => Ok(()),
        Subject::Anonymous => Err(DenialReason::AuthenticationRequired),
        Subject::User { role, .. } if roles.contains(role) => Ok(()),
        Subject::User { role, .. } => Err(DenialReason::RoleNotAllowed(*role)),
        Subject::PartnerToken { scopes: held, .. } => {
            if scopes
                .iter()
                .any(|wanted| held.iter().any(|scope| wanted.granted_by(scope)))
            {
                Ok(())
            } else {
                Err(DenialReason::ScopeMissing(
                    scopes
                        .iter()
                        .map(|s| match s {
                            FieldScope::ReadAgenda => Scope::ReadAgenda.to_string(),
                            FieldScope::ReadEvents => Scope::ReadEvents.to_string(),
                        })
                        .collect(),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::OrgId;
    use crate::roles::Purpose;

    fn person(role: Role) -> Subject {
        Subject::User {
            role,
            organization: OrgId(1),
        }
    }

    fn token(scopes: Vec<Scope>) -> Subject {
        Subject::PartnerToken {
            organization: OrgId(2),
            scopes,
            purposes: vec![Purpose::EventPlanning],
        }
    }

    #[test]
    fn a_token_reads_an_event_but_not_its_decisions_nor_who_deploys() {
        let agenda = token(vec![Scope::ReadAgenda, Scope::ReadEvents]);
        assert_eq!(may_read(&agenda, "Event", "title"), Ok(()));
        assert!(matches!(
            may_read(&agenda, "Event", "decisions"),
            Err(DenialReason::ScopeMissing(_))
        ));
        assert!(may_read(&agenda, "Decision", "rationale").is_err());
        assert!(may_read(&agenda, "Deployment", "organization").is_err());
        assert_eq!(may_read(&agenda, "Deployment", "count"), Ok(()));
        assert!(may_read(&agenda, "Organization", "name").is_err());
    }

    #[test]
    fn decisions_are_for_the_supervision_team_and_its_analysts() {
        for role in Role::ALL.iter().copied() {
            let allowed = may_read(&person(role), "Event", "decisions").is_ok();
            assert_eq!(
                allowed,
                matches!(role, Role::Supervisor | Role::Analyst),
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_type_without_a_row_is_closed_to_everyone_but_the_system() {
        for subject in [person(Role::Admin), token(vec![Scope::ReadAgenda])] {
            assert_eq!(
                may_read(&subject, "SomethingNew", "anything"),
                Err(DenialReason::UnknownOperation)
            );
        }
        assert_eq!(
            may_read(&Subject::System, "Organization", "name"),
            Ok(()),
            "the system passes the rows it has"
        );
    }

    #[test]
    fn the_table_names_each_type_once() {
        let mut seen = std::collections::HashSet::new();
        for access in TYPES {
            assert!(seen.insert(access.name), "{} twice", access.name);
        }
    }
}
