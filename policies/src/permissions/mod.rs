//! Authorization: given who is calling, which root field, for which purpose and on
//! which resource, `authorize` reads the matrix in [`table`] and returns a grant (with
//! the purpose to write in the audit log and the rows it reaches) or a denial with a
//! stable code and the missing piece. Unknown operations are denied: a new root field
//! is closed until someone adds its row on purpose.

mod decision;
pub mod fields;
pub mod table;

pub use decision::{Denial, DenialReason, Grant, GrantBasis, RowFilter};

use crate::roles::{AggregateField, Purpose, Role, Scope, SourceId};
use table::{OperationKind, OperationRule, Reach, ScopeRule, operation_rule};

/// The id of an organization (municipal service or partner agency), as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgId(pub i64);

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// No credentials: only public operations.
    Anonymous,
    /// A person logged in with a role.
    User {
        /// The person's role.
        role: Role,
        /// The organization the person belongs to.
        organization: OrgId,
    },
    /// The platform itself: a task of the server (retention, scoring passes) or a
    /// command run by an operator at the server's console, who already holds the
    /// database. It may run any operation the matrix knows, and is audited as such.
    System,
    /// A partner agency's scoped token: authorized by its scopes only, never by a role.
    PartnerToken {
        /// The organization the token was issued for.
        organization: OrgId,
        /// What the token may do.
        scopes: Vec<Scope>,
        /// The purposes the token may declare.
        purposes: Vec<Purpose>,
    },
}

/// The resource an operation targets, when its authorization depends on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceRef {
    /// A data source and the organization that owns it (ingestion, source reads).
    Source {
        /// The source's id.
        id: SourceId,
        /// Its owner.
        organization: OrgId,
    },
    /// The aggregate field a statistics query asks for.
    Field(AggregateField),
}

/// Decides whether `subject` may call `operation`, declaring `purpose`, on `resource`.
///
/// The server calls it once per root field, before any data is read, and writes the
/// outcome (grant basis and purpose, or denial reason) to the audit log.
pub fn authorize(
    subject: &Subject,
    operation: &str,
    purpose: Option<Purpose>,
    resource: Option<&ResourceRef>,
) -> Result<Grant, Denial> {
    let deny = |reason| Denial {
        operation: operation.to_owned(),
        reason,
    };
    let Some(rule) = operation_rule(operation) else {
        return Err(deny(DenialReason::UnknownOperation));
    };
    if rule.kind == OperationKind::Public {
        return Ok(Grant {
            operation: rule.name,
            purpose,
            purpose_implied: false,
            basis: GrantBasis::Public,
            rows: RowFilter::None,
        });
    }
    match subject {
        Subject::Anonymous => Err(deny(DenialReason::AuthenticationRequired)),
        Subject::System => Ok(Grant {
            operation: rule.name,
            purpose,
            purpose_implied: false,
            basis: GrantBasis::System,
            rows: RowFilter::None,
        }),
        Subject::User { role, organization } => {
            authorize_user(rule, *role, *organization, purpose, resource).map_err(deny)
        }
        Subject::PartnerToken {
            organization,
            scopes,
            purposes,
        } => {
            authorize_token(rule, *organization, scopes, purposes, purpose, resource).map_err(deny)
        }
    }
}

fn authorize_user(
    rule: &OperationRule,
    role: Role,
    organization: OrgId,
    declared: Option<Purpose>,
    resource: Option<&ResourceRef>,
) -> Result<Grant, DenialReason> {
    let access = rule
        .roles
        .iter()
        .find(|access| access.role == role)
        .ok_or(DenialReason::RoleNotAllowed(role))?;
    let rows = reach_rows(access.reach, organization, rule, resource)?;
    let (purpose, purpose_implied) = settle_purpose(rule, access.purposes, declared)?;
    Ok(Grant {
        operation: rule.name,
        purpose,
        purpose_implied,
        basis: GrantBasis::Role(role),
        rows,
    })
}

fn authorize_token(
    rule: &OperationRule,
    organization: OrgId,
    scopes: &[Scope],
    token_purposes: &[Purpose],
    declared: Option<Purpose>,
    resource: Option<&ResourceRef>,
) -> Result<Grant, DenialReason> {
    // When no path gets past the scope check, the denial lists every scope that
    // would have granted it; otherwise it reports the path that got furthest.
    let mut missing: Vec<String> = Vec::new();
    let mut best: Option<DenialReason> = None;
    for access in rule.tokens {
        let attempt =
            match_scope(access.scope, scopes, organization, resource).and_then(|(scope, rows)| {
                let allowed: Vec<Purpose> = access
                    .purposes
                    .iter()
                    .copied()
                    .filter(|p| token_purposes.contains(p))
                    .collect();
                let (purpose, purpose_implied) = settle_purpose(rule, &allowed, declared)?;
                Ok(Grant {
                    operation: rule.name,
                    purpose,
                    purpose_implied,
                    basis: GrantBasis::Scope(scope),
                    rows,
                })
            });
        match attempt {
            Ok(grant) => return Ok(grant),
            Err(DenialReason::ScopeMissing(scopes)) => missing.extend(scopes),
            Err(reason) => {
                if best
                    .as_ref()
                    .is_none_or(|b| reason.specificity() > b.specificity())
                {
                    best = Some(reason);
                }
            }
        }
    }
    Err(best.unwrap_or(DenialReason::ScopeMissing(missing)))
}

/// Finds the token scope that satisfies `rule`, with the rows it reaches.
fn match_scope(
    rule: ScopeRule,
    scopes: &[Scope],
    organization: OrgId,
    resource: Option<&ResourceRef>,
) -> Result<(Scope, RowFilter), DenialReason> {
    let missing = || DenialReason::ScopeMissing(vec![scope_name(rule)]);
    let found = |wanted: &Scope| scopes.iter().find(|s| *s == wanted).cloned();
    match rule {
        ScopeRule::ReadAgenda => found(&Scope::ReadAgenda)
            .map(|s| (s, RowFilter::None))
            .ok_or_else(missing),
        ScopeRule::ReadEvents => found(&Scope::ReadEvents)
            .map(|s| (s, RowFilter::None))
            .ok_or_else(missing),
        ScopeRule::ReadAggregates(field) => found(&Scope::ReadAggregates(field))
            .map(|s| (s, RowFilter::None))
            .ok_or_else(missing),
        ScopeRule::ReadAggregatesOfRequestedField => match resource {
            // Presence has its own operation; incident statistics cover the three
            // risk fields only.
            Some(ResourceRef::Field(AggregateField::Presence)) => {
                Err(DenialReason::ResourceRequired(
                    "incident field (tranquillity, security or mobility)",
                ))
            }
            Some(ResourceRef::Field(field)) => found(&Scope::ReadAggregates(*field))
                .map(|s| (s, RowFilter::None))
                .ok_or_else(|| {
                    DenialReason::ScopeMissing(vec![Scope::ReadAggregates(*field).to_string()])
                }),
            _ => Err(DenialReason::ResourceRequired("aggregate field")),
        },
        ScopeRule::IngestRequestedSource => match resource {
            Some(ResourceRef::Source {
                id,
                organization: owner,
            }) => {
                let scope = found(&Scope::Ingest(id.clone())).ok_or_else(|| {
                    DenialReason::ScopeMissing(vec![Scope::Ingest(id.clone()).to_string()])
                })?;
                // A scope names a source id; the owner check guards against a token
                // issued with another organization's source id by mistake.
                if *owner != organization {
                    return Err(DenialReason::NotOwnResource);
                }
                Ok((scope, RowFilter::OwnOrganization(organization)))
            }
            _ => Err(DenialReason::ResourceRequired("source")),
        },
        ScopeRule::AnyIngest => scopes
            .iter()
            .find(|s| matches!(s, Scope::Ingest(_)))
            .cloned()
            .map(|s| (s, RowFilter::OwnOrganization(organization)))
            .ok_or_else(missing),
        ScopeRule::AnyScope => scopes
            .first()
            .cloned()
            .map(|s| (s, RowFilter::OwnOrganization(organization)))
            .ok_or_else(missing),
    }
}

/// The scope a rule asks for, spelled for a denial message.
fn scope_name(rule: ScopeRule) -> String {
    match rule {
        ScopeRule::ReadAgenda => Scope::ReadAgenda.to_string(),
        ScopeRule::ReadEvents => Scope::ReadEvents.to_string(),
        ScopeRule::ReadAggregates(field) => Scope::ReadAggregates(field).to_string(),
        ScopeRule::ReadAggregatesOfRequestedField => "read:aggregates:<field>".to_owned(),
        ScopeRule::IngestRequestedSource => "ingest:<source>".to_owned(),
        ScopeRule::AnyIngest => "ingest:<any source>".to_owned(),
        ScopeRule::AnyScope => "any scope".to_owned(),
    }
}

/// Rows a role reaches; ingestion always needs its source, to check the owner.
fn reach_rows(
    reach: Reach,
    organization: OrgId,
    rule: &OperationRule,
    resource: Option<&ResourceRef>,
) -> Result<RowFilter, DenialReason> {
    let needs_source = rule
        .tokens
        .iter()
        .any(|a| a.scope == ScopeRule::IngestRequestedSource);
    match (reach, resource) {
        (Reach::All, _) => Ok(RowFilter::None),
        (
            Reach::OwnOrganization,
            Some(ResourceRef::Source {
                organization: owner,
                ..
            }),
        ) => {
            if *owner == organization {
                Ok(RowFilter::OwnOrganization(organization))
            } else {
                Err(DenialReason::NotOwnResource)
            }
        }
        (Reach::OwnOrganization, _) if needs_source => {
            Err(DenialReason::ResourceRequired("source"))
        }
        (Reach::OwnOrganization, _) => Ok(RowFilter::OwnOrganization(organization)),
    }
}

/// Checks a declared purpose against `allowed`, or implies the only possible one.
fn settle_purpose(
    rule: &OperationRule,
    allowed: &[Purpose],
    declared: Option<Purpose>,
) -> Result<(Option<Purpose>, bool), DenialReason> {
    match declared {
        Some(purpose) if allowed.contains(&purpose) => Ok((Some(purpose), false)),
        Some(purpose) => Err(DenialReason::PurposeNotAllowed {
            declared: purpose,
            allowed: allowed.to_vec(),
        }),
        None if !rule.purpose_required => Ok((None, false)),
        None => match allowed {
            [only] => Ok((Some(*only), true)),
            _ => Err(DenialReason::PurposeRequired(allowed.to_vec())),
        },
    }
}

#[cfg(test)]
mod tests;
