//! Phone numbers: French numbers in every usual spelling (`06 12 34 56 78`,
//! `06.12.34.56.78`, `0612345678`, `+33 6 12 34 56 78`, `+33 (0)6 ...`, `0033 ...`) and
//! international numbers written with their country code (`+44 20 7946 0958`).
//!
//! A French number needs its leading 0 or country code and exactly ten digits, so
//! attendance counts (`65 894`), postal codes and prices never qualify. An
//! international number needs a `+` (or `00` and a known country code), 8 to 15
//! digits in all (E.164), and is trimmed of trailing digit groups beyond its
//! country's length, so `+44 20 7946 0958 14 agents` does not swallow the `14`.

use std::sync::LazyLock;

use regex::Regex;

use super::{compile, scan, stands_alone};

static FRENCH: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?[1-9]|0[1-9])(?:[ \t\u{a0}\u{202f}.\-/]?\d{2}){4}")
});

/// A French number grouped any other way (`06 123 456 78`, `0 6 1 2 3 4 5 6 7 8`,
/// `061 234 5678`): ten digits with single spaces or hyphens anywhere.
static FRENCH_IRREGULAR: LazyLock<Regex> = LazyLock::new(|| compile(r"0[1-9](?:[ \-]?\d){8}"));

/// Whether an irregularly grouped candidate is a phone number rather than a date
/// followed by a time (`06 07 2025 14`): a four-digit group that reads as a year
/// after a day or a month is a date.
fn irregular_phone(candidate: &str) -> bool {
    let groups: Vec<&str> = candidate.split([' ', '-']).collect();
    let dated = groups.windows(2).any(|w| {
        w[0].len() <= 2 && w[1].len() == 4 && (w[1].starts_with("19") || w[1].starts_with("20"))
    });
    !dated
}

static INTERNATIONAL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?:\+|00)\s?\d{1,4}(?:[ \u{a0}\u{202f}.\-]?\(?0?\)?[ \u{a0}\u{202f}.\-]?\d{1,4}){1,7}",
    )
});

/// National significant number lengths (maximum) of common country codes; others get
/// the E.164 ceiling. Used only to trim trailing digit groups that belong to the text.
const NATIONAL_MAX: &[(&str, usize)] = &[
    ("1", 10),
    ("7", 10),
    ("20", 10),
    ("27", 9),
    ("30", 10),
    ("31", 9),
    ("32", 9),
    ("33", 9),
    ("34", 9),
    ("36", 9),
    ("39", 11),
    ("40", 9),
    ("41", 9),
    ("43", 13),
    ("44", 10),
    ("45", 8),
    ("46", 9),
    ("47", 8),
    ("48", 9),
    ("49", 11),
    ("55", 11),
    ("61", 9),
    ("81", 10),
    ("86", 11),
    ("90", 10),
    ("91", 10),
    ("212", 9),
    ("213", 9),
    ("216", 8),
    ("262", 9),
    ("351", 9),
    ("352", 11),
    ("353", 9),
    ("590", 9),
    ("594", 9),
    ("596", 9),
    ("689", 8),
];

pub(super) fn find_phones(text: &str) -> Vec<(usize, usize)> {
    // International first: `+39 06 6988 4567` holds a French-looking `06 69 88 45 67`
    // that belongs to the Italian number. French numbers (+33) are left to the
    // stricter French pattern.
    let mut found = scan(&INTERNATIONAL, text, accept_international);
    let mut french = scan(&FRENCH, text, |text, start, end| {
        // Slashes and dots only in the usual pairs: `06/12/34/56/78`, not a date.
        let pairs = !text[start..end].contains(['/', '.'])
            || text[start..end].split(['/', '.']).count() == 5;
        let dated = !irregular_phone(&text[start..end]);
        (stands_alone(text, start, end) && pairs && !dated).then_some(end)
    });
    for (start, end) in scan(&FRENCH_IRREGULAR, text, |text, start, end| {
        (stands_alone(text, start, end) && irregular_phone(&text[start..end])).then_some(end)
    }) {
        if !french.iter().any(|&(s, e)| start < e && s < end) {
            french.push((start, end));
        }
    }
    for (start, end) in french {
        if !found.iter().any(|&(s, e)| start < e && s < end) {
            found.push((start, end));
        }
    }
    found.sort_unstable();
    found
}

/// Validates an international candidate and returns its (possibly trimmed) end.
fn accept_international(text: &str, start: usize, end: usize) -> Option<usize> {
    let candidate = &text[start..end];
    let double_zero = candidate.starts_with("00");
    let body_offset = if double_zero { 2 } else { 1 };
    // Digit groups with the byte offset (in `text`) just past each group.
    let mut groups: Vec<(String, usize)> = Vec::new();
    let mut current = String::new();
    for (i, c) in candidate
        .char_indices()
        .skip_while(|(i, _)| *i < body_offset)
    {
        if c.is_ascii_digit() {
            current.push(c);
        } else if !current.is_empty() {
            groups.push((std::mem::take(&mut current), start + i));
        }
    }
    if !current.is_empty() {
        groups.push((current, end));
    }
    let all_digits: String = groups.iter().map(|(g, _)| g.as_str()).collect();
    let (country, max) = country_code(&groups, &all_digits)?;
    if country == "33" {
        return None;
    }
    if double_zero && max == 15 {
        // `00` followed by an unknown code is more often an order or ticket number.
        return None;
    }
    // The `(0)` trunk prefix some people write is not part of the number.
    let trunk = candidate.contains("(0)") as usize;
    let mut kept = groups.len();
    let mut national = all_digits.len().saturating_sub(country.len() + trunk);
    while kept > 1 && national > max {
        kept -= 1;
        national = national.saturating_sub(groups[kept].0.len());
    }
    let total = country.len() + national;
    let new_end = groups[kept - 1].1;
    let plausible = (8..=15).contains(&total) && national >= 6 && national <= max;
    (plausible && stands_alone(text, start, new_end)).then_some(new_end)
}

/// The country code and its national length ceiling.
fn country_code<'a>(groups: &'a [(String, usize)], digits: &'a str) -> Option<(&'a str, usize)> {
    let first = &groups.first()?.0;
    let known = |code: &str| {
        NATIONAL_MAX
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, m)| *m)
    };
    if groups.len() > 1 && first.len() <= 3 {
        return Some((first.as_str(), known(first).unwrap_or(15)));
    }
    // Written without a separator: the code is the known prefix, if any.
    (1..=3)
        .filter_map(|n| {
            digits
                .get(..n)
                .and_then(|code| known(code).map(|m| (code, m)))
        })
        .next()
        .or_else(|| digits.get(..2).map(|code| (code, 15)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(text: &str) -> Vec<&str> {
        find_phones(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn french_numbers_in_every_usual_spelling() {
        for number in [
            "06 12 34 56 78",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "0612345678",
            "04 91 55 11 11",
            "+33 6 12 34 56 78",
            "+33612345678",
            "+33 (0)6 12 34 56 78",
            "0033 6 12 34 56 78",
            "0033612345678",
        ] {
            assert_eq!(phones(&format!("tel {number}.")), vec![number], "{number}");
        }
    }

    #[test]
    fn international_numbers_with_their_country_code() {
        for number in [
            "+44 20 7946 0958",
            "+1 415 555 2671",
            "+1-415-555-2671",
            "+49 30 901820",
            "+32 2 555 12 12",
            "+39 06 6988 4567",
            "0044 20 7946 0958",
            "+212 6 61 23 45 67",
        ] {
            assert_eq!(
                phones(&format!("appel du {number}, sans suite")),
                vec![number],
                "{number}"
            );
        }
    }

    #[test]
    fn trailing_numbers_of_the_sentence_are_not_swallowed() {
        assert_eq!(
            phones("joint au +44 20 7946 0958 14 agents"),
            vec!["+44 20 7946 0958"]
        );
    }

    #[test]
    fn ordinary_numbers_are_not_phones() {
        for text in [
            "65 894 spectateurs",
            "13008 Marseille",
            "le 12/07/2024 à 22h30",
            "1 250 000 visiteurs en 2023",
            "+3,5 % de fréquentation",
            "+1 250 personnes",
            "commande 0045 1234",
            "ticket 061234567890",
            "de 08 30 à 12 00",
        ] {
            assert!(phones(text).is_empty(), "{text}: {:?}", phones(text));
        }
    }
}
