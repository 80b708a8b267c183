//! The crate's one error type: what can go wrong when features are encoded, a model is
//! fitted or an event is scored. Messages name the offending feature or column so a
//! supervisor (or the engineer reading the log) knows what to fix.

use thiserror::Error;

/// Everything the scoring crate can refuse or fail at.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ScoringError {
    /// A feature value cannot be used (negative, not finite, out of its range).
    #[error("invalid feature `{feature}`: {reason}")]
    InvalidFeature {
        /// The feature's name, as in the design matrix or the event.
        feature: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// Training was asked on no rows, or on fewer rows than coefficients.
    #[error("not enough data: {rows} rows for {columns} coefficients")]
    NotEnoughData {
        /// Rows available.
        rows: usize,
        /// Coefficients to estimate.
        columns: usize,
    },
    /// The information matrix is not positive definite: a column is constant, empty
    /// or a combination of others (e.g. a category that never occurs in the data).
    #[error("singular design: column `{column}` is empty or collinear with others")]
    SingularMatrix {
        /// The first column whose pivot vanished.
        column: String,
    },
    /// IRLS did not settle within its iteration budget.
    #[error("the {field} model did not converge after {iterations} iterations")]
    DidNotConverge {
        /// Which outcome was being fitted.
        field: String,
        /// Iterations spent.
        iterations: usize,
    },
    /// Vectors that must align (rows, outcomes, offsets, coefficients) do not.
    #[error("dimension mismatch: {what}")]
    DimensionMismatch {
        /// Which vectors disagree and how.
        what: String,
    },
    /// A model was built by another encoder version than this code's.
    #[error("model encoder `{found}` does not match this code's `{expected}`")]
    IncompatibleModel {
        /// The encoder version this code implements.
        expected: &'static str,
        /// The encoder version recorded in the model.
        found: String,
    },
}
