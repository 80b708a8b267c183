//! Checks every root field against the permission matrix before it runs (default
//! deny: a new root field is closed until the matrix names it), and records the
//! purpose the grant settled for the audit entry. A rule that depends on the
//! resource (which source a token ingests into, whose DPIA) is decided again by the
//! service's unit of work once it holds the resource.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{PathSegment, ServerError, ServerResult, Value};
use policies::permissions::DenialReason;

use crate::context::RequestContext;
use crate::error::ApiError;

/// Creates the guard.
pub struct Guard;

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Guard)
    }
}

#[async_trait::async_trait]
impl Extension for Guard {
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
            if info.parent_type == "Mutation" {
                request.set_running_root(Some((key.to_owned(), info.name.to_owned())));
            }
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
