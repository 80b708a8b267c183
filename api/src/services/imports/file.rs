//! Reading an uploaded or local file: gzip detected by its magic bytes, UTF-8 or
//! Latin-1 (Windows-1252) text, a byte-order mark dropped, and delimited tables read
//! with the `csv` crate so that every error names its line and column.

use std::io::Read;

use csv::{ReaderBuilder, StringRecord, Trim};

use crate::error::{ApiError, ApiResult};

/// A refusal naming where the file is wrong. The message names the place and the
/// expectation, never the file's own text.
pub fn bad(line: u64, column: Option<(usize, &str)>, message: impl std::fmt::Display) -> ApiError {
    let place = match column {
        Some((index, name)) => format!("line {line}, column {} ({name})", index + 1),
        None => format!("line {line}"),
    };
    ApiError::bad_input("file", format!("{place}: {message}"))
}

/// The file's text: gunzipped when it starts with the gzip magic bytes, decoded as
/// UTF-8 when valid and as Windows-1252 (a superset of Latin-1, which Météo-France
/// exports may use) otherwise, without a byte-order mark.
pub fn decode(bytes: &[u8]) -> ApiResult<String> {
    let plain;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 8);
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|_| {
                ApiError::bad_input(
                    "file",
                    "the gzip stream is truncated or damaged (line 1 could not be read whole)"
                        .to_owned(),
                )
            })?;
        plain = out;
        &plain[..]
    } else {
        bytes
    };
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    })
}

/// A delimited table: its header (lower-cased) and its records with their lines.
pub struct Table {
    /// Column names, lower-cased and trimmed.
    pub header: Vec<String>,
    /// Records with their line number (the header is line 1).
    pub rows: Vec<(u64, StringRecord)>,
}

impl Table {
    /// Reads a table whose separator is `;` or `,`, whichever the header uses more.
    /// Every record must have as many fields as the header.
    pub fn read(text: &str) -> ApiResult<Table> {
        let first = text.lines().next().unwrap_or("");
        if first.trim().is_empty() {
            return Err(bad(1, None, "the file is empty or has no header"));
        }
        let separator = if first.matches(';').count() > first.matches(',').count() {
            b';'
        } else {
            b','
        };
        Table::read_with(text, separator)
    }

    /// Reads a table with a given separator.
    pub fn read_with(text: &str, separator: u8) -> ApiResult<Table> {
        let mut reader = ReaderBuilder::new()
            .delimiter(separator)
            .trim(Trim::All)
            .flexible(false)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| csv_error(&e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(&e))?;
            let line = record.position().map_or(0, csv::Position::line);
            if record.iter().all(str::is_empty) {
                continue;
            }
            rows.push((line, record));
        }
        Ok(Table { header, rows })
    }

    /// The index of the first column named one of `names`; refused naming line 1.
    pub fn column(&self, names: &[&str]) -> ApiResult<Column> {
        self.optional(names).ok_or_else(|| {
            bad(
                1,
                None,
                format!("no column {} (is the separator right?)", names.join(" or ")),
            )
        })
    }

    /// The index of the first column named one of `names`, when there is one.
    pub fn optional(&self, names: &[&str]) -> Option<Column> {
        self.header
            .iter()
            .position(|h| names.contains(&h.as_str()))
            .map(|index| Column {
                index,
                name: names[0].to_owned(),
            })
    }
}

/// A column found in the header.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its index.
    pub index: usize,
    /// The name it is reported by.
    pub name: String,
}

impl Column {
    /// The cell of `record` in this column.
    pub fn cell<'r>(&self, record: &'r StringRecord) -> &'r str {
        record.get(self.index).unwrap_or("")
    }

    /// A refusal naming this column on `line`.
    pub fn bad(&self, line: u64, message: impl std::fmt::Display) -> ApiError {
        bad(line, Some((self.index, &self.name)), message)
    }

    /// A day as `YYYY-MM-DD`, `YYYYMMDD` or an RFC 3339 time stamp's date part.
    pub fn date(&self, line: u64, record: &StringRecord) -> ApiResult<chrono::NaiveDate> {
        let text = self.cell(record);
        let head = text.get(..10).unwrap_or(text);
        chrono::NaiveDate::parse_from_str(head, "%Y-%m-%d")
            .or_else(|_| chrono::NaiveDate::parse_from_str(text, "%Y%m%d"))
            .map_err(|_| self.bad(line, "not a date (YYYY-MM-DD or YYYYMMDD)"))
    }

    /// A number with a decimal point or comma; empty is unknown.
    pub fn number(&self, line: u64, record: &StringRecord) -> ApiResult<Option<f64>> {
        let text = self.cell(record);
        if text.is_empty() {
            return Ok(None);
        }
        text.replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| self.bad(line, "not a number"))
    }
}

fn csv_error(error: &csv::Error) -> ApiError {
    let line = error.position().map_or(1, csv::Position::line);
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => bad(
            line,
            None,
            format!(
                "{len} fields where the header has {expected_len} (wrong separator or a cut line?)"
            ),
        ),
        csv::ErrorKind::Utf8 { err, .. } => {
            bad(line, Some((err.field(), "text")), "not valid text")
        }
        _ => bad(line, None, "unreadable record"),
    }
}
