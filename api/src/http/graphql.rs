//! GraphQL over HTTP, following the GraphQL-over-HTTP specification: POST with a
//! JSON body for every operation, GET for queries only (405 for a mutation), the
//! media type the client accepts (`application/graphql-response+json` when asked,
//! `application/json` otherwise, 406 when neither), 415 for other request bodies,
//! and 4xx for request errors under `application/graphql-response+json`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, Header};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::OperationType;
use async_graphql::{Name, Request, Value as ConstValue, Variables};
use futures_util::FutureExt;
use serde_json::{Value, json};
use tracing_actix_web::RequestId;

use std::collections::HashMap;
use std::sync::Arc;

use crate::auth::{self, Viewer};
use crate::context::{KeptText, Origin, Outcome, RequestContext};
use crate::error::{ApiError, ErrorCode};
use crate::graphql::extensions::{OperationName, selected_operation};
use crate::graphql::loaders::Loaders;
use crate::http::AppState;
use crate::http::admission;
use crate::http::coded_error;
use crate::services::audit::Draft;
use policies::roles::Purpose;

/// The media types a GraphQL response can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseType {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphqlResponse,
    /// `application/json`: the legacy type; 200 for every well-formed request.
    Json,
}

impl ResponseType {
    fn content_type(self) -> &'static str {
        match self {
            ResponseType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            ResponseType::Json => "application/json; charset=utf-8",
        }
    }
}

/// The request's parameters once decoded.
struct Params {
    query: String,
    variables: Option<IndexMap<Name, ConstValue>>,
    operation_name: Option<String>,
}

/// A request refused before execution: status and message.
struct Refusal {
    status: StatusCode,
    message: String,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        message: message.into(),
    }
}

fn refusal_response(refusal: Refusal, response_type: ResponseType) -> HttpResponse {
    let body = json!({
        "errors": [{ "message": refusal.message, "extensions": { "code": ErrorCode::BadRequest.as_str() } }]
    });
    let mut builder = HttpResponse::build(refusal.status);
    if refusal.status == StatusCode::METHOD_NOT_ALLOWED {
        builder.insert_header((header::ALLOW, "POST"));
    }
    builder
        .content_type(response_type.content_type())
        .body(body.to_string())
}

/// Picks the response type from `Accept`; `None` when the client accepts neither.
fn negotiate(req: &HttpRequest) -> Option<ResponseType> {
    if req.headers().get(header::ACCEPT).is_none() {
        return Some(ResponseType::Json);
    }
    let accept = header::Accept::parse(req).ok()?;
    accept.ranked().into_iter().find_map(|mime| {
        match (
            mime.type_().as_str(),
            mime.subtype().as_str(),
            mime.suffix().map(|s| s.as_str()),
        ) {
            ("application", "graphql-response", Some("json")) => {
                Some(ResponseType::GraphqlResponse)
            }
            ("application", "json", None) | ("application", "*", _) | ("*", "*", _) => {
                Some(ResponseType::Json)
            }
            _ => None,
        }
    })
}

fn accepts_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The longest `operationName` accepted: it is stored in the audit log.
pub const OPERATION_NAME_MAX: usize = 128;

/// Whether `name` is a GraphQL name (`/[_A-Za-z][_0-9A-Za-z]*/`) short enough to be
/// stored.
fn is_graphql_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= OPERATION_NAME_MAX
        && chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Decodes the parameters of a POST body or a GET query string. The fields are
/// moved out, never copied: a batch of observations is held once, as the GraphQL
/// values the operation reads.
fn params_from(mut object: IndexMap<Name, ConstValue>) -> Result<Params, Refusal> {
    let query = match object.swap_remove("query") {
        Some(ConstValue::String(query)) => query,
        Some(_) => return Err(refuse(StatusCode::BAD_REQUEST, "`query` must be a string")),
        None => return Err(refuse(StatusCode::BAD_REQUEST, "`query` is missing")),
    };
    let variables = match object.swap_remove("variables") {
        None | Some(ConstValue::Null) => None,
        Some(ConstValue::Object(vars)) => Some(vars),
        Some(_) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "`variables` must be an object",
            ));
        }
    };
    let operation_name = match object.swap_remove("operationName") {
        None | Some(ConstValue::Null) => None,
        Some(ConstValue::String(name)) if is_graphql_name(&name) => Some(name),
        Some(_) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                format!(
                    "`operationName` must be a GraphQL name (letters, digits, `_`) of at most {OPERATION_NAME_MAX} characters"
                ),
            ));
        }
    };
    match object.swap_remove("extensions") {
        None | Some(ConstValue::Null) | Some(ConstValue::Object(_)) => {}
        Some(_) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "`extensions` must be an object",
            ));
        }
    }
    Ok(Params {
        query,
        variables,
        operation_name,
    })
}

/// `POST /graphql`.
pub async fn post(req: HttpRequest, body: web::Bytes, state: web::Data<AppState>) -> HttpResponse {
    let Some(response_type) = negotiate(&req) else {
        return refusal_response(
            refuse(
                StatusCode::NOT_ACCEPTABLE,
                "accept application/graphql-response+json or application/json",
            ),
            ResponseType::Json,
        );
    };
    let json_body = req.mime_type().ok().flatten().is_some_and(|m| {
        m.type_() == mime::APPLICATION && m.subtype() == mime::JSON && m.suffix().is_none()
    });
    if !json_body {
        return refusal_response(
            refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the request body must be application/json",
            ),
            response_type,
        );
    }
    // Read straight into GraphQL values: no JSON tree in between, and the body's
    // bytes are released before the operation runs.
    let parsed = serde_json::from_slice::<ConstValue>(&body);
    drop(body);
    let object = match parsed {
        Ok(ConstValue::Object(object)) => object,
        Ok(ConstValue::List(_)) => {
            return refusal_response(
                refuse(
                    StatusCode::BAD_REQUEST,
                    "batched requests are not supported",
                ),
                response_type,
            );
        }
        Ok(_) => {
            return refusal_response(
                refuse(StatusCode::BAD_REQUEST, "the body must be a JSON object"),
                response_type,
            );
        }
        Err(_) => {
            return refusal_response(
                refuse(StatusCode::BAD_REQUEST, "the body is not valid JSON"),
                response_type,
            );
        }
    };
    match params_from(object) {
        Ok(params) => execute(&req, &state, params, response_type).await,
        Err(refusal) => refusal_response(refusal, response_type),
    }
}

/// `GET /graphql`: queries only; GraphiQL for a browser when enabled.
pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let pairs: Vec<(String, String)> =
        match web::Query::<Vec<(String, String)>>::from_query(req.query_string()) {
            Ok(pairs) => pairs.into_inner(),
            Err(_) => Vec::new(),
        };
    let has_query = pairs.iter().any(|(k, _)| k == "query");
    if !has_query && state.settings.graphiql && accepts_html(&req) {
        return super::page::graphiql(&req);
    }
    let Some(response_type) = negotiate(&req) else {
        return refusal_response(
            refuse(
                StatusCode::NOT_ACCEPTABLE,
                "accept application/graphql-response+json or application/json",
            ),
            ResponseType::Json,
        );
    };
    let mut object = IndexMap::new();
    for (key, value) in pairs {
        let decoded = match key.as_str() {
            "variables" | "extensions" => match serde_json::from_str::<ConstValue>(&value) {
                Ok(parsed) => parsed,
                Err(_) => {
                    return refusal_response(
                        refuse(
                            StatusCode::BAD_REQUEST,
                            format!("`{key}` is not valid JSON"),
                        ),
                        response_type,
                    );
                }
            },
            _ => ConstValue::String(value),
        };
        object.insert(Name::new(key), decoded);
    }
    let params = match params_from(object) {
        Ok(params) => params,
        Err(refusal) => return refusal_response(refusal, response_type),
    };
    // Reads only: a mutation or subscription over GET could be triggered by a link
    // or a prefetch, so it is refused before anything runs.
    if let Ok(doc) = async_graphql::parser::parse_query(&params.query)
        && let Some((_, ty)) = selected_operation(&doc, params.operation_name.as_deref())
        && ty != OperationType::Query
    {
        return refusal_response(
            refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "only queries may be sent with GET; use POST",
            ),
            response_type,
        );
    }
    execute(&req, &state, params, response_type).await
}

/// Any other method on `/graphql`.
pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let message = format!(
        "{} is not supported on /graphql; use POST or GET",
        req.method()
    );
    let mut response = refusal_response(
        refuse(StatusCode::METHOD_NOT_ALLOWED, message),
        ResponseType::Json,
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
    response
}

/// The viewer of a request from its `Authorization` and `X-Purpose` headers. A
/// present but invalid credential is refused, never treated as anonymous.
pub async fn viewer_of(req: &HttpRequest, state: &AppState) -> Result<Viewer, HttpResponse> {
    let purpose = match req.headers().get("x-purpose") {
        None => None,
        Some(value) => match value.to_str().ok().map(Purpose::parse) {
            Some(Ok(purpose)) => Some(purpose),
            _ => {
                let allowed: Vec<&str> = Purpose::ALL.iter().map(|p| p.as_str()).collect();
                let message = format!(
                    "unknown purpose in X-Purpose; expected one of {}",
                    allowed.join(", ")
                );
                return Err(coded_error(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadUserInput,
                    &message,
                ));
            }
        },
    };
    let Some(header) = req.headers().get(header::AUTHORIZATION) else {
        let mut viewer = Viewer::anonymous();
        viewer.purpose = purpose;
        return Ok(viewer);
    };
    let bearer = header
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let result = match bearer {
        Some(token) => auth::service::authenticate(&state.db, &state.auth, token, purpose).await,
        None => Err(ApiError::Unauthenticated(
            "the Authorization header must be `Bearer <token>`".to_owned(),
        )),
    };
    result.map_err(|err| match err {
        ApiError::Unauthenticated(message) => {
            let mut response = coded_error(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                &message,
            );
            let challenge = format!(
                "Bearer realm=\"platform\", error=\"invalid_token\", error_description=\"{}\"",
                message.replace('"', "'")
            );
            if let Ok(value) = header::HeaderValue::from_str(&challenge) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            response
        }
        other => {
            let graphql = other.to_graphql();
            let status = StatusCode::from_u16(other.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            coded_error(status, other.code(), &graphql.message)
        }
    })
}

/// The answer to an operation that did not finish: `code` with `message`, and
/// `status` under `application/graphql-response+json` (200 under the legacy type).
fn cancelled_response(
    code: ErrorCode,
    message: String,
    status: StatusCode,
    response_type: ResponseType,
) -> HttpResponse {
    let body = json!({
        "data": null,
        "errors": [{ "message": message, "extensions": { "code": code.as_str() } }]
    });
    let status = match response_type {
        ResponseType::GraphqlResponse => status,
        ResponseType::Json => StatusCode::OK,
    };
    HttpResponse::build(status)
        .content_type(response_type.content_type())
        .body(body.to_string())
}

/// Writes the entries of an operation that did not finish (timeout or defect): one
/// per root field that had not written its own, or one for the document when it
/// never got parsed.
async fn record_cancelled(state: &AppState, context: &RequestContext, reason: String) {
    let reason = Some(reason);
    let roots = context.audited_roots();
    if roots.is_empty() {
        let operation = context.root_operation("", "");
        state
            .audit
            .enqueue(context.draft(&operation, Outcome::Error, reason.clone(), 0));
    }
    for (key, field) in roots {
        if context.written(&key) {
            continue;
        }
        let operation = context.root_operation(&key, &field);
        state
            .audit
            .enqueue(context.draft(&operation, Outcome::Error, reason.clone(), 0));
    }
    state.audit.flush().await;
}

/// A `429` with `Retry-After`: not audited one by one (that would let a flood grow
/// the log), counted.
fn rate_limited(state: &AppState, wait: u64) -> HttpResponse {
    state.metrics.rate_limited();
    let body = json!({
        "errors": [{
            "message": "too many requests; try again later",
            "extensions": { "code": ErrorCode::RateLimited.as_str(), "retryAfter": wait }
        }]
    });
    HttpResponse::TooManyRequests()
        .content_type("application/json; charset=utf-8")
        .insert_header((header::RETRY_AFTER, wait))
        .body(body.to_string())
}

/// A response whose root fields answered from kept text (left null in its data)
/// are written from that text: the same JSON as the response with the values in.
struct Spliced<'a> {
    response: &'a async_graphql::Response,
    kept: &'a HashMap<String, KeptText>,
}

impl serde::Serialize for Spliced<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // The fields in the order, and with the omissions, of `Response`'s own.
        let response = self.response;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("data", &SplicedData(self))?;
        if !response.extensions.is_empty() {
            map.serialize_entry("extensions", &response.extensions)?;
        }
        if !response.errors.is_empty() {
            map.serialize_entry("errors", &response.errors)?;
        }
        map.end()
    }
}

struct SplicedData<'a>(&'a Spliced<'a>);

impl serde::Serialize for SplicedData<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let async_graphql::Value::Object(fields) = &self.0.response.data else {
            return self.0.response.data.serialize(serializer);
        };
        let mut map = serializer.serialize_map(Some(fields.len()))?;
        for (key, value) in fields {
            match (value, self.0.kept.get(key.as_str())) {
                (async_graphql::Value::Null, Some(kept)) => {
                    map.serialize_entry(key.as_str(), &*kept.json)?
                }
                _ => map.serialize_entry(key.as_str(), value)?,
            }
        }
        map.end()
    }
}

async fn execute(
    req: &HttpRequest,
    state: &AppState,
    params: Params,
    response_type: ResponseType,
) -> HttpResponse {
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let client = req.peer_addr().map(|addr| addr.ip());
    let viewer = match viewer_of(req, state).await {
        Ok(viewer) => viewer,
        Err(response) => {
            if let Err(wait) = state.limits.check_refused(client) {
                return rate_limited(state, wait);
            }
            // A refused credential is an access attempt too.
            state.audit.enqueue(Draft {
                at: chrono::Utc::now(),
                actor: "invalid credentials".to_owned(),
                operation_type: "http".to_owned(),
                operation_name: params
                    .operation_name
                    .clone()
                    .unwrap_or_else(|| "graphql".to_owned()),
                outcome: "denied".to_owned(),
                reason: Some(format!("HTTP {}", response.status().as_u16())),
                request_id: request_id.clone(),
                ..Draft::default()
            });
            return response;
        }
    };
    if let Err(wait) = state.limits.check(&viewer, client) {
        return rate_limited(state, wait);
    }
    let mut context = RequestContext::new(viewer.clone(), request_id.clone(), Origin::Graphql);
    context.client = client;
    context.answers_as_text = true;
    let context = Arc::new(context);
    let mut request = Request::new(params.query)
        .data(viewer)
        .data(Arc::clone(&context))
        .data(Loaders::new(&state.readers))
        .data(OperationName(params.operation_name.clone()));
    if let Some(vars) = params.variables {
        request = request.variables(Variables::from_value(ConstValue::Object(vars)));
    }
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    let limit = std::time::Duration::from_secs(state.settings.limits.timeout_secs);
    let execution = std::panic::AssertUnwindSafe(state.schema.execute(request)).catch_unwind();
    let response = match admission::within(&state.operations, limit, execution).await {
        Ok(Ok(response)) => response,
        Ok(Err(_)) => {
            // A defect, not the caller's doing: the answer and the audit say so, and
            // the connection stays open.
            tracing::error!("an operation panicked");
            let reason = "INTERNAL: the operation failed".to_owned();
            record_cancelled(state, &context, reason).await;
            return cancelled_response(
                ErrorCode::Internal,
                "internal error".to_owned(),
                StatusCode::INTERNAL_SERVER_ERROR,
                response_type,
            );
        }
        Err(_) => {
            // The operation's future is dropped, waiting for its turn or running: its
            // queries are cancelled, an open change rolls back and its connection
            // returns to the pool.
            state.metrics.timed_out();
            let reason = format!("TIMEOUT: cancelled after {} s", limit.as_secs());
            record_cancelled(state, &context, reason).await;
            let message = format!(
                "the operation did not finish within {} s and was cancelled",
                limit.as_secs()
            );
            let mut response = cancelled_response(
                ErrorCode::Timeout,
                message,
                StatusCode::SERVICE_UNAVAILABLE,
                response_type,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
            return response;
        }
    };

    // A request error (syntax, validation, variables) runs nothing: it has errors,
    // no data and no error path.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    // Straight to text: an agenda is about 100 KB, and an intermediate JSON tree
    // would double the work. Only a request error is rewritten (without `data`).
    let body = if request_error {
        serde_json::to_value(&response).map(|mut body| {
            if let Value::Object(map) = &mut body {
                map.remove("data");
            }
            body.to_string()
        })
    } else {
        let kept = context.kept_text();
        if kept.is_empty() {
            serde_json::to_string(&response)
        } else {
            serde_json::to_string(&Spliced {
                response: &response,
                kept: &kept,
            })
        }
    };
    let body = match body {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "cannot serialize a GraphQL response");
            return HttpResponse::InternalServerError().finish();
        }
    };
    let status = if request_error && response_type == ResponseType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    HttpResponse::build(status)
        .content_type(response_type.content_type())
        .body(body)
}
