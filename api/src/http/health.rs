//! Liveness, readiness and metrics endpoints.

use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::http::AppState;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The database answers; 503 otherwise, so a load balancer stops sending traffic.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => {
            HttpResponse::Ok().json(serde_json::json!({ "status": "ready", "database": "up" }))
        }
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "unavailable", "database": "down" }))
        }
    }
}

/// Prometheus text format, for the addresses of `metrics_allow` or a caller with
/// the metrics token; 403 for anyone else (the figures describe the platform's use).
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let http = &state.settings.http;
    let from_allowed = req
        .peer_addr()
        .is_some_and(|addr| http.metrics_allow.contains(&addr.ip()));
    let with_token = http.metrics_token.as_deref().is_some_and(|expected| {
        req.headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| same_secret(given, expected))
    });
    if !from_allowed && !with_token {
        return crate::http::coded_error(
            actix_web::http::StatusCode::FORBIDDEN,
            crate::error::ErrorCode::Forbidden,
            "metrics are served to the monitoring addresses only",
        );
    }
    match state.metrics.render() {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text),
        Err(err) => {
            tracing::error!(error = %err, "cannot render metrics");
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// The public keys that verify access tokens (JWK set), so that partners can check
/// a token without holding any secret.
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(&state.auth.keys.jwks)
}

/// Compares two secrets through their digests, so the time taken says nothing of
/// how many leading characters matched.
fn same_secret(given: &str, expected: &str) -> bool {
    Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes())
}
