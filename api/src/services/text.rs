//! Free text typed by people (decision rationales, pause and status reasons, DPIA
//! answers): bounded, trimmed, and redacted of personal data (phone numbers,
//! e-mails, licence plates, IBANs, social security numbers) before it is stored, as
//! municipal incident reports are, because other roles read it.

use crate::error::{ApiError, ApiResult};

/// Checks a free text for the input at `path`: trimmed, at most `max` characters,
/// at least one when `required`; returns it redacted of personal data.
pub fn free_text(path: &str, value: &str, max: usize, required: bool) -> ApiResult<String> {
    let value = value.trim();
    if (required && value.is_empty()) || value.chars().count() > max {
        let least = usize::from(required);
        return Err(ApiError::bad_input(
            path,
            format!("{least} to {max} characters are required"),
        ));
    }
    Ok(redact(value))
}

/// `value` with every piece of personal data replaced by a placeholder.
pub fn redact(value: &str) -> String {
    policies::pii::redact(value).text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_in_a_rationale_is_replaced_before_storage() {
        let text = free_text(
            "input.rationale",
            "  Called Jean at 06 12 34 56 78 or jean.dupont@example.org  ",
            1000,
            true,
        )
        .unwrap();
        assert!(!text.contains("06 12"), "{text}");
        assert!(!text.contains("jean.dupont@"), "{text}");
        assert!(text.starts_with("Called Jean at"), "{text}");
    }

    #[test]
    fn bounds_are_checked_on_the_trimmed_text() {
        assert!(free_text("x", "   ", 10, true).is_err());
        assert_eq!(free_text("x", "   ", 10, false).unwrap(), "");
        assert!(free_text("x", &"a".repeat(11), 10, true).is_err());
    }
}
