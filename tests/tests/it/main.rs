//! Black-box tests: the real server over HTTP, on SQLite and on PostgreSQL.

mod agenda;
mod auth;
mod events;
mod http;
mod register;
mod schema;
mod scoring;
