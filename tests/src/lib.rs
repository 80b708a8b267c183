//! Black-box test harness: spawns the real server on port 0 with a fresh database,
//! on SQLite (a file in a temporary folder) or on PostgreSQL (a database created for
//! the test on the server named by `TEST_DATABASE_URL`, dropped afterwards).
//!
//! Without `TEST_DATABASE_URL` a PostgreSQL test reports that it did not run; with
//! `CI` set it fails instead, so CI can never pass without PostgreSQL.

// A harness that cannot set up its fixture has nothing to test: panicking with the
// reason is the failure report.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use api::settings::Settings;
use api::startup::Application;
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::{Value, json};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// A connection to the test's database, to check what was (not) stored.
    pub db: DatabaseConnection,
    /// Which backend.
    pub backend: Backend,
    /// Settings the server runs with.
    pub settings: Settings,
    /// The server's turns for GraphQL operations over HTTP: held, they keep callers
    /// waiting.
    pub operations: std::sync::Arc<tokio::sync::Semaphore>,
    /// Access tokens of the test accounts, by role.
    tokens: Mutex<HashMap<String, String>>,
    _guard: Guard,
}

/// Password of every test account.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// Cleans up after a test: the data folder, and the PostgreSQL database if any.
struct Guard {
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres {
            // Dropping runs outside any runtime; a short-lived one cleans up.
            let (admin_url, name) = (admin_url.clone(), name.clone());
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(admin) = Database::connect(&admin_url).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The migrated and seeded template each PostgreSQL test database is cloned from
/// (`CREATE DATABASE ... TEMPLATE`): migrations and reference data run once per
/// test binary and day, not once per test, so the suite gets faster as it grows.
static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// The template's name: one per build of the test binary and per day (the demo
/// agenda is seeded from today), shared by test processes of that build.
fn template_name() -> String {
    let build = std::env::current_exe()
        .and_then(std::fs::metadata)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let today = api::time::paris_today(chrono::Utc::now()).format("%Y%m%d");
    format!("it_template_{build}_{today}")
}

/// Creates the template when missing (under an advisory lock, since test processes
/// run side by side), drops the templates of older builds, and returns its name.
async fn template_database(admin_url: &str) -> String {
    TEMPLATE
        .get_or_init(|| async {
            let name = template_name();
            let admin = Database::connect(admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            // Any fixed key: it only serializes the test processes of this suite.
            admin
                .execute_unprepared("SELECT pg_advisory_lock(727274)")
                .await
                .expect("advisory lock");
            let existing: Vec<String> = admin
                .query_all_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SELECT datname FROM pg_database WHERE datname LIKE 'it\\_template\\_%'",
                ))
                .await
                .expect("list templates")
                .into_iter()
                .filter_map(|row| row.try_get::<String>("", "datname").ok())
                .collect();
            for old in existing.iter().filter(|n| **n != name) {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{old}\" WITH (FORCE)"))
                    .await;
            }
            if !existing.contains(&name) {
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create the template database");
                let db = Database::connect(with_database(admin_url, &name))
                    .await
                    .expect("connect to the template");
                api::db::migrate(&db).await.expect("migrate the template");
                api::seed::run(&db, api::time::paris_today(chrono::Utc::now()))
                    .await
                    .expect("seed the template");
                // A template must have no open connection when it is cloned.
                db.close().await.expect("close the template");
            }
            admin
                .execute_unprepared("SELECT pg_advisory_unlock(727274)")
                .await
                .expect("advisory unlock");
            let _ = admin.close().await;
            name
        })
        .await
        .clone()
}

/// The PostgreSQL server for tests, if configured; panics under CI when missing.
fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but TEST_DATABASE_URL is not: the PostgreSQL tests must run in CI")
        }
        _ => None,
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(slash) if slash > "postgres://".len() => &base[..slash],
        _ => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

impl TestApp {
    /// Spawns a server with default settings on `backend`; `None` when PostgreSQL is
    /// not configured (outside CI).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Spawns a server after `configure` has changed its settings.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        if std::env::var_os("TEST_LOG").is_some() {
            api::telemetry::init(false);
        }
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut settings = Settings::embedded_default();
        settings.bind = "127.0.0.1:0".to_owned();
        settings.data_dir = dir.path().to_path_buf();
        settings.max_connections = 5;
        // Ten years of history would make every test slow; tests that need history
        // seed a small one themselves.
        settings.seed_history = false;
        // Tests import the reference files themselves (tests/tests/it/imports.rs).
        settings.seed_reference = false;
        settings.seed_presence = false;
        // Cheap hashing keeps tests fast; the parameters' effect is not under test.
        settings.auth.argon2_memory_kib = 1024;
        settings.auth.argon2_iterations = 1;
        let postgres = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let Some(admin_url) = postgres_url() else {
                    eprintln!(
                        "NOT RUN on PostgreSQL: set TEST_DATABASE_URL to run this test there"
                    );
                    return None;
                };
                let name = format!(
                    "it_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    uuid::Uuid::new_v4().simple()
                );
                let template = template_database(&admin_url).await;
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!(
                        "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                    ))
                    .await
                    .expect("create the test database from the template");
                let _ = admin.close().await;
                settings.database_url = Some(with_database(&admin_url, &name));
                Some((admin_url, name))
            }
        };
        let guard = Guard {
            _dir: dir,
            postgres,
        };
        configure(&mut settings);
        let app = Application::build(settings.clone())
            .await
            .expect("server builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let db = app.db().clone();
        let operations = app.operations();
        tokio::spawn(app.run_until_stopped());
        Some(TestApp {
            address,
            client: reqwest::Client::new(),
            db,
            backend,
            settings,
            operations,
            tokens: Mutex::new(HashMap::new()),
            _guard: guard,
        })
    }

    /// POSTs an operation as JSON and returns the decoded body; panics on a non-JSON answer.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent");
        response.json().await.expect("JSON body")
    }

    /// POSTs a GraphQL body with an optional bearer token and extra headers.
    pub async fn post(
        &self,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Value,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request sent")
    }

    /// Runs an operation with a bearer token and returns the decoded body.
    pub async fn graphql_with(&self, token: &str, query: &str, variables: Value) -> Value {
        self.post(
            Some(token),
            &[],
            json!({ "query": query, "variables": variables }),
        )
        .await
        .json()
        .await
        .expect("JSON body")
    }

    /// Runs an operation as a test account of `role` (admin, supervisor, analyst,
    /// partner, dpo), created and logged in on first use.
    pub async fn graphql_as(&self, role: &str, query: &str, variables: Value) -> Value {
        let token = self.token_for(role).await;
        self.graphql_with(&token, query, variables).await
    }

    /// Creates the test account of `role` if needed; returns its e-mail.
    pub async fn account(&self, role: &str) -> String {
        let email = format!("{role}@test.example");
        let exists = entity::user::Entity::find()
            .filter(entity::user::Column::Email.eq(email.clone()))
            .one(&self.db)
            .await
            .expect("user lookup")
            .is_some();
        if !exists {
            let role_value = policies::roles::Role::parse(role).expect("known role");
            let org_code = if role == "partner" { "rtm" } else { "csu" };
            let org = entity::organization::Entity::find()
                .filter(entity::organization::Column::Code.eq(org_code))
                .one(&self.db)
                .await
                .expect("organization lookup")
                .map(|o| o.id);
            let auth = api::auth::service::AuthState::from_settings(&self.settings).expect("keys");
            // Created as the operator would at the console (`api user add`).
            let change = api::cli::CommandChange::new("user add", "createUser");
            let new = api::auth::service::NewUser {
                email: email.clone(),
                role: role_value,
                organization_id: org,
                password: TEST_PASSWORD.to_owned(),
            };
            api::auth::service::create_user(&self.db, &auth, change.change(), new)
                .await
                .expect("create test user");
        }
        email
    }

    /// Logs in and returns the whole payload (`data.login`).
    pub async fn login(&self, email: &str, password: &str) -> Value {
        self.graphql(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { email role } } }",
            json!({ "e": email, "p": password }),
        )
        .await
    }

    /// An access token of the test account of `role`.
    pub async fn token_for(&self, role: &str) -> String {
        if let Some(token) = self.tokens.lock().expect("token cache").get(role) {
            return token.clone();
        }
        let email = self.account(role).await;
        let body = self.login(&email, TEST_PASSWORD).await;
        let token = body["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login as {role} failed: {body}"))
            .to_owned();
        self.tokens
            .lock()
            .expect("token cache")
            .insert(role.to_owned(), token.clone());
        token
    }

    /// The name of the test's PostgreSQL database, if it runs on one.
    pub fn postgres_database(&self) -> Option<&str> {
        self._guard.postgres.as_ref().map(|(_, name)| name.as_str())
    }

    /// Counts the rows of a table, to check that a refused change stored nothing.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("one row");
        row.try_get::<i64>("", "n").expect("count value")
    }
}

/// The error code of the first error of a GraphQL response, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// The input path of the first error of a GraphQL response, if any.
pub fn error_field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

/// Declares, for each named async test function taking a [`Backend`], one test on
/// SQLite and one on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }
                #[tokio::test]
                async fn postgres() {
                    super::$name($crate::Backend::Postgres).await
                }
            }
        )*
    };
}

/// A TCP relay between the server and its database that a test can cut and restore,
/// to see what clients get while the database is unreachable.
pub struct TcpRelay {
    /// The port the relay listens on.
    pub port: u16,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
    links: std::sync::Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl TcpRelay {
    /// Relays a free local port to `target` (`host:port`).
    pub async fn start(target: String) -> TcpRelay {
        use std::sync::atomic::AtomicBool;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the relay");
        let port = listener.local_addr().expect("relay address").port();
        let open = std::sync::Arc::new(AtomicBool::new(true));
        let links = std::sync::Arc::new(Mutex::new(Vec::new()));
        let (open2, links2) = (open.clone(), links.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !open2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                links2.lock().unwrap().push(link);
            }
        });
        TcpRelay {
            port,
            open,
            links,
            accept,
        }
    }

    /// Breaks every open connection and refuses new ones.
    pub fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    /// Accepts connections again.
    pub fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

impl Drop for TcpRelay {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

/// `host:port` of a `postgres://` URL, and the URL with its port replaced.
pub fn through_port(url: &str, port: u16) -> (String, String) {
    let parsed = reqwest::Url::parse(url).expect("a database URL");
    let target = format!(
        "{}:{}",
        parsed.host_str().unwrap_or("127.0.0.1"),
        parsed.port().unwrap_or(5432)
    );
    let mut relayed = parsed.clone();
    relayed.set_port(Some(port)).expect("a port can be set");
    (target, relayed.to_string())
}

/// Trains a model on the history stored in `db` (one held-out year) and makes it
/// the current one. A small test history may miss the publication floors (its low
/// deciles hold too few incidents); the model is then published the way an
/// administrator overrules the gate, with a written reason, which the audit keeps.
pub async fn train_for_tests(
    db: &sea_orm::DatabaseConnection,
) -> api::services::scoring::models::Training {
    use api::services::scoring::models;
    let training = models::train_and_publish(db, 1, "tests", &())
        .await
        .expect("model trained");
    if training.refused.is_some() {
        let ctx = api::context::RequestContext::command_line("model publish");
        let operation = api::context::Operation::named(
            api::context::OperationKind::Command,
            "model publish",
            "publishModel",
        );
        models::publish(
            db,
            api::services::work::Change::new(&ctx, &operation),
            training.published.row.id,
            "test fixture: a small synthetic history whose low deciles are too thin for the floors",
        )
        .await
        .expect("model published on a reason");
    }
    training
}
