//! Identity documents and birth dates: French passport numbers (`12AB34567`),
//! national identity card numbers (the 12-digit card of 1988-2021, the 9-character
//! card since 2021) and dates of birth.
//!
//! A passport number has a shape nothing else in operational text has, so it is
//! taken alone. An identity card number looks like an order number, and a date is
//! everywhere, so both need their context: a card needs its name (`CNI`, `carte
//! d'identité`, `pièce d'identité`, `ID`) just before it; a date is a birth date
//! after a birth word (`né le`, `date de naissance`, `DOB`), or after a person's
//! name (`M. Martin`, `Mme B.`, `Jean DUPONT`) when its year is more than ten years
//! before the platform's first season (2015): event dates are recent, birth dates
//! of adults are not.

use std::sync::LazyLock;

use regex::Regex;

use super::{compile, scan, stands_alone};

static PASSPORT: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\b\d{2}[a-z]{2}\d{5}\b"));

static ID_CARD: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)(?:\bCNI|carte\s+(?:nationale\s+)?d'identit[ée]|pi[èe]ce\s+d'identit[ée]|\bID\s*card|\bidentity\s+card|\bID)\s*(?:n\s?°|no\.?|num[ée]ro|number|#)?\s*:?\s*(?P<number>\d{12}|[a-z0-9]{9})\b",
    )
});

/// A date: `12/03/1985`, `12.03.1985`, `12-03-1985`, `1985-03-12`, `12 mars 1985`.
const DATE: &str = r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?P<y1>(?:19|20)\d{2})|(?P<y2>(?:19|20)\d{2})-\d{2}-\d{2}|\d{1,2}(?:er)?\s(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre)\s(?P<y3>(?:19|20)\d{2}))";

static BIRTH_WORD: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)(?:\bn[ée]e?(?:\(e\))?\s+le|date\s+de\s+naissance|\bDDN|\bDOB|\bborn(?:\s+on)?|\bbirth\s*date|\bdate\s+of\s+birth)\s*:?\s*(?P<date>{DATE})"
    ))
});

static NAMED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?:\b(?:M\.|Mme|Mlle|Monsieur|Madame|Mr\.?|Mrs\.?|Ms\.?)\s+[A-Z][\p{{L}}'\-]*\.?|\b[A-Z][\p{{Ll}}]+\s+[A-Z]{{2,}}\b)[\s,;:()\-]{{1,4}}(?:\p{{L}}+\s+){{0,2}}\(?(?P<date>{DATE})"
    ))
});

/// Birth years before this are taken as birth dates after a name: more than ten
/// years before the platform's first season, so no event date qualifies.
const LATEST_ADULT_BIRTH_YEAR: i32 = 2005;

pub(super) fn find_passports(text: &str) -> Vec<(usize, usize)> {
    scan(&PASSPORT, text, |text, start, end| {
        stands_alone(text, start, end).then_some(end)
    })
}

pub(super) fn find_id_cards(text: &str) -> Vec<(usize, usize)> {
    ID_CARD
        .captures_iter(text)
        .filter_map(|caps| caps.name("number"))
        .filter(|m| {
            // A 9-character card number mixes letters and digits.
            let s = m.as_str();
            s.len() == 12
                || (s.chars().any(|c| c.is_ascii_digit()) && s.chars().any(char::is_alphabetic))
        })
        .map(|m| (m.start(), m.end()))
        .collect()
}

pub(super) fn find_birth_dates(text: &str) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = BIRTH_WORD
        .captures_iter(text)
        .filter_map(|caps| caps.name("date"))
        .map(|m| (m.start(), m.end()))
        .collect();
    for caps in NAMED_DATE.captures_iter(text) {
        let Some(date) = caps.name("date") else {
            continue;
        };
        let year = ["y1", "y2", "y3"]
            .iter()
            .find_map(|y| caps.name(y))
            .and_then(|y| y.as_str().parse::<i32>().ok());
        let old = year.is_some_and(|y| y <= LATEST_ADULT_BIRTH_YEAR);
        let span = (date.start(), date.end());
        if old && !found.iter().any(|&(s, e)| span.0 < e && s < span.1) {
            found.push(span);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_birth_dates_are_found_in_context() {
        assert_eq!(find_passports("passeport 12AB34567 présenté").len(), 1);
        assert_eq!(find_id_cards("CNI n° 880692310285").len(), 1);
        assert_eq!(find_id_cards("carte d'identité X4RTBPFW4").len(), 1);
        assert_eq!(find_birth_dates("Jean Dupont, né le 12/03/1985").len(), 1);
        assert_eq!(
            find_birth_dates("M. Martin (03/11/1972) interpellé").len(),
            1
        );
    }

    #[test]
    fn order_numbers_and_event_dates_are_left_alone() {
        assert!(find_id_cards("Commande 880692310285 livrée").is_empty());
        assert!(find_id_cards("Carte identité visuelle du festival").is_empty());
        assert!(find_birth_dates("Concert de Jul le 14/07/2025").is_empty());
        assert!(find_birth_dates("M. le Maire inaugure le 12/03/2024").is_empty());
        assert!(find_passports("lot 2024AB12345").is_empty());
    }
}
