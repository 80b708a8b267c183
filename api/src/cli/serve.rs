//! `api serve` (the default): runs the server until it is asked to stop.

use clap::Args;

use super::CliError;
use crate::settings::{DEFAULT_BIND, Settings};
use crate::startup::Application;

/// Options of `serve`.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BIND_ADDR", default_value = DEFAULT_BIND)]
    pub bind: String,
    /// Seed demo data: defaults to on in development, off in production.
    #[arg(long, env = "SEED_DEMO")]
    pub seed_demo: Option<bool>,
    /// Allow schema introspection: defaults to on in development, off in production.
    #[arg(long, env = "GRAPHQL_INTROSPECTION")]
    pub introspection: Option<bool>,
    /// Maximum page size of connections.
    #[arg(long, env = "MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: usize,
    /// Client addresses that may read `/metrics`, comma-separated (loopback when unset).
    #[arg(long, env = "METRICS_ALLOW", value_delimiter = ',')]
    pub metrics_allow: Vec<std::net::IpAddr>,
    /// A bearer token that opens `/metrics` from any address.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Browser origins allowed to call the API cross-origin, comma-separated (none when unset).
    #[arg(long, env = "CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Longest time an operation may run before it is cancelled, in seconds.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 15)]
    pub request_timeout_secs: u64,
    /// Most GraphQL operations running at once (two per core, at least four, when
    /// unset); the others wait their turn within the request timeout.
    #[arg(long, env = "MAX_OPERATIONS_AT_ONCE", value_parser = clap::value_parser!(u16).range(1..))]
    pub max_operations_at_once: Option<u16>,
}

/// Builds the server and serves until stopped.
pub async fn run(settings: &Settings) -> Result<(), CliError> {
    let app = Application::build(settings.clone()).await?;
    let url = format!(
        "http://{}/graphql",
        settings.bind.replace(":0", &format!(":{}", app.port()))
    );
    tracing::info!(%url, "serving GraphQL");
    println!("Serving the platform on {url}");
    app.run_until_stopped()
        .await
        .map_err(|e| CliError::Startup(e.into()))
}
