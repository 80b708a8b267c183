//! Schema extensions, one job each, in the order they wrap an operation:
//! [`errors`] gives every error a code and hides unexpected ones, [`metrics`] counts
//! and times root fields, [`audit`] writes one audit entry per root field,
//! [`limits`] bounds the document's cost before it runs, [`guard`] checks every
//! field against the permission matrix, and [`cache`] answers the hot read fields
//! from what an identical request computed since the last change.

pub mod audit;
pub mod cache;
pub mod errors;
pub mod guard;
pub mod limits;
pub mod metrics;

use std::sync::Arc;

use async_graphql::Context;
use async_graphql::parser::types::{ExecutableDocument, OperationType};

use crate::context::{Operation, OperationKind, RequestContext};
use crate::error::ApiError;
use crate::services::work::Change;

/// The operation a document runs: its name and type, when it selects exactly one.
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

/// The audit's name for a GraphQL operation type.
pub fn operation_kind(ty: OperationType) -> OperationKind {
    match ty {
        OperationType::Query => OperationKind::Query,
        OperationType::Mutation => OperationKind::Mutation,
        OperationType::Subscription => OperationKind::Subscription,
    }
}

/// The operation name a request asked for, handed to the extensions as request data.
pub struct OperationName(pub Option<String>);

/// The request context and the audited operation of the root field a resolver runs:
/// what a resolver hands to a service that changes something.
pub struct Acting {
    ctx: Arc<RequestContext>,
    operation: Operation,
}

impl Acting {
    /// The context and operation of the root field `ctx` resolves.
    pub fn of(ctx: &Context<'_>) -> Result<Self, ApiError> {
        let request = ctx
            .data_opt::<Arc<RequestContext>>()
            .cloned()
            .ok_or_else(|| ApiError::internal(MissingContext))?;
        let field = ctx.field();
        let key = field.alias().unwrap_or(field.name());
        let operation = request.root_operation(key, field.name());
        Ok(Acting {
            ctx: request,
            operation,
        })
    }

    /// The change the service is to make.
    pub fn change(&self) -> Change<'_> {
        Change::new(&self.ctx, &self.operation)
    }

    /// The request context.
    pub fn ctx(&self) -> &RequestContext {
        &self.ctx
    }
}

/// A resolver ran outside a request built by the HTTP layer (a wiring bug).
#[derive(Debug, thiserror::Error)]
#[error("the request has no context")]
struct MissingContext;
