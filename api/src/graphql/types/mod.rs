//! GraphQL object types, built from storage models (never derived on them).

pub mod agenda;
pub mod catalog;
pub mod event;
