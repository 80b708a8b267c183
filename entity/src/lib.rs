//! Database shapes of the platform, one module per table.
//!
//! These are data shapes only: no GraphQL derives and no business logic, so that a
//! new column never becomes public by accident. The API crate builds its own types
//! from these models.

pub mod deployment;
pub mod enums;
pub mod event;
pub mod organization;
pub mod seed_day;
pub mod source;
pub mod venue;
pub mod zone;
