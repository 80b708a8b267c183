//! The text the detectors read: Unicode NFKC (fullwidth `＠` and digits become
//! ASCII), format characters removed (a zero-width space inside a number no longer
//! splits it), separators unified (every space is a space, every dash a hyphen,
//! every slash a slash, runs of spaces one space). Each byte of the result knows
//! the span of the original character it came from, so a match is redacted in the
//! original text.

use unicode_normalization::UnicodeNormalization;

/// A normalized text and where each of its bytes came from.
#[derive(Debug, Clone)]
pub(super) struct Normalized {
    /// The normalized text.
    pub text: String,
    /// For each byte of `text`: the original character's byte span.
    origin: Vec<(usize, usize)>,
}

impl Normalized {
    /// The original byte span of the normalized span `[start, end)`.
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        let first = self.origin.get(start).map_or(0, |o| o.0);
        let last = end
            .checked_sub(1)
            .and_then(|i| self.origin.get(i))
            .map_or(first, |o| o.1);
        (first, last.max(first))
    }
}

/// Characters that carry no visible text: zero-width spaces and joiners, the soft
/// hyphen, bidirectional marks, the byte-order mark (Unicode category Cf).
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// The one spelling of a separator.
fn unify(c: char) -> char {
    match c {
        c if c.is_whitespace() => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}' => '-',
        '\u{2044}' | '\u{2215}' | '\u{29f8}' => '/',
        '\u{00b7}' | '\u{2022}' | '\u{2024}' | '\u{2027}' | '\u{30fb}' => '.',
        c => c,
    }
}

/// Normalizes `text` for detection.
pub(super) fn normalize(text: &str) -> Normalized {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    for (start, original) in text.char_indices() {
        let end = start + original.len_utf8();
        if is_format(original) {
            continue;
        }
        for c in std::iter::once(original).nfkc().map(unify) {
            if is_format(c) || (c == ' ' && out.ends_with(' ')) {
                continue;
            }
            let mut buf = [0; 4];
            out.push_str(c.encode_utf8(&mut buf));
            origin.extend(std::iter::repeat_n((start, end), c.len_utf8()));
        }
    }
    Normalized { text: out, origin }
}

/// The normalized form of `text`, as the detectors read it.
pub fn normalized(text: &str) -> String {
    normalize(text).text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullwidth_zero_width_and_odd_separators_are_unified() {
        assert_eq!(normalized("ａｂ＠ｃ．ｆｒ"), "ab@c.fr");
        assert_eq!(normalized("06\u{200b}12\u{2060}34"), "061234");
        assert_eq!(normalized("06\u{a0}12\u{202f}34  56\t78"), "06 12 34 56 78");
        assert_eq!(normalized("06\u{2013}12\u{2044}34"), "06-12/34");
    }

    #[test]
    fn every_normalized_byte_maps_back_to_its_original_character() {
        let text = "tél ０６\u{200b}12";
        let n = normalize(text);
        let start = n.text.find("0612").unwrap_or_default();
        let (a, b) = n.original(start, start + 4);
        assert_eq!(&text[a..b], "０６\u{200b}12");
    }
}
