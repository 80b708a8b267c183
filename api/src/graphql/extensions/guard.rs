//! Checks every field against the permission matrix before it runs (default deny: a
//! new field is closed until the matrix names it). Fields below the roots are
//! checked on the parsed document, before anything runs, against the field-level
//! table (`policies::permissions::fields`): a document that reaches a field its
//! caller may not read is refused whole. Root fields are checked as they start,
//! with the declared purpose, and the purpose the grant settled is recorded for the
//! audit entry; a rule that depends on the resource (which source a token ingests
//! into) is decided by the service's unit of work once it holds the resource.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextResolve, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{PathSegment, ServerError, ServerResult, Value, Variables};
use policies::permissions::{Denial, DenialReason, fields};

use super::{OperationName, selected_operation};
use crate::graphql::document::{self, SchemaIndex};

use crate::context::RequestContext;
use crate::error::ApiError;

/// Creates the guard.
pub struct Guard {
    /// The schema's types, to give each selected field its parent type.
    pub index: Arc<SchemaIndex>,
}

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Guard {
            index: Arc::clone(&self.index),
        })
    }
}

#[async_trait::async_trait]
impl Extension for Guard {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let Some(request) = ctx.data_opt::<Arc<RequestContext>>() else {
            return Ok(doc);
        };
        let name = ctx.data_opt::<OperationName>().and_then(|n| n.0.as_deref());
        let Some((name, ty)) = selected_operation(&doc, name) else {
            return Ok(doc);
        };
        let Some(operation) = doc
            .operations
            .iter()
            .find(|(n, _)| n.map_or("anonymous", |n| n.as_str()) == name)
            .map(|(_, op)| op)
        else {
            return Ok(doc);
        };
        let root = match ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => "Subscription",
        };
        let analysis = document::analyze(&self.index, &doc, &operation.node, root, variables, 1);
        let subject = &request.viewer.subject;
        let refused: Vec<Denial> = analysis
            .reads
            .iter()
            .filter_map(|(parent, field)| {
                fields::may_read(subject, parent, field)
                    .err()
                    .map(|reason| Denial {
                        operation: format!("{parent}.{field}"),
                        reason,
                    })
            })
            .collect();
        let Some(first) = refused.first() else {
            return Ok(doc);
        };
        let message = refused
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let names: Vec<async_graphql::Value> = refused
            .iter()
            .map(|denial| async_graphql::Value::from(denial.operation.as_str()))
            .collect();
        let mut error = ApiError::Denied(first.clone())
            .to_graphql()
            .into_server_error(Default::default());
        error.message = message;
        // Which fields, for clients to adjust their selection.
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("fields", async_graphql::Value::List(names));
        Err(error)
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let root = info.path_node.parent.is_none();
        if root && !info.is_for_introspection && !info.name.starts_with("__") {
            let key = info.alias.unwrap_or(info.name);
            let Some(request) = ctx.data_opt::<Arc<RequestContext>>() else {
                return Err(refusal(key, &info, "the request has no context".to_owned()));
            };
            let viewer = &request.viewer;
            match policies::permissions::authorize(&viewer.subject, info.name, viewer.purpose, None)
            {
                Ok(grant) => request.note_purpose(key, grant.purpose),
                // The service decides with the resource, in its unit of work.
                Err(denial) if matches!(denial.reason, DenialReason::ResourceRequired(_)) => {}
                Err(denial) => {
                    let mut error = ApiError::Denied(denial)
                        .to_graphql()
                        .into_server_error(info.field.name.pos);
                    error.path = vec![PathSegment::Field(key.to_owned())];
                    return Err(error);
                }
            }
        }
        next.run(ctx, info).await
    }
}

fn refusal(key: &str, info: &ResolveInfo<'_>, message: String) -> ServerError {
    let mut error = ApiError::Forbidden(message)
        .to_graphql()
        .into_server_error(info.field.name.pos);
    error.path = vec![PathSegment::Field(key.to_owned())];
    error
}
