//! The outcome of an authorization: a grant (what granted it, the purpose to record,
//! the rows it reaches) or a denial with a stable code and the missing piece. Both are
//! written to the audit log, so their spellings are public API.

use std::fmt;

use crate::roles::{Purpose, Role, Scope};

use super::OrgId;

/// What granted the access: recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantBasis {
    /// A public operation.
    Public,
    /// The caller's role.
    Role(Role),
    /// One of the token's scopes.
    Scope(Scope),
    /// The platform itself (a server task or an operator's command).
    System,
}

/// Rows the grant reaches: the service turns this into a filter in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFilter {
    /// No restriction beyond the operation's own rules.
    None,
    /// Only rows owned by this organization.
    OwnOrganization(OrgId),
}

/// A permission to run one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The operation granted.
    pub operation: &'static str,
    /// The purpose to record: declared, or implied when only one is possible.
    pub purpose: Option<Purpose>,
    /// True when the purpose was not declared but is the only one allowed.
    pub purpose_implied: bool,
    /// What granted it.
    pub basis: GrantBasis,
    /// Which rows it reaches.
    pub rows: RowFilter,
}

/// Why an operation was refused; each reason names what is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DenialReason {
    /// The operation is not in the matrix (default deny).
    UnknownOperation,
    /// The caller is anonymous and the operation is not public.
    AuthenticationRequired,
    /// The caller's role may not call it.
    RoleNotAllowed(Role),
    /// The token has none of the scopes that grant it (listed).
    ScopeMissing(Vec<String>),
    /// A purpose must be declared; the allowed ones are listed.
    PurposeRequired(Vec<Purpose>),
    /// The declared purpose is not allowed here; the allowed ones are listed.
    PurposeNotAllowed {
        /// What was declared.
        declared: Purpose,
        /// What would have been accepted.
        allowed: Vec<Purpose>,
    },
    /// The operation's decision depends on a resource that was not given.
    ResourceRequired(&'static str),
    /// The resource belongs to another organization.
    NotOwnResource,
}

impl DenialReason {
    /// A stable machine code for the reason (the error's `extensions.reason`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownOperation => "UNKNOWN_OPERATION",
            Self::AuthenticationRequired => "AUTHENTICATION_REQUIRED",
            Self::RoleNotAllowed(_) => "ROLE_NOT_ALLOWED",
            Self::ScopeMissing(_) => "SCOPE_MISSING",
            Self::PurposeRequired(_) => "PURPOSE_REQUIRED",
            Self::PurposeNotAllowed { .. } => "PURPOSE_NOT_ALLOWED",
            Self::ResourceRequired(_) => "RESOURCE_REQUIRED",
            Self::NotOwnResource => "NOT_OWN_RESOURCE",
        }
    }

    /// How specific a reason is: when several grant paths fail, the caller is told
    /// about the one that got furthest (a matching scope with a wrong purpose says
    /// more than "scope missing").
    pub(super) fn specificity(&self) -> u8 {
        match self {
            Self::UnknownOperation | Self::AuthenticationRequired => 0,
            Self::RoleNotAllowed(_) | Self::ScopeMissing(_) => 1,
            Self::ResourceRequired(_) | Self::NotOwnResource => 2,
            Self::PurposeRequired(_) | Self::PurposeNotAllowed { .. } => 3,
        }
    }
}

fn purpose_list(purposes: &[Purpose]) -> String {
    let names: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
    names.join(", ")
}

impl fmt::Display for DenialReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownOperation => f.write_str("operation not covered by the permission matrix"),
            Self::AuthenticationRequired => f.write_str("authentication required"),
            Self::RoleNotAllowed(role) => write!(f, "role {role} may not call it"),
            Self::ScopeMissing(needed) if needed.is_empty() => {
                f.write_str("no token scope grants it: it is for logged-in users only")
            }
            Self::ScopeMissing(needed) => {
                write!(
                    f,
                    "token lacks a scope granting it (one of: {})",
                    needed.join(", ")
                )
            }
            Self::PurposeRequired(allowed) => {
                write!(
                    f,
                    "a purpose must be declared (one of: {})",
                    purpose_list(allowed)
                )
            }
            Self::PurposeNotAllowed { declared, allowed } => write!(
                f,
                "purpose {declared} is not allowed here (allowed: {})",
                purpose_list(allowed)
            ),
            Self::ResourceRequired(what) => write!(f, "the {what} concerned must be given"),
            Self::NotOwnResource => f.write_str("the resource belongs to another organization"),
        }
    }
}

/// A refused operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {reason}")]
pub struct Denial {
    /// The operation refused.
    pub operation: String,
    /// Why.
    pub reason: DenialReason,
}

impl Denial {
    /// Whether the caller must authenticate first (an anonymous caller of a protected
    /// operation), as opposed to lacking the right: the server answers
    /// `UNAUTHENTICATED` for the first and `FORBIDDEN` for the second (DESIGN §11).
    pub fn needs_authentication(&self) -> bool {
        matches!(self.reason, DenialReason::AuthenticationRequired)
    }
}
