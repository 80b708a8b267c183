//! DPIA versions as files and side by side: export to the CNIL PIA tool or as a
//! report, import of a CNIL PIA file as a new draft, and comparison of two versions.

use chrono::Utc;
use entity::register::dpia::{self, DpiaStatus};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::error::{ApiError, ApiResult};
use crate::services::register::compare::{self, Comparison};
use crate::services::register::dpias::activity;
use crate::services::register::store::{self, Document, Placement, conflict_or_internal};
use crate::services::register::workflow;
use crate::services::register::{cnil, markdown};
use crate::services::work::Change;

/// Reads a CNIL PIA file into a new draft of an activity's DPIA: version 1, or the
/// next version when the latest one is frozen.
pub async fn import(
    db: &DatabaseConnection,
    change: Change<'_>,
    processing_activity_id: i64,
    file: &str,
) -> ApiResult<dpia::Model> {
    let content = cnil::import(file)?;
    let work = change.begin(db).await?;
    let txn = work.txn();
    let viewer = &work.ctx().viewer;
    let activity = activity(txn, processing_activity_id, "processingActivityId").await?;
    let latest = store::versions(txn, activity.id).await?.into_iter().next();
    if let Some(latest) = &latest
        && !workflow::is_frozen(latest.status)
    {
        return Err(ApiError::bad_input(
            "processingActivityId",
            format!(
                "DPIA {} (version {}) of {} is still in progress; change it instead of importing",
                latest.id, latest.version, activity.code
            ),
        ));
    }
    let placement = Placement {
        processing_activity_id: activity.id,
        version: latest.as_ref().map_or(1, |l| l.version + 1),
        previous_version_id: latest.as_ref().map(|l| l.id),
        status: DpiaStatus::Draft,
        author_user_id: viewer.user_id,
    };
    let model = store::insert(txn, placement, &content, Utc::now())
        .await
        .map_err(|e| conflict_or_internal(e, "this DPIA"))?;
    work.commit(1).await?;
    Ok(model)
}

/// Format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The CNIL PIA tool's JSON file.
    CnilPia,
    /// A report in Markdown.
    Markdown,
}

/// An exported file.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// Suggested file name.
    pub file_name: String,
    /// Media type.
    pub media_type: &'static str,
    /// The file's text.
    pub content: String,
}

/// One DPIA version as a file.
pub async fn export<C: ConnectionTrait>(
    db: &C,
    id: i64,
    format: ExportFormat,
) -> ApiResult<ExportFile> {
    let Document { model, content } = store::load(db, id).await?;
    let activity = activity(db, model.processing_activity_id, "id").await?;
    let stem = format!("aipd-{}-v{}", activity.code, model.version);
    Ok(match format {
        ExportFormat::CnilPia => ExportFile {
            file_name: format!("{stem}.json"),
            media_type: "application/json",
            content: cnil::export_json(&model, &content)?,
        },
        ExportFormat::Markdown => ExportFile {
            file_name: format!("{stem}.md"),
            media_type: "text/markdown",
            content: markdown::report(&activity, &model, &content),
        },
    })
}

/// Two versions and what changed from the first to the second.
pub async fn compare<C: ConnectionTrait>(
    db: &C,
    a: i64,
    b: i64,
) -> ApiResult<(Document, Document, Comparison)> {
    let first = store::load(db, a).await?;
    let second = store::load(db, b).await?;
    let changes = compare::compare(&first.content, &second.content);
    Ok((first, second, changes))
}
