//! An aggregated measurement received from a source: one cell (zone x aligned time
//! bucket x metric) with its value and the number of people behind it.

use sea_orm::entity::prelude::*;

/// One observation row; unique per (source, zone, metric, bucket start, bucket length).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "observation")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The source that sent it.
    pub source_id: i64,
    /// The zone it describes.
    pub zone_id: i64,
    /// The metric measured (one of the source's metrics).
    pub metric: String,
    /// Start of its time bucket, aligned on the bucket length (UTC).
    pub bucket_start: DateTimeUtc,
    /// Length of its time bucket, in minutes (15, 60 or 1440).
    pub bucket_minutes: i32,
    /// The measured value.
    pub value: f64,
    /// How many people contributed to it (absent for record-level sources).
    pub contributors: Option<i32>,
    /// Free text sent with it, checked for personal data before it was accepted.
    pub note: Option<String>,
    /// Labels sent with it, as a JSON array of strings, checked like the note.
    pub labels: Option<Json>,
    /// The ingestion batch that brought it.
    pub batch_id: i64,
}

/// Relations are resolved by explicit queries in the API's services.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
