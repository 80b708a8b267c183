//! Black-box tests: the real server over HTTP, on SQLite and on PostgreSQL.

mod agenda;
mod audit;
mod auth;
mod events;
mod http;
mod matrix;
mod privacy;
mod register;
mod schema;
mod scoring;
