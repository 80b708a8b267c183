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

/// Creates the per-request extension.
pub struct Observability {
    /// Where operations are counted.
    pub metrics: Arc<Metrics>,
}

impl ExtensionFactory for Observability {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ObservabilityExtension {
            metrics: Arc::clone(&self.metrics),
            operation: Mutex::new(None),
        })
    }
}

struct ObservabilityExtension {
    metrics: Arc<Metrics>,
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
            if let Err(denial) =
                policies::permissions::authorize(&viewer.subject, info.name, viewer.purpose, None)
            {
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
