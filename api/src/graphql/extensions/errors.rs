//! Gives every error of a response a stable code. An error that reaches this point
//! without one came from somewhere unexpected; its text may carry internals, so it
//! is logged and replaced by "internal error".

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextRequest};
use async_graphql::{Response, ServerError};

use crate::error::ErrorCode;

/// Creates the error-coding extension.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        code_uncoded(&mut response.errors);
        response
    }
}

/// Gives every error a code; hides the text of unexpected ones.
///
/// Our resolvers only ever fail with a coded `ApiError`, so an uncoded error comes
/// from the GraphQL engine itself. Without a path it is a request error (syntax,
/// validation, variables): the client's to fix, and its text names only the
/// client's own document. With a path it is the engine failing to coerce an
/// argument (the client's value, named in the message) or something unexpected; the
/// engine gives no other way to tell them apart than its message, so that one check
/// lives here and nowhere else.
pub fn code_uncoded(errors: &mut [ServerError]) {
    for error in errors {
        let coded = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if coded {
            continue;
        }
        let users = error.path.is_empty()
            || error.message.starts_with("Failed to parse")
            || error.message.starts_with("Invalid value")
            || error.message.starts_with("Expected input type");
        let code = if users {
            ErrorCode::BadUserInput
        } else {
            tracing::error!(error = %error.message, path = ?error.path, "uncoded error hidden from client");
            error.message = "internal error".to_owned();
            ErrorCode::Internal
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
}
