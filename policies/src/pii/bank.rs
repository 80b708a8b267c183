//! The two identifiers that carry a checksum: IBANs (ISO 13616, mod 97 over the
//! rearranged number) and French social security numbers (NIR: 13 digits and a key
//! equal to 97 - number mod 97, with Corsica's 2A/2B counted as 19/18).
//!
//! The checksum is what separates them from long order or file numbers: a random
//! digit string passes it about once in a hundred times, and the structural checks
//! (country length, sex digit, month) cut that further.

use std::sync::LazyLock;

use regex::Regex;

use super::{compile, scan, stands_alone};

static IBAN: LazyLock<Regex> =
    LazyLock::new(|| compile(r"[A-Z]{2}\d{2}(?:[ \u{a0}]?[A-Z0-9]){11,32}"));

static NIR: LazyLock<Regex> = LazyLock::new(|| compile(r"[1-478](?:[ \u{a0}.]?[0-9ABab]){14}"));

/// IBAN length by country (ISO 13616 registry).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MA", 28),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VG", 24),
    ("XK", 20),
];

pub(super) fn find_ibans(text: &str) -> Vec<(usize, usize)> {
    scan(&IBAN, text, |text, start, end| {
        if text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            return None;
        }
        // Byte offsets just past each alphanumeric character of the candidate.
        let mut compact = String::new();
        let mut ends = Vec::new();
        for (i, c) in text[start..end].char_indices() {
            if c.is_ascii_alphanumeric() {
                compact.push(c);
                ends.push(start + i + c.len_utf8());
            }
        }
        let lengths: Vec<usize> = match IBAN_LENGTHS.iter().find(|(cc, _)| compact.starts_with(cc))
        {
            Some((_, length)) => vec![*length],
            // An unregistered country: the longest valid prefix, as a registry may lag.
            None => (15..=compact.len().min(34)).rev().collect(),
        };
        lengths.into_iter().find_map(|length| {
            let candidate = compact.get(..length)?;
            let end = *ends.get(length - 1)?;
            (iban_checksum_ok(candidate) && stands_alone(text, start, end)).then_some(end)
        })
    })
}

/// ISO 13616: move the first four characters to the end, read letters as 10..35,
/// and the number must be 1 modulo 97.
pub(crate) fn iban_checksum_ok(iban: &str) -> bool {
    if iban.len() < 15 || !iban.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let rearranged = iban[4..].chars().chain(iban[..4].chars());
    let mut remainder: u32 = 0;
    for c in rearranged {
        let Some(value) = c.to_digit(36) else {
            return false;
        };
        remainder = if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        };
    }
    remainder == 1
}

pub(super) fn find_nirs(text: &str) -> Vec<(usize, usize)> {
    scan(&NIR, text, |text, start, end| {
        let compact: String = text[start..end]
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        (stands_alone(text, start, end) && nir_ok(&compact)).then_some(end)
    })
}

/// Checks a 15-character NIR: sex digit, month, department, and key.
pub(crate) fn nir_ok(nir: &str) -> bool {
    let nir = nir.to_ascii_uppercase();
    if nir.len() != 15 || !nir.is_ascii() {
        return false;
    }
    let (body, key) = nir.split_at(13);
    let department = &body[5..7];
    // Only the department may hold letters, and only Corsica's 2A / 2B.
    let numeric_body = match department {
        "2A" => format!("{}19{}", &body[..5], &body[7..]),
        "2B" => format!("{}18{}", &body[..5], &body[7..]),
        _ => body.to_owned(),
    };
    let (Ok(number), Ok(key)) = (numeric_body.parse::<u64>(), key.parse::<u64>()) else {
        return false;
    };
    if numeric_body.len() != 13 {
        return false;
    }
    let sex_ok = matches!(&body[..1], "1" | "2" | "3" | "4" | "7" | "8");
    // Months 01-12; 20-42 and 50-99 are issued when the birth month is unknown.
    let month_ok = body[3..5]
        .parse::<u8>()
        .is_ok_and(|m| (1..=12).contains(&m) || (20..=42).contains(&m) || m >= 50);
    let department_ok = department != "00";
    sex_ok && month_ok && department_ok && key == 97 - number % 97
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ibans_pass_the_checksum() {
        for iban in [
            "FR7630006000011234567890189",
            "DE89370400440532013000",
            "GB29NWBK60161331926819",
            "BE68539007547034",
            "ES9121000418450200051332",
            "IT60X0542811101000000123456",
            "CH9300762011623852957",
            "NL91ABNA0417164300",
        ] {
            assert!(iban_checksum_ok(iban), "{iban}");
        }
    }

    #[test]
    fn a_changed_digit_breaks_the_checksum() {
        assert!(!iban_checksum_ok("FR7630006000011234567890188"));
        assert!(!iban_checksum_ok("GB29NWBK60161331926818"));
    }

    #[test]
    fn ibans_are_found_with_or_without_spaces_and_stop_at_their_length() {
        for (text, iban) in [
            (
                "IBAN FR76 3000 6000 0112 3456 7890 189 merci",
                "FR76 3000 6000 0112 3456 7890 189",
            ),
            (
                "rib: FR7630006000011234567890189.",
                "FR7630006000011234567890189",
            ),
            (
                "versé sur DE89 3704 0044 0532 0130 00 le 12",
                "DE89 3704 0044 0532 0130 00",
            ),
        ] {
            let found: Vec<&str> = find_ibans(text)
                .into_iter()
                .map(|(s, e)| &text[s..e])
                .collect();
            assert_eq!(found, vec![iban], "{text}");
        }
        assert!(find_ibans("FR76 3000 6000 0112 3456 7890 188").is_empty());
    }

    #[test]
    fn nir_keys_are_checked_including_corsica() {
        assert!(nir_ok("185057800608491"));
        assert!(!nir_ok("185057800608492"), "wrong key");
        assert!(!nir_ok("585057800608491"), "sex digit 5 does not exist");
        assert!(!nir_ok("185137800608491"), "month 13 does not exist");
        // 2A: computed with 19 in place of 2A.
        let key = 97 - 2_900_519_123_456_u64 % 97;
        assert!(nir_ok(&format!("290052A123456{key:02}")));
        assert!(
            !nir_ok(&format!("290052B123456{key:02}")),
            "2B counts as 18, not 19"
        );
    }

    #[test]
    fn nirs_are_found_with_spaces() {
        let text = "assuré 1 85 05 78 006 084 91, dossier clos";
        let found: Vec<&str> = find_nirs(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        assert_eq!(found, vec!["1 85 05 78 006 084 91"]);
        assert!(find_nirs("1 85 05 78 006 084 90").is_empty());
    }
}
