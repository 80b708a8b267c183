//! Logging: human-readable by default, JSON lines when `LOG_FORMAT=json`. Each HTTP
//! request runs in a span carrying its request id.
//!
//! The default level keeps the libraries' per-call spans out: async-graphql opens
//! one per DataLoader call (hundreds for an agenda), sqlx and sea-orm one per
//! statement. Building them cost about a fifth of the agenda's throughput; `RUST_LOG`
//! brings them back when needed.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; a second call (as in tests) is a no-op.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,async_graphql=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}
