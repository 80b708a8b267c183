//! Black-box tests: the real server over HTTP, on SQLite and on PostgreSQL.

// Test helpers outside `#[test]` functions panic on a broken fixture, which is the
// failure report a test needs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agenda;
mod audit;
mod auth;
mod events;
mod faults;
mod hardening;
mod http;
mod imports;
mod live;
mod live_inputs;
mod matrix;
mod models;
mod page;
mod perf;
mod privacy;
mod register;
mod schema;
mod scoring;
mod unit_of_work;
mod venues;
