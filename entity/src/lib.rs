//! Database shapes of the platform, one module per table.
//!
//! These are data shapes only: no GraphQL derives and no business logic, so that a
//! new column never becomes public by accident. The API crate builds its own types
//! from these models.

pub mod assessment;
pub mod audit_entry;
pub mod audit_head;
pub mod calendar_coverage;
pub mod decision;
pub mod deployment;
pub mod enums;
pub mod event;
pub mod event_extent;
pub mod event_outcome;
pub mod holiday;
pub mod incident;
pub mod ingestion_batch;
pub mod live_alert;
pub mod login_throttle;
pub mod observation;
pub mod organization;
pub mod partner_token;
pub mod platform_setting;
pub mod refresh_token;
pub mod register;
pub mod rescore_request;
pub mod risk_model;
pub mod seed_day;
pub mod session;
pub mod source;
pub mod transit_stop;
pub mod user;
pub mod venue;
pub mod weather_day;
pub mod zone;
