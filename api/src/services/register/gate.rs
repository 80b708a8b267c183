//! The gate between the register and the data: a source is activated, and ingests,
//! only while the DPIA of its processing activity is validated (DESIGN §6).

use entity::enums::SourceStatus;
use entity::register::processing_activity;
use entity::source;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
};

use crate::error::{ApiError, ApiResult};
use crate::services::register::{store, workflow};
use crate::services::work::Change;

/// Stable rule code: the source belongs to no processing activity.
pub const RULE_NOT_REGISTERED: &str = "SOURCE_NOT_REGISTERED";
/// Stable rule code: the activity's DPIA is missing or not validated.
pub const RULE_DPIA_NOT_VALIDATED: &str = "DPIA_NOT_VALIDATED";

fn violation(rule: &str, message: String) -> ApiError {
    ApiError::PolicyViolation {
        rule: rule.to_owned(),
        message,
    }
}

/// `Ok` when `source` may ingest (and be activated): its processing activity has a
/// validated DPIA the CNIL did not object to. Otherwise `POLICY_VIOLATION` with rule
/// `SOURCE_NOT_REGISTERED` or `DPIA_NOT_VALIDATED`, naming what is missing.
/// The ingestion service calls it inside its transaction, before storing a batch.
pub async fn ensure_source_may_ingest<C: ConnectionTrait>(
    db: &C,
    source: &source::Model,
) -> ApiResult<()> {
    let Some(activity_id) = source.processing_activity_id else {
        return Err(violation(
            RULE_NOT_REGISTERED,
            format!(
                "source {} belongs to no processing activity of the register; it needs one with a validated DPIA",
                source.code
            ),
        ));
    };
    let activity = processing_activity::Entity::find_by_id(activity_id).one(db).await?.ok_or_else(|| {
        violation(RULE_NOT_REGISTERED, format!("source {} names processing activity {activity_id}, which is not in the register", source.code))
    })?;
    let versions = store::versions(db, activity.id).await?;
    if versions
        .iter()
        .any(|d| workflow::opens_gate(d.status, d.cnil_favourable))
    {
        return Ok(());
    }
    let message = match versions.first() {
        None => format!(
            "source {} cannot ingest: processing activity {} (\"{}\") has no DPIA; draft, review and validate one first",
            source.code, activity.code, activity.name
        ),
        Some(latest) => format!(
            "source {} cannot ingest: the DPIA of processing activity {} (\"{}\") is not validated (DPIA {}, version {}, status {:?})",
            source.code, activity.code, activity.name, latest.id, latest.version, latest.status
        ),
    };
    Err(violation(RULE_DPIA_NOT_VALIDATED, message))
}

/// Changes a source's lifecycle status; activation passes the gate.
pub async fn set_source_status(
    db: &DatabaseConnection,
    change: Change<'_>,
    source_id: i64,
    status: SourceStatus,
) -> ApiResult<source::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let source = source::Entity::find_by_id(source_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("source {source_id}")))?;
    if status == SourceStatus::Active {
        ensure_source_may_ingest(txn, &source).await?;
    }
    let mut row: source::ActiveModel = source.into();
    row.status = Set(status);
    let saved = row.update(txn).await?;
    work.commit(1).await?;
    Ok(saved)
}
