//! Custom scalars and identifier parsing.

use async_graphql::{ID, InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{Datelike, NaiveDate};

use crate::error::{ApiError, ApiResult};

/// A calendar day in Europe/Paris, written `YYYY-MM-DD` (ISO 8601), e.g. `2026-12-05`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

#[Scalar(
    name = "Date",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
/// A calendar day in Europe/Paris, written `YYYY-MM-DD` (ISO 8601), e.g. `2026-12-05`.
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .filter(|d| (1900..=2199).contains(&d.year()))
                .map(Date)
                .ok_or_else(|| {
                    InputValueError::custom(format!(
                        "expected a date as YYYY-MM-DD between the years 1900 and 2199, got {}",
                        policies::pii::echo(text)
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Parses a GraphQL `ID` of a row; `path` names the argument for the error.
pub fn parse_id(id: &ID, path: &str) -> ApiResult<i64> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::bad_input(path, format!("\"{}\" is not a valid id", id.as_str())))
}

/// Parses an optional `ID`.
pub fn parse_opt_id(id: Option<&ID>, path: &str) -> ApiResult<Option<i64>> {
    id.map(|id| parse_id(id, path)).transpose()
}
