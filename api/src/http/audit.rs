//! `GET /audit/export.csv`: the audit log as CSV for the DPO, streamed page by page
//! with the same filters as `auditEntries`; the export itself is audited.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::stream;
use tracing_actix_web::RequestId;

use crate::error::{ApiError, ErrorCode};
use crate::http::AppState;
use crate::http::coded_error;
use crate::http::graphql::viewer_of;
use crate::services::audit::Draft;
use crate::services::audit::query::{self, AuditFilter};

/// Entries read per page of the stream.
const PAGE: u64 = 1_000;

const HEADER: [&str; 17] = [
    "seq",
    "at",
    "actor",
    "role",
    "organization_id",
    "token_id",
    "operation_type",
    "operation_name",
    "resources",
    "fields",
    "record_count",
    "purpose",
    "outcome",
    "reason",
    "request_id",
    "prev_hash",
    "hash",
];

#[derive(serde::Deserialize)]
struct ExportQuery {
    actor: Option<String>,
    organization_id: Option<i64>,
    role: Option<String>,
    operation: Option<String>,
    resource: Option<String>,
    outcome: Option<String>,
    purpose: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

/// A text cell as a spreadsheet may open it: a cell starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return is prefixed with `'` (OWASP's advice against CSV
/// injection), so that a client-chosen string never runs as a formula on the DPO's
/// machine. The hashes are computed on the stored values, not on the cells.
pub fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn csv_chunk(rows: &[entity::audit_entry::Model], header: bool) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if header {
        writer.write_record(HEADER)?;
    }
    for r in rows {
        writer.write_record([
            r.seq.to_string(),
            r.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            cell(&r.actor),
            cell(r.role.as_deref().unwrap_or_default()),
            r.organization_id.map(|v| v.to_string()).unwrap_or_default(),
            r.token_id.map(|v| v.to_string()).unwrap_or_default(),
            cell(&r.operation_type),
            cell(&r.operation_name),
            cell(&r.resources),
            cell(&r.fields),
            r.record_count.to_string(),
            cell(r.purpose.as_deref().unwrap_or_default()),
            cell(&r.outcome),
            cell(r.reason.as_deref().unwrap_or_default()),
            cell(r.request_id.as_deref().unwrap_or_default()),
            r.prev_hash.clone(),
            r.hash.clone(),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|err| csv::Error::from(err.into_error()))
}

/// Streams the filtered audit log as CSV.
pub async fn export(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let viewer = match viewer_of(&req, &state).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let decision =
        policies::permissions::authorize(&viewer.subject, "auditEntries", viewer.purpose, None);
    let mut draft = Draft {
        at: Utc::now(),
        actor: viewer.actor.clone(),
        role: viewer.role().map(|r| r.as_str().to_owned()),
        organization_id: viewer.organization_id,
        token_id: viewer.token_id,
        operation_type: "http".to_owned(),
        operation_name: "auditExport".to_owned(),
        resources: "auditEntries".to_owned(),
        fields: "csv".to_owned(),
        purpose: viewer.purpose.map(|p| p.as_str().to_owned()),
        outcome: "allowed".to_owned(),
        request_id,
        ..Draft::default()
    };
    let grant = match decision {
        Ok(grant) => grant,
        Err(denial) => {
            draft.outcome = "denied".to_owned();
            draft.reason = Some(denial.reason.to_string());
            state.audit.record(draft).await;
            let error = ApiError::Denied(denial);
            let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::FORBIDDEN);
            return coded_error(status, error.code(), &error.to_string());
        }
    };
    draft.purpose = grant
        .purpose
        .map(|p| p.as_str().to_owned())
        .or(draft.purpose);
    let params = match web::Query::<ExportQuery>::from_query(req.query_string()) {
        Ok(q) => q.into_inner(),
        Err(err) => {
            return coded_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                &format!("invalid filter: {err}"),
            );
        }
    };
    let filter = AuditFilter {
        actor: params.actor,
        organization_id: params.organization_id,
        role: params.role,
        operation: params.operation,
        resource: params.resource,
        outcome: params.outcome,
        purpose: params.purpose,
        from: params.from,
        to: params.to,
    };
    state.audit.flush().await;
    // The export is recorded before it is streamed, so that an interrupted download
    // still left its trace.
    state.audit.record(draft).await;
    let db = state.db.clone();
    let filter = Arc::new(filter);
    let body = stream::unfold(Some((0i64, true)), move |cursor| {
        let (db, filter) = (db.clone(), Arc::clone(&filter));
        async move {
            let (after, first) = cursor?;
            let rows = match query::chunk(&db, &filter, after, PAGE).await {
                Ok(rows) => rows,
                Err(err) => {
                    let _ = err.to_graphql();
                    return Some((
                        Err(actix_web::error::ErrorInternalServerError("internal error")),
                        None,
                    ));
                }
            };
            if rows.is_empty() && !first {
                return None;
            }
            let next = if (rows.len() as u64) < PAGE {
                None
            } else {
                rows.last().map(|r| (r.seq, false))
            };
            let chunk = csv_chunk(&rows, first)
                .map(web::Bytes::from)
                .map_err(|err| {
                    let _ = ApiError::internal(err).to_graphql();
                    actix_web::error::ErrorInternalServerError("internal error")
                });
            Some((chunk, next))
        }
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("content-disposition", "attachment; filename=\"audit.csv\""))
        .streaming(body)
}
