//! DataLoaders of the scoring fields: an agenda of 200 events asks for their current
//! assessments, histories, decisions and the pause switch in one query each.

use crate::graphql::loaders::ID_BATCH;
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{assessment, decision};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{ApiError, SharedError};
use crate::services::scoring::{self as service, ScoringStatus};

/// The scoring loaders of one request (a field of `Loaders`).
pub struct ScoringLoaders {
    /// The current (latest) assessment by event id.
    pub current: DataLoader<CurrentAssessmentLoader>,
    /// The current assessment by event id without its JSON columns (see
    /// `services::scoring::current_light_for`); cache fed by the agenda.
    pub current_light: DataLoader<CurrentLightLoader, HashMapCache>,
    /// Every assessment of an event, newest first, by event id.
    pub history: DataLoader<AssessmentHistoryLoader>,
    /// Assessments by their own id.
    pub by_id: DataLoader<AssessmentByIdLoader>,
    /// Decisions by event id, newest first.
    pub decisions: DataLoader<DecisionsLoader>,
    /// The pause switch, read once per request.
    pub status: DataLoader<StatusLoader>,
}

impl ScoringLoaders {
    /// A fresh set on `db`.
    pub fn new(db: &DatabaseConnection) -> Self {
        ScoringLoaders {
            current: DataLoader::new(CurrentAssessmentLoader(db.clone()), tokio::spawn)
                .max_batch_size(ID_BATCH),
            current_light: crate::graphql::loaders::cached(CurrentLightLoader(db.clone())),
            history: DataLoader::new(AssessmentHistoryLoader(db.clone()), tokio::spawn)
                .max_batch_size(ID_BATCH),
            by_id: DataLoader::new(AssessmentByIdLoader(db.clone()), tokio::spawn)
                .max_batch_size(ID_BATCH),
            decisions: DataLoader::new(DecisionsLoader(db.clone()), tokio::spawn)
                .max_batch_size(ID_BATCH),
            status: DataLoader::new(StatusLoader(db.clone()), tokio::spawn)
                .max_batch_size(ID_BATCH),
        }
    }
}

fn shared(err: ApiError) -> SharedError {
    SharedError(Arc::new(err))
}

/// Loads current assessments.
pub struct CurrentAssessmentLoader(DatabaseConnection);

impl Loader<i64> for CurrentAssessmentLoader {
    type Value = assessment::Model;
    type Error = SharedError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        service::current_for(&self.0, keys).await.map_err(shared)
    }
}

/// Loads light current assessments; `None` for an event never scored, so that a
/// fed cache answers for it too.
pub struct CurrentLightLoader(DatabaseConnection);

impl Loader<i64> for CurrentLightLoader {
    type Value = Option<assessment::Model>;
    type Error = SharedError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        service::current_light_for(&self.0, keys)
            .await
            .map_err(shared)
    }
}

impl ScoringLoaders {
    /// Reads the light current assessments of `ids` in one query per chunk, fills
    /// the cache with them and turns it on for the rest of the request.
    pub async fn feed_current_light(
        &self,
        db: &DatabaseConnection,
        ids: &[i64],
    ) -> Result<(), SharedError> {
        let rows = service::current_light_for(db, ids).await.map_err(shared)?;
        self.current_light.feed_many(rows).await;
        self.current_light.enable_all_cache(true);
        Ok(())
    }
}

/// Loads assessment histories.
pub struct AssessmentHistoryLoader(DatabaseConnection);

impl Loader<i64> for AssessmentHistoryLoader {
    type Value = Vec<assessment::Model>;
    type Error = SharedError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = assessment::Entity::find()
            .filter(assessment::Column::EventId.is_in(keys.iter().copied()))
            .order_by_desc(assessment::Column::Id)
            .all(&self.0)
            .await
            .map_err(|e| shared(e.into()))?;
        let mut out: HashMap<i64, Vec<assessment::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            out.entry(row.event_id).or_default().push(row);
        }
        Ok(out)
    }
}

/// Loads assessments by id.
pub struct AssessmentByIdLoader(DatabaseConnection);

impl Loader<i64> for AssessmentByIdLoader {
    type Value = assessment::Model;
    type Error = SharedError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        service::by_ids(&self.0, keys).await.map_err(shared)
    }
}

/// Loads decisions.
pub struct DecisionsLoader(DatabaseConnection);

impl Loader<i64> for DecisionsLoader {
    type Value = Vec<decision::Model>;
    type Error = SharedError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = service::oversight::decisions_for(&self.0, keys)
            .await
            .map_err(shared)?;
        let mut out: HashMap<i64, Vec<decision::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            out.entry(row.event_id).or_default().push(row);
        }
        Ok(out)
    }
}

/// The one key of the pause switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusKey;

/// Loads the pause switch.
pub struct StatusLoader(DatabaseConnection);

impl Loader<StatusKey> for StatusLoader {
    type Value = ScoringStatus;
    type Error = SharedError;

    async fn load(&self, _: &[StatusKey]) -> Result<HashMap<StatusKey, Self::Value>, Self::Error> {
        let status = service::scoring_status(&self.0).await.map_err(shared)?;
        Ok(HashMap::from([(StatusKey, status)]))
    }
}
