//! The `api` command line: `serve` (the default) and the administration commands,
//! one file each. Every command opens the platform the same way ([`platform`]) and
//! fails with a typed [`CliError`] whose exit status says what went wrong.

mod audit;
mod bench;
mod error;
mod import;
mod model;
mod platform;
mod progress;
mod retention;
mod seed;
mod serve;
mod token;
mod user;

pub use audit::AuditCommand;
pub use bench::{BenchArgs, BenchCommand};
pub use error::CliError;
pub use import::ImportCommand;
pub use model::ModelCommand;
pub use platform::{CommandChange, Platform};
pub use retention::RetentionCommand;
pub use serve::ServeArgs;
pub use token::TokenCommand;
pub use user::UserCommand;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::graphql;
use crate::settings::{DEFAULT_BIND, Limits, Settings};

/// The public-space risk platform's server and administration commands.
#[derive(Debug, Parser)]
#[command(name = "api", version, about)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database URL (`sqlite://...` or `postgres://...`); the embedded SQLite file under the data folder when unset.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Folder for the embedded database and generated keys.
    #[arg(long, env = "DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Deployment profile: `development` seeds demo data and enables GraphiQL and introspection; `production` does not.
    #[arg(long = "env", env = "APP_ENV", value_enum, default_value_t = Profile::Development, global = true)]
    pub profile: Profile,
    /// Log as JSON lines (also `LOG_FORMAT=json`).
    #[arg(long, global = true)]
    pub log_json: bool,
    /// PKCS#8 PEM file of the Ed25519 key that signs access tokens; generated under the data folder when unset.
    #[arg(long, env = "JWT_SIGNING_KEY_FILE", global = true)]
    pub jwt_signing_key_file: Option<PathBuf>,
    /// Public PEM files of older signing keys still accepted, comma-separated (key rotation).
    #[arg(
        long,
        env = "JWT_VERIFY_KEY_FILES",
        value_delimiter = ',',
        global = true
    )]
    pub jwt_verify_key_files: Vec<PathBuf>,
    /// Lifetime of access tokens, in seconds.
    #[arg(
        long,
        env = "ACCESS_TOKEN_TTL_SECS",
        default_value_t = 900,
        global = true
    )]
    pub access_token_ttl_secs: i64,
}

/// Deployment profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// A developer's machine or a demonstration.
    Development,
    /// A city's deployment.
    Production,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate,
    /// Seed the demo data (idempotent) and exit.
    Seed,
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
    /// Manage people's accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Manage partner agencies' scoped tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Train, backtest or describe the risk model.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Import published data: weather, holidays, zones, transit stops, events.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Time the platform's heavy paths: without a command, every figure of BENCHMARKS.md in one run.
    Bench(BenchArgs),
    /// Purge data past its retention period.
    #[command(subcommand)]
    Retention(RetentionCommand),
}

impl Cli {
    /// Settings for the chosen command.
    pub fn settings(&self) -> Settings {
        let development = self.global.profile == Profile::Development;
        let defaults = ServeArgs {
            bind: DEFAULT_BIND.to_owned(),
            max_page_size: 100,
            request_timeout_secs: 15,
            ..ServeArgs::default()
        };
        let serve = match &self.command {
            Some(Command::Serve(args)) => args,
            _ => &defaults,
        };
        let mut settings = Settings::embedded_default();
        settings.database_url = self
            .global
            .database_url
            .clone()
            .filter(|url| !url.is_empty());
        settings.data_dir = self.global.data_dir.clone();
        settings.bind = serve.bind.clone();
        settings.seed_demo = serve.seed_demo.unwrap_or(development);
        // The ten-year history is demo data too.
        settings.seed_history = settings.seed_demo;
        settings.seed_presence = settings.seed_demo;
        settings.introspection = serve.introspection.unwrap_or(development);
        settings.graphiql = development;
        settings.auth.signing_key_file = self.global.jwt_signing_key_file.clone();
        settings.auth.verify_key_files = self.global.jwt_verify_key_files.clone();
        settings.auth.access_ttl_secs = self.global.access_token_ttl_secs;
        settings.limits = Limits {
            page_size: serve.max_page_size,
            timeout_secs: serve.request_timeout_secs,
            operations_at_once: serve
                .max_operations_at_once
                .map_or_else(crate::http::admission::default_bound, usize::from),
            ..Limits::default()
        };
        if !serve.metrics_allow.is_empty() {
            settings.http.metrics_allow = serve.metrics_allow.clone();
        }
        settings.http.metrics_token = serve.metrics_token.clone().filter(|t| !t.is_empty());
        settings.http.cors_origins = serve.cors_origins.clone();
        settings
    }

    /// Whether logs should be JSON lines.
    pub fn log_json(&self) -> bool {
        self.global.log_json
            || std::env::var("LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"))
    }

    /// Runs the chosen command.
    pub async fn run(self) -> Result<(), CliError> {
        let settings = self.settings();
        let Some(command) = self.command else {
            return serve::run(&settings).await;
        };
        match command {
            Command::Serve(_) => serve::run(&settings).await,
            Command::Schema => {
                print!("{}", graphql::sdl());
                Ok(())
            }
            Command::Bench(command) => bench::run(&settings, command).await,
            command => {
                let platform = Platform::open(&settings).await?;
                match command {
                    Command::Migrate => seed::migrate(&platform).await,
                    Command::Seed => seed::run(&platform).await,
                    Command::User(command) => user::run(&platform, command).await,
                    Command::Audit(command) => audit::run(&platform, command).await,
                    Command::Token(command) => token::run(&platform, command).await,
                    Command::Model(command) => model::run(&platform, command).await,
                    Command::Import(command) => import::run(&platform, command).await,
                    Command::Retention(command) => retention::run(&platform, command).await,
                    Command::Serve(_) | Command::Schema | Command::Bench(_) => Ok(()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(args: &[&str]) -> Result<Limits, clap::Error> {
        Cli::try_parse_from(args).map(|cli| cli.settings().limits)
    }

    #[test]
    fn operations_at_once_default_to_the_cores_and_can_be_set() {
        let default = limits(&["api", "serve"]).map(|l| l.operations_at_once);
        assert_eq!(default.ok(), Some(crate::http::admission::default_bound()));
        let set = limits(&["api", "serve", "--max-operations-at-once", "3"]);
        assert_eq!(set.map(|l| l.operations_at_once).ok(), Some(3));
        // Zero would let nothing run: refused at the command line.
        assert!(limits(&["api", "serve", "--max-operations-at-once", "0"]).is_err());
    }
}
