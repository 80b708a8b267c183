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
    /// Seed ten years of past events with their incidents (about 50,000 events) and
    /// train a first risk model when none exists. Off in tests, which stay fast and
    /// seed a small history themselves when they need one.
    pub seed_history: bool,
    /// Import the reference data shipped with the platform (real weather, holidays,
    /// outlines, metro stops) at the embedded default's first start.
    pub seed_reference: bool,
    /// Seed the last 14 days of presence counts (every 15 minutes, per arrondissement
    /// and for the watched sites) with the demo data, so the aggregates have
    /// something to show. Off in tests, which send their own observations.
    pub seed_presence: bool,
    /// Run the retention purge once a day inside the server (first run a few
    /// minutes after start). Off where an external scheduler runs `api retention run`.
    pub retention_task: bool,
    /// Whether clients may introspect the schema.
    pub introspection: bool,
    /// Whether a browser GET on `/graphql` gets GraphiQL.
    pub graphiql: bool,
    /// Limits against abusive queries.
    pub limits: Limits,
    /// Maximum number of pooled database connections.
    pub max_connections: u32,
    /// Authentication: tokens, password hashing, lockout.
    pub auth: AuthSettings,
    /// Who may read `/metrics`, rate limits, cross-origin callers.
    pub http: HttpSettings,
    /// Whether operations are audited. Always on: only the agenda benchmark turns it
    /// off, in code, to measure what the audit costs; no flag or variable reaches it.
    pub audit_enabled: bool,
}

/// Authentication settings.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// `iss` claim of access tokens.
    pub issuer: String,
    /// `aud` claim of access tokens.
    pub audience: String,
    /// Lifetime of an access token, in seconds.
    pub access_ttl_secs: i64,
    /// Lifetime of a refresh token, in days.
    pub refresh_ttl_days: i64,
    /// PKCS#8 PEM file of the Ed25519 signing key; generated under `data_dir` when unset.
    pub signing_key_file: Option<PathBuf>,
    /// Public PEM files of older keys still accepted (key rotation).
    pub verify_key_files: Vec<PathBuf>,
    /// Argon2id memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// Argon2id iterations.
    pub argon2_iterations: u32,
    /// Argon2id parallelism.
    pub argon2_parallelism: u32,
    /// Failed logins within the window that lock an e-mail.
    pub lockout_threshold: u64,
    /// The window, in minutes; an e-mail stays locked while it holds that many failures.
    pub lockout_window_minutes: i64,
    /// Seconds a session found valid is trusted without reading it again (0: read on
    /// every request). Logout, revocation and locks in this process clear it at once.
    pub session_cache_secs: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            issuer: "marseille-public-space-platform".to_owned(),
            audience: "platform-api".to_owned(),
            access_ttl_secs: 15 * 60,
            refresh_ttl_days: 30,
            signing_key_file: None,
            verify_key_files: Vec::new(),
            // One of the Argon2id settings the OWASP Password Storage Cheat Sheet
            // gives as equal in strength (19 MiB x 2 passes, 12 x 3, 9 x 4, 7 x 5):
            // the one with the least memory, since a login's hash is the server's
            // largest single allocation. Hashes made with other settings are
            // upgraded at their owner's next login.
            argon2_memory_kib: 7 * 1024,
            argon2_iterations: 5,
            argon2_parallelism: 1,
            lockout_threshold: 5,
            lockout_window_minutes: 15,
            session_cache_secs: 5,
        }
    }
}

/// HTTP-level protections.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Client addresses that may read `/metrics` (loopback by default).
    pub metrics_allow: Vec<std::net::IpAddr>,
    /// A bearer token that also opens `/metrics` from any address, when set.
    pub metrics_token: Option<String>,
    /// Origins allowed to call the API from a browser page of another origin; none
    /// by default (no CORS headers are sent).
    pub cors_origins: Vec<String>,
    /// Requests per minute by caller.
    pub rate: RateLimits,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            metrics_allow: vec![
                std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
                std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ],
            metrics_token: None,
            cors_origins: Vec::new(),
            rate: RateLimits::default(),
        }
    }
}

/// Requests per minute (bursts of as many) before `RATE_LIMITED`.
#[derive(Clone, Debug)]
pub struct RateLimits {
    /// Anonymous requests per client address.
    pub anonymous_per_minute: u32,
    /// Login attempts per client address (each costs an Argon2 hash).
    pub login_per_minute: u32,
    /// Requests per logged-in account.
    pub account_per_minute: u32,
    /// Requests per partner token (ingestion included).
    pub token_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            anonymous_per_minute: 120,
            login_per_minute: 30,
            account_per_minute: 1_200,
            token_per_minute: 600,
        }
    }
}

/// Limits applied to every GraphQL request, checked before anything runs. The
/// defaults follow GraphQL Armor's (depth 6-12, aliases 15, directives 50, tokens
/// 1,000) where the platform's own queries fit them.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Deepest nesting of data fields.
    pub depth: usize,
    /// Deepest nesting inside introspection (`__schema`, `__type`), bounded on its
    /// own so that the standard introspection query of GraphQL tooling passes.
    pub introspection_depth: usize,
    /// Largest cost: the fields an answer may hold, lists multiplied by their page
    /// or window size, fragments expanded, `__typename` counted.
    pub cost: u64,
    /// Most aliases in one document.
    pub aliases: usize,
    /// Most root fields in one operation.
    pub root_fields: usize,
    /// Most directives in one document.
    pub directives: usize,
    /// Most lexical tokens in one document.
    pub tokens: usize,
    /// Maximum size of a request body, in bytes.
    pub body_bytes: usize,
    /// Maximum page size of a connection (and the largest `first` the cost assumes).
    pub page_size: usize,
    /// Maximum time an operation may take, its wait for a turn included, in
    /// seconds; past it the work is cancelled and its connection freed.
    pub timeout_secs: u64,
    /// Most GraphQL operations over HTTP running at once; the others wait their turn
    /// (see `http::admission`).
    pub operations_at_once: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            depth: 12,
            introspection_depth: 16,
            // The 30-day agenda with everything a screen shows costs about 30,000,
            // the longest (90-day) one about 90,000.
            cost: 150_000,
            aliases: 15,
            root_fields: 10,
            directives: 50,
            tokens: 1_000,
            body_bytes: 256 * 1024,
            page_size: 100,
            timeout_secs: 15,
            operations_at_once: crate::http::admission::default_bound(),
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
            seed_history: true,
            seed_reference: true,
            seed_presence: true,
            retention_task: true,
            introspection: true,
            graphiql: true,
            limits: Limits::default(),
            max_connections: 10,
            auth: AuthSettings::default(),
            http: HttpSettings::default(),
            audit_enabled: true,
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
