//! The table of public error codes: each code's HTTP status and meaning, in one place.
//!
//! Codes are public API: frontend developers branch on `extensions.code`, so a code
//! is never renamed or reused. The README's error table and the schema's `ErrorCode`
//! enum are both read from here (a test checks the README).

/// Declares the codes once; everything else is derived from this list.
macro_rules! error_codes {
    ($( $variant:ident = $code:literal, $status:literal, $description:literal; )*) => {
        /// Every `extensions.code` an error of the API can carry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
        #[graphql(name = "ErrorCode", rename_items = "SCREAMING_SNAKE_CASE")]
        pub enum ErrorCode {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code, in the table's order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as sent in `extensions.code`.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status of a response that fails with this code alone.
            pub const fn http_status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }

            /// What the code means, for the people reading the error.
            pub const fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $description,)* }
            }
        }
    };
}

error_codes! {
    Unauthenticated = "UNAUTHENTICATED", 401,
        "No valid credentials: log in, or send a valid, unexpired bearer token.";
    Forbidden = "FORBIDDEN", 403,
        "Valid credentials without the right: the role, the token's scopes or the declared purpose do not allow it (`extensions.reason` says which).";
    NotFound = "NOT_FOUND", 404,
        "The thing asked for does not exist, or is not visible to the caller.";
    BadRequest = "BAD_REQUEST", 400,
        "The HTTP request itself is malformed: not JSON, a missing `query`, a batch, a mutation over GET, an unaccepted media type.";
    BadUserInput = "BAD_USER_INPUT", 400,
        "An input breaks a rule (`extensions.field` names it), or the document does not parse or validate.";
    QueryTooComplex = "QUERY_TOO_COMPLEX", 400,
        "The document is over a limit (depth, cost, aliases, root fields, tokens); `extensions.limit` names it. Nothing ran.";
    PolicyViolation = "POLICY_VIOLATION", 400,
        "A privacy rule refused the operation (`extensions.rule` names it); nothing was stored.";
    Conflict = "CONFLICT", 409,
        "The change conflicts with the current state (a duplicate, a stale version, a frozen record).";
    RateLimited = "RATE_LIMITED", 429,
        "Too many attempts; retry after the delay given in `extensions.retryAfter` (seconds) or the `Retry-After` header.";
    Timeout = "TIMEOUT", 503,
        "The operation ran past the server's time limit and was cancelled; nothing was stored.";
    Unavailable = "UNAVAILABLE", 503,
        "The database cannot be reached; the server keeps running and answers again when it is back.";
    Internal = "INTERNAL", 500,
        "Anything unexpected: the cause is logged with the request id, never returned.";
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn codes_are_unique_screaming_snake_case_with_an_error_status() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(
                seen.insert(code.as_str()),
                "{} is listed twice",
                code.as_str()
            );
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_'),
                "{} is not SCREAMING_SNAKE_CASE",
                code.as_str()
            );
            assert!(
                (400..600).contains(&code.http_status()),
                "{} has status {}",
                code.as_str(),
                code.http_status()
            );
            assert!(!code.description().is_empty());
        }
    }

    #[test]
    fn the_readme_lists_every_code() {
        let readme = include_str!("../../../README.md");
        for code in ErrorCode::ALL {
            assert!(
                readme.contains(&format!("`{}`", code.as_str())),
                "README.md does not list `{}`",
                code.as_str()
            );
        }
    }
}
