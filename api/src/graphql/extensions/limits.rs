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
        if dates_out_of_range(query, variables) {
            return Err(ApiError::bad_input(
                "",
                format!("dates must fall in the years {FIRST_YEAR} to {LAST_YEAR}"),
            )
            .to_graphql()
            .into_server_error(Default::default()));
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

/// First year a date or time input may name.
pub const FIRST_YEAR: i64 = 1900;
/// Last year a date or time input may name: far beyond any agenda, far below the
/// limits of date arithmetic, so no window computed from an input can overflow.
pub const LAST_YEAR: i64 = 2199;

/// Whether a string of the document or of its variables is a date (`YYYY-MM-DD`,
/// with or without a time, or with a signed expanded year) outside the years the
/// platform handles. Checked before parsing, for every argument whatever its type.
pub fn dates_out_of_range(query: &str, variables: &Variables) -> bool {
    let in_query = query.split('"').skip(1).step_by(2).any(date_out_of_range);
    in_query || variables.iter().any(|(_, value)| value_out_of_range(value))
}

fn value_out_of_range(value: &async_graphql::Value) -> bool {
    match value {
        async_graphql::Value::String(text) => date_out_of_range(text),
        async_graphql::Value::List(items) => items.iter().any(value_out_of_range),
        async_graphql::Value::Object(fields) => fields.values().any(value_out_of_range),
        _ => false,
    }
}

/// Whether `text` starts like a date whose year is outside the handled range.
fn date_out_of_range(text: &str) -> bool {
    let unsigned = text.trim_start_matches(['+', '-']);
    let digits = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &unsigned.as_bytes()[digits..];
    let shaped = digits >= 4
        && rest.len() >= 6
        && rest[0] == b'-'
        && rest[1..3].iter().all(u8::is_ascii_digit)
        && rest[3] == b'-'
        && rest[4..6].iter().all(u8::is_ascii_digit);
    if !shaped {
        return false;
    }
    let negative = text.starts_with('-');
    match unsigned[..digits].parse::<i64>() {
        Ok(year) if !negative => !(FIRST_YEAR..=LAST_YEAR).contains(&year),
        _ => true,
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
    use super::{count_tokens, dates_out_of_range};
    use async_graphql::Variables;

    #[test]
    fn dates_far_outside_the_platform_years_are_found_in_literals_and_variables() {
        let none = Variables::default();
        assert!(dates_out_of_range(
            r#"{ agenda(from: "+262142-12-31", days: 1) { date } }"#,
            &none
        ));
        assert!(dates_out_of_range(
            r#"{ a(t: "9999-01-01T00:00:00Z") }"#,
            &none
        ));
        assert!(dates_out_of_range(r#"{ a(t: "-0001-01-01") }"#, &none));
        assert!(!dates_out_of_range(
            r#"{ agenda(from: "2026-12-05", days: 1) { date } }"#,
            &none
        ));
        assert!(!dates_out_of_range(r#"{ a(s: "12345 people") }"#, &none));
        let vars = Variables::from_json(
            serde_json::json!({ "input": { "startsAt": ["2026-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"] } }),
        );
        assert!(dates_out_of_range("{ a }", &vars));
        let fine = Variables::from_json(serde_json::json!({ "from": "2199-12-31" }));
        assert!(!dates_out_of_range("{ a }", &fine));
    }

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
