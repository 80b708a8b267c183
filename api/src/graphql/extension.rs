//! A schema extension for every transport: checks every root field against the
//! permission matrix before it runs (default deny: a new root field is closed until
//! the matrix names it), records each operation's metrics and gives every error a
//! stable code. An error that reaches the client without one
//! came from somewhere unexpected; its text may carry internals, so it is logged
//! and replaced by "internal error".

use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextResolve,
    ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{PathSegment, Response, ServerError, ServerResult, Value, Variables};

use crate::auth::Viewer;

use crate::metrics::Metrics;
use crate::services::audit::scope::AuditScope;
use crate::services::audit::writer::AuditWriter;

/// Creates the per-request extension.
pub struct Observability {
    /// Where operations are counted.
    pub metrics: Arc<Metrics>,
    /// Where operations are audited.
    pub audit: Arc<AuditWriter>,
}

impl ExtensionFactory for Observability {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ObservabilityExtension {
            metrics: Arc::clone(&self.metrics),
            audit: Arc::clone(&self.audit),
            operation: Mutex::new(None),
        })
    }
}

struct ObservabilityExtension {
    metrics: Arc<Metrics>,
    audit: Arc<AuditWriter>,
    /// Name and type of the operation, known once the document is parsed.
    operation: Mutex<Option<(String, &'static str)>>,
}

/// Name and type of the operation a document runs.
pub fn selected_operation(
    doc: &ExecutableDocument,
    name: Option<&str>,
) -> Option<(String, OperationType)> {
    match name {
        Some(name) => doc
            .operations
            .iter()
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| (name.to_owned(), op.node.ty)),
        None => {
            let mut ops = doc.operations.iter();
            let (n, op) = ops.next()?;
            if ops.next().is_some() {
                return None;
            }
            Some((n.map_or("anonymous", |n| n.as_str()).to_owned(), op.node.ty))
        }
    }
}

fn type_label(ty: OperationType) -> &'static str {
    match ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

#[async_trait::async_trait]
impl Extension for ObservabilityExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let mut response = next.run(ctx).await;
        mask_uncoded(&mut response.errors);
        let (name, kind) = self
            .operation
            .lock()
            .ok()
            .and_then(|op| op.clone())
            .unwrap_or_else(|| ("invalid".to_owned(), "unknown"));
        self.metrics.observe(
            &name,
            kind,
            response.errors.is_empty(),
            started.elapsed().as_secs_f64(),
        );
        if let Some(scope) = crate::services::audit::scope::current() {
            self.audit_operation(ctx, &scope, kind, &response).await;
        }
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.path_node.parent.is_none()
            && !info.is_for_introspection
            && !info.name.starts_with("__")
        {
            let anonymous = Viewer::anonymous();
            let viewer = ctx.data_opt::<Viewer>().unwrap_or(&anonymous);
            let decision =
                policies::permissions::authorize(&viewer.subject, info.name, viewer.purpose, None);
            if let Some(scope) = crate::services::audit::scope::current()
                && let Ok(mut op) = scope.info.lock()
            {
                op.resources.push(info.name.to_owned());
                if let Ok(grant) = &decision
                    && let Some(purpose) = grant.purpose
                {
                    op.purpose = Some(purpose.as_str().to_owned());
                }
            }
            // An operation whose rights depend on the resource (which source a token
            // ingests into) is let through here; its resolver decides with the resource.
            let decision = match decision {
                Err(denial) if denial.reason.code() == "RESOURCE_REQUIRED" => Ok(()),
                other => other.map(|_| ()),
            };
            if let Err(denial) = decision {
                let mut error = ServerError::new(
                    format!("{}: {}", denial.operation, denial.reason),
                    Some(info.field.name.pos),
                );
                error.path = vec![PathSegment::Field(
                    info.alias.unwrap_or(info.name).to_owned(),
                )];
                let ext = error.extensions.get_or_insert_with(Default::default);
                ext.set("code", denial.code());
                ext.set("reason", denial.reason.code());
                return Err(error);
            }
        }
        next.run(ctx, info).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let name = ctx.data_opt::<OperationName>().and_then(|n| n.0.as_deref());
        if let Some((name, ty)) = selected_operation(&doc, name) {
            if let Some(scope) = crate::services::audit::scope::current()
                && let Ok(mut op) = scope.info.lock()
            {
                op.operation_type = type_label(ty).to_owned();
                op.operation_name = name.clone();
                op.fields = selected_fields(&doc);
            }
            if let Ok(mut slot) = self.operation.lock() {
                *slot = Some((name, type_label(ty)));
            }
        }
        Ok(doc)
    }
}

/// The operation name a request asked for, handed to the extension as request data.
pub struct OperationName(pub Option<String>);

/// Gives every error a code; hides the text of unexpected ones.
pub fn mask_uncoded(errors: &mut [ServerError]) {
    for error in errors {
        let coded = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if coded {
            continue;
        }
        // Errors without a path are request errors (syntax, validation, limits);
        // argument coercion errors name the client's own value. Both are safe to
        // show and are the client's to fix.
        let users = error.path.is_empty()
            || error.message.starts_with("Failed to parse")
            || error.message.starts_with("Invalid value")
            || error.message.starts_with("Expected input type");
        let code = if users {
            "BAD_USER_INPUT"
        } else {
            tracing::error!(error = %error.message, path = ?error.path, "uncoded error hidden from client");
            error.message = "internal error".to_owned();
            "INTERNAL"
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
}

impl ObservabilityExtension {
    /// Writes the operation's audit entry, unless its change already wrote it in its
    /// own transaction. Mutations wait for their entry; reads leave it to the batch.
    async fn audit_operation(
        &self,
        ctx: &ExtensionContext<'_>,
        scope: &Arc<AuditScope>,
        kind: &str,
        response: &Response,
    ) {
        let denied: Vec<String> = response
            .errors
            .iter()
            .filter(|e| {
                e.extensions
                    .as_ref()
                    .is_some_and(|x| x.get("reason").is_some())
            })
            .map(|e| e.message.clone())
            .collect();
        let (outcome, reason) = if !denied.is_empty() {
            ("denied", Some(denied.join("; ")))
        } else if !response.errors.is_empty() {
            let reasons: Vec<String> = response.errors.iter().map(|e| e.message.clone()).collect();
            ("error", Some(reasons.join("; ")))
        } else {
            ("allowed", None)
        };
        if scope.written() {
            if outcome == "allowed" {
                return;
            }
            // The change wrote its entry; make sure its transaction committed.
            let db = ctx.data_opt::<sea_orm::DatabaseConnection>();
            let committed = match (db, &scope.request_id) {
                (Some(db), Some(id)) => {
                    crate::services::audit::query::exists_for_request(db, id).await
                }
                _ => true,
            };
            if committed {
                return;
            }
        }
        let draft = scope.draft(outcome, reason, record_count(&response.data));
        if kind == "query" {
            self.audit.enqueue(draft);
        } else {
            self.audit.record(draft).await;
        }
    }
}

/// Records a response returns: list lengths, connection edges, one per object.
fn record_count(data: &Value) -> i64 {
    let Value::Object(roots) = data else {
        return 0;
    };
    roots
        .values()
        .map(|value| match value {
            Value::Null => 0,
            Value::List(items) => items.len() as i64,
            Value::Object(fields) => match fields.get("edges") {
                Some(Value::List(edges)) => edges.len() as i64,
                _ => 1,
            },
            _ => 1,
        })
        .sum()
}

/// Every field name a document selects, sorted, without duplicates.
fn selected_fields(doc: &ExecutableDocument) -> Vec<String> {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn walk(set: &SelectionSet, out: &mut std::collections::BTreeSet<String>) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    out.insert(field.node.name.node.to_string());
                    walk(&field.node.selection_set.node, out);
                }
                Selection::InlineFragment(fragment) => walk(&fragment.node.selection_set.node, out),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    for (_, op) in doc.operations.iter() {
        walk(&op.node.selection_set.node, &mut out);
    }
    for fragment in doc.fragments.values() {
        walk(&fragment.node.selection_set.node, &mut out);
    }
    out.into_iter().filter(|f| !f.starts_with("__")).collect()
}
