//! Bounds the cost of a document before anything runs: tokens (counted before the
//! document is even parsed), then depth, introspection depth, aliases, root fields,
//! directives, one `login` per document, and the expanded cost (see
//! [`crate::graphql::document`]). A document over a limit gets `QUERY_TOO_COMPLEX`
//! with the limit's name, and nothing runs.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{ServerError, ServerResult, Variables};

use super::{OperationName, selected_operation};
use crate::error::ApiError;
use crate::graphql::document::{self, SchemaIndex};
use crate::settings::Limits;

/// Creates the limits extension.
pub struct DocumentLimits {
    /// The limits.
    pub limits: Limits,
    /// The schema's types, to measure lists.
    pub index: Arc<SchemaIndex>,
}

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentLimits {
            limits: self.limits.clone(),
            index: Arc::clone(&self.index),
        })
    }
}

fn over(limit: &'static str, message: String) -> ServerError {
    ApiError::QueryTooComplex { limit, message }
        .to_graphql()
        .into_server_error(Default::default())
}

#[async_trait::async_trait]
impl Extension for DocumentLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let limits = &self.limits;
        let tokens = count_tokens(query, limits.tokens);
        if tokens > limits.tokens {
            return Err(over(
                "tokens",
                format!("the document has more than {} tokens", limits.tokens),
            ));
        }
        let doc = next.run(ctx, query, variables).await?;
        let name = ctx.data_opt::<OperationName>().and_then(|n| n.0.as_deref());
        let Some((name, ty)) = selected_operation(&doc, name) else {
            // No operation to run: validation reports it.
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
        let page = u64::try_from(limits.page_size).unwrap_or(u64::MAX);
        let analysis = document::analyze(&self.index, &doc, &operation.node, root, variables, page);
        let checks: [(&'static str, u64, u64, &str); 6] = [
            (
                "depth",
                analysis.depth as u64,
                limits.depth as u64,
                "nesting depth",
            ),
            (
                "introspectionDepth",
                analysis.introspection_depth as u64,
                limits.introspection_depth as u64,
                "introspection depth",
            ),
            (
                "aliases",
                analysis.aliases as u64,
                limits.aliases as u64,
                "aliases",
            ),
            (
                "rootFields",
                analysis.root_fields as u64,
                limits.root_fields as u64,
                "root fields",
            ),
            (
                "directives",
                analysis.directives as u64,
                limits.directives as u64,
                "directives",
            ),
            (
                "cost",
                analysis.cost,
                limits.cost,
                "cost (fields the answer may hold)",
            ),
        ];
        for (limit, value, max, what) in checks {
            if value > max {
                return Err(over(
                    limit,
                    format!("the document's {what} is {value}; the limit is {max}"),
                ));
            }
        }
        let logins = operation
            .node
            .selection_set
            .node
            .items
            .iter()
            .filter(|item| {
                matches!(&item.node, async_graphql::parser::types::Selection::Field(f)
                    if f.node.name.node.as_str() == "login")
            })
            .count();
        if logins > 1 {
            return Err(over(
                "logins",
                "one login per document: each attempt is its own request".to_owned(),
            ));
        }
        Ok(doc)
    }
}

/// Counts the document's lexical tokens (names, numbers, strings, punctuators),
/// stopping early once past `stop`: a huge document costs only what it takes to
/// find it too big. Comments, commas and whitespace are not tokens.
pub fn count_tokens(query: &str, stop: usize) -> usize {
    let bytes = query.as_bytes();
    let (mut i, mut count) = (0, 0);
    while i < bytes.len() && count <= stop {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
                count += 1;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                count += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                i += 3;
                count += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'-' | b'+'))
                {
                    i += 1;
                }
                count += 1;
            }
            _ => {
                i += 1;
                count += 1;
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::count_tokens;

    #[test]
    fn tokens_are_names_strings_numbers_and_punctuators() {
        assert_eq!(count_tokens("{ a }", 100), 3);
        assert_eq!(
            count_tokens("query Q($x: Int = 1.5e3) { a(s: \"x y, z\") }", 100),
            18
        );
        assert_eq!(count_tokens("# a comment\n{ ...F }", 100), 4);
        assert_eq!(
            count_tokens("{ a(s: \"\"\"block \"quoted\" text\"\"\") }", 100),
            8
        );
    }

    #[test]
    fn counting_stops_past_the_limit() {
        let huge = "{ a }".repeat(100_000);
        assert_eq!(count_tokens(&huge, 10), 11);
    }
}
