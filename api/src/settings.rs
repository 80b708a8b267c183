//! Runtime settings, passed as a value to `Application::build` so that tests can
//! change any of them without touching the environment.

use std::path::PathBuf;

/// Default bind address of `api serve`.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `sqlite://...` or `postgres://...`; `None` means the embedded SQLite file
    /// `<data_dir>/platform.db`.
    pub database_url: Option<String>,
    /// Folder for the embedded database and generated keys.
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// Seed the demo data (zones, venues, organizations, the next 30 days of events).
    pub seed_demo: bool,
    /// Whether clients may introspect the schema.
    pub introspection: bool,
    /// Whether a browser GET on `/graphql` gets GraphiQL.
    pub graphiql: bool,
    /// Limits against abusive queries.
    pub limits: Limits,
    /// Maximum number of pooled database connections.
    pub max_connections: u32,
}

/// Limits applied to every GraphQL request.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Maximum nesting depth of a query.
    pub depth: usize,
    /// Maximum complexity (each field counts 1, lists multiply by their page size).
    pub complexity: usize,
    /// Maximum size of a request body, in bytes.
    pub body_bytes: usize,
    /// Maximum page size of a connection.
    pub page_size: usize,
    /// Maximum time an operation may run, in seconds.
    pub timeout_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            depth: 12,
            complexity: 20_000,
            body_bytes: 256 * 1024,
            page_size: 100,
            timeout_secs: 30,
        }
    }
}

impl Settings {
    /// Settings of the embedded default: SQLite under `./data`, demo data,
    /// introspection and GraphiQL on.
    pub fn embedded_default() -> Self {
        Settings {
            database_url: None,
            data_dir: PathBuf::from("data"),
            bind: DEFAULT_BIND.to_owned(),
            seed_demo: true,
            introspection: true,
            graphiql: true,
            limits: Limits::default(),
            max_connections: 10,
        }
    }

    /// The database URL to connect to, the embedded file when none is set.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("platform.db").display()
            ),
        }
    }

    /// Whether the database is the embedded SQLite (or any SQLite).
    pub fn is_sqlite(&self) -> bool {
        self.effective_database_url().starts_with("sqlite:")
    }
}
