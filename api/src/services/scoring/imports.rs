//! The imported calendar as the history generator takes it; the imports themselves
//! live in [`crate::services::imports`].

pub use crate::services::imports::calendar::{ImportedCalendar, imported_calendar};
