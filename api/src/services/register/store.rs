//! Reading and writing DPIA versions with their answers, measures and evaluations.
//! Functions take any connection so that the services run them inside their
//! transaction and the seed inside its own.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use entity::register::dpia::{self, DpiaStatus};
use entity::register::{dpia_answer, dpia_evaluation, dpia_measure};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};

use crate::error::{ApiError, ApiResult};
use crate::services::register::content::{
    Answer, DpiaContent, DpoOpinion, Evaluation, Measure, PeopleOpinion,
};

/// A DPIA version and what it says.
#[derive(Debug, Clone)]
pub struct Document {
    /// The row, with its workflow state.
    pub model: dpia::Model,
    /// Its content.
    pub content: DpiaContent,
}

/// Items of a stored JSON list; anything but strings is ignored.
pub fn json_list(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// One DPIA version row.
pub async fn get<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<dpia::Model> {
    dpia::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("DPIA {id}")))
}

/// One DPIA version with its content.
pub async fn load<C: ConnectionTrait>(db: &C, id: i64) -> ApiResult<Document> {
    let model = get(db, id).await?;
    Ok(load_many(db, vec![model]).await?.remove(0))
}

/// The content of several rows, in three queries whatever their number.
pub async fn load_many<C: ConnectionTrait>(
    db: &C,
    models: Vec<dpia::Model>,
) -> Result<Vec<Document>, DbErr> {
    let ids: Vec<i64> = models.iter().map(|m| m.id).collect();
    let mut answers: HashMap<i64, Vec<dpia_answer::Model>> = HashMap::new();
    for row in dpia_answer::Entity::find()
        .filter(dpia_answer::Column::DpiaId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        answers.entry(row.dpia_id).or_default().push(row);
    }
    let mut measures: HashMap<i64, Vec<dpia_measure::Model>> = HashMap::new();
    for row in dpia_measure::Entity::find()
        .filter(dpia_measure::Column::DpiaId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        measures.entry(row.dpia_id).or_default().push(row);
    }
    let mut evaluations: HashMap<i64, Vec<dpia_evaluation::Model>> = HashMap::new();
    for row in dpia_evaluation::Entity::find()
        .filter(dpia_evaluation::Column::DpiaId.is_in(ids))
        .all(db)
        .await?
    {
        evaluations.entry(row.dpia_id).or_default().push(row);
    }
    Ok(models
        .into_iter()
        .map(|model| {
            let content = content_of(
                &model,
                answers.remove(&model.id).unwrap_or_default(),
                measures.remove(&model.id).unwrap_or_default(),
                evaluations.remove(&model.id).unwrap_or_default(),
            );
            Document { model, content }
        })
        .collect())
}

fn content_of(
    model: &dpia::Model,
    answers: Vec<dpia_answer::Model>,
    measures: Vec<dpia_measure::Model>,
    evaluations: Vec<dpia_evaluation::Model>,
) -> DpiaContent {
    DpiaContent {
        name: model.name.clone(),
        author_name: model.author_name.clone(),
        evaluator_name: model.evaluator_name.clone(),
        validator_name: model.validator_name.clone(),
        dpo: DpoOpinion {
            status: model.dpo_status,
            opinion: model.dpo_opinion.clone(),
            names: model.dpos_names.clone(),
        },
        people: PeopleOpinion {
            searched: model.concerned_people_searched_opinion,
            not_searched_reason: model.concerned_people_searched_content.clone(),
            names: model.people_names.clone(),
            status: model.concerned_people_status,
            opinion: model.concerned_people_opinion.clone(),
        },
        rejection_reason: model.rejection_reason.clone(),
        applied_adjustments: model.applied_adjustments.clone(),
        answers: answers
            .into_iter()
            .map(|a| {
                let list = json_list(&a.list);
                (
                    a.question_id,
                    Answer {
                        text: a.text,
                        gauge: a.gauge,
                        list,
                    },
                )
            })
            .collect::<BTreeMap<_, _>>(),
        measures: measures
            .into_iter()
            .map(|m| Measure {
                number: m.number,
                title: m.title,
                content: m.content,
            })
            .collect(),
        evaluations: evaluations
            .into_iter()
            .map(|e| Evaluation {
                reference_to: e.reference_to,
                status: e.status,
                gauge_x: e.gauge_x,
                gauge_y: e.gauge_y,
                action_plan_comment: e.action_plan_comment,
                evaluation_comment: e.evaluation_comment,
                person_in_charge: e.person_in_charge,
                estimated_implementation_date: e.estimated_implementation_date,
            })
            .collect(),
    }
    .normalized()
}

/// Copies the content's header into a row.
fn set_header(row: &mut dpia::ActiveModel, content: &DpiaContent) {
    row.name = Set(content.name.trim().to_owned());
    row.author_name = Set(content.author_name.clone());
    row.evaluator_name = Set(content.evaluator_name.clone());
    row.validator_name = Set(content.validator_name.clone());
    row.dpo_status = Set(content.dpo.status);
    row.dpo_opinion = Set(content.dpo.opinion.clone());
    row.dpos_names = Set(content.dpo.names.clone());
    row.concerned_people_searched_opinion = Set(content.people.searched);
    row.concerned_people_searched_content = Set(content.people.not_searched_reason.clone());
    row.people_names = Set(content.people.names.clone());
    row.concerned_people_status = Set(content.people.status);
    row.concerned_people_opinion = Set(content.people.opinion.clone());
    row.rejection_reason = Set(content.rejection_reason.clone());
    row.applied_adjustments = Set(content.applied_adjustments.clone());
}

/// Replaces the answers, measures and evaluations of a version.
async fn write_children<C: ConnectionTrait>(
    db: &C,
    dpia_id: i64,
    content: &DpiaContent,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    dpia_answer::Entity::delete_many()
        .filter(dpia_answer::Column::DpiaId.eq(dpia_id))
        .exec(db)
        .await?;
    dpia_measure::Entity::delete_many()
        .filter(dpia_measure::Column::DpiaId.eq(dpia_id))
        .exec(db)
        .await?;
    dpia_evaluation::Entity::delete_many()
        .filter(dpia_evaluation::Column::DpiaId.eq(dpia_id))
        .exec(db)
        .await?;
    if !content.answers.is_empty() {
        let rows = content
            .answers
            .iter()
            .map(|(id, a)| dpia_answer::ActiveModel {
                dpia_id: Set(dpia_id),
                question_id: Set(*id),
                text: Set(a.text.clone()),
                gauge: Set(a.gauge),
                list: Set(serde_json::Value::from(a.list.clone())),
                created_at: Set(now),
                ..Default::default()
            });
        dpia_answer::Entity::insert_many(rows).exec(db).await?;
    }
    if !content.measures.is_empty() {
        let rows = content.measures.iter().map(|m| dpia_measure::ActiveModel {
            dpia_id: Set(dpia_id),
            number: Set(m.number),
            title: Set(m.title.trim().to_owned()),
            content: Set(m.content.clone()),
            created_at: Set(now),
            ..Default::default()
        });
        dpia_measure::Entity::insert_many(rows).exec(db).await?;
    }
    if !content.evaluations.is_empty() {
        let rows = content
            .evaluations
            .iter()
            .map(|e| dpia_evaluation::ActiveModel {
                dpia_id: Set(dpia_id),
                reference_to: Set(e.reference_to.clone()),
                status: Set(e.status),
                gauge_x: Set(e.gauge_x),
                gauge_y: Set(e.gauge_y),
                action_plan_comment: Set(e.action_plan_comment.clone()),
                evaluation_comment: Set(e.evaluation_comment.clone()),
                person_in_charge: Set(e.person_in_charge.clone()),
                estimated_implementation_date: Set(e.estimated_implementation_date),
                created_at: Set(now),
                ..Default::default()
            });
        dpia_evaluation::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Where a new version goes.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    /// The processing activity assessed.
    pub processing_activity_id: i64,
    /// Its version number.
    pub version: i32,
    /// The version it was made from.
    pub previous_version_id: Option<i64>,
    /// Its status (a draft, except for seeded history).
    pub status: DpiaStatus,
    /// The user who drafted it.
    pub author_user_id: Option<i64>,
}

/// Inserts a new version with its content.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    at: Placement,
    content: &DpiaContent,
    now: DateTime<Utc>,
) -> Result<dpia::Model, DbErr> {
    let mut row = dpia::ActiveModel {
        processing_activity_id: Set(at.processing_activity_id),
        version: Set(at.version),
        previous_version_id: Set(at.previous_version_id),
        status: Set(at.status),
        author_user_id: Set(at.author_user_id),
        signed: Set(false),
        validated_at: Set(None),
        cnil_reference: Set(None),
        cnil_submitted_at: Set(None),
        cnil_answer: Set(None),
        cnil_favourable: Set(None),
        cnil_answered_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    // Every version is written here or in `save`: the one place free text is
    // redacted of personal data.
    let content = &content.redacted();
    set_header(&mut row, content);
    let model = row.insert(db).await?;
    write_children(db, model.id, content, now).await?;
    Ok(model)
}

/// Rewrites a version's content and status (never a frozen one: callers check).
pub async fn save<C: ConnectionTrait>(
    db: &C,
    model: dpia::Model,
    content: &DpiaContent,
    status: DpiaStatus,
    now: DateTime<Utc>,
) -> Result<dpia::Model, DbErr> {
    let id = model.id;
    let content = &content.redacted();
    let mut row: dpia::ActiveModel = model.into();
    set_header(&mut row, content);
    row.status = Set(status);
    row.updated_at = Set(now);
    let saved = row.update(db).await?;
    write_children(db, id, content, now).await?;
    Ok(saved)
}

/// Every version of an activity's DPIA, newest first.
pub async fn versions<C: ConnectionTrait>(
    db: &C,
    processing_activity_id: i64,
) -> Result<Vec<dpia::Model>, DbErr> {
    dpia::Entity::find()
        .filter(dpia::Column::ProcessingActivityId.eq(processing_activity_id))
        .order_by_desc(dpia::Column::Version)
        .all(db)
        .await
}

/// A unique-index violation becomes a conflict (two changes raced); anything else
/// stays internal.
pub fn conflict_or_internal(err: DbErr, what: &str) -> ApiError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            ApiError::Conflict(format!("{what} was changed at the same time; retry"))
        }
        _ => ApiError::from(err),
    }
}
