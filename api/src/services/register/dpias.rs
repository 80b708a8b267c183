//! The DPIA workflow's operations. Each change, in its unit of work (where the
//! permission matrix says who may take the step), checks the transition, then the
//! input, and writes: a refused step stores nothing.

use chrono::Utc;
use entity::register::dpia::{self, DpiaStatus};
use entity::register::processing_activity;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder,
};

use crate::error::{ApiError, ApiResult};
use crate::services::register::content::{
    Answer, DpiaContent, DpoOpinion, Evaluation, MAX_SHORT, MAX_TEXT, Measure, PeopleOpinion,
};
use crate::services::register::store::{self, Document, Placement, conflict_or_internal};
use crate::services::register::workflow::{self, Outcome, Step};
use crate::services::work::Change;

fn refuse(model: &dpia::Model, step: Step, why: &str) -> ApiError {
    ApiError::bad_input(
        "id",
        format!(
            "cannot {} on DPIA {} ({:?}): {why}",
            step.label(),
            model.id,
            model.status
        ),
    )
}

fn required_text(path: &str, value: &str, max: usize) -> ApiResult<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(ApiError::bad_input(
            path,
            format!("1 to {max} characters are required"),
        ));
    }
    Ok(value.to_owned())
}

/// Filter of the `dpias` list.
#[derive(Debug, Clone, Copy, Default)]
pub struct DpiaFilter {
    /// Versions of this activity's DPIA.
    pub processing_activity_id: Option<i64>,
    /// Versions in this status.
    pub status: Option<DpiaStatus>,
}

/// DPIA versions matching `filter`, by activity then newest version first.
pub async fn list<C: ConnectionTrait>(db: &C, filter: DpiaFilter) -> ApiResult<Vec<Document>> {
    let mut query = dpia::Entity::find();
    if let Some(id) = filter.processing_activity_id {
        query = query.filter(dpia::Column::ProcessingActivityId.eq(id));
    }
    if let Some(status) = filter.status {
        query = query.filter(dpia::Column::Status.eq(status));
    }
    let models = query
        .order_by_asc(dpia::Column::ProcessingActivityId)
        .order_by_desc(dpia::Column::Version)
        .all(db)
        .await?;
    Ok(store::load_many(db, models).await?)
}

/// One DPIA version with its content.
pub async fn get<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<Document> {
    store::load(db, id).await
}

/// The changes a draft brings; absent parts keep their value.
#[derive(Debug, Clone, Default)]
pub struct DpiaDraft {
    /// New title.
    pub name: Option<String>,
    /// New author's name.
    pub author_name: Option<String>,
    /// Answers to set, by question id; the others keep their value.
    pub answers: Vec<(i32, Answer)>,
    /// The complete new list of measures.
    pub measures: Option<Vec<Measure>>,
    /// The data subjects' opinion.
    pub people: Option<PeopleOpinion>,
    /// What changed since a rejection or the previous version.
    pub applied_adjustments: Option<String>,
}

impl DpiaDraft {
    fn apply(self, mut content: DpiaContent) -> DpiaContent {
        if let Some(name) = self.name {
            content.name = name.trim().to_owned();
        }
        if let Some(author) = self.author_name {
            content.author_name = author.trim().to_owned();
        }
        content.answers.extend(self.answers);
        if let Some(measures) = self.measures {
            content.measures = measures;
        }
        if let Some(people) = self.people {
            content.people = people;
        }
        if let Some(adjustments) = self.applied_adjustments {
            content.applied_adjustments = adjustments;
        }
        content.normalized()
    }
}

pub(super) async fn activity<C: ConnectionTrait>(
    db: &C,
    id: i64,
    path: &str,
) -> ApiResult<processing_activity::Model> {
    processing_activity::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::bad_input(path, format!("unknown processing activity {id}")))
}

/// Drafts the first version of an activity's DPIA.
pub async fn create(
    db: &DatabaseConnection,
    change: Change<'_>,
    processing_activity_id: i64,
    draft: DpiaDraft,
) -> ApiResult<dpia::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let viewer = &work.ctx().viewer;
    let activity = activity(txn, processing_activity_id, "input.processingActivityId").await?;
    if let Some(existing) = store::versions(txn, activity.id).await?.first() {
        return Err(ApiError::bad_input(
            "input.processingActivityId",
            format!(
                "processing activity {} already has DPIA {} (version {}); change it to make a new version",
                activity.code, existing.id, existing.version
            ),
        ));
    }
    let base = DpiaContent {
        name: format!("AIPD — {}", activity.name),
        author_name: viewer.actor.clone(),
        ..DpiaContent::default()
    };
    let content = draft.apply(base);
    content.check("input")?;
    let placement = Placement {
        processing_activity_id: activity.id,
        version: 1,
        previous_version_id: None,
        status: DpiaStatus::Draft,
        author_user_id: viewer.user_id,
    };
    let model = store::insert(txn, placement, &content, Utc::now())
        .await
        .map_err(|e| conflict_or_internal(e, "this DPIA"))?;
    work.commit(1).await?;
    Ok(model)
}

/// Refuses a change to any version but the latest of its activity.
async fn ensure_latest<C: ConnectionTrait>(
    db: &C,
    model: &dpia::Model,
    step: Step,
) -> ApiResult<()> {
    let versions = store::versions(db, model.processing_activity_id).await?;
    match versions.first() {
        Some(latest) if latest.id != model.id => Err(refuse(
            model,
            step,
            &format!(
                "version {} (DPIA {}) is the latest; change that one",
                latest.version, latest.id
            ),
        )),
        _ => Ok(()),
    }
}

/// Changes a DPIA: in place while a draft (a rejected one returns to draft), as a
/// new draft version once frozen. Returns the version written.
pub async fn update(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
    draft: DpiaDraft,
) -> ApiResult<dpia::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let viewer = &work.ctx().viewer;
    let Document { model, content } = store::load(txn, id).await?;
    ensure_latest(txn, &model, Step::Update).await?;
    let outcome = workflow::transition(Step::Update, model.status)
        .map_err(|why| refuse(&model, Step::Update, why))?;
    let now = Utc::now();
    let written = match outcome {
        Outcome::Moves(status) => {
            let content = draft.apply(content);
            content.check("input")?;
            store::save(txn, model, &content, status, now).await?
        }
        Outcome::NewVersion => {
            // The review judged the old content: the new version starts without it.
            let fresh = DpiaContent {
                evaluator_name: String::new(),
                validator_name: String::new(),
                dpo: DpoOpinion::default(),
                rejection_reason: String::new(),
                applied_adjustments: String::new(),
                evaluations: Vec::new(),
                ..content
            };
            let content = draft.apply(fresh);
            content.check("input")?;
            let placement = Placement {
                processing_activity_id: model.processing_activity_id,
                version: model.version + 1,
                previous_version_id: Some(model.id),
                status: DpiaStatus::Draft,
                author_user_id: viewer.user_id,
            };
            store::insert(txn, placement, &content, now)
                .await
                .map_err(|e| conflict_or_internal(e, "this DPIA"))?
        }
    };
    work.commit(1).await?;
    Ok(written)
}

/// Loads a version for `step`, checking existence and transition; returns the
/// document and the status it moves to.
async fn begin_step<C: ConnectionTrait>(
    db: &C,
    id: i64,
    step: Step,
) -> ApiResult<(Document, DpiaStatus)> {
    let document = store::load(db, id).await?;
    match workflow::transition(step, document.model.status) {
        Ok(Outcome::Moves(status)) => Ok((document, status)),
        Ok(Outcome::NewVersion) => Err(refuse(&document.model, step, "it is frozen")),
        Err(why) => Err(refuse(&document.model, step, why)),
    }
}

/// Sends a complete draft to the DPO.
pub async fn submit(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
) -> ApiResult<dpia::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let (Document { model, content }, status) = begin_step(txn, id, Step::Submit).await?;
    content.check_complete("id")?;
    let saved = store::save(txn, model, &content, status, Utc::now()).await?;
    work.commit(1).await?;
    Ok(saved)
}

/// The DPO's opinion on a submitted DPIA.
#[derive(Debug, Clone)]
pub struct DpoReview {
    /// Whether the processing may be implemented.
    pub favourable: bool,
    /// The opinion and its reasons.
    pub opinion: String,
    /// The DPO's names; the caller's when absent.
    pub names: Option<String>,
    /// The evaluation of each part, replacing earlier ones.
    pub evaluations: Vec<Evaluation>,
}

/// Records the DPO's opinion and evaluations.
pub async fn record_dpo_opinion(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
    review: DpoReview,
) -> ApiResult<dpia::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let viewer = &work.ctx().viewer;
    let (Document { model, mut content }, status) =
        begin_step(txn, id, Step::RecordDpoOpinion).await?;
    let opinion = required_text("input.opinion", &review.opinion, MAX_TEXT)?;
    let names = required_text(
        "input.dpoNames",
        review.names.as_deref().unwrap_or(&viewer.actor),
        MAX_SHORT,
    )?;
    content.dpo = DpoOpinion {
        status: Some(i32::from(review.favourable)),
        opinion,
        names: names.clone(),
    };
    content.evaluator_name = names;
    content.evaluations = review.evaluations;
    let content = content.normalized();
    content.check("input")?;
    let saved = store::save(txn, model, &content, status, Utc::now()).await?;
    work.commit(1).await?;
    Ok(saved)
}

/// Validates a reviewed DPIA; earlier validated versions become superseded.
pub async fn validate(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
    validator: Option<String>,
    signed: bool,
) -> ApiResult<dpia::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let viewer = &work.ctx().viewer;
    let (Document { model, mut content }, status) = begin_step(txn, id, Step::Validate).await?;
    content.validator_name = required_text(
        "validatorName",
        validator.as_deref().unwrap_or(&viewer.actor),
        MAX_SHORT,
    )?;
    let now = Utc::now();
    let (activity_id, this) = (model.processing_activity_id, model.id);
    let saved = store::save(txn, model, &content, status, now).await?;
    let mut row: dpia::ActiveModel = saved.into();
    row.signed = Set(signed);
    row.validated_at = Set(Some(now));
    let saved = row.update(txn).await?;
    for older in store::versions(txn, activity_id).await? {
        if older.id != this
            && workflow::is_frozen(older.status)
            && older.status != DpiaStatus::Superseded
        {
            let mut row: dpia::ActiveModel = older.into();
            row.status = Set(DpiaStatus::Superseded);
            row.updated_at = Set(now);
            row.update(txn).await?;
        }
    }
    work.commit(1).await?;
    Ok(saved)
}

/// Rejects a reviewed DPIA with a reason; its author may rework it.
pub async fn reject(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
    reason: &str,
    validator: Option<String>,
) -> ApiResult<dpia::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let viewer = &work.ctx().viewer;
    let (Document { model, mut content }, status) = begin_step(txn, id, Step::Reject).await?;
    content.rejection_reason = required_text("reason", reason, MAX_TEXT)?;
    content.validator_name = required_text(
        "validatorName",
        validator.as_deref().unwrap_or(&viewer.actor),
        MAX_SHORT,
    )?;
    let saved = store::save(txn, model, &content, status, Utc::now()).await?;
    work.commit(1).await?;
    Ok(saved)
}

/// Records that a validated DPIA was sent to the CNIL.
pub async fn submit_to_cnil(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
    reference: Option<String>,
) -> ApiResult<dpia::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let (Document { model, .. }, status) = begin_step(txn, id, Step::SubmitToCnil).await?;
    let reference = match reference
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(r) => Some(required_text("reference", r, MAX_SHORT)?),
        None => None,
    };
    let now = Utc::now();
    let mut row: dpia::ActiveModel = model.into();
    row.status = Set(status);
    row.cnil_reference = Set(reference);
    row.cnil_submitted_at = Set(Some(now));
    row.updated_at = Set(now);
    let saved = row.update(txn).await?;
    work.commit(1).await?;
    Ok(saved)
}

/// Records the CNIL's answer to a submitted DPIA.
pub async fn record_cnil_answer(
    db: &DatabaseConnection,
    change: Change<'_>,
    id: i64,
    favourable: bool,
    answer: &str,
) -> ApiResult<dpia::Model> {
    let work = change.begin(db).await?;
    let txn = work.txn();
    let (Document { model, .. }, status) = begin_step(txn, id, Step::RecordCnilAnswer).await?;
    let answer = required_text("answer", answer, MAX_TEXT)?;
    let now = Utc::now();
    let mut row: dpia::ActiveModel = model.into();
    row.status = Set(status);
    row.cnil_answer = Set(Some(answer));
    row.cnil_favourable = Set(Some(favourable));
    row.cnil_answered_at = Set(Some(now));
    row.updated_at = Set(now);
    let saved = row.update(txn).await?;
    work.commit(1).await?;
    Ok(saved)
}
