//! The request context: who is acting, for which purpose, in which request, built
//! once per HTTP request, WebSocket connection, command or background task, and
//! passed explicitly to every service. It also carries what the audit needs to know
//! about the running operation, so no state hides in task-locals.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::Utc;
use policies::roles::Purpose;

use crate::auth::Viewer;
use crate::services::audit::Draft;

/// Where a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A GraphQL operation over HTTP or WebSocket.
    Graphql,
    /// Another HTTP endpoint (the audit export).
    Http,
    /// The `api` command line, run by an operator with access to the server.
    CommandLine,
    /// A task of the server itself (retention, scoring passes).
    Task,
}

/// The kind of an audited operation, as written in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// A GraphQL query.
    Query,
    /// A GraphQL mutation.
    Mutation,
    /// A GraphQL subscription.
    Subscription,
    /// Another HTTP endpoint.
    Http,
    /// A command of the `api` command line.
    Command,
    /// A task of the server.
    Task,
}

impl OperationKind {
    /// The spelling stored in the audit log (public: the DPO filters on it).
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Query => "query",
            OperationKind::Mutation => "mutation",
            OperationKind::Subscription => "subscription",
            OperationKind::Http => "http",
            OperationKind::Command => "command",
            OperationKind::Task => "system",
        }
    }

    /// Whether the operation may change data (its entry is awaited, not batched).
    pub fn changes(self) -> bool {
        !matches!(self, OperationKind::Query | OperationKind::Subscription)
    }
}

/// One audited operation: a root field of a GraphQL document, an HTTP endpoint or a
/// command. A document with three root fields is three operations.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Query, mutation, command...
    pub kind: OperationKind,
    /// The name the client gave the document (`anonymous` without one), or the command.
    pub name: String,
    /// The root field (the resource the permission matrix knows), e.g. `createEvent`.
    pub resource: String,
    /// Where the result goes in the response (the alias, or the field's name); the
    /// key under which a change records that its entry is written.
    pub key: String,
    /// The fields selected under the root field, sorted, without duplicates.
    pub fields: Vec<String>,
}

impl Operation {
    /// An operation outside GraphQL: a command, an endpoint or a task.
    pub fn named(kind: OperationKind, name: &str, resource: &str) -> Self {
        Operation {
            kind,
            name: name.to_owned(),
            resource: resource.to_owned(),
            key: resource.to_owned(),
            fields: Vec::new(),
        }
    }
}

/// What the parsed document says of itself: its type, name and root fields.
#[derive(Debug, Clone)]
pub struct DocumentInfo {
    /// Query, mutation or subscription.
    pub kind: OperationKind,
    /// The operation's name, `anonymous` when it has none.
    pub name: String,
    /// The root fields by response key: (field name, fields selected under it).
    pub roots: HashMap<String, (String, Vec<String>)>,
}

/// What is known of one root field as it runs.
#[derive(Debug, Default, Clone)]
struct RootState {
    /// The purpose its grant recorded (declared, implied, or settled by the service).
    purpose: Option<Purpose>,
    /// Whether a change wrote its audit entry inside its own transaction.
    written: bool,
    /// Nested fields refused by the field-level matrix.
    denied_fields: Vec<String>,
    /// Its kept answer as JSON text, when the answer's value was left out (see
    /// [`RequestContext::answers_as_text`]).
    kept: Option<KeptText>,
}

/// A kept answer as JSON text, with the number of records the audit counts in it.
#[derive(Debug, Clone)]
pub struct KeptText {
    /// The field's value, serialized once when it was computed.
    pub json: Arc<serde_json::value::RawValue>,
    /// Records in it, as the audit counts them.
    pub records: i64,
}

/// The context of one request, command or task.
#[derive(Debug)]
pub struct RequestContext {
    /// Who is acting, and the purpose they declared.
    pub viewer: Viewer,
    /// The HTTP request id (or the command's run id), for logs and audit entries.
    pub request_id: Option<String>,
    /// Where the request came from.
    pub origin: Origin,
    /// The client's address, for an HTTP request.
    pub client: Option<std::net::IpAddr>,
    /// Whether the answer is written out by a caller that splices kept answers as
    /// text ([`RequestContext::kept_text`]) into the response's nulls: the HTTP
    /// handler does, so a kept answer is neither cloned nor serialized again.
    pub answers_as_text: bool,
    document: OnceLock<DocumentInfo>,
    roots: Mutex<HashMap<String, RootState>>,
}

impl RequestContext {
    /// The context of a request by `viewer`.
    pub fn new(viewer: Viewer, request_id: Option<String>, origin: Origin) -> Self {
        RequestContext {
            viewer,
            request_id,
            origin,
            client: None,
            answers_as_text: false,
            document: OnceLock::new(),
            roots: Mutex::new(HashMap::new()),
        }
    }

    /// The context of a command run by an operator at the server's console: the
    /// system acts, and the operator's login name is recorded.
    pub fn command_line(command: &str) -> Self {
        let operator = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".to_owned());
        let mut viewer = Viewer::system(&format!("command line ({operator})"));
        viewer.purpose = Some(Purpose::Administration);
        RequestContext::new(
            viewer,
            Some(format!("cli-{}-{command}", uuid::Uuid::new_v4())),
            Origin::CommandLine,
        )
    }

    /// The context of a task the server runs on its own (retention, scoring passes).
    pub fn task(name: &str) -> Self {
        let mut viewer = Viewer::system(&format!("platform ({name})"));
        viewer.purpose = Some(Purpose::Administration);
        RequestContext::new(viewer, None, Origin::Task)
    }

    /// Records what the parsed GraphQL document is; set once, before execution.
    pub fn set_document(&self, info: DocumentInfo) {
        let _ = self.document.set(info);
    }

    /// The parsed document, once known.
    pub fn document(&self) -> Option<&DocumentInfo> {
        self.document.get()
    }

    /// The document's audited root fields, by response key and field name, in key
    /// order (introspection fields are not audited). A change among them may have
    /// written its own entry already: see [`RequestContext::written`].
    pub fn audited_roots(&self) -> Vec<(String, String)> {
        let mut roots: Vec<(String, String)> = self
            .document()
            .map(|doc| {
                doc.roots
                    .iter()
                    .filter(|(_, (field, _))| !field.starts_with("__"))
                    .map(|(key, (field, _))| (key.clone(), field.clone()))
                    .collect()
            })
            .unwrap_or_default();
        roots.sort();
        roots
    }

    /// The audited operation of the root field at response key `key`.
    pub fn root_operation(&self, key: &str, field: &str) -> Operation {
        let (kind, name, fields) = match self.document() {
            Some(doc) => (
                doc.kind,
                doc.name.clone(),
                doc.roots
                    .get(key)
                    .map(|(_, fields)| fields.clone())
                    .unwrap_or_default(),
            ),
            None => (OperationKind::Query, "anonymous".to_owned(), Vec::new()),
        };
        Operation {
            kind,
            name,
            resource: field.to_owned(),
            key: key.to_owned(),
            fields,
        }
    }

    fn with_root<T>(&self, key: &str, f: impl FnOnce(&mut RootState) -> T) -> Option<T> {
        self.roots
            .lock()
            .ok()
            .map(|mut roots| f(roots.entry(key.to_owned()).or_default()))
    }

    /// Records the purpose a grant settled for the root field at `key`.
    pub fn note_purpose(&self, key: &str, purpose: Option<Purpose>) {
        if purpose.is_some() {
            self.with_root(key, |root| root.purpose = purpose);
        }
    }

    /// Records that a change wrote the entry of the root field at `key` in its own
    /// transaction, which committed.
    pub fn note_written(&self, key: &str) {
        self.with_root(key, |root| root.written = true);
    }

    /// Whether the entry of the root field at `key` is already written.
    pub fn written(&self, key: &str) -> bool {
        self.with_root(key, |root| root.written).unwrap_or(false)
    }

    /// Records a nested field the field-level matrix refused under the root at `key`.
    pub fn note_denied_field(&self, key: &str, field: String) {
        self.with_root(key, |root| root.denied_fields.push(field));
    }

    /// Leaves the answer of the root field at `key` to be written from `kept`.
    pub fn note_kept_text(&self, key: &str, kept: KeptText) {
        self.with_root(key, |root| root.kept = Some(kept));
    }

    /// The kept answers to write as text, by response key.
    pub fn kept_text(&self) -> HashMap<String, KeptText> {
        self.roots
            .lock()
            .map(|roots| {
                roots
                    .iter()
                    .filter_map(|(key, root)| Some((key.clone(), root.kept.clone()?)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The records of the root field at `key` when its answer is kept as text.
    pub fn kept_records(&self, key: &str) -> Option<i64> {
        self.with_root(key, |root| root.kept.as_ref().map(|k| k.records))
            .flatten()
    }

    /// The nested fields refused under the root at `key`.
    pub fn denied_fields(&self, key: &str) -> Vec<String> {
        self.with_root(key, |root| root.denied_fields.clone())
            .unwrap_or_default()
    }

    /// The purpose to record for `operation`: the one its grant settled, else the
    /// one declared.
    pub fn purpose_of(&self, operation: &Operation) -> Option<Purpose> {
        self.with_root(&operation.key, |root| root.purpose)
            .flatten()
            .or(self.viewer.purpose)
    }

    /// The audit entry of `operation` with this outcome.
    pub fn draft(
        &self,
        operation: &Operation,
        outcome: Outcome,
        reason: Option<String>,
        record_count: i64,
    ) -> Draft {
        Draft {
            at: Utc::now(),
            actor: self.viewer.actor.clone(),
            role: self.viewer.role().map(|r| r.as_str().to_owned()),
            organization_id: self.viewer.organization_id,
            token_id: self.viewer.token_id,
            operation_type: operation.kind.as_str().to_owned(),
            operation_name: operation.name.clone(),
            resources: operation.resource.clone(),
            fields: operation.fields.join(" "),
            record_count,
            purpose: self.purpose_of(operation).map(|p| p.as_str().to_owned()),
            outcome: outcome.as_str().to_owned(),
            reason,
            request_id: self.request_id.clone(),
        }
    }
}

/// How an operation ended, as the audit log says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It ran.
    Allowed,
    /// The permission matrix, a policy or the credentials refused it.
    Denied,
    /// It failed (bad input, conflict, internal error).
    Error,
}

impl Outcome {
    /// The spelling stored in the audit log (public: the DPO filters on it).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
            Outcome::Error => "error",
        }
    }
}
