//! DataLoaders: resolvers ask for one row at a time, loaders answer a whole
//! request's worth with one query per kind (no N+1). A fresh set is made per request
//! so that no cached row outlives the request that read it.
//!
//! Zones, venues, deployments and light current assessments keep a per-request
//! cache, off until a resolver that already read those rows set-based (the agenda)
//! feeds it: their fields then cost no statement at all. The cache is never turned
//! on in a mutation, so a change is never hidden by a row read before it.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{deployment, organization, venue, zone};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{ApiError, SharedError};
use crate::services::conflicts::Conflict;

/// Errors shared between the resolvers waiting on one batch.
pub type LoadError = SharedError;

/// The loaders of one request.
pub struct Loaders {
    /// Zones by id, without their outline (cache fed by the agenda).
    pub zones: DataLoader<ZonesLoader, HashMapCache>,
    /// Zones' outlines by zone id, read only when one is asked for.
    pub outlines: DataLoader<OutlinesLoader>,
    /// Venues by id (cache fed by the agenda).
    pub venues: DataLoader<ByIdLoader<venue::Entity>, HashMapCache>,
    /// Organizations by id.
    pub organizations: DataLoader<ByIdLoader<organization::Entity>>,
    /// Deployments by event id (cache fed by the agenda).
    pub deployments: DataLoader<DeploymentsLoader, HashMapCache>,
    /// Conflicts by event id.
    pub conflicts: DataLoader<ConflictsLoader>,
    /// Assessments, decisions and the pause switch.
    pub scoring: crate::graphql::scoring::loaders::ScoringLoaders,
}

/// Most keys one loader batch asks for: one `IN` list stays far below the
/// databases' limits on bound variables.
pub const ID_BATCH: usize = crate::services::events::ID_CHUNK;

impl Loaders {
    /// A fresh set of loaders on `db`.
    pub fn new(db: &DatabaseConnection) -> Self {
        Loaders {
            zones: cached(ZonesLoader(db.clone())),
            outlines: DataLoader::new(OutlinesLoader(db.clone()), tokio::spawn)
                .max_batch_size(ID_BATCH),
            venues: cached(ByIdLoader::new(db)),
            organizations: DataLoader::new(ByIdLoader::new(db), tokio::spawn)
                .max_batch_size(ID_BATCH),
            deployments: cached(DeploymentsLoader(db.clone())),
            conflicts: DataLoader::new(ConflictsLoader(db.clone()), tokio::spawn)
                .max_batch_size(ID_BATCH),
            scoring: crate::graphql::scoring::loaders::ScoringLoaders::new(db),
        }
    }
}

/// A loader with a per-request cache, off until [`Loaders::feed_window`] fills it.
pub fn cached<T: Send + Sync + 'static>(loader: T) -> DataLoader<T, HashMapCache> {
    let loader = DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
        .max_batch_size(ID_BATCH);
    loader.enable_all_cache(false);
    loader
}

impl Loaders {
    /// Fills the caches of zones, venues and deployments with rows read in this
    /// request, and turns them on for the rest of it (a query's).
    pub async fn feed_window(&self, rows: crate::services::agenda::WindowRows) {
        self.zones
            .feed_many(rows.zones.into_iter().map(|z| (z.id, z)))
            .await;
        self.venues
            .feed_many(rows.venues.into_iter().map(|v| (v.id, v)))
            .await;
        self.deployments.feed_many(rows.deployments).await;
        self.zones.enable_all_cache(true);
        self.venues.enable_all_cache(true);
        self.deployments.enable_all_cache(true);
    }
}

fn shared(err: DbErr) -> LoadError {
    SharedError(Arc::new(ApiError::from(err)))
}

/// Loads rows of an entity whose primary key is an `i64` id.
pub struct ByIdLoader<E> {
    db: DatabaseConnection,
    entity: std::marker::PhantomData<E>,
}

impl<E> ByIdLoader<E> {
    fn new(db: &DatabaseConnection) -> Self {
        ByIdLoader {
            db: db.clone(),
            entity: std::marker::PhantomData,
        }
    }
}

/// Reads the id of a row, for entities loaded by id.
pub trait HasId {
    /// The row's id.
    fn id(&self) -> i64;
}

impl HasId for venue::Model {
    fn id(&self) -> i64 {
        self.id
    }
}
impl HasId for organization::Model {
    fn id(&self) -> i64 {
        self.id
    }
}

impl<E> Loader<i64> for ByIdLoader<E>
where
    E: EntityTrait + Send + Sync + 'static,
    E::Model: HasId + Clone + Send + Sync + 'static,
    E::PrimaryKey: sea_orm::PrimaryKeyTrait<ValueType = i64>,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        use sea_orm::{Iterable, PrimaryKeyToColumn};
        let Some(pk) = E::PrimaryKey::iter().next() else {
            return Ok(HashMap::new());
        };
        let rows = E::find()
            .filter(pk.into_column().is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(shared)?;
        Ok(rows.into_iter().map(|row| (row.id(), row)).collect())
    }
}

/// Loads zones by id without their outline (see [`crate::services::catalog::zones_without_outline`]).
pub struct ZonesLoader(DatabaseConnection);

impl Loader<i64> for ZonesLoader {
    type Value = zone::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = crate::services::catalog::zones_without_outline()
            .filter(zone::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(shared)?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Loads zones' outlines (GeoJSON geometries) by zone id; a zone without one has no
/// entry.
pub struct OutlinesLoader(DatabaseConnection);

impl Loader<i64> for OutlinesLoader {
    type Value = Arc<serde_json::Value>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        use sea_orm::QuerySelect;
        let rows: Vec<(i64, Option<serde_json::Value>)> = zone::Entity::find()
            .select_only()
            .column(zone::Column::Id)
            .column(zone::Column::Outline)
            .filter(zone::Column::Id.is_in(keys.iter().copied()))
            .into_tuple()
            .all(&self.0)
            .await
            .map_err(shared)?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, outline)| Some((id, Arc::new(outline?))))
            .collect())
    }
}

/// Loads the deployments of events.
pub struct DeploymentsLoader(DatabaseConnection);

impl Loader<i64> for DeploymentsLoader {
    type Value = Vec<deployment::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = deployment::Entity::find()
            .filter(deployment::Column::EventId.is_in(keys.iter().copied()))
            .order_by_asc(deployment::Column::Kind)
            .all(&self.0)
            .await
            .map_err(shared)?;
        let mut out: HashMap<i64, Vec<deployment::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            out.entry(row.event_id).or_default().push(row);
        }
        Ok(out)
    }
}

/// Loads the conflicts of events read outside the agenda (which computes its own).
pub struct ConflictsLoader(DatabaseConnection);

impl Loader<i64> for ConflictsLoader {
    type Value = Vec<Arc<Conflict>>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let mut found = crate::services::events::conflicts_for(&self.0, keys)
            .await
            .map_err(|err| SharedError(Arc::new(err)))?;
        Ok(keys
            .iter()
            .map(|k| (*k, found.remove(k).unwrap_or_default()))
            .collect())
    }
}
