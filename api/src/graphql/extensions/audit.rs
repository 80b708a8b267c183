//! Writes the audit log's entries for GraphQL: one per root field of the document,
//! each with its own outcome, plus one for a document that fails before any root
//! field runs (syntax, validation, limits). A change writes its entry inside its
//! own transaction (see `services::work`); this layer writes the others: reads in
//! batches off the request path, failed or refused changes before the answer goes
//! out.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{PathSegment, Response, ServerError, ServerResult, Value, Variables};

use super::{OperationName, operation_kind, selected_operation};
use crate::context::{DocumentInfo, Operation, OperationKind, Outcome, RequestContext};
use crate::error::ErrorCode;
use crate::services::audit::writer::AuditWriter;

/// Creates the audit extension.
pub struct Audit {
    /// Where entries go.
    pub writer: Arc<AuditWriter>,
}

impl ExtensionFactory for Audit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AuditExtension {
            writer: Arc::clone(&self.writer),
            request: OnceLock::new(),
        })
    }
}

/// The audit of one request.
struct AuditExtension {
    writer: Arc<AuditWriter>,
    /// The request's context, taken when the document is parsed: the request hook
    /// runs before the request's data is attached, so it cannot look it up itself.
    request: OnceLock<Arc<RequestContext>>,
}

#[async_trait::async_trait]
impl Extension for AuditExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let request = ctx.data_opt::<Arc<RequestContext>>();
        if let Some(request) = request {
            let _ = self.request.set(Arc::clone(request));
        }
        let doc = next.run(ctx, query, variables).await?;
        let name = ctx.data_opt::<OperationName>().and_then(|n| n.0.as_deref());
        if let (Some(request), Some(info)) = (request, document_info(&doc, name)) {
            request.set_document(info);
        }
        Ok(doc)
    }

    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let response = next.run(ctx).await;
        if let Some(request) = self.request.get() {
            self.record(request, &response).await;
        }
        response
    }
}

impl AuditExtension {
    async fn record(&self, request: &RequestContext, response: &Response) {
        let roots = request.audited_roots();
        let executed =
            response.data != Value::Null || response.errors.iter().any(|e| !e.path.is_empty());
        let mut drafts = Vec::new();
        if executed && !roots.is_empty() {
            for (key, field) in roots {
                if request.written(&key) {
                    continue;
                }
                let operation = request.root_operation(&key, &field);
                let errors: Vec<&ServerError> = response
                    .errors
                    .iter()
                    .filter(|e| matches!(e.path.first(), Some(PathSegment::Field(k)) if *k == key))
                    .collect();
                let (outcome, reason) = outcome_of(&errors);
                let count = match (request.kept_records(&key), &response.data) {
                    (Some(records), _) => records,
                    (None, Value::Object(data)) => data.get(key.as_str()).map_or(0, record_count),
                    (None, _) => 0,
                };
                drafts.push(request.draft(&operation, outcome, reason, count));
            }
        } else {
            // Nothing ran: the document as a whole is the operation.
            let (kind, name) = request
                .document()
                .map(|d| (d.kind, d.name.clone()))
                .unwrap_or((OperationKind::Query, "invalid".to_owned()));
            let operation = Operation {
                kind,
                name,
                resource: String::new(),
                key: String::new(),
                fields: Vec::new(),
            };
            let errors: Vec<&ServerError> = response.errors.iter().collect();
            let (outcome, reason) = outcome_of(&errors);
            drafts.push(request.draft(&operation, outcome, reason, 0));
        }
        let changes = request.document().is_some_and(|d| d.kind.changes());
        for draft in drafts {
            self.writer.enqueue_when_room(draft).await;
        }
        if changes {
            // A refused or failed change is on record before its answer goes out.
            self.writer.flush().await;
        }
    }
}

/// The outcome of a root field (or a document) from its errors.
pub(crate) fn outcome_of(errors: &[&ServerError]) -> (Outcome, Option<String>) {
    if errors.is_empty() {
        return (Outcome::Allowed, None);
    }
    let refused = [
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::RateLimited,
        ErrorCode::PolicyViolation,
        ErrorCode::QueryTooComplex,
    ];
    let denied = errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .is_some_and(|code| refused.iter().any(|r| *code == Value::from(r.as_str())))
    });
    let reason = errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let outcome = if denied {
        Outcome::Denied
    } else {
        Outcome::Error
    };
    (outcome, Some(reason))
}

/// Records a response returns: list lengths, connection edges, one per object.
pub(crate) fn record_count(value: &Value) -> i64 {
    match value {
        Value::Null => 0,
        Value::List(items) => items.len() as i64,
        Value::Object(fields) => match fields.get("edges") {
            Some(Value::List(edges)) => edges.len() as i64,
            _ => 1,
        },
        _ => 1,
    }
}

/// The document's type, name and root fields with the fields under each.
fn document_info(doc: &ExecutableDocument, name: Option<&str>) -> Option<DocumentInfo> {
    let (name, ty) = selected_operation(doc, name)?;
    let operation = doc
        .operations
        .iter()
        .find(|(n, _)| n.map_or("anonymous", |n| n.as_str()) == name)
        .map(|(_, op)| op)?;
    let mut fragments = FragmentFields::new(doc);
    let mut roots = HashMap::new();
    collect_roots(
        doc,
        &operation.node.selection_set.node,
        &mut fragments,
        &mut roots,
        0,
    );
    Some(DocumentInfo {
        kind: operation_kind(ty),
        name,
        roots,
    })
}

/// Root fields by response key, expanding fragments spread at the root.
fn collect_roots(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    fragments: &mut FragmentFields<'_>,
    roots: &mut HashMap<String, (String, Vec<String>)>,
    depth: usize,
) {
    if depth > MAX_FRAGMENT_DEPTH {
        return;
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                let key = field
                    .alias
                    .as_ref()
                    .map_or(field.name.node.as_str(), |a| a.node.as_str());
                let mut names = BTreeSet::new();
                fragments.walk(&field.selection_set.node, &mut names, 0);
                let entry = roots
                    .entry(key.to_owned())
                    .or_insert_with(|| (field.name.node.to_string(), Vec::new()));
                let mut merged: BTreeSet<String> = entry.1.drain(..).collect();
                merged.extend(names);
                entry.1 = merged.into_iter().collect();
            }
            Selection::InlineFragment(fragment) => collect_roots(
                doc,
                &fragment.node.selection_set.node,
                fragments,
                roots,
                depth + 1,
            ),
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    collect_roots(
                        doc,
                        &fragment.node.selection_set.node,
                        fragments,
                        roots,
                        depth + 1,
                    );
                }
            }
        }
    }
}

/// Deeper fragment nesting than any real client sends; validation refuses cycles,
/// but this runs before validation.
const MAX_FRAGMENT_DEPTH: usize = 32;

/// The field names each fragment selects, computed once per fragment, so that a
/// document spreading fragments inside fragments costs its size, not its expansion.
struct FragmentFields<'d> {
    doc: &'d ExecutableDocument,
    memo: HashMap<String, BTreeSet<String>>,
}

impl<'d> FragmentFields<'d> {
    fn new(doc: &'d ExecutableDocument) -> Self {
        FragmentFields {
            doc,
            memo: HashMap::new(),
        }
    }

    fn walk(&mut self, set: &SelectionSet, out: &mut BTreeSet<String>, depth: usize) {
        if depth > MAX_FRAGMENT_DEPTH {
            return;
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if !name.starts_with("__") {
                        out.insert(name.to_owned());
                    }
                    self.walk(&field.node.selection_set.node, out, depth + 1);
                }
                Selection::InlineFragment(fragment) => {
                    self.walk(&fragment.node.selection_set.node, out, depth + 1)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.to_string();
                    if let Some(known) = self.memo.get(&name) {
                        out.extend(known.iter().cloned());
                        continue;
                    }
                    // Marked before the walk, so a cycle stops here.
                    self.memo.insert(name.clone(), BTreeSet::new());
                    let mut names = BTreeSet::new();
                    if let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node)
                    {
                        self.walk(&fragment.node.selection_set.node, &mut names, depth + 1);
                    }
                    out.extend(names.iter().cloned());
                    self.memo.insert(name, names);
                }
            }
        }
    }
}
