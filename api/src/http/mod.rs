//! HTTP routes: GraphQL over HTTP and WebSocket, the agenda page and its assets,
//! health, readiness and metrics.

pub mod admission;
pub mod audit;
pub mod graphql;
pub mod health;
pub mod page;
pub mod rate;
pub mod ws;

use std::sync::Arc;

use actix_web::web;
use sea_orm::DatabaseConnection;

use crate::graphql::AppSchema;
use crate::metrics::Metrics;
use crate::settings::Settings;

/// What every handler shares.
pub struct AppState {
    /// The GraphQL schema.
    pub schema: AppSchema,
    /// The database pool.
    pub db: DatabaseConnection,
    /// The pool queries read through (read-only connections on SQLite).
    pub readers: DatabaseConnection,
    /// Metrics registry.
    pub metrics: Arc<Metrics>,
    /// Settings the server was built with.
    pub settings: Settings,
    /// Keys and password hashing.
    pub auth: Arc<crate::auth::service::AuthState>,
    /// The audit log's writer.
    pub audit: Arc<crate::services::audit::writer::AuditWriter>,
    /// Requests per caller.
    pub limits: Arc<rate::RequestLimits>,
    /// This instance's subscribers' side of the live bus.
    pub hub: crate::live::Hub,
    /// Turns for GraphQL operations over HTTP: at most `limits.operations_at_once`
    /// run at once (see [`admission`]).
    pub operations: Arc<tokio::sync::Semaphore>,
}

/// A JSON error body `{"errors": [{message, extensions: {code}}]}` with `status`.
pub fn coded_error(
    status: actix_web::http::StatusCode,
    code: crate::error::ErrorCode,
    message: &str,
) -> actix_web::HttpResponse {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code.as_str() } }]
    });
    actix_web::HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

/// Registers the routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(page::index))
        .route("/assets/{path:.*}", web::get().to(page::asset))
        .service(
            web::resource("/graphql")
                .route(web::post().to(graphql::post))
                .route(web::get().to(graphql::get))
                .route(web::route().to(graphql::method_not_allowed)),
        )
        .route("/graphql/ws", web::get().to(ws::subscribe))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .route("/.well-known/jwks.json", web::get().to(health::jwks))
        .route("/audit/export.csv", web::get().to(audit::export));
}
