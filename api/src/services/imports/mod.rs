//! Imports of what a city already publishes: Météo-France daily climatology, public
//! and school holidays, district outlines, transit stops and events agendas.
//!
//! Every import reads and validates the whole file first (an error names the line and
//! the column; nothing is stored), then writes through one unit of work with its
//! audit entry. Writing compares with what is stored: a second import of the same
//! file changes nothing and its report says so.

pub mod calendar;
pub mod events;
mod file;
mod ics;
pub mod transit;
pub mod weather;
pub mod zones;

pub use file::decode;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// What was imported (`weather`, `holidays`, ...).
    pub kind: &'static str,
    /// The format recognised.
    pub format: &'static str,
    /// Records read from the file.
    pub read: usize,
    /// Rows added.
    pub added: usize,
    /// Rows whose values changed.
    pub updated: usize,
    /// Rows removed (a holiday no longer in a covered span).
    pub removed: usize,
    /// Rows already stored as the file has them.
    pub unchanged: usize,
}

impl ImportReport {
    /// A report for `kind` read in `format`.
    pub fn new(kind: &'static str, format: &'static str, read: usize) -> Self {
        ImportReport {
            kind,
            format,
            read,
            ..ImportReport::default()
        }
    }

    /// Rows written (added, updated or removed).
    pub fn written(&self) -> usize {
        self.added + self.updated + self.removed
    }

    /// One line for people and for the audit log.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{} ({}): {} read, {} added, {} updated, {} removed, {} unchanged",
            self.kind,
            self.format,
            self.read,
            self.added,
            self.updated,
            self.removed,
            self.unchanged
        );
        if self.written() == 0 {
            line.push_str(" - already imported, nothing changed");
        }
        line
    }
}

/// Rows per multi-row insert.
const CHUNK: usize = 500;
