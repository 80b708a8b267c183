//! The register of processing activities (GDPR art. 30): reads with their sources
//! and DPIA versions, and the checked upsert that also links sources.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::enums::SourceStatus;
use entity::register::dpia;
use entity::register::processing_activity::{self, LegalBasis};
use entity::source;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder,
};

use crate::error::{ApiError, ApiResult};
use crate::services::register::content::{MAX_LIST_ITEM, MAX_LIST_ITEMS, MAX_SHORT, MAX_TEXT};
use crate::services::register::store;
use crate::services::register::workflow;
use crate::services::work::Change;

/// Longest retention accepted, in days (a century: beyond any legal duty).
const MAX_RETENTION_DAYS: i32 = 36_500;

/// An activity with its sources and DPIA versions (newest first).
#[derive(Debug, Clone)]
pub struct ActivityView {
    /// The register's entry.
    pub activity: processing_activity::Model,
    /// Its sources, by code.
    pub sources: Vec<source::Model>,
    /// Its DPIA versions, newest first.
    pub dpias: Vec<dpia::Model>,
}

/// Activities (all, or the one with `id`) with their links, in three queries.
pub async fn list<C: ConnectionTrait>(db: &C, id: Option<i64>) -> ApiResult<Vec<ActivityView>> {
    let mut query = processing_activity::Entity::find();
    if let Some(id) = id {
        query = query.filter(processing_activity::Column::Id.eq(id));
    }
    let activities = query
        .order_by_asc(processing_activity::Column::Code)
        .all(db)
        .await?;
    let ids: Vec<i64> = activities.iter().map(|a| a.id).collect();
    let mut sources: HashMap<i64, Vec<source::Model>> = HashMap::new();
    for row in source::Entity::find()
        .filter(source::Column::ProcessingActivityId.is_in(ids.clone()))
        .order_by_asc(source::Column::Code)
        .all(db)
        .await?
    {
        if let Some(activity) = row.processing_activity_id {
            sources.entry(activity).or_default().push(row);
        }
    }
    let mut dpias: HashMap<i64, Vec<dpia::Model>> = HashMap::new();
    for row in dpia::Entity::find()
        .filter(dpia::Column::ProcessingActivityId.is_in(ids))
        .order_by_desc(dpia::Column::Version)
        .all(db)
        .await?
    {
        dpias
            .entry(row.processing_activity_id)
            .or_default()
            .push(row);
    }
    Ok(activities
        .into_iter()
        .map(|activity| ActivityView {
            sources: sources.remove(&activity.id).unwrap_or_default(),
            dpias: dpias.remove(&activity.id).unwrap_or_default(),
            activity,
        })
        .collect())
}

/// One activity with its links.
pub async fn get<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<ActivityView> {
    list(db, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found(format!("processing activity {id}")))
}

/// A register entry as submitted; `code` finds the row to replace.
#[derive(Debug, Clone)]
pub struct ActivityInput {
    /// Stable code (lowercase letters, digits, `-`), 1 to 64 characters.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Functional contact of the controller.
    pub controller_contact: String,
    /// Functional contact of the DPO.
    pub dpo_contact: String,
    /// Purposes; at least one.
    pub purposes: Vec<String>,
    /// Lawful basis.
    pub legal_basis: LegalBasis,
    /// The text that grounds it.
    pub legal_basis_details: String,
    /// Categories of data subjects; at least one.
    pub data_subject_categories: Vec<String>,
    /// Categories of data; at least one.
    pub data_categories: Vec<String>,
    /// Recipients.
    pub recipients: Vec<String>,
    /// Transfers outside the EU; empty when none.
    pub transfers: Vec<String>,
    /// Retention in days.
    pub retention_days: i32,
    /// How the retention was chosen.
    pub retention_details: String,
    /// Security measures; at least one.
    pub security_measures: Vec<String>,
    /// The complete set of sources of the activity, by id, when given.
    pub source_ids: Option<Vec<i64>>,
}

fn text(path: &str, value: &str, max: usize, required: bool) -> ApiResult<String> {
    let value = value.trim();
    if (required && value.is_empty()) || value.chars().count() > max {
        let least = if required { 1 } else { 0 };
        return Err(ApiError::bad_input(
            path,
            format!("{least} to {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

fn items(path: &str, values: &[String], required: bool) -> ApiResult<serde_json::Value> {
    if required && values.is_empty() {
        return Err(ApiError::bad_input(path, "at least one item is required"));
    }
    if values.len() > MAX_LIST_ITEMS {
        return Err(ApiError::bad_input(
            path,
            format!("at most {MAX_LIST_ITEMS} items"),
        ));
    }
    let mut out = Vec::with_capacity(values.len());
    for value in values {
        out.push(text(path, value, MAX_LIST_ITEM, true)?);
    }
    Ok(serde_json::Value::from(out))
}

/// Creates the entry with this code, or replaces it, and links the sources given.
/// Who may keep the register is the permission matrix's to say.
pub async fn upsert(
    db: &DatabaseConnection,
    change: Change<'_>,
    input: ActivityInput,
) -> ApiResult<ActivityView> {
    let code = input.code.trim();
    if code.is_empty()
        || code.len() > 64
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(ApiError::bad_input(
            "input.code",
            "1 to 64 lowercase letters, digits or '-'",
        ));
    }
    if !(1..=MAX_RETENTION_DAYS).contains(&input.retention_days) {
        return Err(ApiError::bad_input(
            "input.retentionDays",
            format!("from 1 to {MAX_RETENTION_DAYS} days"),
        ));
    }
    let name = text("input.name", &input.name, MAX_SHORT, true)?;
    let description = text("input.description", &input.description, MAX_TEXT, false)?;
    let controller_contact = text(
        "input.controllerContact",
        &input.controller_contact,
        MAX_SHORT,
        true,
    )?;
    let dpo_contact = text("input.dpoContact", &input.dpo_contact, MAX_SHORT, true)?;
    let legal_basis_details = text(
        "input.legalBasisDetails",
        &input.legal_basis_details,
        MAX_TEXT,
        true,
    )?;
    let retention_details = text(
        "input.retentionDetails",
        &input.retention_details,
        MAX_TEXT,
        false,
    )?;
    let purposes = items("input.purposes", &input.purposes, true)?;
    let subjects = items(
        "input.dataSubjectCategories",
        &input.data_subject_categories,
        true,
    )?;
    let categories = items("input.dataCategories", &input.data_categories, true)?;
    let recipients = items("input.recipients", &input.recipients, false)?;
    let transfers = items("input.transfers", &input.transfers, false)?;
    let security = items("input.securityMeasures", &input.security_measures, true)?;

    let work = change.begin(db).await?;
    let txn = work.txn();
    let now = Utc::now();
    let existing = processing_activity::Entity::find()
        .filter(processing_activity::Column::Code.eq(code))
        .one(txn)
        .await?;
    let mut row = match existing {
        Some(model) => model.into(),
        None => processing_activity::ActiveModel {
            code: Set(code.to_owned()),
            created_at: Set(now),
            ..Default::default()
        },
    };
    row.name = Set(name);
    row.description = Set(description);
    row.controller_contact = Set(controller_contact);
    row.dpo_contact = Set(dpo_contact);
    row.purposes = Set(purposes);
    row.legal_basis = Set(input.legal_basis);
    row.legal_basis_details = Set(legal_basis_details);
    row.data_subject_categories = Set(subjects);
    row.data_categories = Set(categories);
    row.recipients = Set(recipients);
    row.transfers = Set(transfers);
    row.retention_days = Set(input.retention_days);
    row.retention_details = Set(retention_details);
    row.security_measures = Set(security);
    row.updated_at = Set(now);
    let saved = row
        .save(txn)
        .await
        .map_err(|e| store::conflict_or_internal(e, "this processing activity"))?;
    let activity_id = match saved.id {
        Set(id) | sea_orm::ActiveValue::Unchanged(id) => id,
        sea_orm::ActiveValue::NotSet => {
            return Err(ApiError::internal(sea_orm::DbErr::RecordNotInserted));
        }
    };
    if let Some(source_ids) = input.source_ids {
        link_sources(txn, activity_id, &source_ids).await?;
    }
    let view = get(txn, activity_id).await?;
    work.commit(1).await?;
    Ok(view)
}

/// Makes `source_ids` the sources of the activity. An active source may neither
/// leave nor join an activity unless the DPIA it then depends on is validated, so an
/// active source always has one.
async fn link_sources<C: ConnectionTrait>(
    db: &C,
    activity_id: i64,
    source_ids: &[i64],
) -> ApiResult<()> {
    let wanted: HashSet<i64> = source_ids.iter().copied().collect();
    let found = source::Entity::find()
        .filter(source::Column::Id.is_in(wanted.iter().copied()))
        .all(db)
        .await?;
    if let Some(missing) = wanted.iter().find(|id| !found.iter().any(|s| s.id == **id)) {
        return Err(ApiError::bad_input(
            "input.sourceIds",
            format!("unknown source {missing}"),
        ));
    }
    let current = source::Entity::find()
        .filter(source::Column::ProcessingActivityId.eq(activity_id))
        .all(db)
        .await?;
    let validated = store::versions(db, activity_id)
        .await?
        .iter()
        .any(|d| workflow::opens_gate(d.status, d.cnil_favourable));
    for leaving in current.iter().filter(|s| !wanted.contains(&s.id)) {
        if leaving.status == SourceStatus::Active {
            return Err(ApiError::bad_input(
                "input.sourceIds",
                format!(
                    "source {} is active; suspend it before removing it from this activity",
                    leaving.code
                ),
            ));
        }
        let mut row: source::ActiveModel = leaving.clone().into();
        row.processing_activity_id = Set(None);
        row.update(db).await?;
    }
    for joining in found
        .into_iter()
        .filter(|s| s.processing_activity_id != Some(activity_id))
    {
        if joining.status == SourceStatus::Active && !validated {
            return Err(ApiError::bad_input(
                "input.sourceIds",
                format!(
                    "source {} is active and this activity has no validated DPIA",
                    joining.code
                ),
            ));
        }
        let mut row: source::ActiveModel = joining.into();
        row.processing_activity_id = Set(Some(activity_id));
        row.update(db).await?;
    }
    Ok(())
}
