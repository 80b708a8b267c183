//! The privacy layer over HTTP (DESIGN §5, §6): ingestion refused whole and stored
//! once, aggregates owners see raw and others see under disclosure control, incident
//! text redacted on the way in, declared purposes, and retention.

mod aggregates;
mod findings;
mod incidents;
mod ingest;
mod purposes;
mod retention;
pub mod support;
