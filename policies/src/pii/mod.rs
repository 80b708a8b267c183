//! Personal-data detection and redaction for free text (DESIGN §6): phone numbers
//! (French and international), e-mail addresses, French licence plates, IBANs,
//! French social security numbers (NIR), passport and identity card numbers, IP
//! addresses, GPS coordinates and dates of birth.
//!
//! Text is normalized first ([`normalize`]: Unicode NFKC, format characters
//! removed, separators unified), so fullwidth or zero-width tricks do not hide a
//! match; matches are mapped back to the original text for redaction.
//!
//! Each detector finds candidates with a pattern, then validates what a pattern cannot
//! (checksums, country lengths, date fields, neighbouring characters) so that the
//! ordinary numbers of operational text (dates, times, prices, attendance counts,
//! postal and INSEE codes, order numbers) are left alone. Detectors run in a fixed
//! priority order and a later match that overlaps an earlier one is dropped: an IBAN
//! contains digit runs that look like a phone number, and must be reported once, as
//! an IBAN.

mod bank;
mod identity;
mod location;
mod normalize;
mod phone;
mod plate;

pub use normalize::normalized;

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// A kind of personal data the platform refuses to store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// An e-mail address.
    Email,
    /// An IBAN (any country, mod-97 checked).
    Iban,
    /// A French social security number (NIR, key checked).
    Nir,
    /// A phone number, French or international.
    Phone,
    /// A French licence plate (SIV or old FNI).
    Plate,
    /// A passport number.
    Passport,
    /// An identity card number.
    IdCard,
    /// An IP address (v4 or v6).
    IpAddress,
    /// A GPS position.
    Coordinates,
    /// A date of birth.
    BirthDate,
}

impl PiiKind {
    /// Every kind, in detection priority order.
    pub const ALL: [PiiKind; 10] = [
        PiiKind::Email,
        PiiKind::Iban,
        PiiKind::Nir,
        PiiKind::IdCard,
        PiiKind::Passport,
        PiiKind::IpAddress,
        PiiKind::Coordinates,
        PiiKind::BirthDate,
        PiiKind::Phone,
        PiiKind::Plate,
    ];

    /// The stable machine name (audit log, error details).
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Email => "email",
            PiiKind::Iban => "iban",
            PiiKind::Nir => "nir",
            PiiKind::Phone => "phone",
            PiiKind::Plate => "plate",
            PiiKind::Passport => "passport",
            PiiKind::IdCard => "id_card",
            PiiKind::IpAddress => "ip_address",
            PiiKind::Coordinates => "coordinates",
            PiiKind::BirthDate => "birth_date",
        }
    }

    /// The text that replaces a match in redacted text.
    pub fn placeholder(self) -> &'static str {
        match self {
            PiiKind::Email => "[EMAIL]",
            PiiKind::Iban => "[IBAN]",
            PiiKind::Nir => "[NIR]",
            PiiKind::Phone => "[PHONE]",
            PiiKind::Plate => "[PLATE]",
            PiiKind::Passport => "[PASSPORT]",
            PiiKind::IdCard => "[ID_CARD]",
            PiiKind::IpAddress => "[IP]",
            PiiKind::Coordinates => "[GPS]",
            PiiKind::BirthDate => "[BIRTH_DATE]",
        }
    }

    fn find(self, text: &str) -> Vec<(usize, usize)> {
        match self {
            PiiKind::Email => find_emails(text),
            PiiKind::Iban => bank::find_ibans(text),
            PiiKind::Nir => bank::find_nirs(text),
            PiiKind::Phone => phone::find_phones(text),
            PiiKind::Plate => plate::find_plates(text),
            PiiKind::Passport => identity::find_passports(text),
            PiiKind::IdCard => identity::find_id_cards(text),
            PiiKind::IpAddress => location::find_ips(text),
            PiiKind::Coordinates => location::find_coordinates(text),
            PiiKind::BirthDate => identity::find_birth_dates(text),
        }
    }
}

impl fmt::Display for PiiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One piece of personal data found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PiiMatch {
    /// What it is.
    pub kind: PiiKind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
}

/// A text with its personal data replaced by placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The redacted text.
    pub text: String,
    /// How many pieces were replaced (written to the audit entry).
    pub count: usize,
    /// The distinct kinds replaced, in priority order.
    pub kinds: Vec<PiiKind>,
}

/// Every piece of personal data in `text`, in text order, without overlaps; the
/// spans are byte offsets in `text` itself (detection reads its normalized form).
pub fn detect(text: &str) -> Vec<PiiMatch> {
    let normalized = normalize::normalize(text);
    let mut found: Vec<PiiMatch> = Vec::new();
    for kind in PiiKind::ALL {
        for (start, end) in kind.find(&normalized.text) {
            let overlaps = found.iter().any(|m| start < m.end && m.start < end);
            if !overlaps {
                found.push(PiiMatch { kind, start, end });
            }
        }
    }
    found.sort_by_key(|m| m.start);
    for m in &mut found {
        (m.start, m.end) = normalized.original(m.start, m.end);
    }
    found
}

/// Whether `text` holds any personal data.
pub fn contains_personal_data(text: &str) -> bool {
    !detect(text).is_empty()
}

/// The distinct kinds of personal data in `text`, in priority order.
pub fn kinds_in(text: &str) -> Vec<PiiKind> {
    distinct_kinds(&detect(text))
}

/// Longest client string echoed back in a message.
pub const MAX_ECHO: usize = 64;

/// A client string as it may be echoed in an error or written to a log: quoted
/// when short, made of code characters (letters, digits, `-`, `_`, `.`, `:`) and
/// free of personal data; otherwise only its length, so a message never carries
/// what the detectors would have refused to store.
pub fn echo(text: &str) -> String {
    let codelike = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if !text.is_empty() && text.len() <= MAX_ECHO && codelike && !contains_personal_data(text) {
        format!("\"{text}\"")
    } else {
        format!("(withheld, {} characters)", text.chars().count())
    }
}

/// Replaces every piece of personal data with its placeholder.
pub fn redact(text: &str) -> Redacted {
    let matches = detect(text);
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for m in &matches {
        out.push_str(&text[cursor..m.start]);
        out.push_str(m.kind.placeholder());
        cursor = m.end;
    }
    out.push_str(&text[cursor..]);
    Redacted {
        text: out,
        count: matches.len(),
        kinds: distinct_kinds(&matches),
    }
}

fn distinct_kinds(matches: &[PiiMatch]) -> Vec<PiiKind> {
    let mut kinds: Vec<PiiKind> = matches.iter().map(|m| m.kind).collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// Compiles one of this module's literal patterns.
fn compile(pattern: &str) -> Regex {
    // The patterns are constants of this module and every test run compiles them all,
    // so a failure is a programming error caught before release, not a runtime case.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("literal pattern compiles")
}

/// Whether the match `[start, end)` stands alone: no letter or digit glued to either
/// side, so `AB-123-CD` inside `XAB-123-CDE` or a phone inside a longer number are
/// not taken.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Runs `pattern` over `text`, keeping candidates accepted by `accept`, which may also
/// shorten a candidate (returns its new end). A refused candidate restarts the search
/// one character later, so a real match that begins inside it is not skipped.
fn scan(
    pattern: &Regex,
    text: &str,
    mut accept: impl FnMut(&str, usize, usize) -> Option<usize>,
) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(m) = pattern.find_at(text, from) {
        match accept(text, m.start(), m.end()) {
            Some(end) => {
                found.push((m.start(), end));
                from = end;
            }
            None => {
                from = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
            }
        }
        if from >= text.len() {
            break;
        }
    }
    found
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)[a-z0-9][a-z0-9._%+\-]*(?:\s?(?:@|\(at\)|\[at\])\s?|\s+arobase\s+)[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.[a-z]{2,24}",
    )
});

/// An address spelled out to dodge filters: `jean at gmail dot com`, `jean [at]
/// gmail [dot] fr`, `jean arobase orange point fr`. Only with a common top-level
/// domain, since "at" and "dot" are ordinary English words.
static SPELLED_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)[a-z0-9][a-z0-9._%+\-]*\s*(?:\s(?:at|arobase)\s|[(\[{]\s*(?:at|arobase)\s*[)\]}])\s*[a-z0-9][a-z0-9\-]*(?:\s*(?:\.|\s(?:dot|point)\s|[(\[{]\s*(?:dot|point)\s*[)\]}])\s*[a-z0-9\-]+)*?\s*(?:\.|\s(?:dot|point)\s|[(\[{]\s*(?:dot|point)\s*[)\]}])\s*(?:com|fr|net|org|eu|io|info|biz|de|uk|be|es|it|ch|ma|dz|tn|co|me)\b",
    )
});

fn find_emails(text: &str) -> Vec<(usize, usize)> {
    let mut found = scan(&EMAIL, text, |text, start, end| {
        stands_alone(text, start, end).then_some(end)
    });
    for (start, end) in scan(&SPELLED_EMAIL, text, |text, start, end| {
        stands_alone(text, start, end).then_some(end)
    }) {
        if !found.iter().any(|&(s, e)| start < e && s < end) {
            found.push((start, end));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_found_including_common_obfuscations() {
        for text in [
            "contact: jean.dupont@gmail.com merci",
            "m.martin+asso@orange.fr",
            "ecrire à sophie_l (at) laposte.net",
            "karim.b arobase free.fr",
            "J.DURAND@MARSEILLE.FR",
        ] {
            assert_eq!(kinds_in(text), vec![PiiKind::Email], "{text}");
        }
    }

    #[test]
    fn addresses_without_a_domain_are_not_emails() {
        for text in ["@OM_Officiel a tweeté", "rdv @ 14h", "prix 3 @ 2 €"] {
            assert!(!contains_personal_data(text), "{text}");
        }
    }

    #[test]
    fn redaction_replaces_each_match_and_counts_them() {
        let redacted = redact("Appeler 06 12 34 56 78 ou écrire à a.b@c.fr, véhicule AB-123-CD.");
        assert_eq!(
            redacted.text,
            "Appeler [PHONE] ou écrire à [EMAIL], véhicule [PLATE]."
        );
        assert_eq!(redacted.count, 3);
        assert_eq!(
            redacted.kinds,
            vec![PiiKind::Email, PiiKind::Phone, PiiKind::Plate]
        );
    }

    #[test]
    fn an_iban_is_reported_once_as_an_iban_not_as_a_phone() {
        let found = detect("virement FR76 3000 6000 0112 3456 7890 189 reçu");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, PiiKind::Iban);
    }

    #[test]
    fn only_short_code_like_strings_without_personal_data_are_echoed() {
        assert_eq!(echo("13208"), "\"13208\"");
        assert_eq!(echo("transit_load"), "\"transit_load\"");
        assert_eq!(echo("jean.dupont@gmail.com"), "(withheld, 21 characters)");
        assert_eq!(echo("appeler le 0612345678"), "(withheld, 21 characters)");
        assert_eq!(echo("0612345678"), "(withheld, 10 characters)");
        assert!(echo(&"a".repeat(65)).starts_with("(withheld"));
    }

    #[test]
    fn text_without_personal_data_is_returned_unchanged() {
        let text = "Rassemblement de 40 personnes place Castellane à 22h30";
        let redacted = redact(text);
        assert_eq!(redacted.text, text);
        assert_eq!(redacted.count, 0);
        assert!(redacted.kinds.is_empty());
    }
}
