//! French licence plates: the current SIV format (`AB-123-CD`, `AB 123 CD`,
//! `AB123CD`) and the old FNI format (`1234 AB 13`, `123 ABC 75`, `45 BC 2A`).
//!
//! SIV plates never use the letters I, O and U, nor the group SS; that rule removes
//! most look-alike codes. FNI plates are the risky ones in French text (`2 CRS 13`,
//! `21 H 30`), so they must end with a real department code, their letter group must
//! not be a common acronym or unit, and a single letter needs at least three digits.

use std::sync::LazyLock;

use regex::Regex;

use super::{compile, scan, stands_alone};

static SIV: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?i)[a-z]{2}(?P<s1>[\- ]?)\d{3}(?P<s2>[\- ]?)[a-z]{2}"));

static FNI: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"\d{1,4}(?P<s1>[\- ]?)[A-Z]{1,3}(?P<s2>[\- ]?)(?:97[1-6]|2[AB]|\d{2})")
});

/// Letter groups that, between a number and a department-like number, are far more
/// often an acronym or a unit of operational text than an FNI plate.
const FNI_STOPLIST: &[&str] = &[
    "H", "M", "KM", "MN", "MIN", "KG", "CRS", "BAC", "PM", "PN", "RN", "RD", "PC", "RTM", "TER",
    "TGV", "VTC", "CM", "EUR", "HT", "TTC", "BIS", "PMR", "SAV", "DPS", "PAP", "GIE", "AM", "PV",
    "ER", "EME", "E", "N", "NO", "ST", "STE", "CH", "A", "B",
];

/// Short French words that may stand before a number in prose.
const LOWER_WORDS: &[&str] = &[
    "et", "le", "la", "de", "en", "ce", "se", "sa", "ma", "ta", "ne", "te", "me", "pa", "va",
];
/// Units that may follow a number in prose.
const LOWER_UNITS: &[&str] = &[
    "km", "kg", "cm", "mm", "mn", "ml", "hl", "ha", "kw", "db", "gr",
];

pub(super) fn find_plates(text: &str) -> Vec<(usize, usize)> {
    let mut found = scan_with(&SIV, text, valid_siv);
    for (start, end) in scan_with(&FNI, text, valid_fni) {
        if !found.iter().any(|&(s, e)| start < e && s < end) {
            found.push((start, end));
        }
    }
    found
}

fn scan_with(
    pattern: &Regex,
    text: &str,
    valid: fn(&str, &str, &str) -> bool,
) -> Vec<(usize, usize)> {
    scan(pattern, text, |text, start, end| {
        let caps = pattern.captures(&text[start..end])?;
        let s1 = caps.name("s1").map_or("", |m| m.as_str());
        let s2 = caps.name("s2").map_or("", |m| m.as_str());
        (stands_alone(text, start, end) && valid(&text[start..end], s1, s2)).then_some(end)
    })
}

/// SIV: letters outside I/O/U, no SS group, consistent separators; lowercase only
/// with separators (`ab-123-cd`, `ab 123 cd`).
fn valid_siv(plate: &str, s1: &str, s2: &str) -> bool {
    if s1 != s2 {
        return false;
    }
    let letters: String = plate.chars().filter(char::is_ascii_alphabetic).collect();
    let upper = letters.to_ascii_uppercase();
    // Lower case in the dashed or spaced spellings only; glued (`ab123cd`) it looks
    // like any code.
    if letters != upper && s1.is_empty() {
        return false;
    }
    // Spaced and in lower case, words and units around a number look alike
    // (`et 120 km`): those pairs are not plates.
    if letters != upper && s1 == " " {
        let (first, last) = letters.split_at(2);
        if LOWER_WORDS.contains(&first) || LOWER_UNITS.contains(&last) {
            return false;
        }
    }
    let forbidden = upper.chars().any(|c| matches!(c, 'I' | 'O' | 'U'));
    let (first, last) = upper.split_at(2);
    !forbidden && first != "SS" && last != "SS"
}

/// FNI: a department that exists, a letter group that is not a common acronym, both
/// separators or none, and a 1-letter series only after three or four digits.
fn valid_fni(plate: &str, s1: &str, s2: &str) -> bool {
    if s1.is_empty() != s2.is_empty() {
        return false;
    }
    let digits: String = plate.chars().take_while(char::is_ascii_digit).collect();
    let rest = plate[digits.len()..].trim_start_matches(['-', ' ']);
    let letters: String = rest.chars().take_while(char::is_ascii_uppercase).collect();
    let department = rest[letters.len()..].trim_start_matches(['-', ' ']);
    if digits.starts_with('0') || FNI_STOPLIST.contains(&letters.as_str()) {
        return false;
    }
    if letters.len() == 1 && digits.len() < 3 {
        return false;
    }
    if s1.is_empty() && (digits.len() < 3 || letters.len() < 2) {
        return false;
    }
    match department {
        "2A" | "2B" => true,
        d if d.len() == 3 => true,
        d => d
            .parse::<u8>()
            .is_ok_and(|n| (1..=95).contains(&n) && n != 20),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plates(text: &str) -> Vec<&str> {
        find_plates(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn siv_plates_with_dashes_spaces_or_nothing() {
        for plate in [
            "AB-123-CD",
            "AB 123 CD",
            "AB123CD",
            "gh-456-kl",
            "WW-001-AA",
        ] {
            assert_eq!(
                plates(&format!("véhicule {plate} stationné")),
                vec![plate],
                "{plate}"
            );
        }
    }

    #[test]
    fn siv_look_alikes_are_refused() {
        for text in [
            "AI-123-CD",
            "SS-123-AB",
            "AB-123 CD",
            "ab123cd",
            "et 120 km",
            "XAB-123-CD",
            "AB-1234-CD",
        ] {
            assert!(plates(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn fni_plates_including_corsica_and_overseas() {
        for plate in [
            "1234 AB 13",
            "123 ABC 75",
            "45 BC 2A",
            "678 XY 2B",
            "1234-AB-13",
            "999 TT 971",
        ] {
            assert_eq!(
                plates(&format!("voiture {plate} signalée")),
                vec![plate],
                "{plate}"
            );
        }
    }

    #[test]
    fn fni_look_alikes_are_refused() {
        for text in [
            "2 CRS 13",
            "21 H 30",
            "12 B 14",
            "15 KM 20",
            "3 PM 13",
            "1234 AB 00",
            "1234 AB 20",
        ] {
            assert!(plates(text).is_empty(), "{text}: {:?}", plates(text));
        }
    }
}
