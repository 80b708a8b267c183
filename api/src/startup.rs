//! Building and running the server: database, migrations, seed, schema, routes.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpMessage, HttpServer, web};
use sea_orm::{DatabaseConnection, DbErr};
use tracing_actix_web::{RequestId, TracingLogger};

use crate::auth::service::AuthState;
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::services::audit::writer::AuditWriter;
use crate::settings::Settings;
use crate::{db, graphql, seed, time};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be reached, migrated or seeded.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// The address could not be bound.
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    /// Metrics could not be registered.
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    /// Signing keys or password hashing could not be set up.
    #[error("authentication: {0}")]
    Auth(String),
    /// The shipped reference data could not be imported.
    #[error("reference data: {0}")]
    Reference(String),
}

/// A built server, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    db: DatabaseConnection,
    audit: Arc<AuditWriter>,
    operations: Arc<tokio::sync::Semaphore>,
}

impl Application {
    /// Connects, migrates, seeds (when enabled) and binds.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let db = db::connect(&settings).await?;
        db::migrate(&db).await?;
        let readers = db::connect_readers(&settings, &db).await?;
        if settings.seed_demo {
            let report = seed::run(&db, time::paris_today(chrono::Utc::now())).await?;
            if report.reference_rows > 0 || report.days > 0 {
                tracing::info!(?report, "demo data seeded");
            }
            if settings.seed_reference && settings.database_url.is_none() {
                let reports = seed::reference::run(&db)
                    .await
                    .map_err(|e| StartupError::Reference(e.to_string()))?;
                for report in reports {
                    tracing::info!(summary = %report.summary(), "reference data imported");
                }
            }
            if settings.seed_presence {
                let added = seed::presence::run(&db, chrono::Utc::now()).await?;
                if added > 0 {
                    tracing::info!(added, "demo presence counts seeded");
                }
            }
        }
        if settings.retention_task {
            crate::services::retention::spawn_daily(db.clone());
        }
        seed::history::prepare(&db, &settings).await?;
        let auth = Arc::new(
            AuthState::from_settings(&settings).map_err(|e| StartupError::Auth(e.to_string()))?,
        );
        if settings.seed_demo && settings.database_url.is_none() {
            let created = seed::users::run(&db, &auth)
                .await
                .map_err(|e| StartupError::Auth(e.to_string()))?;
            if !created.is_empty() {
                println!("Demo accounts created (embedded default only):");
                for (email, role, password) in created {
                    println!("  {role:<10} {email:<32} {password}");
                }
            }
        }
        let listener = TcpListener::bind(&settings.bind)?;
        let port = listener.local_addr()?.port();
        let metrics = Arc::new(Metrics::new()?);
        let audit = Arc::new(AuditWriter::start(db.clone()));
        let writer = Arc::clone(&audit);
        let hub = crate::live::Hub::default();
        crate::live::start(db.clone(), hub.clone());
        let schema = graphql::build(
            &settings,
            db.clone(),
            readers.clone(),
            Arc::clone(&metrics),
            Arc::clone(&auth),
            Arc::clone(&audit),
            hub.clone(),
        );
        let operations = Arc::new(tokio::sync::Semaphore::new(
            settings.limits.operations_at_once.max(1),
        ));
        let state = web::Data::new(AppState {
            schema,
            db: db.clone(),
            readers,
            metrics,
            settings: settings.clone(),
            auth,
            audit,
            limits: Arc::new(http::rate::RequestLimits::new(&settings.http.rate)),
            hub,
            operations: Arc::clone(&operations),
        });
        let body_limit = settings.limits.body_bytes;
        let cors_origins = settings.http.cors_origins.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(body_limit))
                .wrap(cors(&cors_origins))
                .wrap(security_headers())
                .wrap_fn(|req, srv| {
                    use actix_web::dev::Service;
                    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
                    let fut = srv.call(req);
                    async move {
                        let mut response = fut.await?;
                        if let Some(id) = request_id.and_then(|id| id.parse().ok()) {
                            response.headers_mut().insert(
                                actix_web::http::header::HeaderName::from_static("x-request-id"),
                                id,
                            );
                        }
                        Ok(response)
                    }
                })
                .wrap(TracingLogger::default())
                .configure(http::routes)
        })
        // On SIGTERM or SIGINT the server stops accepting and lets the requests in
        // flight finish: each is bounded by the execution timeout, so the drain is too.
        .shutdown_timeout(settings.limits.timeout_secs.saturating_add(5))
        .listen(listener)?
        .run();
        // The start-up's work is done on this thread, which from now on only waits;
        // its code (migrations, seeding, training) is not run again.
        crate::memory::release_freed();
        let code = crate::memory::release_code_pages();
        tracing::debug!(bytes = code, "start-up code pages released");
        Ok(Application {
            port,
            server,
            db,
            audit: writer,
            operations,
        })
    }

    /// The port the server listens on (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database pool, for administration commands and tests.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The turns of GraphQL operations over HTTP (see `http::admission`): a test
    /// holds them to see what a caller waiting for a turn is answered.
    pub fn operations(&self) -> Arc<tokio::sync::Semaphore> {
        Arc::clone(&self.operations)
    }

    /// Serves until the process is asked to stop, then drains: the requests in
    /// flight finish and the audit entries already queued are written before it
    /// returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.audit.flush().await;
        tracing::info!("stopped; the audit queue is written");
        served
    }
}

/// Headers sent with every answer: no MIME sniffing, no framing, no referrer, and a
/// content security policy that allows nothing (JSON needs none); the GraphiQL page
/// sets its own, narrower than the browser's default.
fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ))
        .add(("Cache-Control", "no-store"))
}

/// Cross-origin access for the configured origins only; none by default.
fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::ACCEPT,
            actix_web::http::header::HeaderName::from_static("x-purpose"),
        ])
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}
