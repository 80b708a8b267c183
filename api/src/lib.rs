//! The platform's server: GraphQL API over actix-web, services on sea-orm, the demo
//! seed and the command line's building blocks.

pub mod auth;
pub mod bench;
pub mod cli;
pub mod context;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod live;
pub mod memory;
pub mod metrics;
pub mod seed;
pub mod services;
pub mod settings;
pub mod startup;
pub mod telemetry;
pub mod time;
