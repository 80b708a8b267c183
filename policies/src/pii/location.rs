//! Where a person is or connects from: IP addresses (v4 and v6) and GPS
//! coordinates (decimal pairs and degrees-minutes-seconds).
//!
//! An IPv4 address needs four numbers of 0-255 standing alone (a version `1.2.3`
//! has three). An IPv6 address needs hexadecimal groups and either a `::` or at
//! least six groups, so times (`21:15:00`) never qualify. A decimal position needs
//! a latitude and a longitude within range, each with at least three decimals
//! (about 100 m): a venue's surroundings can be named, a doorstep cannot.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::Regex;

use super::{compile, scan, stands_alone};

static IPV4: LazyLock<Regex> = LazyLock::new(|| compile(r"\d{1,3}(?:\.\d{1,3}){3}"));

static IPV6: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}"));

static DECIMAL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)(?P<lat>[+\-]?\d{1,2}[.,]\d{3,})\s?°?\s?(?P<ns>[NS])?\s?[,;/ ]\s?(?P<lon>[+\-]?\d{1,3}[.,]\d{3,})\s?°?\s?(?P<ew>[EWO])?",
    )
});

static DMS: LazyLock<Regex> = LazyLock::new(|| {
    compile(r#"(?i)\d{1,3}\s?°\s?\d{1,2}\s?['′]\s?(?:\d{1,2}(?:[.,]\d+)?\s?(?:"|″|'')\s?)?[NSEWO]"#)
});

pub(super) fn find_ips(text: &str) -> Vec<(usize, usize)> {
    let mut found = scan(&IPV4, text, |text, start, end| {
        let ok = stands_alone(text, start, end)
            && !text[..start].ends_with('.')
            && !text[end..].starts_with(|c: char| {
                c == '.' && text[end + 1..].starts_with(|d: char| d.is_ascii_digit())
            })
            && !is_version(&text[..start])
            && text[start..end].parse::<Ipv4Addr>().is_ok();
        ok.then_some(end)
    });
    for (start, end) in scan(&IPV6, text, |text, start, end| {
        let candidate = &text[start..end];
        let groups = candidate.split(':').filter(|g| !g.is_empty()).count();
        let shaped = candidate.contains("::") || groups >= 6;
        let hex = candidate.chars().any(|c| c.is_ascii_alphabetic()) || groups >= 6;
        let ok = stands_alone(text, start, end)
            && shaped
            && hex
            && groups >= 2
            && candidate.parse::<Ipv6Addr>().is_ok();
        ok.then_some(end)
    }) {
        if !found.iter().any(|&(s, e)| start < e && s < end) {
            found.push((start, end));
        }
    }
    found
}

/// Whether the text before a dotted number names a version (`version 10.2.1.4`).
fn is_version(before: &str) -> bool {
    let word: String = before
        .trim_end()
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    matches!(
        word.as_str(),
        "noisrev" | "v" | "erawmrif" | "leicigol" | "esaeler"
    )
}

pub(super) fn find_coordinates(text: &str) -> Vec<(usize, usize)> {
    let mut found = scan(&DECIMAL, text, |text, start, end| {
        let caps = DECIMAL.captures(&text[start..end])?;
        let number = |name| {
            caps.name(name)
                .and_then(|m| m.as_str().replace(',', ".").parse::<f64>().ok())
        };
        let (lat, lon) = (number("lat")?, number("lon")?);
        let ok = stands_alone(text, start, end) && lat.abs() <= 90.0 && lon.abs() <= 180.0;
        ok.then_some(end)
    });
    // Degrees, minutes and seconds come in pairs; one alone is still a position.
    for (start, end) in scan(&DMS, text, |text, start, end| {
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
    fn addresses_and_positions_are_found() {
        assert_eq!(find_ips("connexion depuis 192.168.1.24").len(), 1);
        assert_eq!(find_ips("IPv6 2001:db8::8a2e:370:7334").len(), 1);
        assert_eq!(find_coordinates("position 43.29651, 5.36978").len(), 1);
        assert_eq!(find_coordinates("43°17'47.4\"N 5°22'11.3\"E").len(), 2);
    }

    #[test]
    fn versions_times_and_prices_are_not_addresses_or_positions() {
        assert!(find_ips("version 1.2.3 installée").is_empty());
        assert!(find_ips("de 21:15:00 à 23:00:00").is_empty());
        assert!(find_ips("relevé 300.400.500.600").is_empty());
        assert!(find_coordinates("1 250,00 € et 3,5 %").is_empty());
        assert!(find_coordinates("température 34,5 °C").is_empty());
    }
}
