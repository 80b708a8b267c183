//! GraphQL object types, built from storage models (never derived on them).

pub mod agenda;
pub mod assessment;
pub mod catalog;
pub mod decision;
pub mod event;
pub mod privacy;
pub mod register;
pub mod scoring_method;
