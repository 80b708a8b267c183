//! GraphQL subscriptions over WebSocket at `/graphql/ws`, with the
//! `graphql-transport-ws` protocol (the `graphql-ws` library's).
//!
//! Authentication happens in `connection_init`, with the same rules as HTTP: the
//! payload carries `Authorization: "Bearer <token>"` (a person's access token or a
//! partner token) and may carry `X-Purpose`. A refused credential closes the socket
//! with 4403 and is audited like a refused HTTP request. While the socket is open
//! the credential is checked again every few seconds and when an access token
//! expires: an expired token closes it with 4401, a revoked or locked one with 4403.
//!
//! Only subscriptions are served here; queries and mutations go over HTTP, where
//! they are audited and limited per request. Each `subscribe` message is one
//! operation with its own request context (limits, guard, audit, purpose), counted
//! by the same per-caller rate limit as HTTP requests.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Message};
use async_graphql::http::{WebSocket, WsMessage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request, Response, ServerError};
use futures_util::stream::{BoxStream, StreamExt};
use policies::roles::Purpose;
use tracing_actix_web::RequestId;

use crate::auth::{self, Viewer};
use crate::context::{Origin, RequestContext};
use crate::error::{ApiError, ErrorCode};
use crate::graphql::extensions::OperationName;
use crate::graphql::loaders::Loaders;
use crate::http::AppState;
use crate::services::audit::Draft;

/// The only subprotocol served.
pub const PROTOCOL: &str = "graphql-transport-ws";
/// A client must send `connection_init` within this time.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the credential is checked again while the socket is open.
const RECHECK: Duration = Duration::from_secs(2);
/// Largest message accepted from a client.
const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Close codes of the protocol and of this server.
const BAD_REQUEST: u16 = 4400;
const UNAUTHORIZED: u16 = 4401;
const FORBIDDEN: u16 = 4403;
const INIT_TIMED_OUT: u16 = 4408;

/// Upgrades a request to a subscription socket.
pub async fn subscribe(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let offered = req
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == PROTOCOL);
    if !offered {
        return Ok(super::coded_error(
            actix_web::http::StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "a WebSocket upgrade with the graphql-transport-ws subprotocol is expected",
        ));
    }
    let (mut response, session, stream) = actix_ws::handle(&req, body)?;
    response.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(PROTOCOL),
    );
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let client = req.peer_addr().map(|addr| addr.ip());
    let connection = Connection {
        state: state.into_inner(),
        request_id,
        client,
    };
    actix_web::rt::spawn(connection.run(session, stream.max_frame_size(MAX_FRAME_BYTES)));
    Ok(response)
}

/// One socket.
struct Connection {
    state: Arc<AppState>,
    request_id: Option<String>,
    client: Option<std::net::IpAddr>,
}

/// What `connection_init` carried.
struct Credentials {
    bearer: Option<String>,
    purpose: Option<String>,
}

fn credentials(init: &serde_json::Value) -> Credentials {
    let payload = init.get("payload").cloned().unwrap_or_default();
    let text = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| payload.get(*n).and_then(|v| v.as_str()))
            .map(str::to_owned)
    };
    let bearer = text(&["Authorization", "authorization"])
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
                .map(|t| t.trim().to_owned())
        })
        .or_else(|| text(&["token"]))
        .filter(|t| !t.is_empty());
    Credentials {
        bearer,
        purpose: text(&["X-Purpose", "x-purpose", "purpose"]),
    }
}

fn close(code: u16, description: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code: CloseCode::Other(code),
        description: Some(description.to_owned()),
    })
}

impl Connection {
    async fn run(self, mut session: actix_ws::Session, mut stream: actix_ws::MessageStream) {
        // The first message must be `connection_init`.
        let first =
            match tokio::time::timeout(INIT_TIMEOUT, next_text(&mut stream, &mut session)).await {
                Ok(Some(text)) => text,
                Ok(None) => return,
                Err(_) => {
                    let _ = session
                        .close(close(INIT_TIMED_OUT, "connection initialisation timeout"))
                        .await;
                    return;
                }
            };
        let init: serde_json::Value = match serde_json::from_str(&first) {
            Ok(value) => value,
            Err(_) => {
                let _ = session.close(close(BAD_REQUEST, "invalid message")).await;
                return;
            }
        };
        if init.get("type").and_then(|t| t.as_str()) != Some("connection_init") {
            let _ = session
                .close(close(UNAUTHORIZED, "connection_init expected first"))
                .await;
            return;
        }
        let credentials = credentials(&init);
        let viewer = match self.authenticate(&credentials).await {
            Ok(viewer) => viewer,
            Err(err) => {
                // Past the address's anonymous allowance, counted, not audited one
                // by one (as for HTTP requests).
                if self.state.limits.check_refused(self.client).is_ok() {
                    self.refused(&err);
                } else {
                    self.state.metrics.rate_limited();
                }
                let _ = session.close(close(FORBIDDEN, "forbidden")).await;
                return;
            }
        };
        let expires = credentials
            .bearer
            .as_deref()
            .and_then(|t| {
                auth::tokens::verify(&self.state.auth.keys, &self.state.auth.settings, t).ok()
            })
            .and_then(|claims| chrono::DateTime::from_timestamp(claims.exp, 0));

        // The protocol from here on: the init message again (acknowledged at once,
        // the credential being checked), then whatever the client sends.
        let (to_protocol, from_socket) = tokio::sync::mpsc::unbounded_channel::<String>();
        let _ = to_protocol.send(first);
        let executor = LiveExecutor {
            state: Arc::clone(&self.state),
            viewer: viewer.clone(),
            request_id: self.request_id.clone(),
            client: self.client,
        };
        let messages = futures_util::stream::unfold(from_socket, |mut receiver| async move {
            receiver.recv().await.map(|message| (message, receiver))
        });
        let mut protocol = Box::pin(WebSocket::new(
            executor,
            messages,
            async_graphql::http::WebSocketProtocols::GraphQLWS,
        ));

        let expiry = async {
            match expires {
                Some(at) => {
                    let left = (at - chrono::Utc::now()).to_std().unwrap_or_default();
                    tokio::time::sleep(left).await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::pin!(expiry);
        let mut recheck = tokio::time::interval(RECHECK);
        recheck.tick().await;
        let reason = loop {
            tokio::select! {
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        if to_protocol.send(text.to_string()).is_err() {
                            break None;
                        }
                    }
                    Some(Ok(Message::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() {
                            break None;
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
                    Some(Ok(Message::Binary(_))) => {
                        break close(BAD_REQUEST, "binary messages are not supported");
                    }
                    Some(Ok(_)) => {}
                },
                outgoing = protocol.next() => match outgoing {
                    Some(WsMessage::Text(text)) => {
                        if session.text(text).await.is_err() {
                            break None;
                        }
                    }
                    Some(WsMessage::Close(code, message)) => break close(code, &message),
                    None => break None,
                },
                () = &mut expiry => break close(UNAUTHORIZED, "token expired"),
                _ = recheck.tick() => {
                    if let Err(err) = self.authenticate(&credentials).await {
                        let code = if err.to_string().contains("expired") { UNAUTHORIZED } else { FORBIDDEN };
                        break close(code, if code == UNAUTHORIZED { "token expired" } else { "forbidden" });
                    }
                }
            }
        };
        // Dropping the protocol ends its subscriptions, which audits their end.
        drop(protocol);
        let _ = session.close(reason).await;
    }

    async fn authenticate(&self, credentials: &Credentials) -> Result<Viewer, ApiError> {
        let purpose = match credentials.purpose.as_deref() {
            None => None,
            Some(p) => Some(Purpose::parse(p).map_err(|_| {
                ApiError::bad_input("X-Purpose", "unknown purpose in connection_init")
            })?),
        };
        let Some(bearer) = credentials.bearer.as_deref() else {
            return Err(ApiError::Unauthenticated(
                "connection_init must carry Authorization: Bearer <token>".to_owned(),
            ));
        };
        auth::service::authenticate(&self.state.db, &self.state.auth, bearer, purpose).await
    }

    /// A refused credential is an access attempt too.
    fn refused(&self, err: &ApiError) {
        self.state.audit.enqueue(Draft {
            at: chrono::Utc::now(),
            actor: "invalid credentials".to_owned(),
            operation_type: "subscription".to_owned(),
            operation_name: "connection_init".to_owned(),
            outcome: "denied".to_owned(),
            reason: Some(err.to_string()),
            request_id: self.request_id.clone(),
            ..Draft::default()
        });
    }
}

/// The next text message of the socket, answering pings; `None` when it closed.
async fn next_text(
    stream: &mut actix_ws::MessageStream,
    session: &mut actix_ws::Session,
) -> Option<String> {
    while let Some(message) = stream.next().await {
        match message {
            Ok(Message::Text(text)) => return Some(text.to_string()),
            Ok(Message::Ping(bytes)) => {
                if session.pong(&bytes).await.is_err() {
                    return None;
                }
            }
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
    None
}

/// Runs each `subscribe` message as one operation of the connection's viewer.
#[derive(Clone)]
struct LiveExecutor {
    state: Arc<AppState>,
    viewer: Viewer,
    request_id: Option<String>,
    client: Option<std::net::IpAddr>,
}

impl LiveExecutor {
    fn refuse(&self, context: &RequestContext, code: ErrorCode, message: &str) -> Response {
        let mut error = ServerError::new(message, None);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
        let operation = context.root_operation("", "");
        self.state.audit.enqueue(context.draft(
            &operation,
            crate::context::Outcome::Denied,
            Some(message.to_owned()),
            0,
        ));
        Response::from_errors(vec![error])
    }
}

impl Executor for LiveExecutor {
    async fn execute(&self, request: Request) -> Response {
        self.execute_stream(request, None)
            .next()
            .await
            .unwrap_or_default()
    }

    fn execute_stream(
        &self,
        request: Request,
        _session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let mut context = RequestContext::new(
            self.viewer.clone(),
            self.request_id.clone(),
            Origin::Graphql,
        );
        context.client = self.client;
        let context = Arc::new(context);
        if self.state.limits.check(&self.viewer, self.client).is_err() {
            self.state.metrics.rate_limited();
            return futures_util::stream::once(std::future::ready(self.refuse(
                &context,
                ErrorCode::RateLimited,
                "too many requests; try again later",
            )))
            .boxed();
        }
        let operation_type = async_graphql::parser::parse_query(&request.query)
            .ok()
            .and_then(|doc| {
                crate::graphql::extensions::selected_operation(
                    &doc,
                    request.operation_name.as_deref(),
                )
                .map(|(_, ty)| ty)
            });
        if operation_type.is_some_and(|ty| ty != OperationType::Subscription) {
            return futures_util::stream::once(std::future::ready(self.refuse(
                &context,
                ErrorCode::BadRequest,
                "only subscriptions are served over WebSocket; send queries and mutations over HTTP",
            )))
            .boxed();
        }
        let operation_name = request.operation_name.clone();
        let request = request
            .data(self.viewer.clone())
            .data(Arc::clone(&context))
            .data(Loaders::new(&self.state.readers))
            .data(OperationName(operation_name));
        let audit = Arc::clone(&self.state.audit);
        self.state
            .schema
            .execute_stream(request)
            .map(move |response| {
                // A document refused before it ran (syntax, validation, limits, a
                // field the caller may not read) is audited here: no resolver ran.
                let request_error = response.data == async_graphql::Value::Null
                    && !response.errors.is_empty()
                    && response.errors.iter().all(|e| e.path.is_empty());
                if request_error {
                    let errors: Vec<&ServerError> = response.errors.iter().collect();
                    let (outcome, reason) = crate::graphql::extensions::audit::outcome_of(&errors);
                    let operation = context.root_operation("", "");
                    audit.enqueue(context.draft(&operation, outcome, reason, 0));
                }
                response
            })
            .boxed()
    }
}
