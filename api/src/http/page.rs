//! The agenda page at `/` and GraphiQL's page, with every asset they load embedded in
//! the binary: a city's closed network needs nothing from outside, and the pages run
//! no code but the platform's own and the pinned copies under `assets/vendor/`.
//!
//! Both pages are clients of the public GraphQL API like any other: they hold no
//! privilege, and what they show went through the same permissions and audit.

use actix_web::http::header::{self, EntityTag, IfNoneMatch};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

/// The files under `api/assets/`.
#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// The page's policy: its own scripts, styles and images, calls to this server (HTTP
/// and WebSocket), nothing else; no inline script, no framing.
pub const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// GraphiQL's policy: the same, except that its stylesheet carries its fonts as
/// `data:` URLs.
pub const GRAPHIQL_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// `GET /`: the agenda page.
pub async fn index(req: HttpRequest) -> HttpResponse {
    serve(&req, "index.html", PAGE_POLICY)
}

/// GraphiQL's page, served by `GET /graphql` to a browser.
pub fn graphiql(req: &HttpRequest) -> HttpResponse {
    serve(req, "graphiql.html", GRAPHIQL_POLICY)
}

/// `GET /assets/{path}`: one embedded file.
pub async fn asset(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    // Pages are served at their own routes, not as assets.
    if path.ends_with(".html") {
        return not_found();
    }
    serve(&req, &path, PAGE_POLICY)
}

fn not_found() -> HttpResponse {
    super::coded_error(
        actix_web::http::StatusCode::NOT_FOUND,
        crate::error::ErrorCode::NotFound,
        "no such file",
    )
}

/// One embedded file with its type, a strong validator and `policy`. Browsers revalidate
/// on each load (`no-cache`) and get `304` when the build did not change the file.
fn serve(req: &HttpRequest, path: &str, policy: &'static str) -> HttpResponse {
    let Some(file) = Assets::get(path) else {
        return not_found();
    };
    let hash = file.metadata.sha256_hash();
    let tag = EntityTag::new_strong(hash[..12].iter().map(|b| format!("{b:02x}")).collect());
    let unchanged = match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&tag)),
        None => false,
    };
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(header::ETag(tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, policy));
    if unchanged {
        return response.finish();
    }
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/") || mime.ends_with("javascript") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    response
        .content_type(content_type)
        .body(file.data.into_owned())
}
