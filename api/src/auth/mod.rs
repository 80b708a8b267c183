//! Who is calling: the viewer of a request, built from its bearer token.

pub mod accounts;
pub mod keys;
pub mod partner_tokens;
pub mod passwords;
pub mod service;
pub mod session_cache;
pub mod tokens;

use policies::permissions::{OrgId, Subject};
use policies::roles::{Purpose, Role};

/// The caller of one request, available to every resolver as context data.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// What the permission matrix sees.
    pub subject: Subject,
    /// The person, when logged in with a password.
    pub user_id: Option<i64>,
    /// The partner token, when called with one.
    pub token_id: Option<i64>,
    /// The caller's organization, when it has one.
    pub organization_id: Option<i64>,
    /// Who, for the audit log: an e-mail or a token's label.
    pub actor: String,
    /// The purpose declared with the `X-Purpose` header, if any.
    pub purpose: Option<Purpose>,
    /// The login session, for a person.
    pub session_id: Option<String>,
}

impl Viewer {
    /// A caller without credentials.
    pub fn anonymous() -> Self {
        Viewer {
            subject: Subject::Anonymous,
            user_id: None,
            token_id: None,
            organization_id: None,
            actor: "anonymous".to_owned(),
            purpose: None,
            session_id: None,
        }
    }

    /// The platform itself, named for the audit log (a task, or the operator of a
    /// command at the server's console).
    pub fn system(actor: &str) -> Self {
        Viewer {
            subject: Subject::System,
            actor: actor.to_owned(),
            ..Viewer::anonymous()
        }
    }

    /// The role of a logged-in person; `None` for anonymous callers and partner tokens.
    pub fn role(&self) -> Option<Role> {
        match &self.subject {
            Subject::User { role, .. } => Some(*role),
            _ => None,
        }
    }

    /// The organization as the permission matrix knows it.
    pub fn org(&self) -> Option<OrgId> {
        self.organization_id.map(OrgId)
    }
}
